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


def _common(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> list[Interval]:
    """The intervals both sorted, disjoint lists cover."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if hi > lo:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _intersection(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> float:
    return sum(hi - lo for lo, hi in _common(a, b))


@lru_cache(maxsize=65536)
def waking_overlap_hours(zone_a: str, zone_b: str, on: date) -> float:
    """Hours both people are awake during the UTC day ``on`` (see the module docstring)."""
    if zone_a > zone_b:  # symmetric: share one cache entry
        zone_a, zone_b = zone_b, zone_a
    return _intersection(waking_intervals(zone_a, on), waking_intervals(zone_b, on)) / 3600.0


CALL = timedelta(hours=1)


def call_times(zone_a: str, zone_b: str, after: datetime, count: int = 3,
               days: int = 7) -> list[datetime]:
    """Up to ``count`` hour-long call slots, starting on the hour, inside both people's waking
    hours within ``days`` of ``after`` (and at least an hour after it): one per day, on days
    spread over the period, each in the middle of that day's longest shared window; more than
    one a day only when fewer days have one. Aware UTC instants, sorted."""
    earliest = after + CALL
    end = after + timedelta(days=days)
    per_day: list[list[datetime]] = []  # each day's slots, best (most central) first
    first = after.astimezone(UTC).date()
    for offset in range(days + 1):
        on = first + timedelta(days=offset)
        midnight = datetime.combine(on, time(0), tzinfo=UTC)
        slots: list[tuple[float, datetime]] = []
        for lo, hi in _common(waking_intervals(zone_a, on), waking_intervals(zone_b, on)):
            middle = (lo + hi) / 2
            start = -(-lo // 3600) * 3600  # the first full hour inside the window
            while start + CALL.total_seconds() <= hi:
                at = midnight + timedelta(seconds=start)
                if earliest <= at and at + CALL <= end:
                    # Central in a long window first: that hour suits both best.
                    slots.append((abs(start + 1800 - middle) - (hi - lo), at))
                start += 3600
        if slots:
            per_day.append([at for _, at in sorted(slots)])
    if not per_day:
        return []
    if len(per_day) >= count:
        picks = [per_day[round(i * (len(per_day) - 1) / max(count - 1, 1))][0]
                 for i in range(count)]
        return sorted(dict.fromkeys(picks))
    chosen: list[datetime] = [day[0] for day in per_day]
    for day in per_day:  # fill from the days that have one, at least two hours apart
        for at in day[1:]:
            if len(chosen) >= count:
                break
            if all(abs(at - c) >= 2 * CALL for c in chosen):
                chosen.append(at)
    return sorted(chosen[:count])
