"""After the session: the interviewer scores the interviewee (a rubric only the interviewee is
sent), and either member reports whether their partner came. Two missed sessions in a row take
the member out of the next round (told by DM, and `/mock join` says why)."""

from __future__ import annotations

from bot.clock import Clock
from bot.errors import Conflict, InvalidInput, NotFound
from bot.outbox import Outbox
from bot.services.preparation.mock._models import FeedbackResult, PairRecord, Rubric
from bot.services.preparation.mock._store import MockStore
from bot.services.preparation.mock.rounds import DM
from bot.services.text import sanitize

#: Missed sessions in a row that make a member sit out one round.
NO_SHOWS_TO_SIT_OUT = 2
MAX_COMMENT = 1000


class MockFeedback:
    def __init__(self, store: MockStore, clock: Clock, outbox: Outbox) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox

    async def give(self, guild_id: int, user_id: int, *, partner_showed: bool,
                   rubric: Rubric | None = None, comment: str = "") -> FeedbackResult:
        """Feedback on the member's latest session (once per member and session)."""
        comment = sanitize(comment)
        if len(comment) > MAX_COMMENT:
            raise InvalidInput(f"Keep the comment under {MAX_COMMENT} characters.")
        async with self._store.db.transaction():
            pair = await self._store.latest_pair(guild_id, user_id)
            if pair is None:
                raise NotFound("You have had no mock interview here yet: join a round with "
                               "`/mock join`.")
            as_interviewer = user_id == pair.interviewer_id
            self._check(pair, as_interviewer, partner_showed, rubric)
            partner = pair.partner_of(user_id)
            if not partner:
                raise NotFound("Your partner in that session has since deleted their data: there "
                               "is nobody to give feedback to.")
            if not await self._store.record_showed(pair.id, not as_interviewer, partner_showed):
                raise Conflict("You already gave feedback on your last session.")
            if as_interviewer and partner_showed:
                assert rubric is not None
                await self._store.save_feedback(pair.id, rubric, comment, self._clock.now())
                await self._outbox.enqueue(DM, due=self._clock.now(), guild_id=guild_id,
                                           ref_id=pair.id, recipient_id=partner,
                                           data={"event": "feedback"})
            sat_out = await self._count(guild_id, partner, partner_showed)
        return FeedbackResult(pair.id, partner, as_interviewer, partner_showed, sat_out)

    def _check(self, pair: PairRecord, as_interviewer: bool, partner_showed: bool,
               rubric: Rubric | None) -> None:
        if pair.times and self._clock.now() < pair.times[0]:
            raise Conflict("Your session has not happened yet: the first time proposed is "
                           f"<t:{int(pair.times[0].timestamp())}:F>. Give feedback after it.")
        if not as_interviewer and rubric is not None:
            raise InvalidInput("Only the interviewer scores the rubric: as the interviewee, just "
                               "say whether your interviewer came.")
        if as_interviewer and partner_showed and rubric is None:
            raise InvalidInput("Score the interviewee 1-4 on each of structure, specificity, "
                               "IMG questions and communication (and add a comment if you like).")

    async def _count(self, guild_id: int, user_id: int, showed: bool) -> bool:
        """Update the member's no-show streak; True if it makes them sit out a round."""
        streak, sit_out = await self._store.member(guild_id, user_id)
        streak = 0 if showed else streak + 1
        current = await self._store.open_round(guild_id)
        if streak < NO_SHOWS_TO_SIT_OUT or current is None:
            await self._store.save_member(guild_id, user_id, streak, sit_out)
            return False
        await self._store.save_member(guild_id, user_id, 0, current["id"])
        await self._store.delete_entry(current["id"], user_id)
        await self._outbox.enqueue(DM, due=self._clock.now(), guild_id=guild_id,
                                   ref_id=current["id"], recipient_id=user_id,
                                   data={"event": "sit_out"})
        return True
