"""The privacy registry: export, delete, pause on leave, and the retention sweep under a manual clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.scheduler import Scheduler
from bot.services.privacy import ANONYMOUS_NOTE, PrivacyContributor, PrivacyService

GUILD, OTHER_GUILD = 100000000000000001, 100000000000000002
ALICE, BOB = 400000000000000001, 400000000000000002
RETENTION = timedelta(days=30)


class Notes:
    """A capability standing in for the real ones: one table of per-member rows."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self) -> None:
        await self.db.execute(self.db.dialect.migration(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, guild_id INTEGER, user_id INTEGER, "
            "text TEXT, paused INTEGER DEFAULT 0)"
        ))

    async def add(self, guild_id: int, user_id: int, text: str) -> None:
        await self.db.execute(
            "INSERT INTO notes (guild_id, user_id, text) VALUES (?, ?, ?)", (guild_id, user_id, text)
        )

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        rows = await self.db.fetchall(
            "SELECT text, paused FROM notes WHERE guild_id = ? AND user_id = ? ORDER BY id",
            (guild_id, user_id),
        )
        return {"notes": [dict(row) for row in rows]}

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        await self.db.execute("DELETE FROM notes WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    async def pause_member(self, guild_id: int, user_id: int) -> None:
        await self.db.execute(
            "UPDATE notes SET paused = 1 WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )

    def contributor(self) -> PrivacyContributor:
        return PrivacyContributor("notes", self.export_member, self.delete_member, self.pause_member)


@pytest.fixture
async def notes(db: Database) -> Notes:
    capability = Notes(db)
    await capability.create()
    await capability.add(GUILD, ALICE, "alice here")
    await capability.add(GUILD, BOB, "bob here")
    await capability.add(OTHER_GUILD, ALICE, "alice elsewhere")
    return capability


def privacy_with(db: Database, clock: ManualClock, notes: Notes) -> PrivacyService:
    service = PrivacyService(db, clock, RETENTION)
    service.register(notes.contributor())
    return service


async def test_export_holds_exactly_that_member_in_that_guild(db, clock, notes) -> None:
    exported = await privacy_with(db, clock, notes).export_member(GUILD, ALICE)
    assert exported == {
        "guild_id": str(GUILD),
        "user_id": str(ALICE),
        "exported_at": "2026-01-05T12:00:00+00:00",
        "data": {"membership": {}, "notes": {"notes": [{"text": "alice here", "paused": 0}]}},
        "not_included": ANONYMOUS_NOTE,
    }


async def test_delete_erases_only_that_member_in_that_guild(db, clock, notes) -> None:
    await privacy_with(db, clock, notes).delete_member(GUILD, ALICE)
    rows = await db.fetchall("SELECT guild_id, user_id FROM notes ORDER BY id")
    assert [tuple(r) for r in rows] == [(GUILD, BOB), (OTHER_GUILD, ALICE)]


async def test_registering_a_name_twice_is_refused(db, clock, notes) -> None:
    service = privacy_with(db, clock, notes)
    with pytest.raises(ValueError, match="registered twice"):
        service.register(notes.contributor())


async def test_a_member_who_leaves_is_paused_then_deleted_after_retention(db, clock, notes) -> None:
    service = privacy_with(db, clock, notes)
    scheduler = Scheduler(clock)
    scheduler.start()
    scheduler.register("member-retention", service)
    service.wake_with(scheduler.waker("member-retention"))
    left_at = clock.now()
    await service.member_left(GUILD, ALICE)
    assert (await notes.export_member(GUILD, ALICE))["notes"][0]["paused"] == 1
    assert await service.next_due() == left_at + RETENTION
    exported = await service.export_member(GUILD, ALICE)
    assert exported["data"]["membership"]["scheduled_deletion_at"] == (left_at + RETENTION).isoformat()

    clock.advance(RETENTION - timedelta(minutes=1))
    await scheduler.run_now("member-retention")
    assert (await notes.export_member(GUILD, ALICE))["notes"] != []

    # A restart: a new service over the same rows knows the same deadline.
    restarted = privacy_with(db, clock, notes)
    assert await restarted.next_due() == left_at + RETENTION
    scheduler.unregister("member-retention")
    scheduler.register("member-retention", restarted)

    clock.advance(timedelta(minutes=1))
    await scheduler.run_now("member-retention")
    assert await notes.export_member(GUILD, ALICE) == {"notes": []}
    assert await notes.export_member(OTHER_GUILD, ALICE) != {"notes": []}
    assert await db.fetchval("SELECT count(*) FROM departed_members") == 0
    assert await restarted.next_due() is None
    await scheduler.shutdown()


async def test_a_member_who_returns_keeps_their_data(db, clock, notes) -> None:
    service = privacy_with(db, clock, notes)
    await service.member_left(GUILD, ALICE)
    clock.advance(timedelta(days=2))
    await service.member_returned(GUILD, ALICE)
    clock.advance(RETENTION)
    assert await service.next_due() is None
    await service.run_due(clock.now())
    assert (await notes.export_member(GUILD, ALICE))["notes"] == [{"text": "alice here", "paused": 1}]


async def test_leaving_twice_keeps_the_first_departure(db, clock, notes) -> None:
    service = privacy_with(db, clock, notes)
    first = clock.now()
    await service.member_left(GUILD, ALICE)
    clock.advance(timedelta(days=3))
    await service.member_left(GUILD, ALICE)
    assert await service.next_due() == first + RETENTION


async def test_the_deletion_summary_names_every_contributor(db, clock, notes) -> None:
    service = privacy_with(db, clock, notes)
    service.register(PrivacyContributor(
        "study_groups", notes.export_member, notes.delete_member, summary="Study groups: RSVPs."
    ))
    assert service.deletion_summary() == [
        "Notes: everything it stores about you.",
        "Study groups: RSVPs.",
        "Server membership: the record of when you left this server, if you did.",
    ]


async def test_one_failing_deletion_does_not_hold_back_the_others(db, clock, notes, caplog) -> None:
    service = privacy_with(db, clock, notes)

    async def refuse_alice(guild_id: int, user_id: int) -> None:
        if user_id == ALICE:
            raise RuntimeError("disk full")

    service.register(PrivacyContributor("fragile", notes.export_member, refuse_alice))
    await service.member_left(GUILD, ALICE)
    await service.member_left(GUILD, BOB)
    clock.advance(RETENTION)
    await service.run_due(clock.now())
    assert await notes.export_member(GUILD, BOB) == {"notes": []}
    assert await service.next_due() is not None  # alice is still due: retried later
    assert "could not delete a departed member's data" in caplog.text
