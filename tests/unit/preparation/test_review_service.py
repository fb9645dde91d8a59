"""Document review's service on a temp database: routing one reviewer at a time, timeouts,
capacity under concurrency, anonymity of what a reviewer receives, retention and privacy."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import Outbox, SendFailed
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MentoringService, MentorInput
from bot.services.preparation import (
    SENT_KINDS,
    PreparationService,
    ReviewDocument,
    ReviewOffer,
    ReviewResult,
    ReviewUpdate,
    parse_rubric,
    reviews_given,
)
from bot.services.preparation.review import ANSWER_TIMEOUT, OFFER_TIMEOUT
from tests.outbox_recorder import Recorder, attach, drain
from tests.review_files import sample

G = 1
MEMBER, ANA, BEN, CAL = 500, 601, 602, 603
RUBRIC = {"structure": "3 Clear arc.", "specificity": "2: Needs one real patient.",
          "red_flags": "4 - The failed attempt is owned well.", "language": "3 Fine."}


@dataclass
class Env:
    prep: PreparationService
    outbox: Outbox
    sent: Recorder
    clock: ManualClock
    db: Database
    settings: GuildSettingsService
    mentoring: MentoringService

    async def run(self) -> None:
        await drain(self.outbox, self.clock.now())

    def offers(self) -> list[ReviewOffer]:
        return [p for p in self.sent.sent if isinstance(p, ReviewOffer)]


@pytest.fixture
async def env(db: Database, clock: ManualClock) -> Env:
    outbox = Outbox(db, clock)
    settings = GuildSettingsService(db, clock)
    mentoring = MentoringService(db, clock, request_timeout=timedelta(hours=72), outbox=outbox)
    prep = PreparationService(db, clock, outbox, settings, mentoring)
    for user_id in (ANA, BEN, CAL):
        await mentoring.register_mentor(G, user_id, MentorInput.validated(
            specialties=["internal_medicine"], visas=["j1"], stage="matched", languages=["en"],
            timezone="America/New_York", capacity=2, bio="Happy to help"))
        await mentoring.moderate(G, user_id, "approve")
    return Env(prep, outbox, attach(outbox, SENT_KINDS, Recorder()), clock, db, settings,
               mentoring)


async def _reviewers(env: Env, *who: int, capacity: int = 2) -> None:
    for user_id in who:
        await env.prep.review.set_reviewer(G, user_id, "personal_statement", None, capacity)


async def _ask(env: Env, anonymous: bool = False, member: int = MEMBER):
    return await env.prep.review.request(G, member, "personal_statement", "internal_medicine",
                                         anonymous, sample("personal_statement.txt"))


async def _tables(db: Database) -> tuple[int, int]:
    return (await db.fetchval("SELECT count(*) FROM review_requests"),
            await db.fetchval("SELECT count(*) FROM review_offers"))


async def test_only_approved_mentors_review(env: Env) -> None:
    with pytest.raises(Forbidden, match="approved mentors"):
        await env.prep.review.set_reviewer(G, MEMBER, None, None, 2)
    saved = await env.prep.review.set_reviewer(G, ANA, None, None, 3)
    assert len(saved.kinds) == 5 and saved.specialties == ("internal_medicine",)


async def test_no_reviewer_with_room_keeps_nothing_but_gives_the_checks(env: Env) -> None:
    submitted = await _ask(env)
    assert submitted.request_id is None and submitted.findings
    assert await _tables(env.db) == (0, 0)


async def test_routed_declined_timed_out_answered_and_rated(env: Env) -> None:
    await _reviewers(env, ANA, BEN, CAL)
    submitted = await _ask(env)
    assert submitted.request_id is not None
    await env.run()
    [first] = env.offers()
    assert first.recipient_id == ANA and first.member_id == MEMBER  # not anonymous
    with pytest.raises(Conflict, match="no longer waiting for you"):
        await env.prep.review.accept(submitted.request_id, BEN)  # not offered to Ben
    await env.prep.review.decline(submitted.request_id, ANA)
    await env.run()
    assert env.offers()[-1].recipient_id == BEN
    env.clock.advance(OFFER_TIMEOUT)  # Ben never answers
    await env.run()
    await env.run()
    assert [o.recipient_id for o in env.offers()] == [ANA, BEN, CAL]
    await env.prep.review.accept(submitted.request_id, CAL)
    await env.run()
    [doc] = [p for p in env.sent.sent if isinstance(p, ReviewDocument)]
    assert doc.recipient_id == CAL and "Lagos" in doc.text and doc.findings
    with pytest.raises(Forbidden):
        await env.prep.review.answer(submitted.request_id, BEN, RUBRIC, "")
    with pytest.raises(InvalidInput, match="Structure"):
        await env.prep.review.answer(submitted.request_id, CAL, RUBRIC | {"structure": "Good"}, "")
    await env.prep.review.answer(submitted.request_id, CAL, RUBRIC, "Keep going <@123>")
    await env.run()
    [result] = [p for p in env.sent.sent if isinstance(p, ReviewResult)]
    assert result.recipient_id == MEMBER and result.reviewer_id == CAL
    assert [(a.key, a.score) for a in result.rubric] == [
        ("structure", 3), ("specificity", 2), ("red_flags", 4), ("language", 3)]
    assert result.comments == "Keep going @member"  # sanitised once, on input
    assert result.erase_at == env.clock.now() + timedelta(days=14)
    await env.prep.review.rate(submitted.request_id, MEMBER, 5)
    assert await reviews_given(env.prep, G, CAL) == 1
    assert await reviews_given(env.prep, G, ANA) == 0


async def test_exhausted_request_tells_the_member_and_is_erased_after_retention(env: Env) -> None:
    await env.settings.set(G, "review_retention_days", 3)
    await _reviewers(env, ANA)
    submitted = await _ask(env)
    await env.run()
    await env.prep.review.decline(submitted.request_id, ANA)
    await env.run()
    [update] = [p for p in env.sent.sent if isinstance(p, ReviewUpdate)]
    assert update.recipient_id == MEMBER and update.erase_at == env.clock.now() + timedelta(days=3)
    env.clock.advance(timedelta(days=3) - timedelta(seconds=1))
    await env.run()
    assert (await _tables(env.db))[0] == 1
    env.clock.advance(timedelta(seconds=1))
    await env.run()
    assert await _tables(env.db) == (0, 0)


async def test_anonymous_offers_and_documents_carry_no_member_id(env: Env) -> None:
    await _reviewers(env, ANA)
    submitted = await _ask(env, anonymous=True)
    await env.run()
    await env.prep.review.accept(submitted.request_id, ANA)
    await env.run()
    to_reviewer = [p for p in env.sent.sent if isinstance(p, ReviewOffer | ReviewDocument)]
    assert len(to_reviewer) == 2
    assert all(p.member_id is None and MEMBER not in vars_of(p) for p in to_reviewer)
    assert all(item.recipient_id == ANA and item.data == {} for item in env.sent.items)


def vars_of(payload: object) -> list[object]:
    return [getattr(payload, name) for name in payload.__slots__]  # type: ignore[attr-defined]


async def test_the_last_weekly_slot_goes_to_one_accept_only(env: Env) -> None:
    await _reviewers(env, ANA, capacity=1)
    first = await _ask(env, member=MEMBER)
    second = await _ask(env, member=MEMBER + 1)
    results = await asyncio.gather(
        env.prep.review.accept(first.request_id, ANA),
        env.prep.review.accept(second.request_id, ANA), return_exceptions=True)
    assert sum(r is None for r in results) == 1
    [refused] = [r for r in results if r is not None]
    assert isinstance(refused, Conflict)
    taken = await env.db.fetchval("SELECT taken FROM review_reviewers WHERE user_id = ?", (ANA,))
    assert taken == 1


async def test_a_full_reviewer_is_not_offered_more_until_next_week(env: Env) -> None:
    await _reviewers(env, ANA, capacity=1)
    first = await _ask(env)
    await env.prep.review.accept(first.request_id, ANA)
    assert (await _ask(env, member=MEMBER + 1)).request_id is None
    env.clock.advance(timedelta(days=7))
    assert (await _ask(env, member=MEMBER + 2)).request_id is not None


async def test_an_offer_that_cannot_reach_its_reviewer_moves_on(env: Env) -> None:
    env.sent.fail = lambda item, payload: (SendFailed("403 closed DMs", permanent=True)
                                           if item.recipient_id == ANA else None)
    await _reviewers(env, ANA, BEN)
    await _ask(env)
    await env.run()
    await env.run()
    assert [o.recipient_id for o in env.offers()] == [BEN]


async def test_privacy_export_and_delete(env: Env, db: Database) -> None:
    await _reviewers(env, ANA, BEN)
    submitted = await _ask(env)
    await env.run()
    await env.prep.review.accept(submitted.request_id, ANA)
    privacy = env.prep.review_privacy
    exported = await privacy.export_member(G, MEMBER)
    [request] = exported["requests"]
    assert request["status"] == "accepted" and "Lagos" in request["document"]
    assert (await privacy.export_member(G, ANA))["reviewer"]["weekly_capacity"] == 2

    # the reviewer deletes their data: the accepted review goes to the next reviewer
    await privacy.delete_member(G, ANA)
    await env.run()
    assert env.offers()[-1].recipient_id == BEN
    assert await db.fetchval("SELECT count(*) FROM review_reviewers WHERE user_id = ?", (ANA,)) == 0
    # the member deletes theirs: the document is gone at once, nothing left to send
    await privacy.delete_member(G, MEMBER)
    assert await _tables(db) == (0, 0)
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE kind LIKE 'review_%' "
                             "AND state = 'pending'") == 0


def test_rubric_answers_need_a_score_and_a_sentence() -> None:
    answers = parse_rubric({**RUBRIC, "language": "1/4 - too many typos"})
    assert answers[-1].score == 1 and answers[-1].sentence == "too many typos"
    for bad in ("5 Great", "three", "2", ""):
        with pytest.raises(InvalidInput):
            parse_rubric({**RUBRIC, "structure": bad})


async def test_a_review_never_written_ends_overdue_and_is_erased(env: Env) -> None:
    await _reviewers(env, ANA)
    submitted = await _ask(env)
    await env.prep.review.accept(submitted.request_id, ANA)
    await env.run()
    env.clock.advance(ANSWER_TIMEOUT)
    await env.run()
    [update] = [p for p in env.sent.sent if isinstance(p, ReviewUpdate)]
    assert update.overdue and update.recipient_id == MEMBER
    with pytest.raises(Conflict, match="already sent"):  # too late to answer now
        await env.prep.review.answer(submitted.request_id, ANA, RUBRIC, "")
    env.clock.advance(timedelta(days=14))
    await env.run()
    assert await _tables(env.db) == (0, 0)


async def test_an_answer_in_time_cancels_the_deadline(env: Env) -> None:
    await _reviewers(env, ANA)
    submitted = await _ask(env)
    await env.prep.review.accept(submitted.request_id, ANA)
    await env.prep.review.answer(submitted.request_id, ANA, RUBRIC, "")
    env.clock.advance(ANSWER_TIMEOUT)
    await env.run()
    assert [p for p in env.sent.sent if isinstance(p, ReviewUpdate)] == []


async def test_a_paused_or_removed_mentor_is_not_asked(env: Env) -> None:
    await _reviewers(env, ANA, BEN)
    await env.mentoring.set_paused(G, ANA, True)
    await _ask(env)
    await env.run()
    assert [o.recipient_id for o in env.offers()] == [BEN]
    await env.mentoring.moderate(G, BEN, "remove")
    assert (await _ask(env, member=MEMBER + 1)).request_id is None


async def test_a_document_that_cannot_reach_its_reviewer_goes_to_the_next(env: Env) -> None:
    env.sent.fail = lambda item, payload: (SendFailed("403 closed DMs", permanent=True)
                                           if isinstance(payload, ReviewDocument) else None)
    await _reviewers(env, ANA, BEN)
    submitted = await _ask(env)
    await env.prep.review.accept(submitted.request_id, ANA)
    await env.run()
    await env.run()
    assert [o.recipient_id for o in env.offers()] == [BEN]  # Ana accepted before hers went out
    env.sent.fail = None
    await env.prep.review.accept(submitted.request_id, BEN)
    await env.run()
    [doc] = [p for p in env.sent.sent if isinstance(p, ReviewDocument)]
    assert doc.recipient_id == BEN


async def test_withdrawing_erases_the_document_at_once(env: Env) -> None:
    await _reviewers(env, ANA)
    submitted = await _ask(env)
    await env.prep.review.accept(submitted.request_id, ANA)
    assert await env.prep.review.withdraw(G, MEMBER) == "personal_statement"
    assert await _tables(env.db) == (0, 0)
    await env.run()
    assert [p for p in env.sent.sent if isinstance(p, ReviewDocument)] == []  # never sent
    with pytest.raises(NotFound):
        await env.prep.review.withdraw(G, MEMBER)
    assert (await _ask(env)).request_id is not None  # free to ask again


async def test_a_member_sends_at_most_ten_documents_an_hour(env: Env) -> None:
    async def download() -> bytes:
        return b"A short experience description."

    review = env.prep.review
    for _ in range(9):
        await review.read_file(MEMBER, "e.txt", 31, download)
    review.read_pasted(MEMBER, "pasted")
    with pytest.raises(Forbidden, match="10 documents in the last hour: try again in 60 minutes"):
        await review.read_file(MEMBER, "e.txt", 31, download)
    review.read_pasted(MEMBER + 1, "someone else is not limited")
    env.clock.advance(timedelta(hours=1))
    assert review.read_pasted(MEMBER, "again") == "again"
