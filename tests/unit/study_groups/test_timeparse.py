"""Start times as members type them: a table of what each must become, or be refused with.

Fixed "now": Monday 5 Jan 2026, 12:00 UTC = 07:00 in New York (the member's zone).
"""

# Naive datetimes here are wall-clock times in a named zone, as members type them.
# ruff: noqa: DTZ001

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.services.study_groups.timeparse import EXAMPLES, parse_date, parse_start, parse_time_of_day

NY = ZoneInfo("America/New_York")
LAGOS = ZoneInfo("Africa/Lagos")
KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def ny(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute)


ACCEPTED: list[tuple[str, datetime]] = [
    # bare times: the next one
    ("19:00", ny(1, 5, 19)), ("7pm", ny(1, 5, 19)), ("7 PM", ny(1, 5, 19)),
    ("7:30 pm", ny(1, 5, 19, 30)), ("7.30pm", ny(1, 5, 19, 30)), ("7:30PM", ny(1, 5, 19, 30)),
    ("7p", ny(1, 5, 19)), ("12am", ny(1, 6, 0)), ("12pm", ny(1, 5, 12)),
    ("12:15 a.m.", ny(1, 6, 0, 15)), ("00:00", ny(1, 6, 0)), ("9:05", ny(1, 5, 9, 5)),
    ("19h30", ny(1, 5, 19, 30)), ("noon", ny(1, 5, 12)), ("midday", ny(1, 5, 12)),
    ("midnight", ny(1, 6, 0)), ("6am", ny(1, 6, 6)), ("at 19:00", ny(1, 5, 19)),
    ("at 7pm", ny(1, 5, 19)), ("@ 7pm", ny(1, 5, 19)), ("seven pm", ny(1, 5, 19)),
    ("7pm.", ny(1, 5, 19)),
    # tomorrow, in any order, with or without "at"
    ("tomorrow 18:30", ny(1, 6, 18, 30)), ("Tomorrow at 6:30pm", ny(1, 6, 18, 30)),
    ("tomorrow at 6:30 pm", ny(1, 6, 18, 30)), ("tomorrow 6:30 p.m.", ny(1, 6, 18, 30)),
    ("6:30pm tomorrow", ny(1, 6, 18, 30)), ("tmrw 7pm", ny(1, 6, 19)),
    ("tomorrow noon", ny(1, 6, 12)), ("noon tomorrow", ny(1, 6, 12)),
    ("tomorrow at noon", ny(1, 6, 12)),
    # midnight is the end of the day it is said with; "tomorrow midnight" = tonight's 24:00
    ("tomorrow midnight", ny(1, 6, 0)), ("midnight tomorrow", ny(1, 6, 0)),
    ("midnight tonight", ny(1, 6, 0)), ("friday midnight", ny(1, 10, 0)),
    ("12am friday", ny(1, 9, 0)),
    # today, tonight and parts of the day
    ("today 19:00", ny(1, 5, 19)), ("today at 7pm", ny(1, 5, 19)), ("tonight at 8", ny(1, 5, 20)),
    ("8 tonight", ny(1, 5, 20)), ("tonight 8pm", ny(1, 5, 20)), ("tonight at 8:30", ny(1, 5, 20, 30)),
    ("tonight at 10:15pm", ny(1, 5, 22, 15)), ("this evening at 7", ny(1, 5, 19)),
    ("this afternoon at 3", ny(1, 5, 15)), ("tomorrow morning at 9", ny(1, 6, 9)),
    ("tomorrow morning 9am", ny(1, 6, 9)), ("tomorrow evening at 7:30", ny(1, 6, 19, 30)),
    ("tomorrow night at 9", ny(1, 6, 21)), ("7 in the evening", ny(1, 5, 19)),
    ("9 in the morning", ny(1, 5, 9)), ("in the evening at 7", ny(1, 5, 19)),
    # weekdays
    ("thu 19:00", ny(1, 8, 19)), ("Thursday 7pm", ny(1, 8, 19)), ("7pm thursday", ny(1, 8, 19)),
    ("7pm on thursday", ny(1, 8, 19)), ("thursday at 7pm", ny(1, 8, 19)),
    ("on thursday at 7pm", ny(1, 8, 19)), ("thurs 7pm", ny(1, 8, 19)),
    ("next thursday 7pm", ny(1, 8, 19)), ("this thursday at 7pm", ny(1, 8, 19)),
    ("mon 6am", ny(1, 12, 6)), ("monday 19:00", ny(1, 5, 19)), ("next monday 7pm", ny(1, 12, 19)),
    ("fri 10:00", ny(1, 9, 10)), ("sat noon", ny(1, 10, 12)), ("sunday 9am", ny(1, 11, 9)),
    ("9am sunday", ny(1, 11, 9)), ("Wed, 6 pm", ny(1, 7, 18)),
    # dates
    ("2026-12-03 19:00", ny(12, 3, 19)), ("2026-12-03T19:00", ny(12, 3, 19)),
    ("2026-12-03 7pm", ny(12, 3, 19)), ("2026-12-03 7 pm", ny(12, 3, 19)),
    ("7pm 2026-12-03", ny(12, 3, 19)), ("3 Dec 19:00", ny(12, 3, 19)),
    ("3 dec at 7pm", ny(12, 3, 19)), ("Dec 3 7pm", ny(12, 3, 19)),
    ("December 3rd at 7pm", ny(12, 3, 19)), ("3rd of December 7pm", ny(12, 3, 19)),
    ("7pm on the 3rd of december", ny(12, 3, 19)), ("Dec 3 2027 19:00", ny(12, 3, 19, year=2027)),
    ("Dec 3, 2027 7pm", ny(12, 3, 19, year=2027)), ("3 jan 19:00", ny(1, 3, 19, year=2027)),
    ("29 feb 10:00", ny(2, 29, 10, year=2028)), ("jan 5 7pm", ny(1, 5, 19)),
    # times in words: without am/pm, whichever comes next
    ("half past seven", ny(1, 5, 7, 30)), ("half past seven tonight", ny(1, 5, 19, 30)),
    ("half past 7 pm", ny(1, 5, 19, 30)), ("quarter to eight pm", ny(1, 5, 19, 45)),
    ("quarter past 6 in the evening", ny(1, 5, 18, 15)),
    ("ten past nine tomorrow morning", ny(1, 6, 9, 10)), ("7 o'clock tonight", ny(1, 5, 19)),
    ("quarter to seven", ny(1, 5, 18, 45)),
    # relative
    ("in 2 hours", ny(1, 5, 9)), ("in 30 minutes", ny(1, 5, 7, 30)), ("in 90 mins", ny(1, 5, 8, 30)),
    ("in an hour", ny(1, 5, 8)), ("in half an hour", ny(1, 5, 7, 30)),
    ("in 1 hour 30 minutes", ny(1, 5, 8, 30)), ("in an hour and a half", ny(1, 5, 8, 30)),
    ("in 2h", ny(1, 5, 9)), ("in 45m", ny(1, 5, 7, 45)), ("in 1.5 hours", ny(1, 5, 8, 30)),
    ("in two hours", ny(1, 5, 9)), ("in 2 hrs", ny(1, 5, 9)),
    # a zone abbreviation: the member's own, or UTC/GMT
    ("7pm EST", ny(1, 5, 19)), ("7pm ET", ny(1, 5, 19)), ("7pm eastern", ny(1, 5, 19)),
    ("7pm eastern time", ny(1, 5, 19)), ("7pm EDT", ny(1, 5, 19)), ("19:00 UTC", ny(1, 5, 14)),
    ("7pm GMT", ny(1, 5, 14)), ("tomorrow 7pm utc", ny(1, 6, 14)), ("thu 7pm est", ny(1, 8, 19)),
    ("7:00 PM EST", ny(1, 5, 19)), ("7 PM Eastern", ny(1, 5, 19)), ("sunday 7pm est", ny(1, 11, 19)),
    # an explicit offset is read as such
    ("7pm UTC+5:30", ny(1, 5, 8, 30)), ("19:00 GMT-5", ny(1, 5, 19)), ("7pm gmt+1", ny(1, 5, 13)),
    # more forms members use
    ("1900hrs", ny(1, 5, 19)), ("19:00 hrs", ny(1, 5, 19)), ("12 noon", ny(1, 5, 12)),
    ("half seven", ny(1, 5, 7, 30)), ("half 7 pm", ny(1, 5, 19, 30)), ("7pm local", ny(1, 5, 19)),
    ("7pm my time", ny(1, 5, 19)), ("2026/12/03 19:00", ny(12, 3, 19)),
    ("thu 8 jan 7pm", ny(1, 8, 19)), ("monday 5th january 7pm", ny(1, 5, 19)),
    ("Tuesday 7:30PM", ny(1, 6, 19, 30)), ("tue at 7:30pm", ny(1, 6, 19, 30)),
    ("Dec 10 at 7pm", ny(12, 10, 19)), ("10 Dec 2026 19:00", ny(12, 10, 19)),
    ("tomorrow, 7pm", ny(1, 6, 19)), ("7pm, tomorrow", ny(1, 6, 19)),
    ("at 7 pm tomorrow", ny(1, 6, 19)), ("tomorrow @ 19:00", ny(1, 6, 19)),
    ("in 1 hour", ny(1, 5, 8)), ("in 1hr", ny(1, 5, 8)), ("in 15 min", ny(1, 5, 7, 15)),
    ("8:30 in the morning", ny(1, 5, 8, 30)), ("tomorrow at 8 in the morning", ny(1, 6, 8)),
    ("7.00pm", ny(1, 5, 19)), ("19.00", ny(1, 5, 19)), ("07:30", ny(1, 5, 7, 30)),
]

