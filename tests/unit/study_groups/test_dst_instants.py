"""Clock-change nights: typed times, cancellations and what is listed compare UTC instants.

Both directions, US and EU dates, a southern-hemisphere zone and a half-hour offset.
"""

# Naive datetimes here are wall-clock times in a named zone.
# ruff: noqa: DTZ001

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import InvalidInput
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.recurrence import wall_instants
from bot.services.study_groups.timeparse import parse_start

from .conftest import ALICE, GUILD, ROLE


# Fall-back nights: (zone, now as UTC = the second pass of the repeated hour at :40, typed
# time, the instant it must become = the second :50 of that hour, 10 minutes ahead).
def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


FALL_BACK_SECOND_PASS = [
    ("America/New_York", _utc(2026, 11, 1, 6, 40), "1:50am", _utc(2026, 11, 1, 6, 50)),
    ("Europe/London", _utc(2026, 10, 25, 1, 40), "01:50", _utc(2026, 10, 25, 1, 50)),
    ("Europe/Berlin", _utc(2026, 10, 25, 1, 40), "2:50 am", _utc(2026, 10, 25, 1, 50)),
    ("Australia/Sydney", _utc(2026, 4, 4, 16, 40), "2:50am", _utc(2026, 4, 4, 16, 50)),
    ("America/Sao_Paulo", _utc(2019, 2, 17, 2, 40), "23:50", _utc(2019, 2, 17, 2, 50)),
]


@pytest.mark.parametrize(("zone", "now", "typed", "expected"), FALL_BACK_SECOND_PASS)
def test_time_typed_in_the_repeated_hour_is_the_instant_still_ahead(
    zone: str, now: datetime, typed: str, expected: datetime
) -> None:
    got = parse_start(typed, ZoneInfo(zone), now)
    assert got.astimezone(UTC) == expected
    assert got > now  # the result compares as an instant, after now


@pytest.mark.parametrize(("zone", "now", "typed", "expected"), FALL_BACK_SECOND_PASS)
def test_in_the_first_pass_the_first_instant_is_meant(
    zone: str, now: datetime, typed: str, expected: datetime
) -> None:
    first_pass_now = now - timedelta(hours=1)
    got = parse_start(typed, ZoneInfo(zone), first_pass_now)
    assert got.astimezone(UTC) == expected - timedelta(hours=1)


@pytest.mark.parametrize(("zone", "now", "typed", "expected"), FALL_BACK_SECOND_PASS)
def test_a_time_whose_both_instants_passed_is_the_next_day(
    zone: str, now: datetime, typed: str, expected: datetime
) -> None:
    wall = expected.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    earlier = f"{(wall - timedelta(minutes=20)):%H:%M}"  # :30, both passes are behind now
    got = parse_start(earlier, ZoneInfo(zone), now)
    expected_wall = wall - timedelta(minutes=20) + timedelta(days=1)
    assert got.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == expected_wall


@pytest.mark.parametrize(
    ("zone", "wall", "count"),
    [
        ("America/New_York", datetime(2026, 3, 8, 2, 30), 0),  # spring forward
        ("America/New_York", datetime(2026, 11, 1, 1, 30), 2),  # fall back
        ("Europe/Paris", datetime(2026, 3, 29, 2, 30), 0),
        ("Europe/Paris", datetime(2026, 10, 25, 2, 30), 2),
        ("Australia/Sydney", datetime(2026, 10, 4, 2, 30), 0),
        ("Australia/Sydney", datetime(2026, 4, 5, 2, 30), 2),
        ("Asia/Kolkata", datetime(2026, 3, 8, 2, 30), 1),
    ],
)
def test_wall_instants_counts_skipped_and_repeated_times(zone: str, wall: datetime, count: int) -> None:
    found = wall_instants(wall, ZoneInfo(zone))
    assert len(found) == count
    assert found == sorted(found)
    for instant in found:
        assert instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == wall


