"""`/milestone add`: a member's milestone, and what it tells the rest of the bot.

One transaction records the milestone and updates what the bot knows from it: the exam stage
that mentor scoring reads (the journey profile and the member's mentee and mentor profiles,
when the milestone's stage is ahead of all of them: a stage is never lowered), so a member who
passes Step 2 CK is matched as someone past it from that moment; a passed exam marks the member
done in their open cohorts of that exam (the cohort's milestone call then asks only the
others) and clears their date for it (no cohort forms around it again); a public or anonymous
milestone's celebration is enqueued in the same transaction. "Matched" makes the adapter offer
`/mentor register`'s form filled from the member's mentee profile.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import Clock
from bot.errors import InvalidInput
from bot.outbox import Outbox
from bot.services.journey._models import (
    EXAMS,
    MILESTONES,
    VISIBILITIES,
    Milestone,
    MilestoneResult,
)
from bot.services.journey._store import JourneyStore
from bot.services.journey.calendar import MatchCalendar
from bot.services.journey.celebrations import KIND as CELEBRATION
from bot.services.journey.celebrations import Celebrations
from bot.services.mentoring.vocab import STAGE_RANK

#: Called after the commit when mentor profiles may have changed (mentoring's cached pool).
PoolChanged = Callable[[int], None]


class Milestones:
    def __init__(self, store: JourneyStore, clock: Clock, calendar: MatchCalendar,
                 outbox: Outbox, celebrations: Celebrations, pool_changed: PoolChanged) -> None:
        self._store = store
        self._clock = clock
        self._calendar = calendar
        self._outbox = outbox
        self._celebrations = celebrations
        self._pool_changed = pool_changed
        outbox.register(CELEBRATION, celebrations)

    async def add(self, guild_id: int, user_id: int, kind: str,
                  visibility: str) -> MilestoneResult:
        if kind not in MILESTONES:
            raise InvalidInput("Pick the milestone from the list.")
        if visibility not in VISIBILITIES:
            raise InvalidInput("Pick public, anonymous or private.")
        stage = MILESTONES[kind][1]
        now = self._clock.now()
        raised = None
        celebrated = visibility != "private" and await self._celebrations.channel(guild_id) is not None
        async with self._store.db.transaction():
            milestone = await self._store.add_milestone(guild_id, user_id, kind, visibility, now)
            if celebrated:
                await self._outbox.enqueue(CELEBRATION, due=now, guild_id=guild_id,
                                           ref_id=milestone.id)
            exam = stage if stage in EXAMS else None
            cohorts: list[str] = []
            cleared = None
            if exam is not None:  # passed: their cohort counts them done, the date is history
                cohorts = await self._store.mark_done_in_cohorts(guild_id, user_id, exam,
                                                                 milestone.id, now)
                cleared = exam if await self._store.clear_exams(guild_id, user_id, exam) else None
            known = await self._store.known_stages(guild_id, user_id)
            if stage is not None and all(STAGE_RANK[stage] > STAGE_RANK[k] for k in known):
                await self._store.raise_stage(guild_id, user_id, stage, now)
                raised = stage
                await self._calendar.profile_changed(guild_id, user_id)
                self._store.db.after_commit(lambda: self._pool_changed(guild_id))
        return MilestoneResult(milestone, raised, celebrated, tuple(cohorts), cleared)

    async def of(self, guild_id: int, user_id: int) -> list[Milestone]:
        return await self._store.milestones(guild_id, user_id)
