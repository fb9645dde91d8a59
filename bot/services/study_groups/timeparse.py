"""Reading the start time a member types, in their own zone, or refusing it clearly.

Accepted (any word order, "at"/"on" optional): a time ("19:00", "7pm", "7:30 pm", "19h30",
"noon", "midnight", "half past seven", "quarter to 8", "seven pm"), a day ("today",
"tonight", "tomorrow", "thu", "next friday", "3 Dec", "Dec 3rd 2027", "2026-12-03"), a part
of the day that settles am/pm ("tomorrow morning at 9", "8 tonight"), a relative start ("in 2
hours", "in 30 minutes", "in an hour and a half"), a zone abbreviation when it names the
member's own zone ("7pm EST" for a New Yorker) or UTC/GMT, and an explicit offset ("7pm
UTC+5:30", read as that offset).

Meanings worth stating: a bare time is its next occurrence; "midnight" is the end of the day
it is said with ("friday midnight" = the night from Friday to Saturday), and "tomorrow
midnight" the coming night's 24:00; a time said in words without am/pm ("half past seven") is
whichever of the two comes next. A repeated-hour time is the first of its instants still
ahead of now (compared in UTC). Anything else is refused with a message that quotes the input
and gives two examples that work; nothing is guessed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.services.study_groups.recurrence import WEEKDAY_NAMES, wall_instants
from bot.services.timezones import abbreviation_zones, abbreviations_of

EXAMPLES = "`tomorrow 7pm` or `thu 19:30`"
#: "in N hours" goes at most this far.
MAX_AHEAD = timedelta(days=366)

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
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
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "an": 1, "a": 1,
}
_TOMORROW = {"tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow"}
#: words after which a bare hour reads as pm (or am)
_PM_WORDS = {"tonight", "evening", "afternoon", "night"}
_AM_WORDS = {"morning"}

_ORDINARY_WORDS = {"am", "pm", "noon", "today", "at", "on", "night", "the", "this", "next", "tmr",
                   "tmrw"}

_HOUR = r"(?:1[0-2]|0?[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_TIME_PATTERNS = [
    # half past seven, quarter to 8, 20 past 6, ten to nine (+ o'clock or am/pm)
    ("words", re.compile(
        rf"\b(?P<q>half|quarter|\d{{1,2}}|five|ten|twenty|twenty-five)\s+(?:minutes\s+)?"
        rf"(?P<dir>past|after|to|till|before)\s+(?P<h>{_HOUR})(?:\s+o'?clock)?"
        r"(?:\s*(?P<ap>am|pm))?\b"
    )),
    # British "half seven" = 7:30
    ("half", re.compile(rf"\bhalf\s+(?P<h>{_HOUR})(?:\s*(?P<ap>am|pm))?\b")),
    # 7:30 pm, 7pm, 7 pm, seven pm
    ("ampm", re.compile(rf"\b(?P<h>\d{{1,2}}|{_HOUR})(?:[:.](?P<m>\d{{2}}))?\s*(?P<ap>am|pm)\b")),
    ("oclock", re.compile(rf"\b(?P<h>{_HOUR})\s+o'?clock\b")),
    # 19:00, 7.30, 19h30
    ("24h", re.compile(r"\b(?P<h>\d{1,2})(?:[:h]|\.(?=\d{2}\b))(?P<m>\d{2})\b")),
    ("named", re.compile(r"\b(?P<n>noon|midday|midnight)\b")),
]
_ISO_DATETIME = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2})t(\d{1,2}:\d{2})\b")
_RELATIVE = re.compile(
    r"^in\s+(?P<body>(?:\d|an?\b|one|two|three|four|five|six|seven|eight|nine|ten|half).*)$"
)
_DURATION_PART = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|half an?|"
    r"a half)\s*(?P<u>hours?|hrs?|h|minutes?|mins?|m)\b"
)


def _refuse(raw: str, why: str) -> InvalidInput:
    return InvalidInput(f"`{raw[:60]}`: {why} Try {EXAMPLES}.")


# -- times of day --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tod:
    """A time of day as typed.

    ``twelve_hour``: am or pm is still open ("half past seven", "8 o'clock"); ``open_half``: a
    part of the day may still move it to the afternoon ("tonight at 8:00"); ``midnight``: the
    word, which means the end of the day it is said with.
    """

    time: time
    twelve_hour: bool = False
    open_half: bool = False
    midnight: bool = False


def _hour_value(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _read_time(kind: str, m: re.Match[str], raw: str) -> _Tod:
    if kind == "named":
        return _Tod(time(0, 0), midnight=True) if m["n"] == "midnight" else _Tod(time(12, 0))
    if kind == "ampm":
        hour, minute = _hour_value(m["h"]), int(m["m"] or 0)
        if not 1 <= hour <= 12:
            raise _refuse(raw, "with am/pm the hour must be 1 to 12.")
        _check_minute(raw, minute)
        return _Tod(time(hour % 12 + (12 if m["ap"] == "pm" else 0), minute))
    if kind == "half":
        hour = _hour_value(m["h"]) % 12
        if m["ap"]:
            return _Tod(time(hour + (12 if m["ap"] == "pm" else 0), 30))
        return _Tod(time(hour, 30), twelve_hour=True, open_half=True)
    if kind == "oclock":
        return _Tod(time(_hour_value(m["h"]) % 12, 0), twelve_hour=True, open_half=True)
    if kind == "words":
        q = m["q"]
        minutes = {"half": 30, "quarter": 15, "five": 5, "ten": 10, "twenty": 20,
                   "twenty-five": 25}.get(q) or int(q)
        if not 1 <= minutes <= 59:
            raise _refuse(raw, "minutes go from 1 to 59 in `... past ...`.")
        hour = _hour_value(m["h"]) % 12
        base = datetime.combine(date(2000, 1, 1), time(hour)) + (
            timedelta(minutes=minutes) if m["dir"] in ("past", "after") else -timedelta(minutes=minutes)
        )
        if m["ap"]:  # "quarter to eight pm": the hour named is 8 pm
            shift = 12 if m["ap"] == "pm" else 0
            return _Tod((base + timedelta(hours=shift)).time())
        return _Tod(base.time(), twelve_hour=True, open_half=True)
    hour, minute = int(m["h"]), int(m["m"])
    if hour == 24 and minute == 0:
        raise _refuse(raw, "write midnight as `midnight` or `00:00` on the next day.")
    if hour > 23:
        raise _refuse(raw, "hours go from 00 to 23.")
    _check_minute(raw, minute)
    return _Tod(time(hour, minute), open_half=1 <= hour <= 11)


def _check_minute(raw: str, minute: int) -> None:
    if minute > 59:
        raise _refuse(raw, "minutes go from 00 to 59.")


def parse_time_of_day(text: str) -> time:
    """"19:00", "7pm", "7:30 pm", "noon", "midnight" -> a wall-clock time (words: as 12h)."""
    t = _normalise(text)
    for kind, pattern in _TIME_PATTERNS:
        m = pattern.fullmatch(t)
        if m:
            return _read_time(kind, m, text.strip()).time
    if re.fullmatch(r"\d{1,2}", t):
        raise InvalidInput(
            f"`{text.strip()}` is ambiguous: write `{int(t):02d}:00` or `{t}am`/`{t}pm`."
        )
    raise _refuse(text.strip(), "I could not read that as a time of day.")


# -- dates ---------------------------------------------------------------------------------
def parse_date(text: str, today: date) -> date:
    """"2026-12-03", "3 Dec", "Dec 3rd 2026", "today", "tomorrow", "thu", "next fri" -> a date.

    A weekday means the next such day on or after ``today`` ("next thu": after today); a day
    and month without a year the next one on or after ``today``.
    """
    t = _normalise(text).removeprefix("on ").strip()
    day = _read_date(t, today, text.strip())
    if day is None:
        raise InvalidInput(
            f"`{text.strip()[:60]}`: I could not read that as a date. Try `2026-12-31` or `31 Dec`."
        )
    return day


def _read_date(t: str, today: date, raw: str) -> date | None:
    t = re.sub(r"\b(\d{1,2})(st|nd|rd|th)\b", r"\1", t).replace(" of ", " ").strip()
    t = re.sub(r"^the\s+", "", t)
    if t in ("today", "tonight"):
        return today
    if t in _TOMORROW:
        return today + timedelta(days=1)
    words = t.split()
    if words and words[0] in ("next", "this") and len(words) == 2 and words[1] in _WEEKDAYS:
        ahead = (_WEEKDAYS[words[1]] - today.weekday()) % 7
        return today + timedelta(days=ahead or (7 if words[0] == "next" else 0))
    if t in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[t] - today.weekday()) % 7)
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", t):
        return _make_date(raw, int(m[1]), int(m[2]), int(m[3]))
    if len(words) >= 3 and words[0] in _WEEKDAYS:  # "thu 3 dec": the day must be a Thursday
        day = _read_date(" ".join(words[1:]), today, raw)
        if day is not None and day.weekday() != _WEEKDAYS[words[0]]:
            named = next(n for n in WEEKDAY_NAMES if n.lower().startswith(words[0][:3]))
            raise _refuse(raw, f"{day.day} {day:%b %Y} is a {day:%A}, not a {named}.")
        return day
    m = re.fullmatch(r"(?P<d>\d{1,2})\s+(?P<mon>[a-z]+)\.?(?:\s+(?P<y>\d{4}))?", t) or re.fullmatch(
        r"(?P<mon>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:\s+(?P<y>\d{4}))?", t
    )
    if m and m["mon"] in _MONTHS:
        month, day = _MONTHS[m["mon"]], int(m["d"])
        if m["y"]:
            return _make_date(raw, int(m["y"]), month, day)
        for year in range(today.year, today.year + 5):  # 29 Feb waits for a leap year
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
        return _make_date(raw, today.year, month, day)  # raises the friendly error
    if re.fullmatch(r"\d{1,2}/\d{1,2}(/\d{2,4})?", t):
        raise InvalidInput(
            f"`{raw[:60]}` is ambiguous (day/month or month/day?): write the month as a word "
            f"or the year first, for example `3 Dec 19:00` or `2026-12-03 19:00`."
        )
    return None


def _make_date(raw: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            raise _refuse(raw, "months go from 1 to 12.") from None
        raise _refuse(raw, f"there is no {day} {date(2000, month, 1):%B} in {year}.") from None


# -- the whole start -----------------------------------------------------------------------
def parse_start(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The instant ``text`` means, read in ``zone``, as an aware datetime in ``zone``.

    See the module docstring for the forms. Every refusal is an InvalidInput quoting
    ``text`` with two examples that work.
    """
    if now.tzinfo is None:
        raise ValueError("parse_start needs an aware `now`")
    raw = " ".join(text.strip().split())
    if not raw:
        raise InvalidInput(f"Please give a start time, for example {EXAMPLES}.")
    if len(raw) > 60:
        raise InvalidInput(f"That start time is too long to be a time. Try {EXAMPLES}.")
    t = _normalise(raw)
    if m := _RELATIVE.match(t):
        return _relative(m["body"], raw, zone, now)
    t, read_zone = _strip_zone(t, raw, zone, now)
    return _absolute(t, raw, read_zone, now).astimezone(zone)


