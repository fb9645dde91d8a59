import asyncio
import csv
import io
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import SendFailed
from bot.services.mentoring import SENT_KINDS, MenteeInput, MentoringService, MentorInput
from tests.outbox_recorder import Recorder, attach

G = 1
TIMEOUT = timedelta(hours=72)


def mentor_input(**changes) -> MentorInput:
    data = dict(specialties=["internal_medicine"], visas=["j1"], stage="matched",
                languages=["en"], timezone="America/New_York", capacity=2, bio="Happy to help")
    return MentorInput.validated(**(data | changes))


def mentee_input(**changes) -> MenteeInput:
    data = dict(specialty="internal_medicine", visa="j1", stage="step1", languages=["en"],
                timezone="America/New_York", goals="Match in IM")
    return MenteeInput.validated(**(data | changes))


@pytest.fixture
def svc(db: Database, clock: ManualClock) -> MentoringService:
    return MentoringService(db, clock, request_timeout=TIMEOUT)


async def approved_mentor(svc: MentoringService, user_id: int, **changes):
    await svc.register_mentor(G, user_id, mentor_input(**changes))
    return await svc.moderate(G, user_id, "approve")


async def notices(svc: MentoringService, clock: ManualClock, kind: str | None = None,
                  recorder: Recorder | None = None):
    """Run the outbox once; what it sent (in the order the rows were written)."""
    recorder = attach(svc.outbox, SENT_KINDS, recorder or Recorder())
    recorder.sent.clear()
    await svc.outbox.run_due(clock.now())
    sent = sorted(recorder.sent, key=lambda n: n.id)
    return [n for n in sent if kind is None or n.kind == kind]


async def test_mentors_start_pending_and_only_approved_ones_are_suggested(svc) -> None:
    profile = await svc.register_mentor(G, 10, mentor_input())
    assert profile.status == "pending"
    await svc.set_mentee_profile(G, 20, mentee_input())
    assert await svc.candidates(G, 20) == []
    await svc.moderate(G, 10, "approve")
    assert [c.mentor.user_id for c in await svc.candidates(G, 20)] == [10]
    with pytest.raises(Conflict):
        await svc.register_mentor(G, 10, mentor_input())


async def test_request_accept_opens_a_pairing_and_takes_a_slot(svc, clock) -> None:
    mentor = await approved_mentor(svc, 10)
    await svc.set_mentee_profile(G, 20, mentee_input())
    req = await svc.request(G, 20, mentor.id)
    assert req.status == "pending" and req.mentor_user_id == 10
    assert req.expires_at == clock.now() + TIMEOUT
    [offer] = await notices(svc, clock, "offer")
    assert offer.user_id == 10 and offer.request_id == req.request_id
    assert offer.mentee.user_id == 20

    with pytest.raises(Forbidden):
        await svc.accept(req.request_id, 11)
    pairing = await svc.accept(req.request_id, 10)
    assert (pairing.mentor_user_id, pairing.mentee_user_id, pairing.status) == (10, 20, "active")
    assert (await svc.get_mentor(G, 10)).active == 1
    [thread] = await notices(svc, clock, "thread")
    assert thread.pairing.id == pairing.id
    await svc.record_thread(pairing.id, 555)
    assert (await svc.get_pairing(pairing.id)).thread_id == 555
    status = await svc.status(G, 20)
    assert status.request.status == "accepted" and status.pairings == [
        await svc.get_pairing(pairing.id)]
    # The halfway reminder of an answered offer is never sent.
    clock.advance(TIMEOUT)
    assert await notices(svc, clock, "reminder") == []
    with pytest.raises(Conflict):
        await svc.accept(req.request_id, 10)


async def test_decline_moves_the_request_to_the_next_candidate(svc, clock) -> None:
    first = await approved_mentor(svc, 10)
    await approved_mentor(svc, 11, specialties=["pediatrics"])
    await svc.set_mentee_profile(G, 20, mentee_input())
    req = await svc.request(G, 20, first.id)
    moved = await svc.decline(req.request_id, 10)
    assert moved.status == "pending" and moved.mentor_user_id == 11 and moved.tried == 2
    sent = await notices(svc, clock)
    assert [(n.kind, n.user_id) for n in sent] == [("offer", 11), ("mentee_update", 20)]
    assert sent[1].update.mentor_user_id == 11
    # Nobody else fits: the request closes and the mentee is told.
    final = await svc.decline(req.request_id, 11)
    assert final.status == "exhausted"
    [update] = await notices(svc, clock, "mentee_update")
    assert update.update.mentor_user_id is None  # nobody: the request is closed


