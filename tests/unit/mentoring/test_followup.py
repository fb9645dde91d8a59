"""Mentorships that are followed up (issue 20): cadence, check-ins and the coordinators' alert,
call times, and "ask for details" pausing an offer's timeout."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import (
    ANSWER,
    CHECKIN,
    QUESTION,
    SENT_KINDS,
    STALLED,
    CheckIn,
    DetailsAnswer,
    DetailsQuestion,
    MentoringService,
    StalledAlert,
)
from bot.services.mentoring.overlap import SLEEP_HOUR, WAKE_HOUR, call_times
from tests.outbox_recorder import Recorder, attach
from tests.unit.mentoring.test_service import TIMEOUT, G, approved_mentor, mentee_input

MENTOR, MENTEE, OTHER = 10, 20, 30
ROLE, CHANNEL = 555, 777


@pytest.fixture
def settings_service(db: Database, clock: ManualClock) -> GuildSettingsService:
    return GuildSettingsService(db, clock)


@pytest.fixture
def svc(db: Database, clock: ManualClock, settings_service) -> MentoringService:
    return MentoringService(db, clock, request_timeout=TIMEOUT, guild_settings=settings_service)


@pytest.fixture
def recorder(svc: MentoringService) -> Recorder:
    return attach(svc.outbox, [*SENT_KINDS, CHECKIN, STALLED, QUESTION, ANSWER], Recorder())


async def offered(svc: MentoringService) -> int:
    """A mentee's request, waiting for MENTOR's answer; returns the request id."""
    mentor = await approved_mentor(svc, MENTOR)
    await svc.set_mentee_profile(G, MENTEE, mentee_input(timezone="Asia/Kolkata"))
    return (await svc.request(G, MENTEE, mentor.id)).request_id


async def paired(svc: MentoringService, recorder: Recorder, clock: ManualClock) -> int:
    """An open pairing whose thread was opened (thread id 900); returns its id."""
    pairing = await svc.accept(await offered(svc), MENTOR)
    await svc.outbox.run_due(clock.now())
    await svc.record_thread(pairing.id, 900)
    recorder.sent.clear()
    return pairing.id


async def run_at(svc: MentoringService, clock: ManualClock, recorder: Recorder, after: timedelta,
                 kind: type) -> list:
    clock.advance(after)
    await svc.outbox.run_due(clock.now())
    sent = [p for p in recorder.sent if isinstance(p, kind)]
    recorder.sent.clear()
    return sent


# -- check-ins -----------------------------------------------------------------------------
async def test_check_ins_come_at_weeks_2_6_and_12_exactly_once(svc, recorder, clock, db) -> None:
    pairing_id = await paired(svc, recorder, clock)
    rows = await db.fetchall("SELECT due_at FROM outbox WHERE kind = ? ORDER BY due_at", (CHECKIN,))
    start = clock.now()
    assert [r["due_at"] for r in rows] == [
        int((start + timedelta(weeks=w)).timestamp()) for w in (2, 6, 12)]
    assert await run_at(svc, clock, recorder, timedelta(days=13), CheckIn) == []
    [first] = await run_at(svc, clock, recorder, timedelta(days=1), CheckIn)
    assert (first.pairing.id, first.week, first.pairing.thread_id) == (pairing_id, 2, 900)
    assert await run_at(svc, clock, recorder, timedelta(days=1), CheckIn) == []  # once
    [second] = await run_at(svc, clock, recorder, timedelta(weeks=4) - timedelta(days=1),
                            CheckIn)
    [third] = await run_at(svc, clock, recorder, timedelta(weeks=6), CheckIn)
    assert (second.week, third.week) == (6, 12)


async def test_after_a_long_outage_only_the_latest_due_check_in_is_posted(
    svc, recorder, clock
) -> None:
    await paired(svc, recorder, clock)
    [late] = await run_at(svc, clock, recorder, timedelta(weeks=7), CheckIn)
    assert late.week == 6  # week 2's would ask about a period already past


async def test_an_ended_pairing_cancels_its_pending_check_ins(svc, recorder, clock, db) -> None:
    pairing_id = await paired(svc, recorder, clock)
    await run_at(svc, clock, recorder, timedelta(weeks=2), CheckIn)
    await svc.end_pairing(G, MENTEE, partner_user_id=None, rating=4, feedback=None,
                          pairing_id=pairing_id)
    states = await db.fetchall("SELECT state FROM outbox WHERE kind = ? ORDER BY due_at",
                               (CHECKIN,))
    assert [r["state"] for r in states] == ["sent", "cancelled", "cancelled"]
    assert await run_at(svc, clock, recorder, timedelta(weeks=12), CheckIn) == []


async def test_only_the_pair_may_answer_a_check_in(svc, recorder, clock) -> None:
    pairing_id = await paired(svc, recorder, clock)
    with pytest.raises(Forbidden):
        await svc.answer_checkin(pairing_id, 2, OTHER, "met")
    with pytest.raises(InvalidInput):
        await svc.answer_checkin(pairing_id, 3, MENTEE, "met")
    with pytest.raises(NotFound):
        await svc.answer_checkin(pairing_id + 1, 2, MENTEE, "met")
    assert (await svc.answer_checkin(pairing_id, 2, MENTOR, "met")).alerted is False


async def test_two_not_yet_in_a_row_alert_the_coordinators_once(
    svc, recorder, clock, settings_service
) -> None:
    await settings_service.set(G, "mentor_coordinator_role", ROLE)
    await settings_service.set(G, "mentoring_channel", CHANNEL)
    pairing_id = await paired(svc, recorder, clock)
    assert not (await svc.answer_checkin(pairing_id, 2, MENTEE, "not_yet")).alerted
    assert not (await svc.answer_checkin(pairing_id, 6, MENTEE, "met")).alerted
    assert await run_at(svc, clock, recorder, timedelta(0), StalledAlert) == []
    # Week 6 changes its answer to "not yet": two in a row.
    assert (await svc.answer_checkin(pairing_id, 6, MENTOR, "not_yet")).alerted
    [alert] = await run_at(svc, clock, recorder, timedelta(0), StalledAlert)
    assert (alert.pairing.id, alert.role_id, alert.channel_id) == (pairing_id, ROLE, CHANNEL)
    # Once per pairing: a third "not yet" does not alert again.
    assert not (await svc.answer_checkin(pairing_id, 12, MENTEE, "not_yet")).alerted
    assert not (await svc.answer_checkin(pairing_id, 6, MENTEE, "not_yet")).alerted
    assert await run_at(svc, clock, recorder, timedelta(0), StalledAlert) == []


async def test_an_alert_without_a_coordinator_role_is_skipped(svc, recorder, clock, db) -> None:
    pairing_id = await paired(svc, recorder, clock)
    await svc.answer_checkin(pairing_id, 2, MENTEE, "not_yet")
    assert (await svc.answer_checkin(pairing_id, 6, MENTEE, "not_yet")).alerted
    assert await run_at(svc, clock, recorder, timedelta(0), StalledAlert) == []
    assert await db.fetchval("SELECT state FROM outbox WHERE kind = ?", (STALLED,)) == "skipped"


async def test_an_ended_pairing_takes_no_answers(svc, recorder, clock) -> None:
    pairing_id = await paired(svc, recorder, clock)
    await svc.end_pairing(G, MENTOR, partner_user_id=None, rating=None, feedback=None)
    with pytest.raises(Conflict):
        await svc.answer_checkin(pairing_id, 2, MENTEE, "met")


# -- cadence and calls -----------------------------------------------------------------------
async def test_the_pair_chooses_a_cadence(svc, recorder, clock) -> None:
    pairing_id = await paired(svc, recorder, clock)
    assert (await svc.get_pairing(pairing_id)).cadence is None
    chosen = await svc.set_cadence(pairing_id, MENTEE, "biweekly")
    assert chosen.cadence == "biweekly" == (await svc.get_pairing(pairing_id)).cadence
    with pytest.raises(InvalidInput):
        await svc.set_cadence(pairing_id, MENTEE, "daily")
    with pytest.raises(Forbidden):
        await svc.set_cadence(pairing_id, OTHER, "weekly")
    assert (await svc.get_pairing(pairing_id)).cadence == "biweekly"


async def test_suggested_calls_fall_in_both_members_waking_hours(svc, recorder, clock) -> None:
    pairing_id = await paired(svc, recorder, clock)
    times = await svc.suggest_call(pairing_id, MENTEE)
    assert len(times) == 3 and len({t.date() for t in times}) == 3
    for at in times:
        assert clock.now() < at <= clock.now() + timedelta(days=7) - timedelta(hours=1)
        assert at.minute == 0
        for zone in ("America/New_York", "Asia/Kolkata"):  # the mentor's and the mentee's
            start, end = at.astimezone(ZoneInfo(zone)), (at + timedelta(hours=1)).astimezone(
                ZoneInfo(zone))
            assert WAKE_HOUR <= start.hour and (end.hour, end.minute) <= (SLEEP_HOUR, 0), zone
    with pytest.raises(Forbidden):
        await svc.suggest_call(pairing_id, OTHER)


def test_call_times_fill_from_fewer_days_and_are_never_in_the_past(clock) -> None:
    one_day = call_times("Europe/London", "Asia/Tokyo", clock.now(), days=1)
    assert len(one_day) == 3 and len(set(one_day)) == 3
    assert all(clock.now() + timedelta(hours=1) <= t for t in one_day)
    assert all(abs(a - b) >= timedelta(hours=2) for a in one_day for b in one_day if a != b)


# -- ask for details ---------------------------------------------------------------------------
async def test_a_question_pauses_the_timeout_until_the_mentee_answers(svc, recorder, clock) -> None:
    request_id = await offered(svc)
    await svc.outbox.run_due(clock.now())
    clock.advance(timedelta(hours=40))  # 32 h left
    asked = await svc.ask_details(request_id, MENTOR, "Which <@1> programs? ||x||")
    assert asked.mentee_user_id == MENTEE and "<@1>" not in asked.question
    [question] = await run_at(svc, clock, recorder, timedelta(0), DetailsQuestion)
    assert question.question == asked.question
    assert question.answer_by == clock.now() + timedelta(hours=48)
    # Past the original deadline: still waiting for this mentor (paused).
    clock.advance(timedelta(hours=40))
    await svc.outbox.run_due(clock.now())
    status = await svc._requests.request_status(request_id)
    assert (status.status, status.paused) == ("pending", True)
    with pytest.raises(Forbidden):
        await svc.answer_details(question.offer_id, OTHER, "Hi")
    answered = await svc.answer_details(question.offer_id, MENTEE, "Community IM programs")
    assert answered.expires_at == clock.now() + timedelta(hours=32)  # the time that was left
    [delivered] = await run_at(svc, clock, recorder, timedelta(0), DetailsAnswer)
    assert (delivered.answer, delivered.request_id) == ("Community IM programs", request_id)
    assert delivered.expires_at == answered.expires_at
    status = await svc._requests.request_status(request_id)
    assert (status.paused, status.expires_at) == (False, answered.expires_at)
    with pytest.raises(Conflict):
        await svc.answer_details(question.offer_id, MENTEE, "again")
    await run_at(svc, clock, recorder, timedelta(hours=31), DetailsAnswer)  # past the lapse too
    assert (await svc._requests.request_status(request_id)).status == "pending"
    await run_at(svc, clock, recorder, timedelta(hours=1), DetailsAnswer)
    assert (await svc._requests.request_status(request_id)).status == "exhausted"


async def test_without_an_answer_the_pause_ends_after_48_hours(svc, recorder, clock) -> None:
    request_id = await offered(svc)
    clock.advance(timedelta(hours=70))  # 2 h left
    await svc.ask_details(request_id, MENTOR, "Which programs?")
    await run_at(svc, clock, recorder, timedelta(hours=48), DetailsQuestion)  # the pause ends
    await run_at(svc, clock, recorder, timedelta(hours=1, minutes=59), DetailsQuestion)
    assert (await svc._requests.request_status(request_id)).status == "pending"
    await run_at(svc, clock, recorder, timedelta(minutes=1), DetailsQuestion)
    assert (await svc._requests.request_status(request_id)).status == "exhausted"


async def test_one_question_per_offer_and_only_from_its_mentor(svc, recorder, clock) -> None:
    request_id = await offered(svc)
    with pytest.raises(Forbidden):
        await svc.ask_details(request_id, OTHER, "Hello?")
    with pytest.raises(InvalidInput):
        await svc.ask_details(request_id, MENTOR, "   ")
    with pytest.raises(InvalidInput):
        await svc.ask_details(request_id, MENTOR, "x" * 501)
    await svc.ask_details(request_id, MENTOR, "Which programs?")
    with pytest.raises(Conflict):
        await svc.check_can_ask(request_id, MENTOR)
    with pytest.raises(Conflict):
        await svc.ask_details(request_id, MENTOR, "And another?")


async def test_answering_the_offer_cancels_the_question(svc, recorder, clock, db) -> None:
    request_id = await offered(svc)
    await svc.ask_details(request_id, MENTOR, "Which programs?")
    await svc.decline(request_id, MENTOR)
    await svc.outbox.run_due(clock.now())
    assert [p for p in recorder.sent if isinstance(p, DetailsQuestion)] == []
    offer_id = await db.fetchval("SELECT id FROM mentor_offers WHERE request_id = ?", (request_id,))
    with pytest.raises(Conflict):
        await svc.answer_details(offer_id, MENTEE, "IM")