def _normalise(text: str) -> str:
    t = " ".join(text.strip().lower().split())
    t = t.replace("a.m.", "am").replace("p.m.", "pm").replace("@", " at ").replace(",", " ")
    t = t.replace("\u2019", "'").rstrip(".!?")  # a typographic apostrophe
    t = re.sub(r"\b(\d{1,2}(?::\d{2})?)\s*([ap])\b", r"\1\2m", t)  # "7p" -> "7pm"
    t = re.sub(r"\b12\s+(noon|midnight)\b", r"\1", t)  # "12 noon"
    t = re.sub(r"\b([01]\d|2[0-3])([0-5]\d)\s*(?:hrs|hours|h)\b", r"\1:\2", t)  # "1900hrs"
    t = re.sub(r"\b(\d{1,2}:\d{2})\s*(?:hrs|hours|h)\b", r"\1", t)  # "19:00 hrs"
    t = re.sub(r"\s+(?:local time|local|my time|your time)$", "", t)
    return " ".join(t.split())


def _relative(body: str, raw: str, zone: ZoneInfo, now: datetime) -> datetime:
    words = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
             "seven": 7, "eight": 8, "nine": 9, "ten": 10, "half an": 0.5, "half a": 0.5,
             "a half": 0.5}
    rest = body.replace(" and ", " ").strip()  # "an hour and a half" -> "an hour a half"
    total = timedelta(0)
    if rest.endswith(" a half") and "hour" in rest:
        rest = rest.removesuffix(" a half") + " 30 minutes"
    consumed = 0
    for m in _DURATION_PART.finditer(rest):
        if rest[consumed:m.start()].strip():
            break
        n = m["n"]
        amount = float(n) if n[0].isdigit() else float(words[n])
        unit = timedelta(hours=1) if m["u"].startswith("h") else timedelta(minutes=1)
        total += amount * unit
        consumed = m.end()
    if consumed == 0 or rest[consumed:].strip() or total <= timedelta(0):
        raise _refuse(raw, "I could not read how long from now (say `in 2 hours` or `in 30 minutes`).")
    if total > MAX_AHEAD:
        raise _refuse(raw, "that is more than a year ahead: give a date instead.")
    start = (now.astimezone(UTC) + total).replace(second=0, microsecond=0)
    return start.astimezone(zone)


