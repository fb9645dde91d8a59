"""Searches counted per server: those that found nothing, so curators see what the library
lacks (`/resources gaps`), and every search per day, for moderators' insights (`/stats`).

Only the folded text is kept (never who searched): at most MAX_GAPS gaps per server (the least
recent make room) and a year of daily counts.

Counts are gathered in memory and written together, at most every FLUSH_EVERY (or once
MAX_PENDING texts wait, or when read, or when the bot stops): a write transaction per search
held the database's one writer (across every process, on PostgreSQL) for the sake of a
statistic. What a crash loses is the last few seconds of counts, never a member's data."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.services.resources._query import MAX_QUERY_CHARS
from bot.services.resources._text import fold

MAX_GAPS = 500
KEEP_DAYS = 366  # daily counts kept per server
DAY_S = 86_400
FLUSH_EVERY = timedelta(seconds=10)
MAX_PENDING = 500


@dataclass(frozen=True)
class SearchGap:
    query: str
    searches: int
    last_at: datetime


@dataclass
class _Pending:
    last_at: datetime
    searches: int = 0
    empty: int = 0


class SearchGaps:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        #: (guild, day, folded text) -> counts not yet written
        self._pending: dict[tuple[int, int, str], _Pending] = {}
        self._flushed_at = clock.now()
        self._flushing = asyncio.Lock()

    async def note(self, query: str, *, guild_id: int, found: bool = False) -> None:
        """Count one search on server ``guild_id`` (a gap when it found nothing)."""
        text = " ".join(fold(query).split())[:MAX_QUERY_CHARS]
        if not text:
            return
        now = self._clock.now()
        counts = self._pending.setdefault((guild_id, int(now.timestamp()) // DAY_S, text),
                                          _Pending(now))
        counts.searches += 1
        counts.empty += not found
        counts.last_at = now
        if len(self._pending) >= MAX_PENDING or now - self._flushed_at >= FLUSH_EVERY:
            await self.flush()

    async def flush(self) -> None:
        """Write the counts gathered so far (kept for the next try if the write fails)."""
        async with self._flushing:
            pending, self._pending = self._pending, {}
            self._flushed_at = self._clock.now()
            if not pending:
                return
            try:
                await self._write(pending)
            except BaseException:
                for key, counts in pending.items():  # searches noted meanwhile stay counted
                    again = self._pending.setdefault(key, _Pending(counts.last_at))
                    again.searches += counts.searches
                    again.empty += counts.empty
                    again.last_at = max(again.last_at, counts.last_at)
                raise

    async def _write(self, pending: dict[tuple[int, int, str], _Pending]) -> None:
        gaps = [(g, text, c.empty, int(c.last_at.timestamp()))
                for (g, _, text), c in pending.items() if c.empty]
        latest = self._db.dialect.greatest("resource_search_gaps.last_at", "excluded.last_at")
        async with self._db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO resource_search_days (guild_id, day, query, searches, empty) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, day, query) "
                "DO UPDATE SET searches = resource_search_days.searches + excluded.searches, "
                "empty = resource_search_days.empty + excluded.empty",
                [(g, day, text, c.searches, c.empty) for (g, day, text), c in pending.items()],
            )
            if gaps:
                await tx.executemany(
                    "INSERT INTO resource_search_gaps (guild_id, query, searches, last_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, query) DO UPDATE SET "
                    "searches = resource_search_gaps.searches + excluded.searches, "
                    f"last_at = {latest}",
                    gaps,
                )
            for guild_id in {g for g, _, _ in pending}:
                today = max(day for g, day, _ in pending if g == guild_id)
                await tx.execute("DELETE FROM resource_search_days WHERE guild_id = ? AND day < ?",
                                 (guild_id, today - KEEP_DAYS))
            for guild_id in {g for g, _, _, _ in gaps}:
                await tx.execute(
                    "DELETE FROM resource_search_gaps WHERE guild_id = ? AND query NOT IN (SELECT "
                    "query FROM resource_search_gaps WHERE guild_id = ? ORDER BY last_at DESC "
                    "LIMIT ?)",
                    (guild_id, guild_id, MAX_GAPS),
                )

    async def top(self, *, guild_id: int, limit: int = 25) -> list[SearchGap]:
        """The most searched of them, most searched first."""
        await self.flush()
        rows = await self._db.fetchall(
            "SELECT query, searches, last_at FROM resource_search_gaps WHERE guild_id = ? "
            "ORDER BY searches DESC, last_at DESC LIMIT ?",
            (guild_id, limit),
        )
        return [SearchGap(r["query"], r["searches"], from_epoch(r["last_at"])) for r in rows]
