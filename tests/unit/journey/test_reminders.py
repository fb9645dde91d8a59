"""Calendar reminders on the one outbox: planned 14, 3 and 0 days before each step that
applies, sent once, in the member's zone, late-but-marked, and re-planned when a step moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.journey import JourneyService, parse_calendar
from bot.services.journey.reminders import due_at
from tests.unit.journey.conftest import ALICE, BOB, CALENDAR, GUILD, MOD, FakeDms, run

# Midnight New York (05:00 UTC) 14 and 3 days before, and on, 15 Jan 2026.
ROL_OPENS = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
DAY_OF = datetime(2026, 1, 15, 5, 0, tzinfo=UTC)
THREE_BEFORE = DAY_OF - timedelta(days=3)


async def _due_rows(db: Database) -> list[tuple[str, int, int]]:
    rows = await db.fetchall(
        f"SELECT {db.dialect.json_text('data', 'step')} AS step, "
        f"{db.dialect.json_int('data', 'lead')} AS lead, "
        "due_at FROM outbox WHERE kind = 'journey_reminder' AND state = 'pending' ORDER BY due_at"
    )
    return [(r["step"], r["lead"], r["due_at"]) for r in rows]


async def test_following_plans_the_reminders_ahead_that_apply(journey: JourneyService, db,
                                                               clock: ManualClock) -> None:
    # 5 Jan: the 14-day reminder of 15 Jan has passed; old_news is over; j1_only is not Alice's
    await journey.calendar.set_profile(GUILD, ALICE, visa="h1b", stage=None)
    new, planned = await journey.reminders.follow(GUILD, ALICE)
    assert new and planned == 5
    rows = await _due_rows(db)
    assert rows[:2] == [("2026/rank_order_list_opens", 3, int(THREE_BEFORE.timestamp())),
                        ("2026/rank_order_list_opens", 0, int(DAY_OF.timestamp()))]
    assert {r[0] for r in rows} == {"2026/rank_order_list_opens", "2026/rank_order_list_deadline"}
    again = await journey.reminders.follow(GUILD, ALICE)
    assert again == (False, 5)  # following twice plans nothing twice


async def test_each_reminder_is_sent_once_in_the_members_zone(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, dms: FakeDms, db
) -> None:
    await db.execute("INSERT INTO member_timezones (user_id, zone, updated_at) VALUES (?, ?, 0)",
                     (ALICE, "Asia/Karachi"))
    await journey.reminders.follow(GUILD, ALICE)
    await run(outbox, clock, THREE_BEFORE)
    await run(outbox, clock, THREE_BEFORE + timedelta(minutes=5))
    [dm] = dms.sent
    assert dm.recipient_id == ALICE
    assert "**Rank Order List Opens** is in 3 days" in dm.content
    assert "Thu 15 Jan 2026, 22:00 PKT" in dm.content  # 12:00 EST in Karachi
    assert "official: Thu 15 Jan 2026, 12:00 EST" in dm.content
    assert "(delayed)" not in dm.content and "Projected" not in dm.content


async def test_a_projected_step_says_so_in_its_reminder(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, dms: FakeDms
) -> None:
    await journey.reminders.follow(GUILD, BOB)
    await run(outbox, clock, datetime(2026, 2, 25, 5, 0, tzinfo=UTC))
    texts = [d.content for d in dms.sent if "Deadline" in d.content]
    assert texts and all("Projected date, not yet confirmed: 9:00 p.m. ET" in t for t in texts)
    assert "Times" not in texts[-1] and "in UTC until you set your zone" in texts[-1]


async def test_after_downtime_one_catch_up_reminder_marked_delayed(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, dms: FakeDms, db
) -> None:
    await journey.reminders.follow(GUILD, ALICE)
    # down from before the 3-day reminder until after the day-of one (the step still ahead)
    report = await run(outbox, clock, DAY_OF + timedelta(hours=2))
    [dm] = dms.sent
    assert "(delayed)" in dm.content and "is today" in dm.content
    assert report.sent == 1 and report.skipped == 1
    skipped = await db.fetchval(
        "SELECT last_error FROM outbox WHERE state = 'skipped' AND kind = 'journey_reminder'")
    assert skipped == "superseded by a nearer reminder of the same step"


async def test_a_step_that_passed_while_down_is_not_reminded(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, dms: FakeDms
) -> None:
    await journey.reminders.follow(GUILD, ALICE)
    await run(outbox, clock, ROL_OPENS + timedelta(minutes=1))
    assert dms.sent == []


async def test_unfollow_cancels_what_was_planned(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, dms: FakeDms, db
) -> None:
    await journey.reminders.follow(GUILD, ALICE)
    assert await journey.reminders.unfollow(GUILD, ALICE) == 8  # no profile: every step
    assert await _due_rows(db) == []
    await run(outbox, clock, THREE_BEFORE)
    assert dms.sent == []
    assert await journey.reminders.unfollow(GUILD, ALICE) is None


async def test_a_moved_step_is_reminded_at_its_new_date_only(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, dms: FakeDms
) -> None:
    await journey.reminders.follow(GUILD, ALICE)
    moved = await journey.calendar.edit(GUILD, MOD, "2026/rank_order_list_opens",
                                        "2026-01-20", confirmed=True)
    assert moved.at == datetime(2026, 1, 20, 17, 0, tzinfo=UTC) and moved.edited_by == MOD
    # reminders ahead now: the moved step's 14-day one falls after today again (3 + 3 + 3)
    assert await journey.reminders.follow(GUILD, ALICE) == (False, 9)
    await run(outbox, clock, datetime(2026, 1, 6, 5, 0, tzinfo=UTC))
    [first] = dms.sent
    assert "is in 14 days" in first.content and "Tue 20 Jan 2026, 12:00 EST" in first.content
    await run(outbox, clock, THREE_BEFORE)
    assert len(dms.sent) == 1  # the old date's 3-day reminder is skipped
    await run(outbox, clock, datetime(2026, 1, 17, 5, 0, tzinfo=UTC))
    assert "is in 3 days" in dms.sent[-1].content and len(dms.sent) == 2


async def test_a_stale_row_of_a_moved_step_does_not_suppress_a_late_reminder(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, dms: FakeDms
) -> None:
    await journey.reminders.follow(GUILD, ALICE)
    await journey.calendar.edit(GUILD, MOD, "2026/rank_order_list_opens", "2026-01-20",
                                confirmed=True)
    # down until 12 Jan: the new 14-day reminder (6 Jan) is late; the old date's 3-day row
    # (12 Jan) is due too, but it is not a nearer reminder of the step as it now stands
    await run(outbox, clock, THREE_BEFORE)
    [dm] = dms.sent
    assert "(delayed)" in dm.content and "is in 8 days" in dm.content


async def test_a_step_moved_within_its_day_is_reminded_at_the_new_time(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, dms: FakeDms
) -> None:
    await journey.reminders.follow(GUILD, ALICE)
    await journey.calendar.edit(GUILD, MOD, "2026/rank_order_list_opens", "2026-01-15 15:00",
                                confirmed=True)
    await run(outbox, clock, THREE_BEFORE)
    [dm] = dms.sent
    assert "Thu 15 Jan 2026, 15:00 EST" in dm.content


async def test_a_new_visa_route_plans_the_steps_that_now_apply(
    journey: JourneyService, db
) -> None:
    await journey.calendar.set_profile(GUILD, ALICE, visa="h1b", stage=None)
    await journey.reminders.follow(GUILD, ALICE)
    assert "2026/j1_only" not in {r[0] for r in await _due_rows(db)}
    await journey.calendar.timeline(GUILD, ALICE, visa="j1")
    assert "2026/j1_only" in {r[0] for r in await _due_rows(db)}


async def test_moving_a_step_replans_every_follower_it_applies_to(
    journey: JourneyService, db
) -> None:
    await journey.calendar.set_profile(GUILD, ALICE, visa="h1b", stage=None)
    await journey.reminders.follow(GUILD, ALICE)
    await journey.calendar.set_profile(GUILD, BOB, visa="j1", stage=None)
    await journey.reminders.follow(GUILD, BOB)
    await journey.calendar.edit(GUILD, MOD, "2026/j1_only", "2026-05-08", confirmed=True)
    new_day = int(datetime(2026, 5, 8, 4, 0, tzinfo=UTC).timestamp())  # midnight EDT
    planned = await db.fetchall(
        "SELECT recipient_id FROM outbox WHERE kind = 'journey_reminder' AND due_at = ?",
        (new_day,))
    assert [r["recipient_id"] for r in planned] == [BOB]


def test_reminders_fall_at_local_midnight_across_a_daylight_saving_change() -> None:
    [cycle] = parse_calendar({**CALENDAR, "cycles": [{**CALENDAR["cycles"][0], "steps": [{
        **CALENDAR["cycles"][0]["steps"][0], "id": "match_week", "at": "2026-03-16T10:00"}]}]})
    [step] = cycle.steps  # a week after US clocks moved forward (Sun 8 Mar 2026)
    assert due_at(step, 0) == datetime(2026, 3, 16, 4, 0, tzinfo=UTC)  # 00:00 EDT
    assert due_at(step, 3) == datetime(2026, 3, 13, 4, 0, tzinfo=UTC)  # 00:00 EDT
    assert due_at(step, 14) == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 00:00 EST: not 01:00