def _strip_zone(t: str, raw: str, zone: ZoneInfo, now: datetime) -> tuple[str, tzinfo]:
    """Drop a trailing zone word the member may add (their own zone's abbreviation, UTC/GMT or
    an explicit offset such as UTC+5:30, which is read as such); refuse another zone's."""
    if m := re.search(r"\s+(?:utc|gmt)\s*(?P<s>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>[0-5]\d))?$", t):
        offset = timedelta(hours=int(m["h"]), minutes=int(m["m"] or 0))
        if offset > timedelta(hours=14):
            raise _refuse(raw, "UTC offsets go from -12 to +14.")
        return t[: m.start()], timezone(-offset if m["s"] == "-" else offset)
    m = re.search(r"\s+(?P<z>[a-z]{1,5}|eastern|central|mountain|pacific)(?:\s+time)?$", t)
    if m is None:
        return t, zone
    word = m["z"]
    if word in _WEEKDAYS or word in _MONTHS or word in _ORDINARY_WORDS:
        return t, zone
    if word in ("utc", "gmt", "z"):
        return t[: m.start()], ZoneInfo("UTC")
    known = abbreviations_of(zone, now)
    generic = {"et": "eastern", "ct": "central", "mt": "mountain", "pt": "pacific"}
    if word.upper() in known or generic.get(word, word) in known:
        return t[: m.start()], zone
    if abbreviation_zones(word):
        raise _refuse(
            raw,
            f"{word.upper()} is not your time zone ({zone.key}). Write the time in your own "
            "zone (or in UTC), or change your zone with `/timezone set`.",
        )
    return t, zone


