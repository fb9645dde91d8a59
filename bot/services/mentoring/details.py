""""Ask for details" (issue 20): before answering an offer, the mentor may send the mentee one
question through the bot. The offer's timeout pauses until the mentee answers or 48 hours
pass, then runs on for the time it had left; the answer reaches the mentor with Accept and
Decline again. Question and answer are member text: sanitised, and kept on the offer (deleted
with it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import Done, DueItem, Handler, Outbox, Outcome, Policy, Send, Skip
from bot.services.mentoring._models import (
    ANSWER,
    QUESTION,
    QUESTION_LAPSE,
    REMINDER,
    TIMEOUT,
    DetailsAnswer,
    DetailsQuestion,
    OfferDetails,
    now_s,
)
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.requests import Requests
from bot.services.text import sanitize

#: The longest a question pauses the offer's timeout.
PAUSE = timedelta(hours=48)
TEXT_MAX = 500


def _clean(text: str, what: str) -> str:
    text = sanitize(text).strip()
    if not text:
        raise InvalidInput(f"Write your {what} first.")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"Your {what} is limited to {TEXT_MAX} characters.")
    return text


class Details:
    def __init__(self, store: MentoringStore, clock: Clock, outbox: Outbox,
                 requests: Requests) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._requests = requests

    async def check_can_ask(self, request_id: int, mentor_user_id: int) -> OfferDetails:
        """The offer the mentor may still ask about (before the question's form opens)."""
        offer = await self._requests.pending_offer(request_id, mentor_user_id)
        details = await self._store.offer_details(offer.id)
        assert details is not None
        if details.asked_at is not None:
            raise Conflict("You already asked this mentee a question about this request "
                           "(one per request): accept or decline when you are ready.")
        return details

    async def ask(self, request_id: int, mentor_user_id: int, question: str) -> DetailsQuestion:
        """Send the one question; the offer's timeout pauses (its timeout row is cancelled and
        made again, for the time left, when the pause ends)."""
        question = _clean(question, "question")
        now = now_s(self._clock)
        async with self._store.db.transaction():
            offer = await self.check_can_ask(request_id, mentor_user_id)
            if not await self._store.ask(offer.id, question, now):
                raise Conflict("This request is no longer waiting for your answer.")
            # Paused: no timeout, and no reminder of a deadline that moves.
            await self._outbox.cancel([REMINDER, TIMEOUT], offer.id,
                                      "paused: the mentor asked for details")
            await self._outbox.enqueue(QUESTION, due=now, guild_id=offer.guild_id,
                                       ref_id=offer.id, recipient_id=offer.mentee_user_id)
            await self._outbox.enqueue(QUESTION_LAPSE, due=now + PAUSE, guild_id=offer.guild_id,
                                       ref_id=offer.id, recipient_id=offer.mentor_user_id)
        return DetailsQuestion(offer.id, offer.mentor_user_id, offer.mentee_user_id, question,
                               now + PAUSE)

    async def answer(self, offer_id: int, mentee_user_id: int, answer: str) -> DetailsAnswer:
        """The mentee's answer: it goes to the mentor, and the paused timeout runs on."""
        answer = _clean(answer, "answer")
        now = now_s(self._clock)
        async with self._store.db.transaction():
            offer = await self._store.offer_details(offer_id)
            if offer is None or offer.question is None:
                raise NotFound("That question no longer exists.")
            if offer.mentee_user_id != mentee_user_id:
                raise Forbidden("This question was sent to another member.")
            if offer.answer is not None:
                raise Conflict("You already answered this question.")
            if offer.status != "pending":
                raise Conflict("That mentor has already answered your request (or it moved "
                               "on): there is no need to answer now.")
            await self._store.save_answer(offer_id, answer, now)
            await self.resume(offer, now)
            await self._outbox.cancel([QUESTION_LAPSE], offer_id, "the mentee answered")
            await self._outbox.enqueue(ANSWER, due=now, guild_id=offer.guild_id, ref_id=offer_id,
                                       recipient_id=offer.mentor_user_id)
            resumed = await self._store.offer_details(offer_id)
        assert resumed is not None
        return DetailsAnswer(offer_id, offer.request_id, offer.mentor_user_id,
                             offer.mentee_user_id, offer.question, answer, resumed.expires_at)

    async def resume(self, offer: OfferDetails, at: datetime) -> None:
        """End the pause at ``at``: the offer gets back the time it had left when asked."""
        if offer.asked_at is None or offer.resumed_at is not None:
            return
        expires = at + (offer.expires_at - offer.asked_at)
        if await self._store.resume(offer.id, expires, at):
            await self._outbox.enqueue(TIMEOUT, due=expires, guild_id=offer.guild_id,
                                       ref_id=offer.id, recipient_id=offer.mentor_user_id)


class DetailsDue(Handler):
    """The question's DM to the mentee, the answer's DM to the mentor, and the end of a pause
    nobody answered: each only while the offer still waits for its mentor."""

    def __init__(self, store: MentoringStore, clock: Clock, details: Details,
                 policy: Policy) -> None:
        self._store = store
        self._clock = clock
        self._details = details
        self.policy = policy

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        offer = await self._store.offer_details(item.ref)
        if offer is None or offer.status != "pending" or offer.question is None:
            return Skip("the offer was answered or moved on", state="cancelled")
        if item.kind == QUESTION_LAPSE:
            # The pause ends when the 48 hours did, however late this runs.
            await self._details.resume(offer, min(item.due_at, now))
            return Done()
        if item.kind == QUESTION:
            assert offer.asked_at is not None
            return Send(DetailsQuestion(offer.id, offer.mentor_user_id, offer.mentee_user_id,
                                        offer.question, offer.asked_at + PAUSE))
        assert offer.answer is not None
        return Send(DetailsAnswer(offer.id, offer.request_id, offer.mentor_user_id,
                                  offer.mentee_user_id, offer.question, offer.answer,
                                  offer.expires_at))

    async def failed(self, item: DueItem, reason: str) -> None:
        """A question that cannot reach the mentee (closed DMs) pauses nothing."""
        if item.kind != QUESTION:
            return
        offer = await self._store.offer_details(item.ref)
        if offer is not None and offer.status == "pending":
            await self._details.resume(offer, now_s(self._clock))  # the lapse then does nothing
