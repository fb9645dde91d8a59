"""Document review's SQL: reviewers, requests (with the document) and offers."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from bot.clock import to_epoch
from bot.db import Database
from bot.services.preparation._review_models import Reviewer, RubricAnswer

_REVIEWER = ("id, guild_id, user_id, kinds, specialties, weekly_capacity, week_start, taken, "
             "reviews_given, active")


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


def _reviewer(row: sqlite3.Row, week: int) -> Reviewer:
    return Reviewer(row["id"], row["guild_id"], row["user_id"], _split(row["kinds"]),
                    _split(row["specialties"]), row["weekly_capacity"],
                    row["taken"] if row["week_start"] == week else 0, row["reviews_given"],
                    bool(row["active"]))


class ReviewStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reviewers ----------------------------------------------------------------------------
    async def save_reviewer(self, guild_id: int, user_id: int, kinds: tuple[str, ...],
                            specialties: tuple[str, ...], capacity: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO review_reviewers (guild_id, user_id, kinds, specialties, "
            "weekly_capacity, active, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET kinds = excluded.kinds, "
            "specialties = excluded.specialties, weekly_capacity = excluded.weekly_capacity, "
            "active = 1, updated_at = excluded.updated_at",
            (guild_id, user_id, ",".join(kinds), ",".join(specialties), capacity, to_epoch(now)),
        )

    async def reviewer(self, guild_id: int, user_id: int, week: int) -> Reviewer | None:
        row = await self.db.fetchone(
            f"SELECT {_REVIEWER} FROM review_reviewers WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id))
        return None if row is None else _reviewer(row, week)

    async def reviewer_by_id(self, reviewer_id: int, week: int) -> Reviewer | None:
        row = await self.db.fetchone(
            f"SELECT {_REVIEWER} FROM review_reviewers WHERE id = ?", (reviewer_id,))
        return None if row is None else _reviewer(row, week)

    async def set_active(self, reviewer_id: int, active: bool, now: datetime) -> None:
        await self.db.execute(
            "UPDATE review_reviewers SET active = ?, updated_at = ? WHERE id = ?",
            (int(active), to_epoch(now), reviewer_id))

    async def candidates(self, guild_id: int, kind: str, specialty: str, week: int,
                         excluded_users: set[int], tried: set[int]) -> list[Reviewer]:
        """Active reviewers of ``kind`` and ``specialty`` with room this week, least busy
        first (then the longest-standing): the order offers go in."""
        rows = await self.db.fetchall(
            f"SELECT {_REVIEWER} FROM review_reviewers WHERE guild_id = ? AND active = 1 "
            "ORDER BY id", (guild_id,))
        found = [_reviewer(r, week) for r in rows]
        return sorted(
            (r for r in found if kind in r.kinds and specialty in r.specialties
             and r.user_id not in excluded_users and r.id not in tried
             and r.taken_this_week < r.weekly_capacity),
            key=lambda r: (r.taken_this_week, r.id),
        )

    async def take_slot(self, reviewer_id: int, week: int) -> bool:
        """Count one review in the reviewer's week, if the week has room (conditional UPDATE:
        two accepts at once cannot both take the last slot)."""
        row = await self.db.fetchone(
            "UPDATE review_reviewers SET taken = CASE WHEN week_start = ? THEN taken + 1 ELSE 1 "
            "END, week_start = ? WHERE id = ? AND active = 1 "
            "AND (week_start <> ? OR taken < weekly_capacity) RETURNING taken",
            (week, week, reviewer_id, week))
        return row is not None

    async def count_given(self, reviewer_id: int) -> None:
        await self.db.execute(
            "UPDATE review_reviewers SET reviews_given = reviews_given + 1 WHERE id = ?",
            (reviewer_id,))

    async def reviews_given(self, guild_id: int, user_id: int) -> int:
        value = await self.db.fetchval(
            "SELECT reviews_given FROM review_reviewers WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id))
        return int(value or 0)

    async def delete_reviewer(self, reviewer_id: int) -> None:
        await self.db.execute("DELETE FROM review_reviewers WHERE id = ?", (reviewer_id,))

    # -- requests -----------------------------------------------------------------------------
    async def add_request(self, guild_id: int, user_id: int, kind: str, specialty: str,
                          anonymous: bool, document: str, now: datetime) -> int:
        row = await self.db.fetchone(
            "INSERT INTO review_requests (guild_id, user_id, kind, specialty, anonymous, status, "
            "document, created_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?) RETURNING id",
            (guild_id, user_id, kind, specialty, int(anonymous), document, to_epoch(now)))
        assert row is not None
        return int(row["id"])

    async def request(self, request_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone("SELECT * FROM review_requests WHERE id = ?", (request_id,))

    async def open_request_of(self, guild_id: int, user_id: int) -> int | None:
        return await self.db.fetchval(
            "SELECT id FROM review_requests WHERE guild_id = ? AND user_id = ? "
            "AND status IN ('waiting', 'accepted')", (guild_id, user_id))

    async def requests_of(self, guild_id: int, user_id: int) -> list[sqlite3.Row]:
        return await self.db.fetchall(
            "SELECT * FROM review_requests WHERE guild_id = ? AND user_id = ? ORDER BY id",
            (guild_id, user_id))

    async def accepted_by(self, reviewer_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM review_requests WHERE reviewer_id = ? AND status = 'accepted'",
            (reviewer_id,))
        return [r["id"] for r in rows]

    async def set_status(self, request_id: int, status: str, *, expect: str,
                         reviewer_id: int | None = None) -> bool:
        row = await self.db.fetchone(
            "UPDATE review_requests SET status = ?, reviewer_id = ? WHERE id = ? AND status = ? "
            "RETURNING id", (status, reviewer_id, request_id, expect))
        return row is not None

    async def end(self, request_id: int, status: str, now: datetime, erase_at: datetime) -> None:
        await self.db.execute(
            "UPDATE review_requests SET status = ?, ended_at = ?, erase_at = ? WHERE id = ?",
            (status, to_epoch(now), to_epoch(erase_at), request_id))

    async def answer(self, request_id: int, rubric: tuple[RubricAnswer, ...], comments: str,
                     now: datetime, erase_at: datetime) -> bool:
        row = await self.db.fetchone(
            "UPDATE review_requests SET status = 'answered', rubric = ?, comments = ?, "
            "ended_at = ?, erase_at = ? WHERE id = ? AND status = 'accepted' RETURNING id",
            (json.dumps([[a.key, a.score, a.sentence] for a in rubric]), comments,
             to_epoch(now), to_epoch(erase_at), request_id))
        return row is not None

    async def rate(self, request_id: int, user_id: int, rating: int) -> bool:
        row = await self.db.fetchone(
            "UPDATE review_requests SET rating = ? WHERE id = ? AND user_id = ? "
            "AND status = 'answered' RETURNING id", (rating, request_id, user_id))
        return row is not None

    async def erase(self, request_id: int) -> None:
        """The request, its document and its offers, gone (secure_delete overwrites them)."""
        await self.db.execute("DELETE FROM review_offers WHERE request_id = ?", (request_id,))
        await self.db.execute("DELETE FROM review_requests WHERE id = ?", (request_id,))

    # -- offers -------------------------------------------------------------------------------
    async def add_offer(self, request_id: int, reviewer_id: int, now: datetime,
                        expires_at: datetime) -> int:
        row = await self.db.fetchone(
            "INSERT INTO review_offers (request_id, reviewer_id, status, offered_at, expires_at) "
            "VALUES (?, ?, 'pending', ?, ?) RETURNING id",
            (request_id, reviewer_id, to_epoch(now), to_epoch(expires_at)))
        assert row is not None
        return int(row["id"])

    async def offer(self, offer_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone("SELECT * FROM review_offers WHERE id = ?", (offer_id,))

    async def pending_offer(self, request_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone(
            "SELECT * FROM review_offers WHERE request_id = ? AND status = 'pending'",
            (request_id,))

    async def pending_offers_to(self, reviewer_id: int) -> list[sqlite3.Row]:
        return await self.db.fetchall(
            "SELECT * FROM review_offers WHERE reviewer_id = ? AND status = 'pending'",
            (reviewer_id,))

    async def offer_ids(self, request_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM review_offers WHERE request_id = ?", (request_id,))
        return [r["id"] for r in rows]

    async def tried(self, request_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT reviewer_id FROM review_offers WHERE request_id = ?", (request_id,))
        return {r["reviewer_id"] for r in rows}

    async def end_offer(self, offer_id: int, status: str, now: datetime) -> bool:
        row = await self.db.fetchone(
            "UPDATE review_offers SET status = ?, decided_at = ? WHERE id = ? "
            "AND status = 'pending' RETURNING id", (status, to_epoch(now), offer_id))
        return row is not None

    async def request_ids_of(self, guild_id: int, user_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM review_requests WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id))
        return [r["id"] for r in rows]
