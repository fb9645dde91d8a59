"""Weekly series expanded to UTC across DST, both directions, for three kinds of zone."""

# Naive datetimes here are wall-clock times in a named zone, as rrule and members use them.
# ruff: noqa: DTZ001

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.errors import InvalidInput
from bot.services.study_groups.dst import dst_notices
from bot.services.study_groups.recurrence import (
    Recurrence,
    count_occurrences,
    first_occurrence_on_or_after,
    occurrences,
    parse_weekdays,
)

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
THURSDAY = 3


def _weekly(first: datetime, zone: ZoneInfo, weeks: int) -> list[datetime]:
    return list(occurrences(first, zone, Recurrence((THURSDAY,), count=weeks)))


# (zone, UTC hour of a 19:00 local session in winter, in summer)
CASES = [(NY, 0, 23), (LONDON, 19, 18), (KOLKATA, 13, 13)]


@pytest.mark.parametrize(("zone", "winter_utc", "summer_utc"), CASES)
def test_spring_forward_keeps_local_time(zone: ZoneInfo, winter_utc: int, summer_utc: int) -> None:
    # Thursdays 26 Feb .. 9 Apr 2026: New York moves on 8 Mar, London on 29 Mar
    starts = _weekly(datetime(2026, 2, 26, 19, 0), zone, 7)
    assert len(starts) == 7
    assert all(s.tzinfo is UTC for s in starts)
    assert {s.astimezone(zone).strftime("%a %H:%M") for s in starts} == {"Thu 19:00"}
    assert starts[0].astimezone(UTC).hour == winter_utc
    assert starts[-1].astimezone(UTC).hour == summer_utc
    gaps = {b - a for a, b in pairwise(starts)}
    if zone is KOLKATA:
        assert gaps == {timedelta(days=7)}
    else:  # exactly one week is an hour shorter
        assert sorted(gaps) == [timedelta(days=7) - timedelta(hours=1), timedelta(days=7)]


@pytest.mark.parametrize(("zone", "winter_utc", "summer_utc"), CASES)
def test_fall_back_keeps_local_time(zone: ZoneInfo, winter_utc: int, summer_utc: int) -> None:
    # Thursdays 15 Oct .. 12 Nov 2026: London moves on 25 Oct, New York on 1 Nov
    starts = _weekly(datetime(2026, 10, 15, 19, 0), zone, 5)
    assert {s.astimezone(zone).strftime("%a %H:%M") for s in starts} == {"Thu 19:00"}
    assert starts[0].hour == summer_utc
    assert starts[-1].hour == winter_utc
    gaps = sorted({b - a for a, b in pairwise(starts)})
    expected = [timedelta(days=7)] if zone is KOLKATA else [timedelta(days=7), timedelta(days=7, hours=1)]
    assert gaps == expected


def test_new_york_series_moves_for_london_members_between_the_two_changes() -> None:
    starts = _weekly(datetime(2026, 10, 15, 19, 0), NY, 4)
    in_london = [s.astimezone(LONDON).strftime("%d %b %H:%M") for s in starts]
    # 15/22 Oct: both on summer time; 29 Oct: London back on GMT, New York not yet
    assert in_london == ["16 Oct 00:00", "23 Oct 00:00", "29 Oct 23:00", "06 Nov 00:00"]


def test_wall_time_skipped_by_spring_forward_moves_an_hour_later() -> None:
    # Sundays 02:30 New York; on 8 Mar 2026 02:30 does not exist -> 03:30 EDT (RFC 5545)
    starts = list(occurrences(datetime(2026, 3, 1, 2, 30), NY, Recurrence((6,), count=3)))
    local = [s.astimezone(NY).strftime("%d %b %H:%M %Z") for s in starts]
    assert local == ["01 Mar 02:30 EST", "08 Mar 03:30 EDT", "15 Mar 02:30 EDT"]


def test_wall_time_repeated_by_fall_back_is_the_first() -> None:
    starts = list(occurrences(datetime(2026, 10, 25, 1, 30), NY, Recurrence((6,), count=2)))
    assert starts[1] == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


def test_window_matches_full_expansion_with_a_controllable_clock() -> None:
    clock = ManualClock(datetime(2026, 3, 1, tzinfo=UTC))
    rule = Recurrence((0, 3), interval=2, until=date(2026, 12, 31))
    everything = list(occurrences(datetime(2026, 1, 5, 19, 0), LONDON, rule))
    for _ in range(10):
        after, before = clock.now(), clock.now() + timedelta(days=30)
        window = list(occurrences(datetime(2026, 1, 5, 19, 0), LONDON, rule, after=after, before=before))
        assert window == [s for s in everything if after <= s < before]
        clock.advance(timedelta(days=23))
    # every 2 weeks, Monday and Thursday, until the end of the year
    assert everything[:4] == [
        datetime(2026, 1, 5, 19, tzinfo=UTC), datetime(2026, 1, 8, 19, tzinfo=UTC),
        datetime(2026, 1, 19, 19, tzinfo=UTC), datetime(2026, 1, 22, 19, tzinfo=UTC),
    ]
    assert everything[-1].astimezone(LONDON).date() <= date(2026, 12, 31)
    assert count_occurrences(datetime(2026, 1, 5, 19, 0), rule) == len(everything)