def _absolute(t: str, raw: str, zone: tzinfo, now: datetime) -> datetime:
    local_now = now.astimezone(zone)
    today = local_now.date()
    if m := _ISO_DATETIME.search(t):
        t = f"{t[: m.start()]} {m[1]} {m[2]} {t[m.end():]}".strip()
    tod, rest = _find_time(t, raw)
    words = rest.split()
    pm = any(w in _PM_WORDS for w in words)
    am = any(w in _AM_WORDS for w in words)
    if "tonight" in words or (words[:1] == ["this"] and (pm or am)):
        words = ["today" if w in ("tonight", "this") else w for w in words]
    filler = {"at", "on", "in", "the", "of", "morning", "evening", "afternoon", "night", "by"}
    date_words = [w for w in words if w not in filler]
    if tod is None and (bare := _bare_hour(date_words, pm, am, raw, today)):
        tod, date_words = bare
    if tod is None:
        if m := re.search(r"\b([01]?\d|2[0-3])([0-5]\d)\b", t):
            raise _refuse(raw, f"write the time with a colon, `{int(m[1]):02d}:{m[2]}`.")
        raise _refuse(raw, "I could not find a time of day in it.")
    if am and pm:
        raise _refuse(raw, "it says both morning and evening.")
    tod = _settle_half_day(tod, pm, am, raw)
    date_text = " ".join(date_words)
    day = _read_date(date_text, today, raw) if date_text else None
    if date_text and day is None:
        raise _refuse(raw, f"I could not read `{date_text}` as a day.")
    if tod.midnight:  # the end of the day it is said with; "tomorrow midnight" = tonight's 24:00
        base = today if day is None or date_text in _TOMORROW else day
        return _first_at(base + timedelta(days=1), time(0, 0), zone, raw)
    if day is None:
        if tod.twelve_hour:  # "half past seven": whichever of 07:30 and 19:30 comes next
            options = [_next_after(today + timedelta(days=d), tod.time, h, zone, raw, now)
                       for d in (0, 1) for h in (0, 12)]
            return min(o for o in options if o is not None)
        return _next_at(today, tod.time, zone, raw, now) or _first_at(
            today + timedelta(days=1), tod.time, zone, raw
        )
    if tod.twelve_hour:
        raise _refuse(raw, "say am or pm (or use a 24-hour time like `19:30`).")
    found = _next_at(day, tod.time, zone, raw, now)
    if found is not None:
        return found
    if date_text in _WEEKDAYS:  # "thu 19:00" said on a Thursday at 20:00: next week
        return _first_at(day + timedelta(days=7), tod.time, zone, raw)
    passed = datetime.combine(day, tod.time)
    raise InvalidInput(
        f"`{raw}` ({passed:%a %d %b %Y %H:%M} {_name(zone)}) has already passed. "
        f"Please pick a time in the future, for example {EXAMPLES}."
    )


