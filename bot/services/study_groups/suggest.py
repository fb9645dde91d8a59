"""`/session suggest`: the weekly slots that fall inside the most members' waking hours.

Every quarter-hour start of the coming week is tried, not only whole UTC hours: half-hour
zones (India, Iran, Newfoundland, parts of Australia) often meet only at :30 (Los Angeles
and Kolkata for 210 minutes: 02:30Z, and nothing else, in winter).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput

WAKE_START = time(8, 0)
WAKE_END = time(22, 0)
#: Evening (local) is the friendliest time for people who work or study in the day.
_PREFERRED_LOCAL_HOUR = 19.0
#: Suggestions closer together than this are near-duplicates ("18:00" and "19:00" Monday).
_MIN_SEPARATION = timedelta(hours=20)
#: Starts are tried on this grid (UTC); every zone's offset is a multiple of 15 minutes.
STEP = timedelta(minutes=15)
_STARTS = int(timedelta(days=7) / STEP)


@dataclass(frozen=True)
class SlotSuggestion:
    """One weekly slot: its next start (UTC) and who is awake for all of it."""

    start: datetime
    available: tuple[int, ...]
    unavailable: tuple[int, ...]


def awake_for(start: datetime, duration: timedelta, zone: ZoneInfo) -> bool:
    """True if the whole session lies within 08:00-22:00 local time on one day."""
    local_start = start.astimezone(zone)
    local_end = (start + duration).astimezone(zone)
    return (
        local_start.date() == local_end.date()
        and local_start.time() >= WAKE_START
        and local_end.time() <= WAKE_END
    )

def suggest_slots(
    member_zones: Mapping[int, str],
    now: datetime,
    *,
    duration: timedelta = timedelta(hours=1),
    count: int = 3,
) -> list[SlotSuggestion]:
    """Up to ``count`` slots in the coming week on a 15-minute grid, best first.

    Slots are ranked by how many members are awake for the whole session, then by how close
    they fall to each available member's evening; chosen slots are at least 20 h apart.
    """
    if not member_zones:
        raise InvalidInput(
            "Nobody in this group has set a time zone yet. Ask members to use `/timezone set`."
        )
    if not timedelta(minutes=15) <= duration <= timedelta(hours=8):
        raise InvalidInput("A session lasts 15 minutes to 8 hours.")
    # members share a few zones: each zone's week is worked out once (and cached), then its
    # members counted
    by_zone: dict[str, list[int]] = {}
    for uid, name in sorted(member_zones.items()):
        by_zone.setdefault(name, []).append(uid)
    base = now.astimezone(UTC).replace(second=0, microsecond=0)
    first = base + timedelta(minutes=15 - base.minute % 15)  # the next quarter hour
    weeks = {name: _zone_week(name, first, duration) for name in by_zone}
    scored: list[tuple[int, float, int]] = []
    for step in range(_STARTS):
        awake, penalty = 0, 0.0
        for name, week in weeks.items():
            hours = week[step]
            if hours is not None:
                awake += len(by_zone[name])
                penalty += hours * len(by_zone[name])
        scored.append((awake, -penalty, step))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    chosen: list[SlotSuggestion] = []
    for _, _, step in scored:
        start = first + step * STEP
        if any(abs(start - c.start) < _MIN_SEPARATION for c in chosen):
            continue
        available = tuple(sorted(u for name, week in weeks.items() if week[step] is not None
                                 for u in by_zone[name]))
        unavailable = tuple(sorted(set(member_zones) - set(available)))
        chosen.append(SlotSuggestion(start, available, unavailable))
        if len(chosen) == count:
            break
    return chosen


@functools.lru_cache(maxsize=256)
def _zone_week(name: str, first: datetime, duration: timedelta) -> tuple[float | None, ...]:
    """For each start of the week from ``first``: None if the zone is not awake for the whole
    session, else how many hours its local start is from the evening. The same for every
    group asking in that quarter hour (cohort forming asks for hundreds of groups at once)."""
    zone = ZoneInfo(name)
    starts = (first + step * STEP for step in range(_STARTS))
    return tuple(abs(_local_hours(start, zone) - _PREFERRED_LOCAL_HOUR)
                 if awake_for(start, duration, zone) else None for start in starts)


def _local_hours(instant: datetime, zone: ZoneInfo) -> float:
    local = instant.astimezone(zone)
    return local.hour + local.minute / 60
