"""Mentoring's due work as the outbox sees it: what a due row means now (data for the cog's
sender, a skip, or the timeout done here), and what happens when Discord refuses one for good.
Both run inside the engine's transaction."""

from __future__ import annotations

from datetime import datetime

from bot.clock import Clock, from_epoch
from bot.outbox import Done, DueItem, Handler, Outcome, Policy, Send, Skip
from bot.services.mentoring._models import (
    OFFER,
    OFFER_KINDS,
    SENT_KINDS,
    THREAD,
    TIMEOUT,
    MenteeUpdate,
    Notice,
    now_s,
)
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.requests import Requests

#: A notice that could not be sent is retried this long after (same nonce), five times at most.
NOTICE_RETRY_S = 120
NOTICE_MAX_ATTEMPTS = 5
NOTICES = Policy(max_attempts=NOTICE_MAX_ATTEMPTS, backoff_base_s=NOTICE_RETRY_S,
                 backoff_max_s=NOTICE_RETRY_S)
TIMEOUTS = Policy(sends=False)


class DueWork(Handler):
    def __init__(self, store: MentoringStore, clock: Clock, requests: Requests,
                 policy: Policy) -> None:
        self._store = store
        self._clock = clock
        self._requests = requests
        self.policy = policy

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        if item.kind in OFFER_KINDS:
            offer = await self._store.offer_state(item.ref)
            if offer is None or offer[0] != "pending":
                return Skip("the offer was answered or moved on", state="cancelled")
            _, request_id, expires_at, mentee_id = offer
            if item.kind == TIMEOUT:
                at = now.replace(microsecond=0)
                await self._requests.end_offer(item.ref, "timeout", at)
                await self._requests.move_on(request_id, at, "did not answer in time")
                return Done()
            return Send(Notice(item.id, item.guild_id, SENT_KINDS[item.kind], item.recipient,
                               request_id, expires_at,
                               await self._store.mentee_by_id(mentee_id), None))
        if item.kind == THREAD:
            pairing = await self._store.pairing(item.ref)
            if pairing is None:
                return Skip("the pairing no longer exists", state="cancelled")
            mentee = await self._store.mentee(pairing.guild_id, pairing.mentee_user_id)
            return Send(Notice(item.id, item.guild_id, "thread", item.recipient, None, None,
                               mentee, pairing))
        data = item.data
        expires = data.get("expires_at")
        update = MenteeUpdate(data.get("why", ""), data.get("mentor_user_id"),
                              None if expires is None else from_epoch(expires),
                              data.get("legacy_text"))
        return Send(Notice(item.id, item.guild_id, "mentee_update", item.recipient, None,
                           None, None, None, update))

    async def failed(self, item: DueItem, reason: str) -> None:
        """A notice Discord refused for good (closed DMs, missing channel): an offer that cannot
        reach its mentor moves on to the next candidate."""
        if item.kind != OFFER:
            return
        offer = await self._store.offer_state(item.ref)
        if offer is not None and offer[0] == "pending":
            now = now_s(self._clock)
            await self._requests.end_offer(item.ref, "moved", now)
            await self._requests.move_on(offer[1], now, "could not be reached")
