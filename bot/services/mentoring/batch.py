"""Batch matching: a moderator previews the best assignment of every waiting mentee, then
creates the planned pairings that are still valid."""

from __future__ import annotations

import asyncio
from datetime import UTC

from bot.clock import Clock
from bot.services.mentoring._models import BatchPlan, Pairing, PlannedPair, now_s
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.assignment import greedy_assignment, optimal_assignment, unpaired
from bot.services.mentoring.pairings import Pairings
from bot.services.mentoring.pool import MentorPool
from bot.services.mentoring.pools import Pools
from bot.services.mentoring.requests import Requests


class Batch:
    def __init__(self, store: MentoringStore, clock: Clock, pools: Pools, pairings: Pairings,
                 requests: Requests) -> None:
        self._store = store
        self._clock = clock
        self._pools = pools
        self._pairings = pairings
        self._requests = requests

    async def plan(self, guild_id: int) -> BatchPlan:
        """Optimal assignment of the waiting mentees (no open pairing, no pending request):
        the most pairs possible, then the best total; and why the others are left out."""
        waiting = await self._store.waiting_mentees(guild_id)
        pool = MentorPool(await self._store.open_mentors(guild_id))
        today = self._clock.now().astimezone(UTC).date()

        def solve():  # seconds of numpy/scipy for thousands of mentees: off the event loop
            base, feasible = pool.score_matrix(waiting, today)
            best = optimal_assignment(base, feasible, pool.active, pool.capacity)
            return (base, best, greedy_assignment(base, feasible, pool.active, pool.capacity),
                    unpaired(waiting, pool, feasible, best.pairs))

        base, best, greedy, left_out = await asyncio.to_thread(solve)
        pairs = [PlannedPair(waiting[r], pool.mentors[c], float(base[r, c])) for r, c in best.pairs]
        pairs.sort(key=lambda p: (p.mentor.id, p.mentee.id))
        return BatchPlan(guild_id, pairs, best.total, greedy.total, len(waiting), left_out)

    async def apply(self, plan: BatchPlan) -> tuple[list[Pairing], int]:
        """Create the planned pairings that are still valid; returns (created, skipped)."""
        now = now_s(self._clock)
        created: list[int] = []
        async with self._store.db.transaction():
            for pair in plan.pairs:
                if await self._store.mentee_busy(pair.mentee.id):
                    continue
                slot = await self._store.take_slot(pair.mentor.id, now)
                if slot is None:
                    continue
                created.append(await self._pairings.pair(plan.guild_id, pair.mentor.id,
                                                         pair.mentee.id, None, now))
                active, capacity = slot
                if active >= capacity:
                    await self._requests.move_on_offers_of(pair.mentor.id, now, "moved")
            pairings = [await self._pairings.get(pid) for pid in created]
        self._pools.forget(plan.guild_id)  # many mentors changed: rebuild on next use
        return pairings, len(plan.pairs) - len(pairings)
