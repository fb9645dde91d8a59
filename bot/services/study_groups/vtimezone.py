"""VTIMEZONE components from zoneinfo, as RFC 5545 reads them, valid for as long as a rule runs.

RFC 5545 3.6.5: the DTSTART of a STANDARD or DAYLIGHT observance is the local time *before*
the change, read with its TZOFFSETFROM (a New York spring-forward is DTSTART 02:00 with
TZOFFSETFROM -0500). The past and the near future are written as one observance per
transition taken from zoneinfo; from the year on which the zone's current rule (the POSIX TZ
string at the end of its TZif file) predicts zoneinfo's transitions, two yearly RRULE
observances carry it on forever, so an open-ended series is covered on every night it runs.
A zone whose rule cannot be written as an RRULE gets explicit transitions to FALLBACK_YEAR.
"""

from __future__ import annotations

import re
import struct
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

#: Rules are checked against zoneinfo through this year at least (past the 2037 end of 32-bit
#: data), and past the zone's last listed transition.
CHECK_UNTIL_YEAR = 2040
#: Explicit transitions stop here when a zone's rule has no RRULE form.
FALLBACK_YEAR = 2100


@dataclass(frozen=True)
class Transition:
    """A change of UTC offset (or of abbreviation) at ``at`` (UTC)."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def local_start(self) -> datetime:
        """The wall-clock time just before the change: the observance's DTSTART."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """Every change in ``zone`` in [start, end) (aware), found by daily steps and bisection."""
    out: list[Transition] = []
    lo = int(start.timestamp())
    stop = int(end.timestamp())
    state = _state(zone, lo)
    while lo < stop:
        hi = min(lo + 86400, stop)
        new = _state(zone, hi)
        if new != state:
            a, b = lo, hi  # state(a) == state, state(b) != state
            while b - a > 1:
                mid = (a + b) // 2
                if _state(zone, mid) == state:
                    a = mid
                else:
                    b = mid
            new = _state(zone, b)
            out.append(Transition(datetime.fromtimestamp(b, UTC), state[0], new[0], new[1], new[2]))
            state = new
            lo = b
        else:
            lo = hi
    return out


def _state(zone: ZoneInfo, epoch: int) -> tuple[timedelta, str, bool]:
    local = datetime.fromtimestamp(epoch, zone)
    return local.utcoffset() or timedelta(0), local.tzname() or "", bool(local.dst())


# -- the zone's current rule (POSIX TZ string) ------------------------------------------------
@dataclass(frozen=True)
class _Change:
    month: int
    week: int  # 1..4, or 5 for "last"
    weekday: int  # POSIX: 0 = Sunday
    seconds: int  # local time before the change, seconds after midnight

    def local_start(self, year: int) -> datetime:
        first = date(year, self.month, 1)
        python_weekday = (self.weekday - 1) % 7  # Python: 0 = Monday
        day = first + timedelta(days=(python_weekday - first.weekday()) % 7)
        day += timedelta(weeks=self.week - 1)
        while day.month != self.month:  # week 5 = the last such weekday
            day -= timedelta(weeks=1)
        return datetime.combine(day, datetime.min.time()) + timedelta(seconds=self.seconds)

    def rrule(self) -> dict[str, object]:
        ordinal = -1 if self.week == 5 else self.week
        code = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")[self.weekday]
        return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{ordinal}{code}"}


@dataclass(frozen=True)
class _Rule:
    std_name: str
    std_offset: timedelta
    dst_name: str
    dst_offset: timedelta
    to_dst: _Change
    to_std: _Change

    def year(self, year: int) -> list[Transition]:
        """The two changes of ``year`` the rule predicts, in order."""
        starts = [
            Transition(
                (self.to_dst.local_start(year) - self.std_offset).replace(tzinfo=UTC),
                self.std_offset, self.dst_offset, self.dst_name, True,
            ),
            Transition(
                (self.to_std.local_start(year) - self.dst_offset).replace(tzinfo=UTC),
                self.dst_offset, self.std_offset, self.std_name, False,
            ),
        ]
        return sorted(starts, key=lambda t: t.at)


