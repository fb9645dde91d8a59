"""What mock interviews say on Discord, as due work: each pair's thread (kind ``mock_pair``) and
the DMs (kind ``mock_dm``: the interviewer's questions, "no partner this week", "you sit out a
round", the interviewee's rubric). Rows hold ids and an event name; the text is read when the
row is due and rendered by the cog."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_epoch
from bot.outbox import DueItem, Handler, Outbox, Outcome, Policy, Send, Skip
from bot.services.preparation.mock._models import (
    FeedbackDm,
    PairThread,
    QuestionsDm,
    SitOutDm,
    UnpairedDm,
)
from bot.services.preparation.mock._store import MockStore
from bot.services.preparation.mock.questions import QuestionBank
from bot.services.preparation.mock.rounds import DM, PAIR

EVENTS = ("questions", "unpaired", "sit_out", "feedback")


class MockSends(Handler):
    policy = Policy(max_attempts=5, backoff_base_s=30, backoff_max_s=900)

    def __init__(self, store: MockStore, outbox: Outbox, bank: QuestionBank) -> None:
        self._store = store
        self._bank = bank
        outbox.register(PAIR, self)
        outbox.register(DM, self)

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        if item.kind == PAIR:
            return await self._thread(item)
        event = item.data.get("event")
        if event in ("questions", "feedback"):
            pair = await self._store.pair(item.ref)
            if pair is None or 0 in (pair.interviewer_id, pair.interviewee_id):
                return Skip("a member of the pair deleted their data", state="cancelled")
            if event == "questions":
                return Send(QuestionsDm(item.recipient, pair.interviewee_id, pair.specialty,
                                        self._bank.question_set(pair.id, pair.specialty),
                                        item.nonce))
            found = await self._store.feedback(pair.id)
            if found is None:
                return Skip("the feedback is gone", state="cancelled")
            return Send(FeedbackDm(item.recipient, pair.interviewer_id, found[0], found[1],
                                   item.nonce))
        current = await self._store.round(item.ref)
        if current is None or event not in EVENTS:
            return Skip(f"nothing to say ({event})", state="failed")
        closes = from_epoch(current["closes_at"])
        if event == "unpaired":
            return Send(UnpairedDm(item.recipient, closes, item.nonce))
        return Send(SitOutDm(item.recipient, closes, item.nonce))

    async def _thread(self, item: DueItem) -> Outcome:
        pair = await self._store.pair(item.ref)
        if pair is None or 0 in (pair.interviewer_id, pair.interviewee_id):
            return Skip("a member of the pair deleted their data", state="cancelled")
        settings = await self._store.settings(item.guild_id)
        if settings is None:
            return Skip("mock interviews have no channel here", state="failed")
        zones = (await self._zone(item.guild_id, pair.interviewer_id),
                 await self._zone(item.guild_id, pair.interviewee_id))
        return Send(PairThread(pair.id, item.guild_id, settings["channel_id"], pair.thread_id,
                               pair.interviewer_id, pair.interviewee_id, zones, pair.specialty,
                               pair.times, item.nonce))

    async def _zone(self, guild_id: int, user_id: int) -> str:
        return await self._store.member_zone(guild_id, user_id) or "UTC"

    async def record_thread(self, pair_id: int, thread_id: int) -> None:
        """The pair's thread exists (a retry reuses it rather than open a second one)."""
        await self._store.record_thread(pair_id, thread_id)
