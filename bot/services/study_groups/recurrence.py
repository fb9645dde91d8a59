"""Weekly recurrence rules (python-dateutil rrule) expanded DST-correctly to UTC instants.

A series is stored as its first start in wall-clock time, its IANA zone and an RFC 5545 RRULE.
Expansion happens in wall-clock time and each occurrence is then placed in the zone, so
"19:00 America/New_York" stays 19:00 in New York across DST and moves for everyone else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule, weekday

from bot.errors import InvalidInput

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: A series may not produce more occurrences than this (two years of daily sessions).
MAX_OCCURRENCES = 730
MAX_INTERVAL_WEEKS = 52


@dataclass(frozen=True)
class Recurrence:
    """Weekly on ``weekdays`` (0 = Monday), every ``interval`` weeks, until a date or N times.

    ``until`` is a local calendar date (inclusive); ``count`` counts occurrences including
    the first. With neither the series runs until cancelled.
    """

    weekdays: tuple[int, ...]
    interval: int = 1
    until: date | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise InvalidInput("Pick at least one weekday for a repeating session.")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise InvalidInput("Weekdays go from Monday to Sunday.")
        if not 1 <= self.interval <= MAX_INTERVAL_WEEKS:
            raise InvalidInput(f"Repeat every 1 to {MAX_INTERVAL_WEEKS} weeks.")
        if self.until is not None and self.count is not None:
            raise InvalidInput("Give either an end date or a number of sessions, not both.")
        if self.count is not None and not 1 <= self.count <= MAX_OCCURRENCES:
            raise InvalidInput(f"A series can have 1 to {MAX_OCCURRENCES} sessions.")
        object.__setattr__(self, "weekdays", tuple(sorted(set(self.weekdays))))

    def to_rrule(self) -> str:
        """The RFC 5545 RRULE value ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10")."""
        parts = ["FREQ=WEEKLY"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        parts.append("BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in self.weekdays))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}T235959")
        return ";".join(parts)

    @classmethod
    def from_rrule(cls, text: str) -> Recurrence:
        fields = dict(part.split("=", 1) for part in text.strip().split(";") if part)
        if fields.get("FREQ") != "WEEKLY":
            raise ValueError(f"only weekly rules are supported: {text!r}")
        until = fields.get("UNTIL")
        return cls(
            weekdays=tuple(WEEKDAY_CODES.index(code) for code in fields["BYDAY"].split(",")),
            interval=int(fields.get("INTERVAL", "1")),
            until=date(int(until[:4]), int(until[4:6]), int(until[6:8])) if until else None,
            count=int(fields["COUNT"]) if "COUNT" in fields else None,
        )

    def describe(self) -> str:
        """"every Monday and Thursday", "every 2 weeks on Tuesday, 10 times"."""
        days = [WEEKDAY_NAMES[d] for d in self.weekdays]
        day_text = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]
        text = f"every {day_text}" if self.interval == 1 else (
            f"every {self.interval} weeks on {day_text}"
        )
        if self.count is not None:
            text += f", {self.count} time{'s' if self.count != 1 else ''}"
        if self.until is not None:
            text += f", until {self.until.day} {self.until:%b %Y}"
        return text


#: Words members put between day names ("every monday and thursday").
_FILLER = {"and", "&", "every", "on", "each"}
#: Several days in one word.
_DAY_GROUPS = {"weekday": (0, 1, 2, 3, 4), "weekend": (5, 6)}


def parse_weekdays(text: str) -> tuple[int, ...]:
    """"mon, thu" / "Monday Thursday" / "mo,th" / "thursdays" / "Tues & Thurs." -> days."""
    names = {n.lower(): i for i, n in enumerate(WEEKDAY_NAMES)}
    out: set[int] = set()
    for token in text.replace(",", " ").replace("/", " ").replace("+", " ").split():
        t = token.strip().strip(".;:").lower()
        if t in _FILLER:
            continue
        singular = t[:-1] if t.endswith("s") else t  # "thursdays", "weds", "weekends"
        if singular in _DAY_GROUPS:
            out |= set(_DAY_GROUPS[singular])
            continue
        hits: set[int] = set()
        for word in (t, singular):
            hits = {i for name, i in names.items() if len(word) >= 2 and name.startswith(word)}
            if hits:
                break
        if len(hits) != 1:
            raise InvalidInput(
                f"`{token[:20]}` is not a weekday. Write days like `mon, thu`, `tuesday` or "
                "`thursdays`."
            )
        out |= hits
    if not out:
        raise InvalidInput("Pick at least one weekday, e.g. `mon, thu`.")
    return tuple(sorted(out))