async def test_timeout_moves_on_durably_with_a_halfway_reminder(svc, clock, db) -> None:
    first = await approved_mentor(svc, 10)
    await approved_mentor(svc, 11)
    await svc.set_mentee_profile(G, 20, mentee_input())
    await svc.request(G, 20, first.id)
    await notices(svc, clock)
    assert await svc.outbox.next_due() == clock.now() + TIMEOUT / 2
    clock.advance(TIMEOUT / 2)
    [reminder] = await notices(svc, clock, "reminder")
    assert reminder.user_id == 10
    assert await svc.outbox.next_due() == clock.now() + TIMEOUT / 2
    # A fresh service on the same database (a restart) sees the same due work.
    restarted = MentoringService(db, clock, request_timeout=TIMEOUT)
    clock.advance(TIMEOUT / 2)
    assert (await restarted.outbox.run_due(clock.now())).done == 1  # the timeout
    status = (await restarted.status(G, 20)).request
    assert status.status == "pending" and status.mentor_user_id == 11
    assert (await restarted.outbox.run_due(clock.now())).done == 0


async def test_withdraw_closes_the_request(svc, clock) -> None:
    mentor = await approved_mentor(svc, 10)
    await svc.set_mentee_profile(G, 20, mentee_input())
    req = await svc.request(G, 20, mentor.id)
    with pytest.raises(Conflict):
        await svc.candidates(G, 20)
    assert (await svc.withdraw(G, 20)).status == "withdrawn"
    with pytest.raises(Conflict):
        await svc.accept(req.request_id, 10)
    with pytest.raises(NotFound):
        await svc.withdraw(G, 20)
    assert [n.kind for n in await notices(svc, clock)] == []


async def test_pausing_moves_pending_requests_on_at_once(svc, clock) -> None:
    first = await approved_mentor(svc, 10)
    await approved_mentor(svc, 11)
    await svc.set_mentee_profile(G, 20, mentee_input())
    await svc.request(G, 20, first.id)
    assert await svc.set_paused(G, 10, True) == 1
    assert (await svc.status(G, 20)).request.mentor_user_id == 11
    await svc.set_mentee_profile(G, 21, mentee_input())
    assert [c.mentor.user_id for c in await svc.candidates(G, 21)] == [11]
    await svc.set_paused(G, 10, False)
    assert {c.mentor.user_id for c in await svc.candidates(G, 21)} == {10, 11}


async def test_a_mentor_who_fills_up_has_other_requests_moved_on(svc, clock) -> None:
    full = await approved_mentor(svc, 10, capacity=1)
    await approved_mentor(svc, 11, specialties=["pediatrics"])
    await svc.set_mentee_profile(G, 20, mentee_input())
    await svc.set_mentee_profile(G, 21, mentee_input())
    a = await svc.request(G, 20, full.id)
    b = await svc.request(G, 21, full.id)
    await svc.accept(a.request_id, 10)
    moved = await svc._requests.request_status(b.request_id)
    assert moved.status == "pending" and moved.mentor_user_id == 11


async def test_end_pairing_frees_the_slot_and_keeps_feedback_for_moderators(svc) -> None:
    mentor = await approved_mentor(svc, 10, capacity=1)
    await svc.set_mentee_profile(G, 20, mentee_input())
    req = await svc.request(G, 20, mentor.id)
    await svc.accept(req.request_id, 10)
    with pytest.raises(InvalidInput):
        await svc.end_pairing(G, 20, partner_user_id=None, rating=6, feedback=None)
    ended = await svc.end_pairing(G, 20, partner_user_id=10, rating=5, feedback="Great help")
    assert ended.status == "ended"
    assert (await svc.get_mentor(G, 10)).active == 0
    [fb] = await svc.feedback(G)
    assert (fb.rating, fb.text, fb.ended_by) == (5, "Great help", 20)
    with pytest.raises(NotFound):
        await svc.end_pairing(G, 20, partner_user_id=None, rating=None, feedback=None)


async def test_moderation_rules(svc, clock) -> None:
    await svc.register_mentor(G, 10, mentor_input())
    assert (await svc.moderate(G, 10, "reject")).status == "rejected"
    with pytest.raises(Conflict):
        await svc.moderate(G, 10, "reject")
    # A rejected mentor may apply again and is pending again.
    assert (await svc.register_mentor(G, 10, mentor_input())).status == "pending"
    await svc.moderate(G, 10, "approve")
    assert (await svc.moderate(G, 10, "pause")).paused
    assert (await svc.moderate(G, 10, "remove")).status == "removed"
    with pytest.raises(NotFound):
        await svc.moderate(G, 99, "approve")
    with pytest.raises(InvalidInput):
        await svc.moderate(G, 10, "promote")