async def _group(service: StudyGroupService) -> int:
    return (await service.groups.create(GUILD, ALICE, "Night owls", "Step 1", role_id=ROLE)).id


async def test_one_off_in_the_second_pass_is_stored_listed_and_announced_as_that_instant(
    service: StudyGroupService, clock: ManualClock, db: Database
) -> None:
    gid = await _group(service)
    await service.timezones.set(ALICE, "America/New_York")
    clock.set(datetime(2026, 11, 1, 6, 40, tzinfo=UTC))  # 01:40 EST, the second 01:40
    made = await service.sessions.schedule(GUILD, gid, ALICE, False, title="Late one", start="1:50am")
    expected = datetime(2026, 11, 1, 6, 50, tzinfo=UTC)
    assert made.first_start == expected
    (occ,) = await service.sessions.upcoming(GUILD, group_id=gid)
    assert occ.starts_at == expected
    dues = [r["due_at"] for r in await db.fetchall("SELECT due_at FROM study_outbox ORDER BY due_at")]
    assert dues and all(d >= int(clock.now().timestamp()) for d in dues)
    assert max(dues) == int(expected.timestamp())


@pytest.mark.parametrize("nth", [0, 2, 5, 9])
async def test_this_and_later_cancels_only_from_the_chosen_session_on(
    service: StudyGroupService, clock: ManualClock, nth: int
) -> None:
    gid = await _group(service)
    await service.timezones.set(ALICE, "Asia/Kolkata")
    made = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Ten weeks", start="tue 19:30", weekdays="tue", count=10
    )
    clock.advance(timedelta(days=7 * max(0, nth - 4)))  # let later sessions be materialised
    await service.sessions.refill(clock.now())
    listed = await service.sessions.upcoming(GUILD, group_id=gid, limit=20)
    by_start = sorted(listed, key=lambda o: o.starts_at)
    target = next(o for o in by_start if o.starts_at == _nth_start(made.first_start, nth))
    before = [o for o in by_start if o.starts_at < target.starts_at]
    _, n = await service.sessions.cancel(GUILD, target.id, ALICE, False, whole_series=True)
    assert n == len(by_start) - len(before)
    left = await service.sessions.upcoming(GUILD, group_id=gid, limit=20)
    assert [o.id for o in left] == [o.id for o in before]
    await service.sessions.refill(clock.now() + timedelta(days=120))
    assert [o.id for o in await service.sessions.upcoming(GUILD, group_id=gid, limit=20)] == [
        o.id for o in before
    ]


def _nth_start(first: datetime, nth: int) -> datetime:
    return first + timedelta(weeks=nth)  # Kolkata keeps one offset all year


ZONE_NAMES = ["America/New_York", "Europe/London", "Europe/Berlin", "Australia/Sydney",
              "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham", "Australia/Lord_Howe"]


@settings(max_examples=300, deadline=None)
@given(
    zone_name=st.sampled_from(ZONE_NAMES),
    now=st.datetimes(min_value=datetime(2018, 1, 1), max_value=datetime(2030, 12, 31),
                     timezones=st.just(UTC)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_a_bare_time_is_the_first_instant_ahead_showing_it(
    zone_name: str, now: datetime, hour: int, minute: int
) -> None:
    zone = ZoneInfo(zone_name)
    typed = f"{hour:02d}:{minute:02d}"
    try:
        got = parse_start(typed, zone, now)
    except InvalidInput as refused:  # only a time the clocks skip is refused
        assert "does not exist" in str(refused)
        return
    assert got.astimezone(UTC) > now
    assert (got.hour, got.minute) == (hour, minute)
    # no instant between now and the answer shows that wall time: it is the first one ahead
    probe = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while probe < got:
        local = probe.astimezone(zone)
        assert (local.hour, local.minute) != (hour, minute), (probe, got)
        probe += timedelta(minutes=1)