def _rule(first_local: datetime, recurrence: Recurrence) -> rrule:
    until = None
    if recurrence.until is not None:
        until = datetime.combine(recurrence.until, time(23, 59, 59))
    return rrule(
        WEEKLY,
        dtstart=first_local.replace(tzinfo=None),
        interval=recurrence.interval,
        byweekday=[weekday(d) for d in recurrence.weekdays],
        count=recurrence.count,
        until=until,
    )


def place(wall: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as a UTC instant (RFC 5545 rules for DST edges).

    A time skipped by a forward jump is read with the offset from before the jump (02:30 on
    the spring-forward night becomes 03:30); a repeated time means its first occurrence.
    """
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def wall_instants(wall: datetime, zone: tzinfo) -> list[datetime]:
    """Every UTC instant whose wall-clock time in ``zone`` is ``wall``, earliest first.

    None when a forward jump skips it, two in the hour repeated when clocks go back. Callers
    compare these UTC instants: two datetimes sharing one ZoneInfo compare by wall time and
    ignore ``fold``, so the second 01:50 of a fall-back night would look like the first.
    """
    naive = wall.replace(tzinfo=None)
    found: list[datetime] = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == naive and instant not in found:
            found.append(instant)
    return sorted(found)


def occurrences(
    first_local: datetime,
    zone: ZoneInfo,
    recurrence: Recurrence | None,
    *,
    after: datetime | None = None,
    before: datetime | None = None,
) -> Iterator[datetime]:
    """UTC instants of a series, in order, optionally only those in [after, before).

    ``first_local`` is the first start as a wall-clock time in ``zone`` (naive), or aware
    when it names one instant of a repeated hour (the second 01:30 of a fall-back night); the
    first start is then that instant. One-off sessions (``recurrence`` None) yield just it.
    """
    wall_first = first_local.replace(tzinfo=None)
    exact_first = first_local.astimezone(UTC) if first_local.tzinfo is not None else None
    walls: Iterator[datetime]
    if recurrence is None:
        walls = iter([wall_first])
    else:
        rule = _rule(wall_first, recurrence)
        if after is not None:
            # a day of slack either side covers any UTC offset; exact filtering below
            start_wall = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
            walls = rule.xafter(start_wall, inc=True) if start_wall > wall_first else iter(rule)
        else:
            walls = iter(rule)
    for wall in walls:
        instant = exact_first if exact_first is not None and wall == wall_first else place(wall, zone)
        if after is not None and instant < after:
            continue
        if before is not None and instant >= before:
            return
        yield instant


def rule_walls(
    first_local: datetime, zone: ZoneInfo, recurrence: Recurrence, instants: Sequence[datetime]
) -> list[datetime]:
    """The naive wall times the rule produces for ``instants`` (occurrences of the series).

    On a spring-forward night the rule says 02:30 while the session is held at 03:30: the
    rule's own 02:30 is what an EXDATE must name. An instant the rule does not produce keeps
    its wall time in ``zone``.
    """
    if not instants:
        return []
    wanted = {i.astimezone(UTC) for i in instants}
    lo = min(wanted) - timedelta(days=2)
    hi = max(wanted) + timedelta(days=2)
    found: dict[datetime, datetime] = {}
    wall_first = first_local.replace(tzinfo=None)
    start_wall = lo.astimezone(zone).replace(tzinfo=None)
    rule = _rule(wall_first, recurrence)
    walls = rule.xafter(start_wall, inc=True) if start_wall > wall_first else iter(rule)
    for wall in walls:
        instant = place(wall, zone)
        if instant > hi:
            break
        if instant in wanted:
            found[instant] = wall
    return [
        found.get(i.astimezone(UTC), i.astimezone(zone).replace(tzinfo=None))
        for i in sorted(wanted)
    ]


def first_occurrence_on_or_after(start_local: datetime, recurrence: Recurrence) -> datetime:
    """The first wall time of the rule at or after ``start_local`` (naive wall time).

    When a member says "weekly on Thursday, starting 7pm tomorrow (a Monday)", the series
    starts on the first Thursday; rrule already skips non-matching days, so this is its head.
    """
    head = next(iter(_rule(start_local, recurrence)), None)
    if head is None:
        raise InvalidInput("That repeat rule has no sessions (is the end date before the start?).")
    return head


def count_occurrences(first_local: datetime, recurrence: Recurrence) -> int | None:
    """How many occurrences a bounded series has, or None if it runs until cancelled."""
    if recurrence.count is None and recurrence.until is None:
        return None
    total = 0
    for _ in _rule(first_local, recurrence):
        total += 1
        if total > MAX_OCCURRENCES:
            raise InvalidInput(
                f"That series would have more than {MAX_OCCURRENCES} sessions; "
                "pick an earlier end date."
            )
    return total

