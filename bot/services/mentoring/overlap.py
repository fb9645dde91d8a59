"""Hours of waking time two people share on a given date, DST-correct (zoneinfo).

Definition: each person is awake from ``WAKE_HOUR`` to ``SLEEP_HOUR`` local time every local
day. For a reference date ``D`` we take the UTC day ``[D 00:00Z, D+1 00:00Z)``, turn each
person's waking windows of local days D-1, D and D+1 into UTC instants with *their zone's rules
on those days* (so a DST switch on D is honoured), clip them to the reference day and measure
the intersection. The result is symmetric and lies in [0, 24]; on days without a transition it
is at most ``SLEEP_HOUR - WAKE_HOUR`` (16 h).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

WAKE_HOUR = 7
SLEEP_HOUR = 23

Interval = tuple[float, float]  # seconds since the reference UTC midnight


@lru_cache(maxsize=4096)
def waking_intervals(zone: str, on: date) -> tuple[Interval, ...]:
    """The zone's waking time within the UTC day ``on``, as sorted disjoint intervals."""
    tz = ZoneInfo(zone)
    day_start = datetime.combine(on, time(0), tzinfo=UTC)
    day_len = 86400.0
    out: list[Interval] = []
    for delta in (-1, 0, 1):
        local_day = on + timedelta(days=delta)
        wake = datetime.combine(local_day, time(WAKE_HOUR), tzinfo=tz)
        sleep = datetime.combine(local_day, time(SLEEP_HOUR), tzinfo=tz)
        start = (wake - day_start).total_seconds()  # aware subtraction converts via UTC
        end = (sleep - day_start).total_seconds()
        start, end = max(start, 0.0), min(end, day_len)
        if end > start:
            out.append((start, end))
    out.sort()
    return tuple(out)


def _intersection(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> float:
    total = 0.0
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


@lru_cache(maxsize=65536)
def waking_overlap_hours(zone_a: str, zone_b: str, on: date) -> float:
    """Hours both people are awake during the UTC day ``on`` (see the module docstring)."""
    if zone_a > zone_b:  # symmetric: share one cache entry
        zone_a, zone_b = zone_b, zone_a
    return _intersection(waking_intervals(zone_a, on), waking_intervals(zone_b, on)) / 3600.0