async def test_capacity_cannot_drop_below_open_pairings(svc) -> None:
    mentor = await approved_mentor(svc, 10, capacity=3)
    for user in (20, 21):
        await svc.set_mentee_profile(G, user, mentee_input())
        await svc.accept((await svc.request(G, user, mentor.id)).request_id, 10)
    with pytest.raises(InvalidInput):
        await svc.edit_mentor(G, 10, mentor_input(capacity=1))
    edited = await svc.edit_mentor(G, 10, mentor_input(capacity=2, bio="new bio"))
    # the bio of an approved mentor waits for review (issue 16, item 14); the rest applies at once
    assert (edited.capacity, edited.active, edited.bio) == (2, 2, "Happy to help")


async def test_roster_filters_and_csv(svc) -> None:
    await approved_mentor(svc, 10, specialties=["psychiatry"], languages=["en", "ur"])
    await svc.register_mentor(G, 11, mentor_input(bio="=HYPERLINK(\"x\")"))
    assert [m.user_id for m in await svc.roster(G)] == [11, 10]
    assert [m.user_id for m in await svc.roster(G, status="approved")] == [10]
    assert [m.user_id for m in await svc.roster(G, specialty="psychiatry")] == [10]
    assert [m.user_id for m in await svc.roster(G, language="ur")] == [10]
    assert [m.user_id for m in await svc.roster(G, has_room=False)] == []
    with pytest.raises(InvalidInput):
        await svc.roster(G, specialty="astrology")
    rows = list(csv.DictReader(io.StringIO(await svc.roster_csv(G))))
    assert [r["user_id"] for r in rows] == ["10", "11"]
    assert rows[1]["bio"].startswith("'=")  # no formula injection in spreadsheets


async def test_matching_mentor_ids_for_anonymous_questions(svc) -> None:
    await approved_mentor(svc, 10, specialties=["psychiatry"], visas=["h1b"])
    await approved_mentor(svc, 11, specialties=["pediatrics"], visas=["j1_waiver"])
    await svc.register_mentor(G, 12, mentor_input(specialties=["psychiatry"]))  # pending
    await approved_mentor(svc, 13, specialties=["psychiatry"])
    await svc.set_paused(G, 13, True)
    assert await svc.matching_mentor_ids(G, ["psychiatry"]) == [10]
    assert await svc.matching_mentor_ids(G, ["J-1 waiver", "h1b"]) == [10, 11]
    assert await svc.matching_mentor_ids(G, ["unknown"]) == []


async def test_match_all_plans_then_applies_within_capacity(svc) -> None:
    await approved_mentor(svc, 10, capacity=1)
    await approved_mentor(svc, 11, capacity=2, specialties=["pediatrics"])
    for user in (20, 21, 22, 23):
        await svc.set_mentee_profile(G, user, mentee_input())
    await svc.set_mentee_profile(G, 24, mentee_input(languages=["es"]))  # nobody speaks Spanish
    plan = await svc.plan_match_all(G)
    assert plan.waiting == 5 and len(plan.pairs) == 3
    assert plan.total >= plan.greedy_total
    pairings, skipped = await svc.apply_plan(plan)
    assert (len(pairings), skipped) == (3, 0)
    assert [(m.user_id, m.active) for m in await svc.roster(G)] == [(10, 1), (11, 2)]
    # Applying the same plan twice creates nothing new.
    assert (await svc.apply_plan(plan))[0] == []


async def test_twenty_mentees_race_for_the_last_slot_exactly_one_wins(
    db: Database, clock: ManualClock, settings
) -> None:
    svc = MentoringService(db, clock, request_timeout=TIMEOUT)
    mentor = await approved_mentor(svc, 10, capacity=1)
    requests = []
    for user in range(100, 120):
        await svc.set_mentee_profile(G, user, mentee_input())
        requests.append((await svc.request(G, user, mentor.id)).request_id)
    # Every racer has its own connection to the same database, as separate processes would.
    racers = [await Database.open(db.target) for _ in requests]
    try:
        services = [MentoringService(r, clock, request_timeout=TIMEOUT) for r in racers]
        results = await asyncio.gather(
            *(s.accept(req, 10) for s, req in zip(services, requests, strict=True)),
            return_exceptions=True,
        )
    finally:
        for r in racers:
            await r.close()
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(e, Conflict) for e in losers)
    assert (await svc.get_mentor(G, 10)).active == 1
    assert await db.fetchval("SELECT count(*) FROM mentor_pairings") == 1
    # Nothing slips through: the 19 other requests were closed (no other mentor) and told.
    states = [(await svc._requests.request_status(r)).status for r in requests]
    assert sorted(states) == ["accepted"] + ["exhausted"] * 19
    assert await db.fetchval(
        "SELECT count(*) FROM outbox WHERE kind = 'mentor_update'") == 19


