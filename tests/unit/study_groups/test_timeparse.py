"""Natural start-time input: what members type, read in their own zone, and the friendly errors."""

# Naive datetimes here are wall-clock times in a named zone, as rrule and members use them.
# ruff: noqa: DTZ001

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.services.study_groups.timeparse import parse_start, parse_time_of_day

NY = ZoneInfo("America/New_York")
LAGOS = ZoneInfo("Africa/Lagos")
# Monday 5 Jan 2026, 12:00 UTC = 07:00 in New York, 13:00 in Lagos
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:00", time(19, 0)),
        ("7pm", time(19, 0)),
        ("7 PM", time(19, 0)),
        ("7:30 pm", time(19, 30)),
        ("7.30pm", time(19, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15 a.m.", time(0, 15)),
        ("00:00", time(0, 0)),
        ("9:05", time(9, 5)),
        ("19h30", time(19, 30)),
        ("noon", time(12, 0)),
        ("midnight", time(0, 0)),
    ],
)
def test_time_of_day_forms(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("25:00", "hours go from 00 to 23"),
        ("24:00", "write midnight as `00:00`"),
        ("19:60", "minutes go from 00 to 59"),
        ("13pm", "hour must be 1 to 12"),
        ("0am", "hour must be 1 to 12"),
        ("7", "ambiguous"),
        ("seven", "could not read"),
        ("", "Please give a start time"),
        ("   ", "Please give a start time"),
        ("2026-02-30 19:00", "there is no 30 February in 2026"),
        ("2026-13-01 19:00", "months go from 1 to 12"),
        ("03/12 19:00", "ambiguous (day/month or month/day?)"),
        ("2025-12-03 19:00", "has already passed"),
        ("yesterday 19:00", "could not read `yesterday` as a date"),
        ("x" * 61, "too long"),
    ],
)
def test_errors_are_friendly_and_specific(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_start(text, NY, NOW)
    assert fragment in str(info.value)


def test_bare_time_later_today_is_today() -> None:
    assert parse_start("19:00", NY, NOW) == datetime(2026, 1, 5, 19, 0, tzinfo=NY)


def test_bare_time_already_passed_today_is_tomorrow() -> None:
    # 07:00 in New York now; 6am has passed, so it means tomorrow
    assert parse_start("6am", NY, NOW) == datetime(2026, 1, 6, 6, 0, tzinfo=NY)
    # in Lagos it is 13:00; 13:00 exactly is not in the future either
    assert parse_start("13:00", LAGOS, NOW) == datetime(2026, 1, 6, 13, 0, tzinfo=LAGOS)


def test_the_zone_decides_what_today_means() -> None:
    # 23:30 UTC on Monday is already Tuesday 00:30 in Lagos
    late = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    assert parse_start("tomorrow 9am", LAGOS, late) == datetime(2026, 1, 7, 9, 0, tzinfo=LAGOS)
    assert parse_start("tomorrow 9am", NY, late) == datetime(2026, 1, 6, 9, 0, tzinfo=NY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03 19:00", datetime(2026, 12, 3, 19, 0)),
        ("2026-12-03T19:00", datetime(2026, 12, 3, 19, 0)),
        ("2026-12-03 7pm", datetime(2026, 12, 3, 19, 0)),
        ("2026-12-03 7 pm", datetime(2026, 12, 3, 19, 0)),
        ("tomorrow 18:30", datetime(2026, 1, 6, 18, 30)),
        ("Tomorrow at 6:30pm", datetime(2026, 1, 6, 18, 30)),
        ("today 19:00", datetime(2026, 1, 5, 19, 0)),
        ("thu 19:00", datetime(2026, 1, 8, 19, 0)),
        ("Thursday 7pm", datetime(2026, 1, 8, 19, 0)),
        ("mon 6am", datetime(2026, 1, 12, 6, 0)),  # Monday 6am has passed: next Monday
        ("3 Dec 19:00", datetime(2026, 12, 3, 19, 0)),
        ("Dec 3 2027 19:00", datetime(2027, 12, 3, 19, 0)),
        ("3 jan 19:00", datetime(2027, 1, 3, 19, 0)),  # 3 Jan 2026 is past: next year
        ("29 feb 10:00", datetime(2028, 2, 29, 10, 0)),  # the next leap day
        ("at 19:00", datetime(2026, 1, 5, 19, 0)),
    ],
)
def test_dates_and_times(text: str, expected: datetime) -> None:
    assert parse_start(text, NY, NOW) == expected.replace(tzinfo=NY)


def test_time_skipped_by_spring_forward_is_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_start("2026-03-08 02:30", NY, NOW)
    assert "does not exist on 08 Mar 2026 in America/New_York" in str(info.value)


def test_time_repeated_by_fall_back_means_the_first() -> None:
    start = parse_start("2026-11-01 01:30", NY, NOW)
    assert start.fold == 0
    assert start.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


def test_result_is_aware_in_the_members_zone() -> None:
    start = parse_start("19:00", LAGOS, NOW)
    assert start.tzinfo is LAGOS
    assert start.astimezone(UTC) == datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_start("19:00", NY, datetime(2026, 1, 5, 12, 0))
