"""Searches counted per server: those that found nothing, so curators see what the library
lacks (`/resources gaps`), and every search per day, for moderators' insights (`/stats`).

Only the folded text is kept (never who searched): at most MAX_GAPS gaps per server (the least
recent make room) and a year of daily counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.services.resources._query import MAX_QUERY_CHARS
from bot.services.resources._text import fold

MAX_GAPS = 500
KEEP_DAYS = 366  # daily counts kept per server
DAY_S = 86_400


@dataclass(frozen=True)
class SearchGap:
    query: str
    searches: int
    last_at: datetime


class SearchGaps:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def note(self, query: str, *, guild_id: int, found: bool = False) -> None:
        """Count one search on server ``guild_id`` (a gap when it found nothing)."""
        text = " ".join(fold(query).split())[:MAX_QUERY_CHARS]
        if not text:
            return
        now = int(self._clock.now().timestamp())
        day = now // DAY_S
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO resource_search_days (guild_id, day, query, searches, empty) "
                "VALUES (?, ?, ?, 1, ?) ON CONFLICT (guild_id, day, query) "
                "DO UPDATE SET searches = resource_search_days.searches + 1, "
                "empty = resource_search_days.empty + excluded.empty",
                (guild_id, day, text, int(not found)),
            )
            await tx.execute("DELETE FROM resource_search_days WHERE guild_id = ? AND day < ?",
                             (guild_id, day - KEEP_DAYS))
            if found:
                return
            await tx.execute(
                "INSERT INTO resource_search_gaps (guild_id, query, searches, last_at) "
                "VALUES (?, ?, 1, ?) ON CONFLICT (guild_id, query) "
                "DO UPDATE SET searches = resource_search_gaps.searches + 1, last_at = excluded.last_at",
                (guild_id, text, now),
            )
            await tx.execute(
                "DELETE FROM resource_search_gaps WHERE guild_id = ? AND query NOT IN (SELECT query "
                "FROM resource_search_gaps WHERE guild_id = ? ORDER BY last_at DESC LIMIT ?)",
                (guild_id, guild_id, MAX_GAPS),
            )

    async def top(self, *, guild_id: int, limit: int = 25) -> list[SearchGap]:
        """The most searched of them, most searched first."""
        rows = await self._db.fetchall(
            "SELECT query, searches, last_at FROM resource_search_gaps WHERE guild_id = ? "
            "ORDER BY searches DESC, last_at DESC LIMIT ?",
            (guild_id, limit),
        )
        return [SearchGap(r["query"], r["searches"], from_epoch(r["last_at"])) for r in rows]
