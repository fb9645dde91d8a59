"""Scheduling sessions, occurrences, cancelling, RSVPs, reminders, suggestions and the .ics file."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import Conflict, Forbidden, InvalidInput
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.sessions import HORIZON

from .conftest import ALICE, BOB, CAROL, GUILD, ROLE


async def _group(service: StudyGroupService, *members: int) -> int:
    g = await service.groups.create(GUILD, ALICE, "Step 2 CK crew", "Step 2 CK", role_id=ROLE)
    for m in members:
        await service.groups.join(GUILD, g.id, m)
    return g.id


async def _outbox(db: Database, *, state: str | None = None) -> list:
    sql = "SELECT kind, recipient_id, lead_seconds, due_at, state FROM study_outbox"
    if state:
        return await db.fetchall(sql + " WHERE state = ? ORDER BY due_at", (state,))
    return await db.fetchall(sql + " ORDER BY due_at")


async def test_one_off_in_the_schedulers_zone(service: StudyGroupService, db: Database) -> None:
    gid = await _group(service)
    await service.timezones.set(ALICE, "America/Chicago")
    result = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Cardio block", start="tomorrow 7pm", duration_minutes=90
    )
    start = datetime(2026, 1, 7, 1, 0, tzinfo=UTC)  # 19:00 CST on Tue 6 Jan
    assert result.first_start == start
    assert result.zone == "America/Chicago"
    assert (result.rule_text, result.total) == (None, 1)
    (occ,) = result.upcoming
    assert (occ.starts_at, occ.ends_at, occ.recurring) == (start, start + timedelta(minutes=90), False)
    rows = await _outbox(db)
    assert [(r["kind"], r["lead_seconds"], r["due_at"]) for r in rows] == [
        ("announce", 86400, int(start.timestamp()) - 86400),
        ("announce", 900, int(start.timestamp()) - 900),
        ("announce", 0, int(start.timestamp())),
    ]


async def test_a_lead_already_passed_is_due_at_once_and_later_leads_keep_their_times(
    service: StudyGroupService, db: Database, clock: ManualClock
) -> None:
    gid = await _group(service)
    await service.sessions.schedule(GUILD, gid, ALICE, False, title="Soon", start="12:30")
    now, start = int(clock.now().timestamp()), int(clock.now().timestamp()) + 1800
    assert [(r["lead_seconds"], r["due_at"]) for r in await _outbox(db)] == [
        (86400, now), (900, start - 900), (0, start),  # the 24 h one: now, once
    ]


async def test_weekly_series_counts_and_horizon(
    service: StudyGroupService, clock: ManualClock, db: Database
) -> None:
    gid = await _group(service)
    await service.timezones.set(ALICE, "Africa/Lagos")
    bounded = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Mon/Thu", start="19:00", weekdays="mon, thu", count=10
    )
    assert bounded.rule_text == "every Monday and Thursday, 10 times"
    assert bounded.total == 10
    assert bounded.first_start == datetime(2026, 1, 5, 18, 0, tzinfo=UTC)  # today 19:00 WAT
    open_ended = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Sundays", start="sun 10am"
    )
    assert open_ended.rule_text is None  # no repeat options: a one-off on Sunday
    forever = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Fridays", start="fri 8pm", every_weeks=1
    )
    assert forever.rule_text == "every Friday" and forever.total is None

    async def count(series_id: int) -> int:
        return await db.fetchval(
            "SELECT COUNT(*) FROM study_occurrences WHERE series_id = ?", (series_id,)
        )

    assert await count(bounded.series_id) == 10
    assert await count(forever.series_id) == 5  # Fridays within the next 35 days
    due = await service.sessions.next_refill()
    assert due is not None and due <= clock.now() + timedelta(days=7)
    clock.advance(timedelta(days=60))
    assert await service.sessions.refill(clock.now()) == 1  # the bounded one is exhausted
    assert await count(forever.series_id) == 14  # up to now + HORIZON + a week
    last = await db.fetchval("SELECT MAX(starts_at) FROM study_occurrences WHERE series_id = ?",
                             (forever.series_id,))
    assert last <= int((clock.now() + HORIZON + timedelta(days=7)).timestamp())
    assert await service.sessions.refill(clock.now()) == 0


async def test_until_date_and_every_two_weeks(service: StudyGroupService) -> None:
    gid = await _group(service)
    await service.timezones.set(ALICE, "Asia/Karachi")
    result = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Fortnightly", start="2026-01-07 21:00",
        every_weeks=2, until="2026-02-28",
    )
    assert result.total == 4  # 7 Jan, 21 Jan, 4 Feb, 18 Feb
    # 18 Feb lies beyond the 35-day horizon: materialised by a later refill
    assert [o.starts_at.day for o in result.upcoming] == [7, 21, 4]
    assert {o.starts_at.hour for o in result.upcoming} == {16}  # 21:00 PKT


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"title": "x", "start": "19:00"}, "2 to 80"),
        ({"title": "Fine", "start": "19:00", "duration_minutes": 5}, "15 minutes to 8 hours"),
        ({"title": "Fine", "start": "19:00", "location": "zoom.us/j/1"}, "https://"),
        ({"title": "Fine", "start": "25:00"}, "00 to 23"),
        ({"title": "Fine", "start": "19:00", "until": "2026-01-01"}, "before the first"),
        ({"title": "Fine", "start": "19:00", "weekdays": "someday"}, "not a weekday"),
        ({"title": "Fine", "start": "19:00", "count": 3, "until": "2026-03-01"}, "not both"),
    ],
)
async def test_bad_schedule_input_changes_nothing(
    service: StudyGroupService, db: Database, kwargs: dict, error: str
) -> None:
    gid = await _group(service)
    with pytest.raises(InvalidInput, match=error):
        await service.sessions.schedule(GUILD, gid, ALICE, False, **kwargs)
    assert await db.fetchval("SELECT COUNT(*) FROM study_series") == 0


async def test_only_managers_schedule_and_cancel(service: StudyGroupService) -> None:
    gid = await _group(service, BOB)
    with pytest.raises(Forbidden):
        await service.sessions.schedule(GUILD, gid, BOB, False, title="Mine", start="19:00")
    made = await service.sessions.schedule(GUILD, gid, BOB, True, title="Moderated", start="19:00")
    with pytest.raises(Forbidden):
        await service.sessions.cancel(GUILD, made.upcoming[0].id, BOB, False)


async def test_cancel_one_then_the_series(service: StudyGroupService, db: Database) -> None:
    gid = await _group(service)
    made = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Weekly", start="thu 19:00", weekdays="thu", count=4
    )
    first, second = made.upcoming[0], made.upcoming[1]
    occ, n = await service.sessions.cancel(GUILD, second.id, ALICE, False)
    assert (occ.cancelled, n) == (True, 1)
    with pytest.raises(Conflict, match="already cancelled"):
        await service.sessions.cancel(GUILD, second.id, ALICE, False)
    upcoming = await service.sessions.upcoming(GUILD, group_id=gid)
    assert [o.id for o in upcoming] == [first.id, made.upcoming[2].id, made.upcoming[3].id]
    # /session upcoming reads one page at a time: the count and the pages agree.
    assert await service.sessions.count_upcoming(GUILD, group_id=gid) == 3
    assert await service.sessions.count_upcoming(GUILD, member_id=ALICE) == 3
    assert await service.sessions.count_upcoming(GUILD, member_id=BOB) == 0
    page_two = await service.sessions.upcoming(GUILD, group_id=gid, limit=2, offset=2)
    assert [o.id for o in page_two] == [made.upcoming[3].id]
    assert len(await _outbox(db, state="cancelled")) == 3
    _, n = await service.sessions.cancel(GUILD, first.id, ALICE, False, whole_series=True)
    assert n == 3
    assert await service.sessions.upcoming(GUILD) == []
    assert await service.sessions.count_upcoming(GUILD) == 0
    assert await _outbox(db, state="pending") == []
    assert await service.sessions.refill(datetime(2026, 6, 1, tzinfo=UTC)) == 0


async def test_rsvp_counts_and_membership(service: StudyGroupService, clock: ManualClock) -> None:
    gid = await _group(service, BOB)
    made = await service.sessions.schedule(GUILD, gid, ALICE, False, title="RSVP me", start="19:00")
    occ_id = made.upcoming[0].id
    _, counts = await service.sessions.rsvp(GUILD, occ_id, ALICE, "going")
    _, counts = await service.sessions.rsvp(GUILD, occ_id, BOB, "maybe")
    assert (counts.going, counts.maybe, counts.no) == (1, 1, 0)
    _, counts = await service.sessions.rsvp(GUILD, occ_id, BOB, "going")  # change of mind
    assert (counts.going, counts.maybe) == (2, 0)
    with pytest.raises(Forbidden, match="Join"):
        await service.sessions.rsvp(GUILD, occ_id, CAROL, "going")
    with pytest.raises(InvalidInput):
        await service.sessions.rsvp(GUILD, occ_id, BOB, "perhaps")
    clock.advance(timedelta(hours=9))
    with pytest.raises(Conflict, match="over"):
        await service.sessions.rsvp(GUILD, occ_id, BOB, "no")


async def test_dm_reminders_follow_preferences_and_rsvps(service: StudyGroupService, db: Database) -> None:
    gid = await _group(service, BOB)
    made = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Weekly", start="tomorrow 19:00", weekdays="tue", count=3
    )
    assert await service.sessions.set_reminder(GUILD, gid, BOB, 30) == 3
    dms = await db.fetchall("SELECT * FROM study_outbox WHERE kind = 'dm' AND state = 'pending'")
    assert {r["recipient_id"] for r in dms} == {BOB} and {r["lead_seconds"] for r in dms} == {1800}
    await service.sessions.rsvp(GUILD, made.upcoming[0].id, BOB, "no")
    pending = "SELECT COUNT(*) FROM study_outbox WHERE kind = 'dm' AND state = 'pending'"
    assert await db.fetchval(pending) == 2
    await service.sessions.rsvp(GUILD, made.upcoming[0].id, BOB, "maybe")
    assert await db.fetchval(pending) == 3
    assert await service.sessions.set_reminder(GUILD, gid, BOB, 60) == 3  # replaces the 30 min ones
    assert await db.fetchval(pending + " AND lead_seconds = 3600") == 3
    assert await db.fetchval(pending + " AND lead_seconds = 1800") == 0
    assert await service.sessions.set_reminder(GUILD, gid, BOB, None) == 0
    assert await db.fetchval(pending) == 0
    with pytest.raises(InvalidInput):
        await service.sessions.set_reminder(GUILD, gid, BOB, 2)
    with pytest.raises(Forbidden):
        await service.sessions.set_reminder(GUILD, gid, CAROL, 30)
    # a member who opted in gets reminders for sessions scheduled later too
    await service.sessions.set_reminder(GUILD, gid, BOB, 15)
    await service.sessions.schedule(GUILD, gid, ALICE, False, title="Extra", start="2026-02-02 10:00")
    assert await db.fetchval(pending) == 4
    # leaving the group drops them
    await service.groups.leave(GUILD, gid, BOB)
    assert await db.fetchval(pending) == 0


async def test_suggest_uses_member_zones(service: StudyGroupService) -> None:
    gid = await _group(service, BOB, CAROL)
    await service.timezones.set(ALICE, "Africa/Lagos")
    await service.timezones.set(BOB, "America/Chicago")
    slots, unknown = await service.sessions.suggest(GUILD, gid)
    assert unknown == [CAROL]
    assert len(slots) == 3
    assert all(s.available == (ALICE, BOB) for s in slots)


async def test_calendar_export_round_trip(service: StudyGroupService) -> None:
    gid = await _group(service)
    await service.timezones.set(ALICE, "Europe/London")
    made = await service.sessions.schedule(
        GUILD, gid, ALICE, False, title="Weekly", start="thu 19:00", weekdays="thu", count=6,
        location="https://meet.example/ck",
    )
    await service.sessions.cancel(GUILD, made.upcoming[1].id, ALICE, False)
    cal = Calendar.from_ical(await service.sessions.calendar(GUILD, gid))
    (event,) = cal.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;COUNT=6;BYDAY=TH"
    exdates = event["exdate"]
    assert [d.dt for d in exdates.dts] == [made.upcoming[1].starts_at]  # 15 Jan 19:00 GMT
    assert str(event["summary"]) == "Step 2 CK crew: Weekly"
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


@pytest.mark.parametrize(
    ("start", "until"), [("2036-01-06 19:00", None), ("tomorrow 19:00", "2035-12-31")]
)
async def test_a_start_or_end_years_ahead_is_refused(
    service: StudyGroupService, db: Database, start: str, until: str | None
) -> None:
    gid = await _group(service)
    with pytest.raises(InvalidInput, match=r"more than two years from now.*check the year"):
        await service.sessions.schedule(GUILD, gid, ALICE, False, title="Far", start=start,
                                        until=until, weekdays="mon" if until else None)
    assert await db.fetchval("SELECT COUNT(*) FROM study_series") == 0
    # within the horizon it is fine
    await service.sessions.schedule(GUILD, gid, ALICE, False, title="Next year",
                                    start="2027-06-01 19:00")


async def test_scheduling_over_another_session_of_the_group_names_the_clash(
    service: StudyGroupService,
) -> None:
    gid = await _group(service)
    first = await service.sessions.schedule(GUILD, gid, ALICE, False, title="Cardio",
                                            start="tomorrow 19:00", duration_minutes=90)
    assert first.clashes == ()
    weekly = await service.sessions.schedule(GUILD, gid, ALICE, False, title="Renal",
                                             start="tomorrow 20:00", weekdays="tuesdays")
    [clash] = weekly.clashes
    assert (clash.title, clash.starts_at) == ("Cardio", first.first_start)
    after = await service.sessions.schedule(GUILD, gid, ALICE, False, title="Neuro",
                                            start="tomorrow 20:30")  # as Cardio ends
    assert [c.title for c in after.clashes] == ["Renal"]
    other = await service.groups.create(GUILD, BOB, "Other crew", "Step 1")
    elsewhere = await service.sessions.schedule(GUILD, other.id, BOB, False, title="Same time",
                                                start="tomorrow 19:00")
    assert elsewhere.clashes == ()  # another group's sessions are not this group's clash
