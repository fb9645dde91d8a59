"""Reading the start time a member types ("19:00", "7pm", "2026-12-03 19:00", "tomorrow 18:30").

The text is read as wall-clock time in the member's own zone and resolved to the next such
instant after ``now``. Every failure is an ``InvalidInput`` whose message says how to fix it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.services.study_groups.recurrence import wall_instants

EXAMPLES = "Try `19:00`, `7pm`, `7:30 pm`, `2026-12-03 19:00`, `tomorrow 18:30` or `thu 19:00`."

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
_MONTHS = {
    name: i + 1
    for i, names in enumerate((
        ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
        ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
        ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
        ("dec", "december"),
    ))
    for name in names
}

_TIME_24 = re.compile(r"^(?P<h>\d{1,2})[:.h](?P<m>\d{2})$")
_TIME_AMPM = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)$")
_ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})$")
_ISO_DATETIME = re.compile(r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})t(?P<time>\d{1,2}:\d{2})$")
_DAY_MONTH = re.compile(r"^(?P<d>\d{1,2})\s+(?P<mon>[a-z]+)\.?(?:\s+(?P<y>\d{4}))?$")
_MONTH_DAY = re.compile(r"^(?P<mon>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:,?\s+(?P<y>\d{4}))?$")


def parse_time_of_day(text: str) -> time:
    """"19:00", "7pm", "7:30 pm", "noon", "midnight" -> a wall-clock time."""
    t = " ".join(text.strip().lower().split())
    if t == "noon":
        return time(12, 0)
    if t == "midnight":
        return time(0, 0)
    if m := _TIME_AMPM.match(t):
        hour = int(m["h"])
        minute = int(m["m"] or 0)
        if not 1 <= hour <= 12:
            raise InvalidInput(f"`{text.strip()}`: with am/pm the hour must be 1 to 12.")
        _check_minute(text, minute)
        hour = hour % 12 + (12 if m["ap"].startswith("p") else 0)
        return time(hour, minute)
    if m := _TIME_24.match(t):
        hour, minute = int(m["h"]), int(m["m"])
        if hour == 24 and minute == 0:
            raise InvalidInput(f"`{text.strip()}`: write midnight as `00:00` (on the next day).")
        if hour > 23:
            raise InvalidInput(f"`{text.strip()}`: hours go from 00 to 23.")
        _check_minute(text, minute)
        return time(hour, minute)
    if re.fullmatch(r"\d{1,2}", t):
        raise InvalidInput(
            f"`{text.strip()}` is ambiguous: write `{int(t):02d}:00` or `{t}am`/`{t}pm`."
        )
    raise InvalidInput(f"I could not read `{text.strip()[:40]}` as a time of day. {EXAMPLES}")


def _check_minute(text: str, minute: int) -> None:
    if minute > 59:
        raise InvalidInput(f"`{text.strip()}`: minutes go from 00 to 59.")


def parse_date(text: str, today: date) -> date:
    """"2026-12-03", "3 Dec", "Dec 3 2026", "today", "tomorrow", "thu" -> a date.

    A weekday means the next such day on or after ``today``; a day-and-month without a year
    means the next one on or after ``today``.
    """
    t = " ".join(text.strip().lower().split()).rstrip(",")
    if t == "today":
        return today
    if t == "tomorrow":
        return today + timedelta(days=1)
    if t in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[t] - today.weekday()) % 7)
    if m := _ISO_DATE.match(t):
        return _make_date(text, int(m["y"]), int(m["mo"]), int(m["d"]))
    m = _DAY_MONTH.match(t) or _MONTH_DAY.match(t)
    if m and m["mon"] in _MONTHS:
        month, day = _MONTHS[m["mon"]], int(m["d"])
        if m["y"]:
            return _make_date(text, int(m["y"]), month, day)
        for year in range(today.year, today.year + 5):  # 29 Feb waits for a leap year
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
        return _make_date(text, today.year, month, day)  # raises the friendly error
    if re.fullmatch(r"\d{1,2}/\d{1,2}(/\d{2,4})?", t):
        raise InvalidInput(
            f"`{text.strip()}` is ambiguous (day/month or month/day?): write `2026-12-03` or `3 Dec`."
        )
    raise InvalidInput(f"I could not read `{text.strip()[:40]}` as a date. {EXAMPLES}")


def _make_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            raise InvalidInput(f"`{text.strip()}`: months go from 1 to 12.") from None
        raise InvalidInput(
            f"`{text.strip()}`: there is no {day} {date(2000, month, 1):%B} in {year}."
        ) from None


def parse_start(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The next instant matching ``text`` read in ``zone``, as an aware datetime in ``zone``.

    A bare time means its next occurrence (today if still ahead, else tomorrow). A time that
    does not exist in ``zone`` (the hour skipped when clocks go forward) is refused; a time
    that happens twice (clocks go back) means the first of the two still ahead of ``now``
    (compared as UTC instants, never as wall times).
    """
    if now.tzinfo is None:
        raise ValueError("parse_start needs an aware `now`")
    raw = " ".join(text.strip().split())
    if not raw:
        raise InvalidInput(f"Please give a start time. {EXAMPLES}")
    if len(raw) > 60:
        raise InvalidInput(f"That start time is too long to be a time. {EXAMPLES}")
    local_now = now.astimezone(zone)
    date_text, time_text = _split(raw)
    tod = parse_time_of_day(time_text)
    if date_text is None:
        day = local_now.date()
        return _next_at(day, tod, zone, raw, now) or _first_at(day + timedelta(days=1), tod, zone, raw)
    day = parse_date(date_text, local_now.date())
    found = _next_at(day, tod, zone, raw, now)
    if found is not None:
        return found
    if date_text.strip().lower() in _WEEKDAYS:  # "thu 19:00" said on a Thursday at 20:00
        return _first_at(day + timedelta(days=7), tod, zone, raw)
    passed = datetime.combine(day, tod)
    raise InvalidInput(
        f"`{raw}` ({passed:%a %d %b %Y %H:%M} {zone.key}) has already passed. "
        "Please pick a time in the future."
    )


