"""Clock-change heads-ups: "from Nov 2 this is 18:00 for you in London (was 19:00)".

A series keeps its wall-clock time in its own zone, so when that zone or a member's zone
changes its UTC offset, the member's local time for the session moves. A heads-up is owed
whenever a member's local time for the next *held* session differs from this held one, per
member zone: cancelled sessions are skipped (the change is between two held sessions), and an
every-2-weeks series is compared with the session two weeks on. The announcement of the held
session before the move carries it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import from_epoch
from bot.db import Database
from bot.services.study_groups.recurrence import Recurrence, occurrences
from bot.services.timezones import zone_city


@dataclass(frozen=True)
class DstNotice:
    zone: str
    from_date: date
    old_time: time
    new_time: time

    def text(self) -> str:
        return (
            f"from {self.from_date:%b} {self.from_date.day} this is "
            f"{self.new_time:%H:%M} for you in {zone_city(self.zone)} (was {self.old_time:%H:%M})"
        )


def dst_notices(
    this_start: datetime, later_held: Iterable[datetime], zones: Iterable[str]
) -> list[DstNotice]:
    """Notices for each zone whose local time differs between this held session and the next.

    ``this_start`` and ``later_held`` are aware instants of the same series' held sessions
    (later ones ascending; only the first, the next held session, counts); ``zones`` are the
    members' IANA names (duplicates are fine).
    """
    following = next((s for s in later_held if s > this_start), None)
    if following is None:
        return []
    notices: list[DstNotice] = []
    for name in sorted(set(zones)):
        zone = ZoneInfo(name)
        before, after = this_start.astimezone(zone), following.astimezone(zone)
        if after.time() != before.time():
            notices.append(DstNotice(name, after.date(), before.time(), after.time()))
    return notices


def next_held(
    rule_starts: Iterable[datetime], cancelled: Collection[datetime], held_until: datetime | None
) -> datetime | None:
    """The first of ``rule_starts`` (ascending) that is not cancelled, or None; nothing after
    ``held_until`` is held (a series cancelled from some session on)."""
    for start in rule_starts:
        if held_until is not None and start > held_until:
            return None
        if start not in cancelled:
            return start
    return None


async def heads_ups(
    db: Database, series_id: int, this_start: datetime, zones: Iterable[str]
) -> list[DstNotice]:
    """The heads-ups for the announcement of the held session at ``this_start``."""
    series = await db.fetchone(
        "SELECT first_local, zone, rrule, cancelled_at FROM study_series WHERE id = ?", (series_id,)
    )
    if series is None or series["rrule"] is None:
        return []
    this_s = int(this_start.timestamp())
    rows = await db.fetchall(
        "SELECT starts_at, cancelled_at FROM study_occurrences WHERE series_id = ? AND starts_at > ?",
        (series_id, this_s),
    )
    cancelled = {from_epoch(r["starts_at"]) for r in rows if r["cancelled_at"] is not None}
    held_until: datetime | None = None
    if series["cancelled_at"] is not None:
        kept = [r["starts_at"] for r in rows if r["cancelled_at"] is None]
        held_until = from_epoch(max(kept)) if kept else this_start
    rule_starts = occurrences(
        datetime.fromisoformat(series["first_local"]), ZoneInfo(series["zone"]),
        Recurrence.from_rrule(series["rrule"]), after=this_start + timedelta(seconds=1),
    )
    following = next_held(rule_starts, cancelled, held_until)
    return dst_notices(this_start, [following] if following else [], zones)
