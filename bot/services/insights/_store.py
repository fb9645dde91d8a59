"""Read-only SQL over the other capabilities' tables, for the figures of `/stats`.

Nothing here writes. Instants are epoch seconds between ``start`` (None: the beginning) and
``end``; the anonymous-questions query reads counts only, never anything about an asker.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from bot.db import Database

_BEGINNING = -(2**62)  # "no start": a bound every stored instant is above (portable: no NULL logic)


def _bounds(start: int | None, end: int) -> tuple[int, int]:
    return (_BEGINNING if start is None else start), end


class InsightsStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def guild_ids(self) -> list[int]:
        """Every server with a setting, mentoring, study groups, questions or searches."""
        rows = await self.db.fetchall(
            "SELECT guild_id FROM guild_settings UNION SELECT guild_id FROM mentors "
            "UNION SELECT guild_id FROM mentees UNION SELECT guild_id FROM study_groups "
            "UNION SELECT guild_id FROM anon_questions UNION SELECT guild_id FROM resource_search_days "
            "ORDER BY 1"
        )
        return [r[0] for r in rows]

    # -- mentoring --------------------------------------------------------------------------
    async def waiting_mentees(self, guild_id: int) -> list[sqlite3.Row]:
        """(specialty, visa) of each mentee profile without an active pairing."""
        return await self.db.fetchall(
            "SELECT e.specialty, e.visa FROM mentees e WHERE e.guild_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM mentor_pairings p WHERE p.mentee_id = e.id AND p.status = 'active')",
            (guild_id,),
        )

    async def accept_seconds(self, guild_id: int, start: int | None, end: int) -> list[int]:
        """Seconds from request to accept, for the requests accepted in the period."""
        rows = await self.db.fetchall(
            "SELECT closed_at - created_at FROM mentor_requests WHERE guild_id = ? "
            "AND status = 'accepted' AND closed_at >= ? AND closed_at <= ?",
            (guild_id, *_bounds(start, end)),
        )
        return [r[0] for r in rows]

    async def ran_out(self, guild_id: int, start: int | None,
                      end: int) -> list[tuple[int, set[int], set[int]]]:
        """(mentee user id, mentor ids offered, mentor ids paired with them now) for each
        request that ran out of candidates in the period."""
        requests = await self.db.fetchall(
            "SELECT r.id, r.mentee_id, e.user_id FROM mentor_requests r "
            "JOIN mentees e ON e.id = r.mentee_id WHERE r.guild_id = ? "
            "AND r.status = 'exhausted' AND r.closed_at >= ? AND r.closed_at <= ? ORDER BY r.id",
            (guild_id, *_bounds(start, end)),
        )
        if not requests:
            return []
        tried: dict[int, set[int]] = defaultdict(set)
        for row in await self.db.fetchall(
            "SELECT o.request_id, o.mentor_id FROM mentor_offers o JOIN mentor_requests r "
            "ON r.id = o.request_id WHERE r.guild_id = ? AND r.status = 'exhausted'", (guild_id,),
        ):
            tried[row[0]].add(row[1])
        paired: dict[int, set[int]] = defaultdict(set)
        for row in await self.db.fetchall(
            "SELECT mentee_id, mentor_id FROM mentor_pairings WHERE guild_id = ? "
            "AND status = 'active'", (guild_id,),
        ):
            paired[row[0]].add(row[1])
        return [(r["user_id"], tried[r["id"]], paired[r["mentee_id"]]) for r in requests]

    async def pairing_counts(self, guild_id: int, start: int | None, end: int) -> tuple[int, int, int]:
        """(active now, started in the period, ended in the period)."""
        low, high = _bounds(start, end)
        row = await self.db.fetchone(
            "SELECT "
            "(SELECT count(*) FROM mentor_pairings WHERE guild_id = ? AND status = 'active'), "
            "(SELECT count(*) FROM mentor_pairings WHERE guild_id = ? AND started_at >= ? "
            " AND started_at <= ?), "
            "(SELECT count(*) FROM mentor_pairings WHERE guild_id = ? AND status = 'ended' "
            " AND ended_at >= ? AND ended_at <= ?)",
            (guild_id, guild_id, low, high, guild_id, low, high),
        )
        assert row is not None
        return row[0], row[1], row[2]

    async def ratings(self, guild_id: int, start: int | None, end: int) -> dict[int, int]:
        """Rating (1-5) -> pairings ended in the period with that rating."""
        rows = await self.db.fetchall(
            "SELECT rating, count(*) FROM mentor_pairings WHERE guild_id = ? AND status = 'ended' "
            "AND rating IS NOT NULL AND ended_at >= ? AND ended_at <= ? GROUP BY rating",
            (guild_id, *_bounds(start, end)),
        )
        return {r[0]: r[1] for r in rows}

    # -- study groups -----------------------------------------------------------------------
    async def sessions(self, guild_id: int, start: int | None, end: int) -> list[sqlite3.Row]:
        """Sessions that started in the period: id, starts_at, cancelled (0/1), group name."""
        return await self.db.fetchall(
            "SELECT o.id, o.starts_at, CASE WHEN o.cancelled_at IS NULL THEN 0 ELSE 1 END "
            "AS cancelled, g.name FROM study_occurrences o "
            "JOIN study_series s ON s.id = o.series_id JOIN study_groups g ON g.id = s.group_id "
            "WHERE g.guild_id = ? AND o.starts_at >= ? AND o.starts_at <= ? "
            "ORDER BY o.starts_at, o.id",
            (guild_id, *_bounds(start, end)),
        )

    async def rsvp_counts(self, guild_id: int, start: int | None,
                          end: int) -> dict[int, dict[str, int]]:
        """Session id -> RSVP choice (going/maybe/no) -> members, for the period's sessions."""
        rows = await self.db.fetchall(
            "SELECT r.occurrence_id, r.choice, count(*) FROM study_rsvps r "
            "JOIN study_occurrences o ON o.id = r.occurrence_id "
            "JOIN study_series s ON s.id = o.series_id JOIN study_groups g ON g.id = s.group_id "
            "WHERE g.guild_id = ? AND o.starts_at >= ? AND o.starts_at <= ? "
            "GROUP BY r.occurrence_id, r.choice",
            (guild_id, *_bounds(start, end)),
        )
        out: dict[int, dict[str, int]] = defaultdict(dict)
        for occurrence, choice, count in rows:
            out[occurrence][choice] = count
        return out

    # -- anonymous questions ----------------------------------------------------------------
    async def question_counts(self, guild_id: int, start: int | None,
                              end: int) -> list[sqlite3.Row]:
        """Per topic tag: published questions, answered (asker marked it, or a mentor's answer
        is marked), answered by a mentor. Counts only."""
        return await self.db.fetchall(
            "SELECT tag, count(*) AS asked, "
            "sum(CASE WHEN closed = 1 OR mentor_answer_message_id IS NOT NULL THEN 1 ELSE 0 END) "
            "AS answered, "
            "sum(CASE WHEN mentor_answer_message_id IS NOT NULL THEN 1 ELSE 0 END) AS by_mentor "
            "FROM anon_questions WHERE guild_id = ? AND state = 'published' "
            "AND published_at >= ? AND published_at <= ? GROUP BY tag",
            (guild_id, *_bounds(start, end)),
        )

    # -- resources --------------------------------------------------------------------------
    async def search_counts(self, guild_id: int, first_day: int | None,
                            last_day: int) -> list[sqlite3.Row]:
        """Per search text: searches and those that found nothing, over the days."""
        return await self.db.fetchall(
            "SELECT query, sum(searches) AS searches, sum(empty) AS empty "
            "FROM resource_search_days WHERE guild_id = ? AND day >= ? AND day <= ? GROUP BY query",
            (guild_id, *_bounds(first_day, last_day)),
        )
