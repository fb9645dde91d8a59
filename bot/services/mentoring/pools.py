"""The cached `MentorPool` of each guild, kept current by the parts that change mentors."""

from __future__ import annotations

from collections.abc import Collection

from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.pool import MentorPool


class Pools:
    def __init__(self, store: MentoringStore) -> None:
        self._store = store
        self._pools: dict[int, MentorPool] = {}

    async def get(self, guild_id: int) -> MentorPool:
        """Approved mentors of a guild as arrays, built once and then patched."""
        pool = self._pools.get(guild_id)
        if pool is None:
            pool = MentorPool(await self._store.approved_mentors(guild_id))
            self._pools[guild_id] = pool
        return pool

    def cached(self, guild_id: int) -> MentorPool | None:
        return self._pools.get(guild_id)

    def forget(self, guild_id: int) -> None:
        """Drop the cached pool (many mentors changed, or changes made elsewhere)."""
        self._pools.pop(guild_id, None)

    async def refresh(self, guild_id: int, mentor_ids: Collection[int]) -> None:
        """Bring the cached pool up to date after these mentors changed: patch them in place
        (a request stays fast under churn), or drop the pool to rebuild it."""
        pool = self._pools.get(guild_id)
        if pool is None or not mentor_ids:
            return
        if not all(pool.patch(m) for m in await self._store.mentors_by_ids(mentor_ids)):
            self._pools.pop(guild_id, None)