def test_request_timeout_is_configurable() -> None:
    from bot.config import Settings
    from bot.errors import ConfigError

    assert Settings.from_env({}).mentor_request_timeout_hours == 72
    assert Settings.from_env({"MENTOR_REQUEST_TIMEOUT_HOURS": "24"}).mentor_request_timeout_hours \
        == 24
    with pytest.raises(ConfigError, match="MENTOR_REQUEST_TIMEOUT_HOURS"):
        Settings.from_env({"MENTOR_REQUEST_TIMEOUT_HOURS": "soon"})


async def test_a_failing_notice_is_retried_every_two_minutes_then_moves_on(svc, clock) -> None:
    first = await approved_mentor(svc, 10)
    await approved_mentor(svc, 11)
    await svc.set_mentee_profile(G, 20, mentee_input())
    await svc.request(G, 20, first.id)
    down = Recorder(fail=lambda item, notice: ConnectionError("Discord is down")
                    if notice.user_id == 10 else None)  # only mentor 10's DMs fail
    assert await notices(svc, clock, recorder=down) == []
    assert await svc.outbox.next_due() == clock.now() + timedelta(minutes=2)
    for _ in range(3):  # retried, five attempts in all
        clock.advance(timedelta(minutes=2))
        assert await notices(svc, clock, recorder=down) == []
    assert (await svc.status(G, 20)).request.mentor_user_id == 10
    clock.advance(timedelta(minutes=2))
    # The fifth failure gives up: the offer could not reach its mentor, so the request moves
    # on, and what that wrote goes out in the same run.
    assert [(n.kind, n.user_id) for n in await notices(svc, clock, recorder=down)] == [
        ("offer", 11), ("mentee_update", 20)]
    assert (await svc.status(G, 20)).request.mentor_user_id == 11


async def test_an_offer_that_cannot_reach_its_mentor_moves_on(svc, clock) -> None:
    first = await approved_mentor(svc, 10)
    await approved_mentor(svc, 11)
    await svc.set_mentee_profile(G, 20, mentee_input())
    await svc.request(G, 20, first.id)
    closed_dms = Recorder(fail=lambda item, notice: SendFailed("403", permanent=True)
                          if notice.user_id == 10 else None)
    # Mentor 10's DMs are closed: given up at once, and the request moves on in the same run.
    sent = await notices(svc, clock, recorder=closed_dms)
    assert [(n.kind, n.user_id) for n in sent] == [("offer", 11), ("mentee_update", 20)]
    assert (await svc.status(G, 20)).request.mentor_user_id == 11


async def test_the_cached_pool_follows_every_change_without_a_rebuild(svc) -> None:
    full = await approved_mentor(svc, 10, capacity=1)
    await approved_mentor(svc, 11, specialties=["pediatrics"])
    for user in (20, 21):
        await svc.set_mentee_profile(G, user, mentee_input())
    assert [c.mentor.user_id for c in await svc.candidates(G, 21)] == [10, 11]
    pool = svc._pools.cached(G)

    await svc.accept((await svc.request(G, 20, full.id)).request_id, 10)  # 10 is now full
    assert [c.mentor.user_id for c in await svc.candidates(G, 21)] == [11]
    await svc.set_paused(G, 11, True)
    assert await svc.candidates(G, 21) == []
    await svc.set_paused(G, 11, False)
    await svc.edit_mentor(G, 11, mentor_input(specialties=["internal_medicine"], capacity=3))
    [best] = await svc.candidates(G, 21)
    assert best.mentor.user_id == 11 and best.score.parts["specialty"] > 0
    await svc.end_pairing(G, 20, partner_user_id=None, rating=None, feedback=None)
    assert {c.mentor.user_id for c in await svc.candidates(G, 21)} == {10, 11}
    assert svc._pools.cached(G) is pool  # patched in place every time

    await approved_mentor(svc, 12)  # a newly approved mentor needs a rebuild
    assert {c.mentor.user_id for c in await svc.candidates(G, 21)} == {10, 11, 12}
    assert svc._pools.cached(G) is not pool


async def test_candidates_and_status_need_a_profile_and_leave_out_current_mentors(svc) -> None:
    mentor = await approved_mentor(svc, 10, capacity=3)
    await approved_mentor(svc, 11, specialties=["pediatrics"])
    for call in (svc.candidates, svc.status):
        with pytest.raises(NotFound):
            await call(G, 20)
    await svc.set_mentee_profile(G, 20, mentee_input())
    assert (await svc.status(G, 20)).request is None
    assert {c.mentor.user_id for c in await svc.candidates(G, 20)} == {10, 11}
    first = await svc.request(G, 20, mentor.id)
    await svc.accept(first.request_id, 10)
    assert [c.mentor.user_id for c in await svc.candidates(G, 20)] == [11]
    second = await svc.request(G, 20, (await svc.candidates(G, 20))[0].mentor.id)
    status = await svc.status(G, 20)
    assert status.request.request_id == second.request_id and status.request.status == "pending"
    assert [p.mentor_user_id for p in status.pairings] == [10]