def test_one_off_session_is_a_single_instant() -> None:
    assert list(occurrences(datetime(2026, 7, 1, 9, 0), KOLKATA, None)) == [
        datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    ]


def test_unbounded_series_has_no_count() -> None:
    assert count_occurrences(datetime(2026, 1, 5, 19), Recurrence((0,))) is None


def test_series_starts_on_the_first_matching_weekday() -> None:
    # "every Thursday, from Monday 5 Jan 19:00" starts on Thursday 8 Jan
    head = first_occurrence_on_or_after(datetime(2026, 1, 5, 19), Recurrence((THURSDAY,)))
    assert head == datetime(2026, 1, 8, 19)


def test_rrule_text_round_trip() -> None:
    rule = Recurrence((3, 0), interval=2, count=10)
    assert rule.to_rrule() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10"
    assert Recurrence.from_rrule(rule.to_rrule()) == rule
    until = Recurrence((4,), until=date(2026, 6, 30))
    assert Recurrence.from_rrule(until.to_rrule()) == until
    assert until.describe() == "every Friday, until 30 Jun 2026"
    assert rule.describe() == "every 2 weeks on Monday and Thursday, 10 times"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"weekdays": ()}, "at least one weekday"),
        ({"weekdays": (0,), "interval": 0}, "every 1 to 52 weeks"),
        ({"weekdays": (0,), "count": 0}, "1 to 730 sessions"),
        ({"weekdays": (0,), "count": 3, "until": date(2026, 5, 1)}, "not both"),
    ],
)
def test_invalid_rules(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        Recurrence(**kwargs)


def test_too_long_series_is_refused() -> None:
    with pytest.raises(InvalidInput, match="more than 730"):
        count_occurrences(datetime(2026, 1, 5, 19), Recurrence(tuple(range(7)), until=date(2029, 1, 1)))


def test_end_date_before_start_has_no_sessions() -> None:
    with pytest.raises(InvalidInput, match="no sessions"):
        first_occurrence_on_or_after(datetime(2026, 5, 5, 19), Recurrence((0,), until=date(2026, 5, 1)))


@pytest.mark.parametrize(
    ("text", "days"),
    [("mon, thu", (0, 3)), ("Monday Thursday", (0, 3)), ("TH/mo", (0, 3)), ("sun", (6,)),
     ("tu we", (1, 2)), ("thursdays", (3,)), ("Tues & Thurs.", (1, 3)), ("weds", (2,)),
     ("every Monday and Friday", (0, 4)), ("Sundays", (6,)), ("weekdays", (0, 1, 2, 3, 4)),
     ("weekends", (5, 6)), ("sat, suns", (5, 6))],
)
def test_weekday_input(text: str, days: tuple[int, ...]) -> None:
    assert parse_weekdays(text) == days


@pytest.mark.parametrize("text", ["t", "funday", "", "s", "and", "thursdayss", "ss"])
def test_bad_weekday_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_weekdays(text)


def test_dst_notices_for_members_whose_local_time_moves() -> None:
    starts = _weekly(datetime(2026, 10, 15, 19, 0), NY, 5)
    zones = ["Europe/London", "Asia/Kolkata", "America/New_York", "Europe/London"]
    # 22 Oct: the next session (29 Oct) is at 23:00 in London, not 00:00
    notices = dst_notices(starts[1], starts[2:], zones)
    assert [n.text() for n in notices] == [
        "from Oct 29 this is 23:00 for you in London (was 00:00)"
    ]
    # 29 Oct: New York leaves summer time on 1 Nov; London and Kolkata see it move
    texts = [n.text() for n in dst_notices(starts[2], starts[3:], zones)]
    assert texts == [
        "from Nov 6 this is 05:30 for you in Kolkata (was 04:30)",
        "from Nov 6 this is 00:00 for you in London (was 23:00)",
    ]
    # mid-November nothing moves
    assert dst_notices(starts[3], starts[4:], zones) == []


def test_no_notice_when_the_next_session_keeps_its_local_time() -> None:
    starts = _weekly(datetime(2026, 10, 8, 19, 0), NY, 4)
    assert dst_notices(starts[0], starts[1:], ["Europe/London"]) == []


ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney",
         "America/Santiago", "Africa/Cairo", "Pacific/Chatham", "America/Chicago"]


@settings(max_examples=150, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    first=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
    days=st.sets(st.integers(0, 6), min_size=1, max_size=3),
    interval=st.integers(1, 3),
    count=st.integers(1, 60),
)
def test_every_occurrence_keeps_its_wall_time_in_the_series_zone(
    zone_name: str, first: datetime, days: set[int], interval: int, count: int
) -> None:
    zone = ZoneInfo(zone_name)
    first = first.replace(second=0, microsecond=0)
    rule = Recurrence(tuple(days), interval=interval, count=count)
    starts = list(occurrences(first, zone, rule))
    assert len(starts) == count
    assert starts == sorted(starts) and len(set(starts)) == count
    for start in starts:
        local = start.astimezone(zone)
        assert local.weekday() in days
        if local.time() != first.time():
            # only possible when the wall time did not exist that day (clocks jumped forward):
            # then it is read with the offset from before the jump, i.e. moved later
            wall = datetime.combine(local.date(), first.time())
            assert wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall
            assert local.replace(tzinfo=None) > wall