REFUSED: list[tuple[str, str]] = [
    ("7pm PST", "PST is not your time zone"), ("7pm IST", "IST is not your time zone"),
    ("25:00", "hours go from 00 to 23"), ("24:00", "write midnight"),
    ("19:60", "minutes go from 00 to 59"), ("13pm", "hour must be 1 to 12"),
    ("0am", "hour must be 1 to 12"), ("7", "ambiguous"), ("at 7", "ambiguous"),
    ("tomorrow at 7", "ambiguous"), ("seven", "ambiguous"),
    ("2026-02-30 19:00", "there is no 30 February in 2026"),
    ("2026-13-01 19:00", "months go from 1 to 12"), ("03/12 19:00", "day/month or month/day"),
    ("2025-12-03 19:00", "has already passed"), ("today 6am", "has already passed"),
    ("yesterday 19:00", "could not read `yesterday`"), ("blah 7pm", "could not read `blah`"),
    ("tonight", "could not find a time"), ("tomorrow", "could not find a time"),
    ("soon", "could not find a time"), ("7pm and 9pm", "more than one time"),
    ("in a few hours", "how long from now"), ("in 2 days", "how long from now"),
    ("in 400 hours and 9000 hours", "more than a year ahead"),
    ("tomorrow half past seven", "say am or pm"),
    ("2026-03-08 02:30", "does not exist on 08 Mar 2026 in America/New_York"),
    ("this morning at 7pm", "says morning"),
    ("tue 8 jan 7pm", "8 Jan 2026 is a Thursday, not a Tuesday"),
    ("1900", "write the time with a colon, `19:00`"), ("now", "could not find a time"),
    ("tomorrow evening", "could not find a time"), ("7pm to 9pm", "more than one time"),
    ("7pm UTC+15", "UTC offsets go from -12 to +14"),
]


