"""Pairings: made when a mentor accepts (or a moderator's batch pairs), ended by either side
with optional feedback for the moderators. Making one enqueues its private thread and its
check-ins; ending one frees the mentor's slot, cancels the check-ins and tells the other side."""

from __future__ import annotations

from datetime import datetime

from bot.clock import Clock, to_epoch
from bot.errors import Conflict, InvalidInput, NotFound
from bot.outbox import Outbox
from bot.services.mentoring._models import THREAD, Feedback, Pairing, now_s
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.followup import FollowUp
from bot.services.mentoring.pools import Pools
from bot.services.notices import MemberNotices

FEEDBACK_MAX = 1000


class Pairings:
    def __init__(self, store: MentoringStore, clock: Clock, outbox: Outbox,
                 notices: MemberNotices, pools: Pools, followup: FollowUp) -> None:
        self._store = store
        self._followup = followup
        self._clock = clock
        self._outbox = outbox
        self._notices = notices
        self._pools = pools

    async def pair(self, guild_id: int, mentor_id: int, mentee_id: int,
                   request_id: int | None, now: datetime) -> int:
        """A new pairing (the caller took the mentor's slot), and its thread to open."""
        pairing_id = await self._store.insert_pairing(guild_id, mentor_id, mentee_id,
                                                      request_id, now)
        if pairing_id is None:
            raise Conflict("You are already paired with this mentee.")
        await self._outbox.enqueue(THREAD, due=now, guild_id=guild_id, ref_id=pairing_id,
                                   recipient_id=await self._store.mentor_user_id(mentor_id))
        await self._followup.schedule(pairing_id, guild_id, now)
        return pairing_id

    async def get(self, pairing_id: int) -> Pairing:
        pairing = await self._store.pairing(pairing_id)
        if pairing is None:
            raise NotFound("No such pairing.")
        return pairing

    async def of(self, guild_id: int, user_id: int) -> list[Pairing]:
        """Open pairings where the member is mentor or mentee."""
        return await self._store.open_pairings_of(guild_id, user_id)

    async def record_thread(self, pairing_id: int, thread_id: int) -> None:
        await self._store.set_thread(pairing_id, thread_id)

    async def end(self, guild_id: int, user_id: int, *, partner_user_id: int | None,
                  rating: int | None, feedback: str | None,
                  pairing_id: int | None = None) -> Pairing:
        """End one of the member's pairings (frees the mentor's slot) with optional feedback.

        Which one: ``pairing_id``, or the one with ``partner_user_id``, or their only one."""
        if rating is not None and not 1 <= rating <= 5:
            raise InvalidInput("Rating must be between 1 and 5.")
        feedback = (feedback or "").strip() or None
        if feedback is not None and len(feedback) > FEEDBACK_MAX:
            raise InvalidInput(f"Feedback is limited to {FEEDBACK_MAX} characters.")
        mine = await self.of(guild_id, user_id)
        if pairing_id is not None:
            mine = [p for p in mine if p.id == pairing_id]
        if partner_user_id is not None:
            mine = [p for p in mine if partner_user_id in (p.mentor_user_id, p.mentee_user_id)]
        if not mine:
            raise NotFound("You have no open pairing" +
                           (" with that member." if partner_user_id else "."))
        if len(mine) > 1:
            raise InvalidInput("You have several open pairings: name the member to end it with.")
        target = mine[0]
        now = now_s(self._clock)
        async with self._store.db.transaction():
            mentor_id = await self._store.end_pairing(target.id, user_id, rating, feedback, now)
            if mentor_id is None:
                raise Conflict("That pairing has already ended.")
            await self._store.free_slot(mentor_id, now)
            await self._followup.cancel(target.id)
            ended = await self.get(target.id)
            await self._tell_ended(ended, user_id)
        await self._pools.refresh(guild_id, [mentor_id])
        return ended

    async def _tell_ended(self, pairing: Pairing, ended_by: int) -> None:
        """The other side is told by DM (in the pairing's thread when DMs are closed), and the
        thread gets a line saying so."""
        other = (pairing.mentee_user_id if pairing.mentor_user_id == ended_by
                 else pairing.mentor_user_id)
        facts = {"ended_by": ended_by, "started_at": to_epoch(pairing.started_at),
                 "role": "mentor" if other == pairing.mentor_user_id else "mentee"}
        await self._notices.notify("pairing_ended", guild_id=pairing.guild_id, user_id=other,
                                   facts=facts, channel_id=pairing.thread_id, ref_id=pairing.id)
        if pairing.thread_id is not None:
            await self._notices.notify("pairing_ended", guild_id=pairing.guild_id, user_id=None,
                                       facts=facts, channel_id=pairing.thread_id,
                                       ref_id=pairing.id)

    async def feedback(self, guild_id: int) -> list[Feedback]:
        """Feedback left when pairings ended, newest first (for moderators only)."""
        return await self._store.feedback(guild_id)