def _next_at(day: date, tod: time, zone: ZoneInfo, raw: str, now: datetime) -> datetime | None:
    """The first instant after ``now`` showing ``tod`` on ``day`` in ``zone`` (of the two in a
    repeated hour, the earlier one still ahead), or None if both have passed."""
    ahead = [i for i in _instants(day, tod, zone, raw) if i > now.astimezone(UTC)]
    return ahead[0].astimezone(zone) if ahead else None


def _first_at(day: date, tod: time, zone: ZoneInfo, raw: str) -> datetime:
    return _instants(day, tod, zone, raw)[0].astimezone(zone)


def _split(raw: str) -> tuple[str | None, str]:
    """Split "tomorrow 18:30" / "2026-12-03 19:00" / "3 Dec 7 pm" into (date, time)."""
    low = raw.lower()
    if m := _ISO_DATETIME.match(low):  # 2026-12-03T19:00
        return m["date"], m["time"]
    if low in {"noon", "midnight"} or _TIME_24.match(low) or _TIME_AMPM.match(low):
        return None, raw
    words = raw.split(" ")
    # the time is the last word, or the last two when they read "7 pm"
    if len(words) >= 3 and words[-1].lower() in {"am", "pm", "a.m.", "p.m."}:
        return " ".join(words[:-2]), " ".join(words[-2:])
    if len(words) >= 2:
        if words[0].lower() == "at":
            return None, " ".join(words[1:])
        date_words = words[:-1]
        if date_words[-1].lower() == "at":
            date_words = date_words[:-1]
        return " ".join(date_words), words[-1]
    return None, raw


def _instants(day: date, tod: time, zone: ZoneInfo, raw: str) -> list[datetime]:
    naive = datetime.combine(day, tod)
    found = wall_instants(naive, zone)
    if not found:
        raise InvalidInput(
            f"`{raw}`: {naive:%H:%M} does not exist on {naive:%d %b %Y} in {zone.key} "
            "(the clocks jump forward that night). Please pick another time."
        )
    return found
