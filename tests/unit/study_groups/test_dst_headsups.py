"""Clock-change heads-ups compare each member's local time for the next *held* session with
this one: every-2-weeks series, cancelled sessions skipped, no false alarms; US and EU
dates, both directions, a half-hour zone and a southern-hemisphere one."""

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.db import Database
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.dst import dst_notices, heads_ups, next_held

from .conftest import ALICE, BOB, CAROL, DAN, GUILD
from .test_dst_instants import _utc

ZONES = {ALICE: "America/New_York", BOB: "Europe/London", CAROL: "Asia/Kolkata",
         DAN: "Australia/Sydney"}


async def _series(
    service: StudyGroupService, clock: ManualClock, owner_zone: str, start: str,
    *, every: int = 1, count: int = 8, weekday: str = "thu",
) -> tuple[int, list]:
    day = datetime.fromisoformat(start[:10]).replace(tzinfo=UTC)
    clock.set(day - timedelta(days=2))  # the next 35 days are materialised
    g = await service.groups.create(GUILD, ALICE, f"Heads-up {owner_zone}", "Step 3")
    for uid, zone in ZONES.items():
        if uid != ALICE:
            await service.groups.join(GUILD, g.id, uid)
        await service.timezones.set(uid, zone)
    await service.timezones.set(ALICE, owner_zone)
    made = await service.sessions.schedule(
        GUILD, g.id, ALICE, False, title="Review", start=start, weekdays=weekday,
        every_weeks=every, count=count,
    )
    occ = await service.sessions.upcoming(GUILD, group_id=g.id, limit=50)
    return made.series_id, occ


async def _texts(
    db: Database, series_id: int, start: datetime, zones: list[str] | None = None
) -> list[str]:
    notices = await heads_ups(db, series_id, start, zones or list(ZONES.values()))
    return [n.text() for n in notices]


async def test_every_two_weeks_compares_with_the_session_two_weeks_on(
    service: StudyGroupService, clock: ManualClock, db: Database
) -> None:
    series_id, occ = await _series(service, clock, "America/New_York", "2026-10-22 19:00", every=2)
    assert [o.starts_at for o in occ[:2]] == [_utc(2026, 10, 22, 23), _utc(2026, 11, 6, 0)]
    # London moved on 25 Oct and New York on 1 Nov: London is back at 00:00, Kolkata is not
    assert await _texts(db, series_id, occ[0].starts_at) == [
        "from Nov 6 this is 05:30 for you in Kolkata (was 04:30)",
        "from Nov 6 this is 11:00 for you in Sydney (was 10:00)",
    ]


async def test_a_cancelled_session_after_the_change_moves_the_heads_up_to_the_next_held(
    service: StudyGroupService, clock: ManualClock, db: Database
) -> None:
    series_id, occ = await _series(service, clock, "America/New_York", "2026-10-22 19:00")
    oct29, nov5, nov12 = occ[1], occ[2], occ[3]
    await service.sessions.cancel(GUILD, nov5.id, ALICE, False)
    texts = await _texts(db, series_id, oct29.starts_at)
    assert "from Nov 13 this is 05:30 for you in Kolkata (was 04:30)" in texts
    assert not any("Nov 6" in t for t in texts)
    assert await _texts(db, series_id, nov12.starts_at) == []


async def test_no_false_alarm_when_the_moved_sessions_are_cancelled(
    service: StudyGroupService, clock: ManualClock, db: Database
) -> None:
    # London series, Thu 19:00: New York is an hour closer between the US (8 Mar) and EU
    # (29 Mar) changes. With 12, 19 and 26 Mar cancelled, 5 Mar and 2 Apr are both 14:00 there.
    series_id, occ = await _series(service, clock, "Europe/London", "2026-03-05 19:00")
    for o in occ[1:4]:
        await service.sessions.cancel(GUILD, o.id, ALICE, False)
    assert await _texts(db, series_id, occ[0].starts_at, ["America/New_York"]) == []
    # Kolkata and Sydney do see 2 Apr move (EU summer time begins; Sydney is still on its own)
    assert await _texts(db, series_id, occ[0].starts_at, ["Asia/Kolkata", "Australia/Sydney"]) == [
        "from Apr 2 this is 23:30 for you in Kolkata (was 00:30)",
        "from Apr 3 this is 05:00 for you in Sydney (was 06:00)",
    ]


async def test_skipped_hour_night_both_ways(
    service: StudyGroupService, clock: ManualClock, db: Database
) -> None:
    # New York, Sundays 02:30: on 8 Mar 02:30 does not exist and the session is at 03:30
    series_id, occ = await _series(
        service, clock, "America/New_York", "2026-03-01 02:30", weekday="sun", count=4
    )
    mar1, mar8, mar15 = occ[0], occ[1], occ[2]
    own = ["America/New_York"]
    assert await _texts(db, series_id, mar1.starts_at, own) == [
        "from Mar 8 this is 03:30 for you in New York (was 02:30)"
    ]
    assert await _texts(db, series_id, mar8.starts_at, own) == [
        "from Mar 15 this is 02:30 for you in New York (was 03:30)"
    ]
    await service.sessions.cancel(GUILD, mar8.id, ALICE, False)
    assert await _texts(db, series_id, mar1.starts_at, own) == []  # back to 02:30: no change
    assert await _texts(db, series_id, mar15.starts_at, own) == []


async def test_this_and_later_cancelled_means_no_next_session(
    service: StudyGroupService, clock: ManualClock, db: Database
) -> None:
    series_id, occ = await _series(service, clock, "America/New_York", "2026-10-22 19:00")
    await service.sessions.cancel(GUILD, occ[2].id, ALICE, False, whole_series=True)
    assert await _texts(db, series_id, occ[1].starts_at) == []


def test_next_held_skips_cancelled_and_stops_at_the_last_kept() -> None:
    starts = [_utc(2026, 1, d) for d in (1, 8, 15, 22)]
    assert next_held(starts, {starts[0], starts[1]}, None) == starts[2]
    assert next_held(starts, {starts[0]}, starts[0]) is None
    assert next_held([], set(), None) is None


def test_dst_notices_compare_with_the_next_held_only() -> None:
    this, later = _utc(2026, 10, 22, 23), [_utc(2026, 11, 6, 0), _utc(2026, 11, 13, 0)]
    assert [n.text() for n in dst_notices(this, later, ["Asia/Kolkata", "Asia/Kolkata"])] == [
        "from Nov 6 this is 05:30 for you in Kolkata (was 04:30)"
    ]
    assert dst_notices(this, [], ["Asia/Kolkata"]) == []
    assert dst_notices(this, [this - timedelta(days=7)], ["Asia/Kolkata"]) == []
    assert this.tzinfo is UTC
