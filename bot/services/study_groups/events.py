"""Guild Scheduled Event bookkeeping: which occurrences need an event created, edited or cancelled.

Each live series shows its next session in the server's Events list, from EVENT_LEAD before it
starts: one event per series at a time, and at most MAX_ACTIVE_EVENTS per server (Discord caps a
server at 100 scheduled events). When that session ends, the next one gets its event; a
cancelled session's event is cancelled; renaming the group edits the event. The adapter
performs the Discord calls and records the outcome here.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.services.links import shown_link
from bot.services.study_groups.models import EventTask
from bot.services.study_groups.quotas import Quotas
from bot.services.text import sanitize, sanitize_line
from bot.shards import ALL, ShardScope

#: Discord refuses an event that starts in the past; leave a margin for the request itself.
START_MARGIN = timedelta(minutes=1)
DESCRIPTION_MAX = 1000
#: A session's event is created this long before it starts.
EVENT_LEAD = timedelta(days=7)
#: Leave Discord's 100-per-server cap some room for events the server's own people create.
MAX_ACTIVE_EVENTS = 80

_OCCURRENCES = ("study_occurrences o JOIN study_series s ON s.id = o.series_id "
                "JOIN study_groups g ON g.id = s.group_id")
_SELECT = (
    "SELECT o.id, o.starts_at, o.ends_at, o.event_id, o.event_state, o.cancelled_at, "
    "s.title, s.location, s.channel_id, s.created_by, g.guild_id, g.name AS group_name, g.topic, "
    f"g.description FROM {_OCCURRENCES} "
)


class Events:
    def __init__(self, db: Database, clock: Clock, quotas: Quotas, *,
                 shards: ShardScope = ALL) -> None:
        self._db = db
        self._mine = shards.where("g.guild_id")  # events of this process's servers only
        self._clock = clock
        self._quotas = quotas

    async def tasks(self, now: datetime, limit: int = 50) -> list[EventTask]:
        now_s = int(now.timestamp())
        earliest = int((now + START_MARGIN).timestamp())
        cancel = await self._db.fetchall(
            f"{_SELECT} WHERE o.event_state IN ('created', 'stale') AND o.cancelled_at IS NOT NULL "
            f"AND {self._mine} LIMIT ?",
            (limit,),
        )
        update = await self._db.fetchall(
            f"{_SELECT} WHERE o.event_state = 'stale' AND o.cancelled_at IS NULL AND o.ends_at > ? "
            f"AND {self._mine} LIMIT ?",
            (now_s, limit),
        )
        create = await self._db.fetchall(
            f"{_SELECT} WHERE o.event_state = 'none' AND o.cancelled_at IS NULL "
            f"AND g.archived_at IS NULL AND {self._mine} AND o.starts_at > ? AND o.starts_at <= ? "
            "AND o.starts_at = "
            "(SELECT MIN(o2.starts_at) FROM study_occurrences o2 WHERE o2.series_id = o.series_id "
            " AND o2.cancelled_at IS NULL AND o2.ends_at > ?) "
            "ORDER BY o.starts_at LIMIT ?",
            (earliest, int((now + EVENT_LEAD).timestamp()), now_s, limit),
        )
        held = await self._db.fetchall(
            "SELECT g.guild_id, s.created_by, COUNT(*) AS n FROM study_occurrences o "
            "JOIN study_series s ON s.id = o.series_id JOIN study_groups g ON g.id = s.group_id "
            "WHERE o.event_state IN ('created', 'stale') AND o.cancelled_at IS NULL "
            f"AND o.ends_at > ? AND {self._mine} GROUP BY g.guild_id, s.created_by",
            (now_s,),
        )
        active: dict[int, int] = {}
        mine: dict[tuple[int, int], int] = {}
        for r in held:
            active[r["guild_id"]] = active.get(r["guild_id"], 0) + r["n"]
            mine[(r["guild_id"], r["created_by"])] = r["n"]
        allowed = []
        for row in create:
            # the server's cap, then the member's quota: one member cannot take every slot
            guild, member = row["guild_id"], (row["guild_id"], row["created_by"])
            quota = (await self._quotas.limits(guild))["study_events_per_member"]
            if active.get(guild, 0) < MAX_ACTIVE_EVENTS and mine.get(member, 0) < quota:
                active[guild] = active.get(guild, 0) + 1
                mine[member] = mine.get(member, 0) + 1
                allowed.append(row)
        return (
            [_task("cancel", r) for r in cancel]
            + [_task("update", r) for r in update]
            + [_task("create", r) for r in allowed]
        )

    async def next_due(self, now: datetime) -> datetime | None:
        """Now if there is event work; else when a session with an event ends (the next one
        then gets its event) or the next session comes within EVENT_LEAD."""
        if await self.tasks(now, limit=1):
            return now
        now_s = int(now.timestamp())
        ends = await self._db.fetchval(
            f"SELECT MIN(o.ends_at) FROM {_OCCURRENCES} WHERE o.event_state IN "
            f"('created', 'stale') AND o.cancelled_at IS NULL AND o.ends_at > ? AND {self._mine}",
            (now_s,),
        )
        upcoming = await self._db.fetchval(
            f"SELECT MIN(o.starts_at) FROM {_OCCURRENCES} WHERE o.starts_at > ? "
            f"AND o.event_state = 'none' AND o.cancelled_at IS NULL AND {self._mine}",
            (int((now + EVENT_LEAD).timestamp()),),
        )
        candidates = [from_epoch(ends)] if ends is not None else []
        if upcoming is not None:
            candidates.append(from_epoch(upcoming) - EVENT_LEAD)
        return min(candidates) if candidates else None

    async def is_recorded(self, event_id: int) -> bool:
        """Whether a session already names Discord event ``event_id`` as its own."""
        return await self._db.fetchval(
            "SELECT 1 FROM study_occurrences WHERE event_id = ?", (event_id,)) is not None

    async def record_created(self, occurrence_id: int, event_id: int) -> None:
        await self._db.execute(
            "UPDATE study_occurrences SET event_id = ?, event_state = 'created' WHERE id = ?",
            (event_id, occurrence_id),
        )

    async def record_updated(self, occurrence_id: int) -> None:
        await self._db.execute(
            "UPDATE study_occurrences SET event_state = 'created' WHERE id = ? "
            "AND event_state = 'stale'",
            (occurrence_id,),
        )

    async def record_cancelled(self, occurrence_id: int) -> None:
        await self._db.execute(
            "UPDATE study_occurrences SET event_state = 'cancelled' WHERE id = ?", (occurrence_id,)
        )

    async def record_failed(self, occurrence_id: int) -> None:
        """Discord refused the event (permissions, limits): stop trying for this occurrence."""
        await self._db.execute(
            "UPDATE study_occurrences SET event_state = 'failed' WHERE id = ?", (occurrence_id,)
        )


def _task(action: str, row: sqlite3.Row) -> EventTask:
    description = f"{sanitize_line(row['group_name'])} ({row['topic']}) study session."
    if row["description"]:
        description += f"\n{sanitize(row['description'])}"
    if row["location"]:
        description += f"\n{shown_link(row['location'])}"
    return EventTask(
        action=action,  # type: ignore[arg-type]
        occurrence_id=row["id"],
        guild_id=row["guild_id"],
        event_id=row["event_id"],
        name=f"{sanitize_line(row['group_name'])}: {sanitize_line(row['title'])}"[:100],
        description=description[:DESCRIPTION_MAX],
        starts_at=from_epoch(row["starts_at"]),
        ends_at=from_epoch(row["ends_at"]),
        location=row["location"],
        channel_id=row["channel_id"],
    )