def _find_time(t: str, raw: str) -> tuple[_Tod | None, str]:
    """The first time-of-day expression in ``t`` and the text around it."""
    found: list[tuple[int, int, _Tod]] = []
    for kind, pattern in _TIME_PATTERNS:
        for m in pattern.finditer(t):
            if any(m.start() < e and s < m.end() for s, e, _ in found):
                continue
            found.append((m.start(), m.end(), _read_time(kind, m, raw)))
    if len(found) > 1:
        raise _refuse(raw, "it has more than one time of day in it.")
    if not found:
        return None, t
    s, e, tod = found[0]
    return tod, f"{t[:s]} {t[e:]}".strip()


def _bare_hour(
    date_words: list[str], pm: bool, am: bool, raw: str, today: date
) -> tuple[_Tod, list[str]] | None:
    """"8 tonight", "tomorrow morning at 9": a bare hour (first or last word), which a part of
    the day must settle; returns it and the words left for the date."""
    for index in (-1, 0):
        if not date_words or not re.fullmatch(r"\d{1,2}|" + _HOUR, date_words[index]):
            continue
        rest = date_words[:-1] if index == -1 else date_words[1:]
        if rest and _read_date(" ".join(rest), today, raw) is None:
            continue
        hour = _hour_value(date_words[index])
        if not (pm or am) or not 1 <= hour <= 12:
            raise InvalidInput(
                f"`{raw[:60]}` is ambiguous: is {hour} am or pm? Write `{hour}pm` or "
                f"`{hour:02d}:00`, for example {EXAMPLES}."
            )
        return _Tod(time(hour % 12, 0), twelve_hour=True, open_half=True), rest
    return None


def _settle_half_day(tod: _Tod, pm: bool, am: bool, raw: str) -> _Tod:
    """Apply "tonight"/"evening"/"morning" to a time that leaves am/pm open."""
    if tod.midnight or not (pm or am):
        return tod
    if not tod.open_half:
        if am and tod.time.hour >= 12:
            raise _refuse(raw, "the time is in the afternoon but it says morning.")
        return tod
    hour = tod.time.hour % 12 + (12 if pm else 0)
    return _Tod(tod.time.replace(hour=hour))


def _next_after(
    day: date, tod: time, add_hours: int, zone: tzinfo, raw: str, now: datetime
) -> datetime | None:
    return _next_at(day, tod.replace(hour=(tod.hour % 12) + add_hours), zone, raw, now)


def _next_at(day: date, tod: time, zone: tzinfo, raw: str, now: datetime) -> datetime | None:
    """The first instant after ``now`` showing ``tod`` on ``day`` in ``zone`` (of the two in a
    repeated hour, the earlier one still ahead), or None if both have passed."""
    ahead = [i for i in _instants(day, tod, zone, raw) if i > now.astimezone(UTC)]
    return ahead[0].astimezone(zone) if ahead else None


def _first_at(day: date, tod: time, zone: tzinfo, raw: str) -> datetime:
    return _instants(day, tod, zone, raw)[0].astimezone(zone)


def _instants(day: date, tod: time, zone: tzinfo, raw: str) -> list[datetime]:
    naive = datetime.combine(day, tod)
    found = wall_instants(naive, zone)
    if not found:
        raise InvalidInput(
            f"`{raw}`: {naive:%H:%M} does not exist on {naive:%d %b %Y} in {_name(zone)} "
            f"(the clocks jump forward that night). Please pick another time, such as {EXAMPLES}."
        )
    return found


def _name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)