_NAME = r"(<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"([+-]?\d{1,3}(?::\d{2}){0,2})"
_CHANGE = r"M(\d{1,2})\.([1-5])\.([0-6])(?:/([+-]?\d{1,3}(?::\d{2}){0,2}))?"
_POSIX = re.compile(rf"^{_NAME}{_OFFSET}{_NAME}{_OFFSET}?,{_CHANGE},{_CHANGE}$")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def parse_posix(text: str) -> _Rule | None:
    """A DST rule "EST5EDT,M3.2.0,M11.1.0" with month/week/weekday changes at times within the
    day, or None (no DST, or a form an RRULE cannot say: Julian days, hours past 24)."""
    m = _POSIX.match(text.strip())
    if m is None:
        return None
    std_name, std_off, dst_name, dst_off = m[1], m[2], m[3], m[4]
    std = timedelta(seconds=-_seconds(std_off))  # POSIX offsets are west-positive
    dst = timedelta(seconds=-_seconds(dst_off)) if dst_off else std + timedelta(hours=1)
    changes = []
    for group in (5, 9):
        seconds = _seconds(m[group + 3]) if m[group + 3] else 7200
        if not 0 <= seconds < 86400:
            return None
        changes.append(_Change(int(m[group]), int(m[group + 1]), int(m[group + 2]), seconds))
    return _Rule(std_name.strip("<>"), std, dst_name.strip("<>"), dst, changes[0], changes[1])


def tzif_facts(key: str) -> tuple[str, int]:
    """The TZ string at the end of ``key``'s TZif data and the year of its last listed
    transition, read where zoneinfo reads them ("", 0 when unknown)."""
    data: bytes | None = None
    for root in zoneinfo.TZPATH:
        path = Path(root, key)
        if path.is_file():
            data = path.read_bytes()
            break
    if data is None:
        try:
            data = resources.files("tzdata").joinpath("zoneinfo", *key.split("/")).read_bytes()
        except (ModuleNotFoundError, FileNotFoundError):
            return "", 0
    if len(data) < 44 or data[:4] != b"TZif" or data[4:5] == b"\x00":
        return "", 0
    isut, isstd, leap, count, types, chars = struct.unpack(">6l", data[20:44])
    v2 = 44 + count * 5 + types * 6 + chars + leap * 8 + isstd + isut
    count64 = struct.unpack(">l", data[v2 + 32 : v2 + 36])[0]
    times = struct.unpack(f">{count64}q", data[v2 + 44 : v2 + 44 + 8 * count64])
    last_year = datetime.fromtimestamp(max(times), UTC).year if times else 0
    return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace"), last_year


_FIXED = re.compile(rf"^{_NAME}{_OFFSET}$")


def coverage(zone: ZoneInfo, start_year: int) -> tuple[_Rule | None, int]:
    """The zone's yearly rule (or None) and the year from which it alone describes the zone.

    Before that year transitions are written one by one. A zone that no longer changes its
    clocks needs nothing after CHECK_UNTIL_YEAR; a rule is used only from the first year from
    which it gives exactly zoneinfo's transitions through CHECK_UNTIL_YEAR.
    """
    text, last_listed = tzif_facts(zone.key)
    check_until = max(CHECK_UNTIL_YEAR, last_listed + 1)
    if _FIXED.match(text):
        return None, check_until + 1
    rule = parse_posix(text)
    if rule is None:
        return None, FALLBACK_YEAR + 1
    actual = transitions(
        zone, datetime(start_year, 1, 1, tzinfo=UTC), datetime(check_until + 1, 1, 1, tzinfo=UTC)
    )
    by_year: dict[int, list[tuple[datetime, timedelta]]] = {}
    for t in actual:
        by_year.setdefault(t.at.year, []).append((t.at, t.offset_to))
    first_good = check_until + 1
    for year in range(check_until, start_year - 1, -1):
        if by_year.get(year, []) != [(t.at, t.offset_to) for t in rule.year(year)]:
            break
        first_good = year
    if first_good > check_until:
        return None, FALLBACK_YEAR + 1
    return rule, first_good


# -- the component --------------------------------------------------------------------------
def vtimezone(key: str, first: date) -> Timezone:
    """A VTIMEZONE for ``key`` valid from the start of ``first``'s year on, with no end."""
    zone = ZoneInfo(key)
    begin = datetime(first.year, 1, 1, tzinfo=UTC)
    rule, rule_year = coverage(zone, first.year)
    tz = Timezone()
    tz.add("tzid", key)
    offset, name, daylight = _state(zone, int(begin.timestamp()))
    tz.add_component(_observance(Transition(begin, offset, offset, name, daylight), None))
    for t in transitions(zone, begin, datetime(rule_year, 1, 1, tzinfo=UTC)):
        tz.add_component(_observance(t, None))
    if rule is not None:
        for t in rule.year(rule_year):
            change = rule.to_dst if t.daylight else rule.to_std
            tz.add_component(_observance(t, change.rrule()))
    return tz


def _observance(t: Transition, rrule: dict[str, object] | None) -> TimezoneStandard | TimezoneDaylight:
    part = TimezoneDaylight() if t.daylight else TimezoneStandard()
    part.add("dtstart", t.local_start)
    part.add("tzoffsetfrom", t.offset_from)
    part.add("tzoffsetto", t.offset_to)
    if t.name:
        part.add("tzname", t.name)
    if rrule is not None:
        part.add("rrule", rrule)
    return part
