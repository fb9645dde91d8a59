"""A member's data, across every capability: export it, delete it, and forget those who left.

Each capability registers one `PrivacyContributor`: how to export, delete (keeping referential
integrity: pairings closed, capacity freed, requests withdrawn...) and optionally pause what it
holds about one member of one guild. `/privacy export`, `/privacy delete` and the retention sweep
only ever go through this registry, so a capability that stores member data and is not
registered is a bug a test can find (see tests/e2e, which scans every table for the member id).

Anonymous questions register nothing: by design no row links a question to its asker.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import Clock, from_epoch, to_epoch
from bot.db import Database
from bot.shards import ALL, ShardScope

log = logging.getLogger(__name__)

Exporter = Callable[[int, int], Awaitable[dict[str, Any]]]
Action = Callable[[int, int], Awaitable[None]]

ANONYMOUS_NOTE = (
    "Anonymous questions are not included and cannot be deleted through this: nothing fmg-bot "
    "stores links an anonymous question to the member who asked it."
)


@dataclass(frozen=True)
class PrivacyContributor:
    name: str
    export_member: Exporter
    delete_member: Action
    #: Called when the member leaves the guild (hide them from matching, stop reminders...).
    pause_member: Action | None = None
    #: What deleting removes, for the confirmation a member reads (default: named generically).
    summary: str = ""


class PrivacyService:
    def __init__(self, db: Database, clock: Clock, retention: timedelta, *,
                 shards: ShardScope = ALL) -> None:
        self._db = db
        self._mine = shards.where("guild_id")  # departures of this process's servers only
        self._clock = clock
        self.retention = retention
        self._contributors: dict[str, PrivacyContributor] = {}
        self._wake: Callable[[], None] = lambda: None
        self.register(PrivacyContributor(
            "membership", self._export_departure, self._delete_departure,
            summary="Server membership: the record of when you left this server, if you did.",
        ))

    def wake_with(self, wake: Callable[[], None]) -> None:
        """Who re-reads `next_due` when a departure is recorded or cancelled (the timer)."""
        self._wake = wake

    def register(self, contributor: PrivacyContributor) -> None:
        if contributor.name in self._contributors:
            raise ValueError(f"privacy contributor {contributor.name!r} is registered twice")
        self._contributors[contributor.name] = contributor

    def deletion_summary(self) -> list[str]:
        """What `/privacy delete` removes, one line per registered capability (capabilities
        first, in registration order, so the lines follow the order members know them)."""
        lines = [
            c.summary or f"{c.name.replace('_', ' ').capitalize()}: everything it stores about you."
            for c in self._contributors.values()
        ]
        return lines[1:] + lines[:1]

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything stored about ``user_id`` in ``guild_id``, one section per capability."""
        sections = {
            name: await contributor.export_member(guild_id, user_id)
            for name, contributor in self._contributors.items()
        }
        return {
            "guild_id": str(guild_id),
            "user_id": str(user_id),
            "exported_at": self._clock.now().astimezone(UTC).isoformat(),
            "data": sections,
            "not_included": ANONYMOUS_NOTE,
        }

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        """Erase the member's data from every capability (each keeps its own integrity)."""
        # Reverse registration order: the capabilities first, the departure record last, so a
        # failure half-way leaves the sweep a reason to try again.
        for contributor in reversed(self._contributors.values()):
            await contributor.delete_member(guild_id, user_id)
        await self._db.truncate_wal()
        log.info("deleted a member's data in guild %s", guild_id)

    # -- members who leave ------------------------------------------------------------------------
    async def member_left(self, guild_id: int, user_id: int) -> None:
        """Pause the member's profiles now; their data is deleted after the retention period."""
        await self._db.execute(
            "INSERT INTO departed_members (guild_id, user_id, left_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO NOTHING",
            (guild_id, user_id, to_epoch(self._clock.now())),
        )
        self._db.after_commit(self._wake)
        for contributor in self._contributors.values():
            if contributor.pause_member is not None:
                await contributor.pause_member(guild_id, user_id)

    async def member_returned(self, guild_id: int, user_id: int) -> None:
        """A member who rejoined keeps their (still paused) data: cancel the deletion."""
        await self._delete_departure(guild_id, user_id)
        self._db.after_commit(self._wake)

    async def next_due(self) -> datetime | None:
        """When the earliest departed member's retention ends (a scheduler source)."""
        first = await self._db.fetchval(
            f"SELECT MIN(left_at) FROM departed_members WHERE {self._mine}")
        if first is None:
            return None
        return from_epoch(first) + self.retention

    async def run_due(self, now: datetime) -> None:
        """Delete the data of every member who left at least the retention period ago."""
        cutoff = to_epoch(now - self.retention)
        rows = await self._db.fetchall(
            f"SELECT guild_id, user_id FROM departed_members WHERE left_at <= ? AND {self._mine} "
            "ORDER BY left_at",
            (cutoff,),
        )
        for row in rows:
            try:
                await self.delete_member(row["guild_id"], row["user_id"])
            except Exception:
                # One member's failure must not hold back the others; their row stays due,
                # so the scheduler retries it later.
                log.exception("could not delete a departed member's data in guild %s", row["guild_id"])

    async def _export_departure(self, guild_id: int, user_id: int) -> dict[str, Any]:
        left_at = await self._db.fetchval(
            "SELECT left_at FROM departed_members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        if left_at is None:
            return {}
        left = from_epoch(left_at)
        return {
            "left_at": left.isoformat(),
            "scheduled_deletion_at": (left + self.retention).isoformat(),
        }

    async def _delete_departure(self, guild_id: int, user_id: int) -> None:
        await self._db.execute(
            "DELETE FROM departed_members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
