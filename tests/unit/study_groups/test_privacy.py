"""Study groups' part of /privacy: export what we hold, pause on leaving, delete everything
that names the member while the groups keep working."""

from bot.db import Database
from bot.services.study_groups import StudyGroupService

from .conftest import ALICE, BOB, CAROL, GUILD

TABLES_WITH_USERS = {
    "member_timezones": ["user_id"],
    "study_groups": ["owner_id"],
    "study_group_members": ["user_id"],
    "study_series": ["created_by"],
    "study_rsvps": ["user_id"],
    "study_outbox": ["recipient_id"],
}


async def _mentions(db: Database, user_id: int) -> dict[str, int]:
    found = {}
    for table, columns in TABLES_WITH_USERS.items():
        for column in columns:
            n = await db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (user_id,))
            if n:
                found[f"{table}.{column}"] = n
    return found


async def _setup(service: StudyGroupService) -> tuple[int, int]:
    await service.timezones.set(ALICE, "Africa/Lagos")
    owned = await service.groups.create(GUILD, ALICE, "Alice's group", "OET")
    await service.groups.join(GUILD, owned.id, BOB)
    alone = await service.groups.create(GUILD, ALICE, "Only Alice", "Other")
    made = await service.sessions.schedule(GUILD, owned.id, ALICE, False, title="Writing", start="19:00")
    await service.sessions.schedule(GUILD, alone.id, ALICE, False, title="Solo", start="20:00")
    await service.sessions.rsvp(GUILD, made.upcoming[0].id, ALICE, "going")
    await service.sessions.set_reminder(GUILD, owned.id, ALICE, 30)
    return owned.id, alone.id


async def test_export_lists_what_we_hold(service: StudyGroupService) -> None:
    await _setup(service)
    data = await service.privacy.export_member(GUILD, ALICE)
    assert data["time_zone"] == "Africa/Lagos"
    assert [(g["name"], g["owner"], g["dm_reminder_minutes"]) for g in data["groups"]] == [
        ("Alice's group", True, 30), ("Only Alice", True, None)
    ]
    assert [(r["session"], r["answer"]) for r in data["rsvps"]] == [("Writing", "going")]
    assert len(data["sessions_scheduled"]) == 2 and data["dm_reminders_stored"] == 1
    assert await service.privacy.export_member(GUILD, CAROL) == {}


async def test_pause_stops_reminders(service: StudyGroupService, db: Database) -> None:
    await _setup(service)
    await service.privacy.pause_member(GUILD, ALICE)
    assert await db.fetchval(
        "SELECT COUNT(*) FROM study_outbox WHERE kind = 'dm' AND state = 'pending'"
    ) == 0


async def test_delete_removes_every_trace_and_keeps_groups_working(
    service: StudyGroupService, db: Database
) -> None:
    owned, alone = await _setup(service)
    assert await _mentions(db, ALICE)
    await service.privacy.delete_member(GUILD, ALICE)
    assert await _mentions(db, ALICE) == {}
    kept = await service.groups.get(GUILD, owned)
    assert kept.owner_id == BOB and not kept.archived  # handed to the remaining member
    assert len(await service.sessions.upcoming(GUILD, group_id=owned)) == 1
    assert (await service.groups.get(GUILD, alone)).archived  # nobody left to run it
    assert await service.sessions.upcoming(GUILD, group_id=alone) == []
