"""Requests that move through candidates: a mentee asks one mentor (an offer, with its
message, halfway reminder and timeout as outbox rows); the mentor accepts (taking a slot and
making a pairing, in one transaction), declines, or lets it time out, and the request moves on
to the best mentor not yet asked, until one accepts or nobody fits."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock, to_epoch
from bot.errors import Conflict, Forbidden, NotFound
from bot.outbox import Outbox
from bot.services.mentoring._models import (
    DETAIL_KINDS,
    OFFER,
    OFFER_KINDS,
    REMINDER,
    TIMEOUT,
    UPDATE,
    MenteeStatus,
    Pairing,
    PendingOffer,
    RequestStatus,
    now_s,
)
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.pairings import Pairings
from bot.services.mentoring.pool import Candidate, MentorPool
from bot.services.mentoring.pools import Pools
from bot.services.mentoring.profiles import MenteeProfile, MentorProfile
from bot.services.mentoring.scoring import violations
from bot.services.rate_limits import TargetLimiter, TargetPolicy

NO_MENTEE_PROFILE = "Set up your mentee profile first with `/mentee profile`."
#: Offer DMs a mentee's `/mentor request` sends one mentor (per mentee, and from everyone).
OFFER_DMS = TargetPolicy(per_target=20, window=timedelta(hours=24), per_sender=2)


class Requests:
    def __init__(self, store: MentoringStore, clock: Clock, outbox: Outbox, pools: Pools,
                 pairings: Pairings, timeout: timedelta) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._pools = pools
        self._pairings = pairings
        self.timeout = timeout
        self.offer_dms = TargetLimiter(clock, OFFER_DMS)

    def _today(self) -> date:
        return self._clock.now().astimezone(UTC).date()

    async def require_mentee(self, guild_id: int, user_id: int) -> MenteeProfile:
        mentee = await self._store.mentee(guild_id, user_id)
        if mentee is None:
            raise NotFound(NO_MENTEE_PROFILE)
        return mentee

    async def candidates(self, guild_id: int, mentee_user_id: int, k: int = 3) -> list[Candidate]:
        """The best ``k`` mentors for this mentee right now, with why."""
        found = await self._store.mentee_for_request(guild_id, mentee_user_id)
        if found is None:
            raise NotFound(NO_MENTEE_PROFILE)
        mentee, open_request, paired = found
        if open_request is not None:
            raise Conflict("You already have a request waiting: see `/mentor status`, or "
                           "`/mentor withdraw` it first.")
        pool = await self._pools.get(guild_id)
        return pool.top(mentee, self._today(), k, paired=paired)

    async def request(self, guild_id: int, mentee_user_id: int, mentor_id: int) -> RequestStatus:
        """The mentee asks ``mentor_id`` (one of their candidates); the mentor is notified."""
        mentee = await self.require_mentee(guild_id, mentee_user_id)
        now = now_s(self._clock)
        async with self._store.db.transaction():
            if await self._store.open_request_id(mentee.id) is not None:
                raise Conflict("You already have a request waiting: see `/mentor status`.")
            mentor = await self._store.mentor_in(guild_id, mentor_id)
            if mentor is None:
                raise NotFound("That mentor does not exist here.")
            if violations(mentor, mentee, paired=await self._store.paired_mentor_ids(mentee.id)):
                raise Conflict("That mentor can no longer take this request: run "
                               "`/mentor request` again for fresh suggestions.")
            self._check_offer_dm(mentor.user_id, mentee_user_id)
            request_id = await self._store.insert_request(guild_id, mentee.id, now)
            await self._offer(guild_id, request_id, mentor, now)
        self.offer_dms.hit(mentor.user_id, mentee_user_id)
        return await self.request_status(request_id)

    def _check_offer_dm(self, mentor_user_id: int, mentee_user_id: int) -> None:
        refused = self.offer_dms.refusal(mentor_user_id, mentee_user_id)
        if refused == "sender":
            raise Forbidden("You have asked this mentor several times today already: please "
                            "pick another mentor, or ask again tomorrow.")
        if refused == "target":
            raise Forbidden("That mentor has had many requests today: please pick another "
                            "mentor, or ask again tomorrow.")

    async def _offer(self, guild_id: int, request_id: int, mentor: MentorProfile,
                     now: datetime) -> int:
        """Ask ``mentor``: an offer row with its expiry, the message and the halfway reminder."""
        seconds = int(self.timeout.total_seconds())
        expires = now + timedelta(seconds=seconds)
        offer_id = await self._store.insert_offer(request_id, mentor.id, now, expires)
        for kind, due in ((OFFER, now), (REMINDER, now + timedelta(seconds=seconds // 2)),
                          (TIMEOUT, expires)):
            await self._outbox.enqueue(kind, due=due, guild_id=guild_id, ref_id=offer_id,
                                       recipient_id=mentor.user_id)
        return offer_id

    async def pending_offer(self, request_id: int, mentor_user_id: int) -> PendingOffer:
        """The request's offer waiting for this mentor's answer (else why not)."""
        offer = await self._store.pending_offer(request_id, mentor_user_id)
        if offer is not None:
            return offer
        if not await self._store.was_offered(request_id, mentor_user_id):
            raise Forbidden("This request was sent to another mentor.")
        raise Conflict("This request is no longer waiting for your answer (it was answered, "
                       "withdrawn, or moved on to another mentor).")

    async def accept(self, request_id: int, mentor_user_id: int) -> Pairing:
        """Accept: take a slot (conditional UPDATE), close the request, open a pairing; all in
        one transaction. A mentor who is now full has their other pending requests moved on."""
        now = now_s(self._clock)
        async with self._store.db.transaction():
            offer = await self.pending_offer(request_id, mentor_user_id)
            slot = await self._store.take_slot(offer.mentor_id, now)
            if slot is None:
                raise Conflict("You have no free mentee slot (or are paused): raise your "
                               "capacity with `/mentor profile-edit` or end a pairing first.")
            await self._store.set_offer_status(offer.id, "accepted", now)
            await self._store.close_request(request_id, "accepted", now)
            await self._cancel_notices(offer.id)
            pairing_id = await self._pairings.pair(offer.guild_id, offer.mentor_id,
                                                   offer.mentee_id, request_id, now)
            active, capacity = slot
            if active >= capacity:
                await self.move_on_offers_of(offer.mentor_id, now, "moved")
            pairing = await self._pairings.get(pairing_id)
        await self._pools.refresh(pairing.guild_id, [offer.mentor_id])
        return pairing

    async def decline(self, request_id: int, mentor_user_id: int) -> RequestStatus:
        """Decline: the request moves to the next candidate at once."""
        now = now_s(self._clock)
        async with self._store.db.transaction():
            offer = await self.pending_offer(request_id, mentor_user_id)
            await self.end_offer(offer.id, "declined", now)
            await self.move_on(request_id, now, "could not take you on")
        return await self.request_status(request_id)

    async def withdraw(self, guild_id: int, mentee_user_id: int) -> RequestStatus:
        mentee = await self.require_mentee(guild_id, mentee_user_id)
        now = now_s(self._clock)
        async with self._store.db.transaction():
            request_id = await self._store.open_request_id(mentee.id)
            if request_id is None:
                raise NotFound("You have no request waiting.")
            offer_id = await self._store.pending_offer_id(request_id)
            if offer_id is not None:
                await self.end_offer(offer_id, "withdrawn", now)
            await self._store.close_request(request_id, "withdrawn", now)
        return await self.request_status(request_id)

    async def end_offer(self, offer_id: int, outcome: str, now: datetime) -> None:
        await self._store.set_offer_status(offer_id, outcome, now)
        await self._cancel_notices(offer_id)

    async def _cancel_notices(self, offer_id: int) -> None:
        await self._outbox.cancel((*OFFER_KINDS, *DETAIL_KINDS), offer_id,
                                  "the offer was answered or moved on")

    async def move_on_offers_of(self, mentor_id: int, now: datetime, outcome: str) -> int:
        """Move every pending request offered to ``mentor_id`` to its next candidate."""
        offers = await self._store.pending_offers_of(mentor_id)
        if not offers:
            return 0
        guild_id = await self._store.mentor_guild_id(mentor_id)
        # One pool for all of them: moving requests on changes no mentor's state.
        pool = MentorPool(await self._store.open_mentors(guild_id))
        for offer_id, request_id in offers:
            await self.end_offer(offer_id, outcome, now)
            await self.move_on(request_id, now, "is no longer available", pool)
        return len(offers)

    async def move_on(self, request_id: int, now: datetime, why: str,
                      pool: MentorPool | None = None) -> None:
        """Offer the request to the best eligible mentor not tried yet, or close it.

        ``pool``: the guild's open mentors, when the caller already loaded them in its transaction."""
        mentee = await self._store.request_mentee(request_id)
        tried = await self._store.tried_mentor_ids(request_id)
        paired = await self._store.paired_mentor_ids(mentee.id)
        if pool is None:
            pool = MentorPool(await self._store.open_mentors(mentee.guild_id))
        best = pool.top(mentee, self._today(), 1, excluded=tried, paired=paired)
        data: dict[str, object] = {"why": why}
        if best:
            await self._offer(mentee.guild_id, request_id, best[0].mentor, now)
            data |= {"mentor_user_id": best[0].mentor.user_id,
                     "expires_at": to_epoch(now) + int(self.timeout.total_seconds())}
        else:
            await self._store.close_request(request_id, "exhausted", now)
        await self._outbox.enqueue(UPDATE, due=now, guild_id=mentee.guild_id, ref_id=request_id,
                                   recipient_id=mentee.user_id, data=data)

    async def request_status(self, request_id: int) -> RequestStatus:
        status = await self._store.request_status(request_id)
        if status is None:
            raise NotFound("No such request.")
        return status

    async def status(self, guild_id: int, mentee_user_id: int) -> MenteeStatus:
        """Where the mentee's latest request stands, and their open pairings."""
        has_profile, request_id = await self._store.latest_request_id(guild_id, mentee_user_id)
        if not has_profile:
            raise NotFound(NO_MENTEE_PROFILE)
        pairings = self._pairings.of(guild_id, mentee_user_id)
        if request_id is None:
            return MenteeStatus(None, await pairings)
        # Two reads that need not wait for each other: on a server, round trips that overlap.
        request, paired = await asyncio.gather(self.request_status(request_id), pairings)
        return MenteeStatus(request, paired)