def test_the_table_has_at_least_a_hundred_inputs() -> None:
    assert len(ACCEPTED) + len(REFUSED) >= 100


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text: str, expected: datetime) -> None:
    got = parse_start(text, NY, NOW)
    assert got.tzinfo is NY
    assert got.astimezone(UTC) == expected.replace(tzinfo=NY).astimezone(UTC)


@pytest.mark.parametrize(("text", "fragment"), REFUSED)
def test_refused_with_the_input_and_two_examples(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_start(text, NY, NOW)
    message = str(info.value)
    assert fragment in message
    assert f"`{text}`" in message  # quotes what the member typed
    two_examples = ("`tomorrow 7pm`", "`thu 19:30`") if "day/month" not in message else (
        "`3 Dec 19:00`", "`2026-12-03 19:00`"
    )
    assert all(example in message for example in two_examples)


@pytest.mark.parametrize(
    "example", [e.strip("`") for e in EXAMPLES.split(" or ")] + ["3 Dec 19:00", "2026-12-03 19:00"]
)
def test_the_examples_in_refusals_work(example: str) -> None:
    assert parse_start(example, NY, NOW) > NOW


@pytest.mark.parametrize(("text", "fragment"), [("", "Please give a start time"), ("x" * 61, "too long")])
def test_empty_or_long_input(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        parse_start(text, NY, NOW)


def test_zone_abbreviations_follow_the_members_zone() -> None:
    # 7pm IST is fine for a Kolkata member (and means their own 19:00), refused for New York
    assert parse_start("7pm IST", KOLKATA, NOW) == datetime(2026, 1, 5, 19, 0, tzinfo=KOLKATA)
    assert parse_start("7pm WAT", LAGOS, NOW) == datetime(2026, 1, 5, 19, 0, tzinfo=LAGOS)
    with pytest.raises(InvalidInput, match="not your time zone"):
        parse_start("7pm EST", KOLKATA, NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("19:00", time(19, 0)), ("7pm", time(19, 0)), ("12:15 a.m.", time(0, 15)), ("noon", time(12, 0))],
)
def test_time_of_day_alone(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


def test_the_zone_decides_what_today_means() -> None:
    # 23:30 UTC on Monday is already Tuesday 00:30 in Lagos
    late = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    assert parse_start("tomorrow 9am", LAGOS, late) == datetime(2026, 1, 7, 9, 0, tzinfo=LAGOS)
    assert parse_start("tomorrow 9am", NY, late) == datetime(2026, 1, 6, 9, 0, tzinfo=NY)
    assert parse_start("13:00", LAGOS, NOW) == datetime(2026, 1, 6, 13, 0, tzinfo=LAGOS)


def test_time_repeated_by_fall_back_means_the_first_still_ahead() -> None:
    start = parse_start("2026-11-01 01:30", NY, NOW)
    assert start.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_start("19:00", NY, datetime(2026, 1, 5, 12, 0))


def test_an_unreadable_end_date_gets_date_examples() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_date("someday", NOW.date())
    assert "`someday`" in str(info.value) and "`2026-12-31`" in str(info.value)
    assert parse_date("31 Dec", NOW.date()) == date(2026, 12, 31)
    assert parse_date("next fri", NOW.date()) == date(2026, 1, 9)
