"""Every SQL statement of mentoring's own tables, and the row <-> dataclass mapping (lists are
comma-separated keys; instants are epoch seconds here and aware datetimes everywhere else).

The bio-review and removal sub-features keep the SQL of the tables they alone own
(`profile_review`, `removals`); the sub-features here call these methods, inside their own
transactions when they open one (statements join it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from datetime import datetime

from bot.clock import from_epoch, to_epoch
from bot.db import Database
from bot.services.mentoring._models import (
    Feedback,
    OfferDetails,
    Pairing,
    PendingOffer,
    RequestStatus,
)
from bot.services.mentoring.profiles import APPROVED, MenteeInput, MenteeProfile, MentorInput, MentorProfile

MENTOR_COLUMNS = (
    "id, guild_id, user_id, specialties, visas, stage, languages, timezone, capacity, active, "
    "bio, status, paused, created_at"
)
MENTEE_COLUMNS = (
    "id, guild_id, user_id, specialty, visa, stage, languages, timezone, goals, created_at"
)
_PAIRING_SELECT = (
    "SELECT p.id, p.guild_id, m.user_id AS mentor_user_id, e.user_id AS mentee_user_id, "
    "p.status, p.thread_id, p.started_at, p.ended_at, p.ended_by, p.rating, p.feedback, "
    "p.cadence "
    "FROM mentor_pairings p JOIN mentors m ON m.id = p.mentor_id "
    "JOIN mentees e ON e.id = p.mentee_id"
)


def join(keys: Iterable[str]) -> str:
    return ",".join(keys)


def split(text: str) -> tuple[str, ...]:
    return tuple(k for k in text.split(",") if k)


def _at(epoch: int | None) -> datetime | None:
    return None if epoch is None else from_epoch(epoch)


def mentor_of(row: sqlite3.Row) -> MentorProfile:
    return MentorProfile(
        id=row["id"], guild_id=row["guild_id"], user_id=row["user_id"],
        specialties=split(row["specialties"]), visas=split(row["visas"]), stage=row["stage"],
        languages=split(row["languages"]), timezone=row["timezone"], capacity=row["capacity"],
        active=row["active"], bio=row["bio"], status=row["status"], paused=bool(row["paused"]),
        created_at=from_epoch(row["created_at"]),
    )


def mentee_of(row: sqlite3.Row) -> MenteeProfile:
    return MenteeProfile(
        id=row["id"], guild_id=row["guild_id"], user_id=row["user_id"],
        specialty=row["specialty"], visa=row["visa"], stage=row["stage"],
        languages=split(row["languages"]), timezone=row["timezone"], goals=row["goals"],
        created_at=from_epoch(row["created_at"]),
    )


def pairing_of(row: sqlite3.Row) -> Pairing:
    return Pairing(row["id"], row["guild_id"], row["mentor_user_id"], row["mentee_user_id"],
                   row["status"], row["thread_id"], from_epoch(row["started_at"]),
                   _at(row["ended_at"]), row["cadence"])


class MentoringStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- mentors ----------------------------------------------------------------------------
    async def mentor(self, guild_id: int, user_id: int) -> MentorProfile | None:
        row = await self.db.fetchone(
            f"SELECT {MENTOR_COLUMNS} FROM mentors WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return None if row is None else mentor_of(row)

    async def mentor_in(self, guild_id: int, mentor_id: int) -> MentorProfile | None:
        row = await self.db.fetchone(
            f"SELECT {MENTOR_COLUMNS} FROM mentors WHERE id = ? AND guild_id = ?",
            (mentor_id, guild_id),
        )
        return None if row is None else mentor_of(row)

    async def mentors_by_ids(self, mentor_ids: Collection[int]) -> list[MentorProfile]:
        rows = await self.db.fetchall(
            f"SELECT {MENTOR_COLUMNS} FROM mentors WHERE id IN "
            f"({', '.join('?' * len(mentor_ids))})",
            tuple(mentor_ids),
        )
        return [mentor_of(r) for r in rows]

    async def approved_mentors(self, guild_id: int) -> list[MentorProfile]:
        rows = await self.db.fetchall(
            f"SELECT {MENTOR_COLUMNS} FROM mentors WHERE guild_id = ? AND status = ? ORDER BY id",
            (guild_id, APPROVED),
        )
        return [mentor_of(r) for r in rows]

    async def open_mentors(self, guild_id: int) -> list[MentorProfile]:
        """Approved, unpaused mentors with a free slot."""
        rows = await self.db.fetchall(
            f"SELECT {MENTOR_COLUMNS} FROM mentors WHERE guild_id = ? AND status = ? "
            "AND paused = 0 AND active < capacity ORDER BY id",
            (guild_id, APPROVED),
        )
        return [mentor_of(r) for r in rows]

    async def insert_mentor(self, guild_id: int, user_id: int, data: MentorInput, status: str,
                            now: datetime) -> None:
        ts = to_epoch(now)
        await self.db.execute(
            "INSERT INTO mentors (specialties, visas, stage, languages, timezone, capacity, bio, "
            "updated_at, guild_id, user_id, created_at, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_mentor_values(data, data.bio, now), guild_id, user_id, ts, status),
        )

    async def reapply_mentor(self, mentor_id: int, data: MentorInput, status: str,
                             now: datetime) -> None:
        """A rejected (or lapsed) mentor registers again: the new profile, unpaused."""
        await self.db.execute(
            "UPDATE mentors SET specialties = ?, visas = ?, stage = ?, languages = ?, "
            "timezone = ?, capacity = ?, bio = ?, updated_at = ?, status = ?, paused = 0 "
            "WHERE id = ?",
            (*_mentor_values(data, data.bio, now), status, mentor_id),
        )

    async def update_mentor(self, mentor_id: int, data: MentorInput, bio: str,
                            now: datetime) -> None:
        await self.db.execute(
            "UPDATE mentors SET specialties = ?, visas = ?, stage = ?, languages = ?, "
            "timezone = ?, capacity = ?, bio = ?, updated_at = ? WHERE id = ?",
            (*_mentor_values(data, bio, now), mentor_id),
        )

    async def set_mentor_status(self, mentor_id: int, status: str, now: datetime) -> None:
        await self.db.execute("UPDATE mentors SET status = ?, updated_at = ? WHERE id = ?",
                              (status, to_epoch(now), mentor_id))

    async def set_mentor_paused(self, mentor_id: int, paused: bool, now: datetime) -> None:
        await self.db.execute("UPDATE mentors SET paused = ?, updated_at = ? WHERE id = ?",
                              (int(paused), to_epoch(now), mentor_id))

    async def take_slot(self, mentor_id: int, now: datetime) -> tuple[int, int] | None:
        """Take one of an approved, unpaused mentor's free slots in one conditional UPDATE
        (two mentees can never take the last one); (active, capacity) after, or None."""
        row = await self.db.fetchone(
            "UPDATE mentors SET active = active + 1, updated_at = ? WHERE id = ? "
            "AND active < capacity AND status = 'approved' AND paused = 0 "
            "RETURNING active, capacity",
            (to_epoch(now), mentor_id),
        )
        return None if row is None else (row["active"], row["capacity"])

    async def free_slot(self, mentor_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE mentors SET active = active - 1, updated_at = ? WHERE id = ? AND active > 0",
            (to_epoch(now), mentor_id),
        )

    async def mentor_user_id(self, mentor_id: int) -> int:
        return await self.db.fetchval("SELECT user_id FROM mentors WHERE id = ?", (mentor_id,))

    async def mentor_guild_id(self, mentor_id: int) -> int:
        return await self.db.fetchval("SELECT guild_id FROM mentors WHERE id = ?", (mentor_id,))

    async def roster(self, guild_id: int, *, status: str | None,
                     lists: Iterable[tuple[str, str]], has_room: bool | None) -> list[MentorProfile]:
        """Mentors matching every filter; ``lists``: (column, key) pairs the list must hold."""
        sql = [f"SELECT {MENTOR_COLUMNS} FROM mentors WHERE guild_id = ?"]
        params: list[object] = [guild_id]
        if status is not None:
            sql.append("AND status = ?")
            params.append(status)
        for column, key in lists:
            listed = f"',' || {column} || ','"
            sql.append(f"AND {self.db.dialect.position('?', listed)} > 0")
            params.append(f",{key},")
        if has_room is not None:
            sql.append("AND active < capacity" if has_room else "AND active >= capacity")
        sql.append("ORDER BY status = 'pending' DESC, created_at, id")
        rows = await self.db.fetchall(" ".join(sql), params)
        return [mentor_of(r) for r in rows]

    async def roster_rows(self, guild_id: int) -> list[sqlite3.Row]:
        """Every mentor with their pairing count and average rating (for the CSV export)."""
        return await self.db.fetchall(
            "SELECT m.*, (SELECT count(*) FROM mentor_pairings p WHERE p.mentor_id = m.id) "
            "AS pairings, (SELECT avg(rating) FROM mentor_pairings p WHERE p.mentor_id = m.id) "
            "AS avg_rating FROM mentors m WHERE m.guild_id = ? ORDER BY m.id",
            (guild_id,),
        )

    async def open_mentor_topics(self, guild_id: int) -> list[tuple[int, set[str]]]:
        """(user id, specialty and visa keys) of the approved, unpaused mentors."""
        rows = await self.db.fetchall(
            "SELECT user_id, specialties, visas FROM mentors WHERE guild_id = ? AND status = ? "
            "AND paused = 0 ORDER BY user_id",
            (guild_id, APPROVED),
        )
        return [(r["user_id"], {*split(r["specialties"]), *split(r["visas"])}) for r in rows]

    # -- mentees ----------------------------------------------------------------------------
    async def mentee(self, guild_id: int, user_id: int) -> MenteeProfile | None:
        row = await self.db.fetchone(
            f"SELECT {MENTEE_COLUMNS} FROM mentees WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return None if row is None else mentee_of(row)

    async def mentee_by_id(self, mentee_id: int) -> MenteeProfile | None:
        row = await self.db.fetchone(f"SELECT {MENTEE_COLUMNS} FROM mentees WHERE id = ?",
                                     (mentee_id,))
        return None if row is None else mentee_of(row)

    async def save_mentee(self, guild_id: int, user_id: int, data: MenteeInput,
                          now: datetime) -> None:
        ts = to_epoch(now)
        await self.db.execute(
            "INSERT INTO mentees (guild_id, user_id, specialty, visa, stage, languages, timezone, "
            "goals, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET specialty = excluded.specialty, "
            "visa = excluded.visa, stage = excluded.stage, languages = excluded.languages, "
            "timezone = excluded.timezone, goals = excluded.goals, updated_at = excluded.updated_at",
            (guild_id, user_id, data.specialty, data.visa, data.stage, join(data.languages),
             data.timezone, data.goals, ts, ts),
        )

    async def mentee_for_request(self, guild_id: int, user_id: int,
                                 ) -> tuple[MenteeProfile, int | None, set[int]] | None:
        """The profile, its waiting request and the mentors it is paired with, in one round
        trip: this runs on every `/mentor request`, and each query is a hop to the database."""
        row = await self.db.fetchone(
            f"SELECT {MENTEE_COLUMNS}, "
            "(SELECT r.id FROM mentor_requests r WHERE r.mentee_id = mentees.id "
            "AND r.status = 'pending' LIMIT 1) AS open_request, "
            f"(SELECT {self.db.dialect.string_agg('p.mentor_id')} FROM mentor_pairings p "
            "WHERE p.mentee_id = mentees.id AND p.status = 'active') AS paired "
            "FROM mentees WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            return None
        paired = {int(i) for i in row["paired"].split(",")} if row["paired"] else set()
        return mentee_of(row), row["open_request"], paired

    async def paired_mentor_ids(self, mentee_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT mentor_id FROM mentor_pairings WHERE mentee_id = ? AND status = 'active'",
            (mentee_id,),
        )
        return {r["mentor_id"] for r in rows}

    async def waiting_mentees(self, guild_id: int) -> list[MenteeProfile]:
        """Mentees with no open pairing and no pending request."""
        rows = await self.db.fetchall(
            f"SELECT {MENTEE_COLUMNS} FROM mentees e WHERE guild_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM mentor_pairings p WHERE p.mentee_id = e.id "
            "AND p.status = 'active') AND NOT EXISTS (SELECT 1 FROM mentor_requests r "
            "WHERE r.mentee_id = e.id AND r.status = 'pending') ORDER BY id",
            (guild_id,),
        )
        return [mentee_of(r) for r in rows]

    async def mentee_busy(self, mentee_id: int) -> bool:
        """Has the mentee an open pairing or a pending request?"""
        return bool(await self.db.fetchval(
            "SELECT 1 FROM mentees e WHERE e.id = ? AND (EXISTS (SELECT 1 FROM "
            "mentor_pairings p WHERE p.mentee_id = e.id AND p.status = 'active') OR "
            "EXISTS (SELECT 1 FROM mentor_requests r WHERE r.mentee_id = e.id AND "
            "r.status = 'pending'))",
            (mentee_id,),
        ))

    async def latest_request_id(self, guild_id: int, user_id: int) -> tuple[bool, int | None]:
        """(has a mentee profile, their latest request's id) in one round trip."""
        row = await self.db.fetchone(
            "SELECT (SELECT r.id FROM mentor_requests r WHERE r.mentee_id = mentees.id "
            "ORDER BY r.id DESC LIMIT 1) AS latest FROM mentees WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return (False, None) if row is None else (True, row["latest"])

    # -- requests and offers ----------------------------------------------------------------
    async def open_request_id(self, mentee_id: int) -> int | None:
        return await self.db.fetchval(
            "SELECT id FROM mentor_requests WHERE mentee_id = ? AND status = 'pending'",
            (mentee_id,),
        )

    async def insert_request(self, guild_id: int, mentee_id: int, now: datetime) -> int:
        return await self.db.fetchval(
            "INSERT INTO mentor_requests (guild_id, mentee_id, status, created_at) "
            "VALUES (?, ?, 'pending', ?) RETURNING id",
            (guild_id, mentee_id, to_epoch(now)),
        )

    async def close_request(self, request_id: int, status: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE mentor_requests SET status = ?, closed_at = ? WHERE id = ?",
            (status, to_epoch(now), request_id),
        )

    async def request_mentee(self, request_id: int) -> MenteeProfile:
        row = await self.db.fetchone(
            f"SELECT {', '.join('e.' + c for c in MENTEE_COLUMNS.split(', '))} "
            "FROM mentor_requests r JOIN mentees e ON e.id = r.mentee_id WHERE r.id = ?",
            (request_id,),
        )
        assert row is not None
        return mentee_of(row)

    async def tried_mentor_ids(self, request_id: int) -> set[int]:
        rows = await self.db.fetchall("SELECT mentor_id FROM mentor_offers WHERE request_id = ?",
                                      (request_id,))
        return {r["mentor_id"] for r in rows}

    async def request_status(self, request_id: int) -> RequestStatus | None:
        row = await self.db.fetchone(
            "SELECT r.id, r.status, r.created_at, "
            "(SELECT count(*) FROM mentor_offers o WHERE o.request_id = r.id) AS tried, "
            "(SELECT m.user_id FROM mentor_offers o JOIN mentors m ON m.id = o.mentor_id "
            " WHERE o.request_id = r.id AND o.status IN ('pending', 'accepted')) AS mentor_user, "
            "(SELECT o.expires_at FROM mentor_offers o WHERE o.request_id = r.id "
            " AND o.status = 'pending') AS expires_at, "
            "(SELECT 1 FROM mentor_offers o WHERE o.request_id = r.id AND o.status = 'pending' "
            " AND o.asked_at IS NOT NULL AND o.resumed_at IS NULL) AS paused, "
            "(SELECT p.ended_at FROM mentor_pairings p WHERE p.request_id = r.id) AS ended_at "
            "FROM mentor_requests r WHERE r.id = ?",
            (request_id,),
        )
        if row is None:
            return None
        return RequestStatus(row["id"], row["status"], row["mentor_user"], _at(row["expires_at"]),
                             row["tried"], from_epoch(row["created_at"]), _at(row["ended_at"]),
                             bool(row["paused"]))

    async def insert_offer(self, request_id: int, mentor_id: int, now: datetime,
                           expires_at: datetime) -> int:
        return await self.db.fetchval(
            "INSERT INTO mentor_offers (request_id, mentor_id, status, offered_at, expires_at) "
            "VALUES (?, ?, 'pending', ?, ?) RETURNING id",
            (request_id, mentor_id, to_epoch(now), to_epoch(expires_at)),
        )

    async def pending_offer(self, request_id: int, mentor_user_id: int) -> PendingOffer | None:
        """The request's pending offer, if it is to this mentor."""
        row = await self.db.fetchone(
            "SELECT o.id, o.mentor_id, r.guild_id, r.mentee_id, m.user_id AS mentor_user_id "
            "FROM mentor_offers o JOIN mentor_requests r ON r.id = o.request_id "
            "JOIN mentors m ON m.id = o.mentor_id WHERE r.id = ? AND o.status = 'pending'",
            (request_id,),
        )
        if row is None or row["mentor_user_id"] != mentor_user_id:
            return None
        return PendingOffer(row["id"], row["mentor_id"], row["guild_id"], row["mentee_id"])

    async def was_offered(self, request_id: int, mentor_user_id: int) -> bool:
        return bool(await self.db.fetchval(
            "SELECT 1 FROM mentor_offers o JOIN mentors m ON m.id = o.mentor_id "
            "WHERE o.request_id = ? AND m.user_id = ?",
            (request_id, mentor_user_id),
        ))

    async def pending_offer_id(self, request_id: int) -> int | None:
        return await self.db.fetchval(
            "SELECT id FROM mentor_offers WHERE request_id = ? AND status = 'pending'",
            (request_id,),
        )

    async def pending_offers_of(self, mentor_id: int) -> list[tuple[int, int]]:
        """(offer id, request id) of every offer waiting for this mentor."""
        rows = await self.db.fetchall(
            "SELECT id, request_id FROM mentor_offers WHERE mentor_id = ? AND status = 'pending'",
            (mentor_id,),
        )
        return [(r["id"], r["request_id"]) for r in rows]

    async def set_offer_status(self, offer_id: int, status: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE mentor_offers SET status = ?, decided_at = ? WHERE id = ?",
            (status, to_epoch(now), offer_id),
        )

    async def offer_state(self, offer_id: int) -> tuple[str, int, datetime, int] | None:
        """(status, request id, expiry, mentee id) of an offer."""
        row = await self.db.fetchone(
            "SELECT o.status, o.request_id, o.expires_at, r.mentee_id FROM mentor_offers o "
            "JOIN mentor_requests r ON r.id = o.request_id WHERE o.id = ?",
            (offer_id,),
        )
        if row is None:
            return None
        return row["status"], row["request_id"], from_epoch(row["expires_at"]), row["mentee_id"]

    # -- pairings ---------------------------------------------------------------------------
    async def insert_pairing(self, guild_id: int, mentor_id: int, mentee_id: int,
                             request_id: int | None, now: datetime) -> int | None:
        """The new pairing's id, or None when these two are already paired."""
        return await self.db.fetchval(  # None: mentor_pairings_one_active held
            "INSERT INTO mentor_pairings (guild_id, mentor_id, mentee_id, request_id, status, "
            "started_at) VALUES (?, ?, ?, ?, 'active', ?) ON CONFLICT DO NOTHING RETURNING id",
            (guild_id, mentor_id, mentee_id, request_id, to_epoch(now)),
        )

    async def pairing(self, pairing_id: int) -> Pairing | None:
        row = await self.db.fetchone(f"{_PAIRING_SELECT} WHERE p.id = ?", (pairing_id,))
        return None if row is None else pairing_of(row)

    async def open_pairings_of(self, guild_id: int, user_id: int) -> list[Pairing]:
        rows = await self.db.fetchall(
            # By the member's two profile ids: each side has its index (migration 0024).
            f"{_PAIRING_SELECT} WHERE p.status = 'active' AND (p.mentor_id IN (SELECT id FROM "
            "mentors WHERE guild_id = ? AND user_id = ?) OR p.mentee_id IN (SELECT id FROM "
            "mentees WHERE guild_id = ? AND user_id = ?)) ORDER BY p.id",
            (guild_id, user_id, guild_id, user_id),
        )
        return [pairing_of(r) for r in rows]

    async def set_thread(self, pairing_id: int, thread_id: int) -> None:
        await self.db.execute("UPDATE mentor_pairings SET thread_id = ? WHERE id = ?",
                              (thread_id, pairing_id))

    async def end_pairing(self, pairing_id: int, ended_by: int, rating: int | None,
                          feedback: str | None, now: datetime) -> int | None:
        """Mark an active pairing ended; its mentor's id, or None if it had already ended."""
        return await self.db.fetchval(
            "UPDATE mentor_pairings SET status = 'ended', ended_at = ?, ended_by = ?, "
            "rating = ?, feedback = ? WHERE id = ? AND status = 'active' RETURNING mentor_id",
            (to_epoch(now), ended_by, rating, feedback, pairing_id),
        )

    async def feedback(self, guild_id: int) -> list[Feedback]:
        rows = await self.db.fetchall(
            f"{_PAIRING_SELECT} WHERE p.guild_id = ? AND p.status = 'ended' "
            "AND (p.rating IS NOT NULL OR p.feedback IS NOT NULL) ORDER BY p.ended_at DESC, p.id",
            (guild_id,),
        )
        return [Feedback(pairing_of(r), r["ended_by"], r["rating"], r["feedback"]) for r in rows]

    # -- follow-up: cadence, check-ins, the coordinators' alert -----------------------------
    async def set_cadence(self, pairing_id: int, cadence: str) -> bool:
        """Store an open pairing's cadence; False if the pairing is not open."""
        row = await self.db.fetchone(
            "UPDATE mentor_pairings SET cadence = ? WHERE id = ? AND status = 'active' "
            "RETURNING id",
            (cadence, pairing_id),
        )
        return row is not None

    async def save_checkin(self, pairing_id: int, week: int, answer: str, user_id: int,
                           now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO mentor_checkins (pairing_id, week, answer, answered_by, answered_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (pairing_id, week) DO UPDATE SET "
            "answer = excluded.answer, answered_by = excluded.answered_by, "
            "answered_at = excluded.answered_at",
            (pairing_id, week, answer, user_id, to_epoch(now)),
        )

    async def checkin_answer(self, pairing_id: int, week: int) -> str | None:
        return await self.db.fetchval(
            "SELECT answer FROM mentor_checkins WHERE pairing_id = ? AND week = ?",
            (pairing_id, week),
        )

    async def mark_stalled(self, pairing_id: int, now: datetime) -> bool:
        """Record the coordinators' alert; False if this pairing already had one."""
        row = await self.db.fetchone(
            "UPDATE mentor_pairings SET stalled_alert_at = ? WHERE id = ? "
            "AND stalled_alert_at IS NULL RETURNING id",
            (to_epoch(now), pairing_id),
        )
        return row is not None

    # -- ask for details --------------------------------------------------------------------
    async def offer_details(self, offer_id: int) -> OfferDetails | None:
        row = await self.db.fetchone(
            "SELECT o.id, o.request_id, r.guild_id, o.status, m.user_id AS mentor_user_id, "
            "e.user_id AS mentee_user_id, o.expires_at, o.question, o.asked_at, o.answer, "
            "o.resumed_at FROM mentor_offers o JOIN mentor_requests r ON r.id = o.request_id "
            "JOIN mentors m ON m.id = o.mentor_id JOIN mentees e ON e.id = r.mentee_id "
            "WHERE o.id = ?",
            (offer_id,),
        )
        if row is None:
            return None
        return OfferDetails(row["id"], row["request_id"], row["guild_id"], row["status"],
                            row["mentor_user_id"], row["mentee_user_id"],
                            from_epoch(row["expires_at"]), row["question"], _at(row["asked_at"]),
                            row["answer"], _at(row["resumed_at"]))

    async def ask(self, offer_id: int, question: str, now: datetime) -> bool:
        """Store the offer's one question; False if it already has one or was answered."""
        row = await self.db.fetchone(
            "UPDATE mentor_offers SET question = ?, asked_at = ? WHERE id = ? "
            "AND status = 'pending' AND asked_at IS NULL RETURNING id",
            (question, to_epoch(now), offer_id),
        )
        return row is not None

    async def save_answer(self, offer_id: int, answer: str, now: datetime) -> bool:
        row = await self.db.fetchone(
            "UPDATE mentor_offers SET answer = ?, answered_at = ? WHERE id = ? "
            "AND asked_at IS NOT NULL AND answer IS NULL RETURNING id",
            (answer, to_epoch(now), offer_id),
        )
        return row is not None

    async def resume(self, offer_id: int, expires_at: datetime, now: datetime) -> bool:
        """End a paused offer's pause with its new expiry; False if it was not paused."""
        row = await self.db.fetchone(
            "UPDATE mentor_offers SET expires_at = ?, resumed_at = ? WHERE id = ? "
            "AND status = 'pending' AND asked_at IS NOT NULL AND resumed_at IS NULL RETURNING id",
            (to_epoch(expires_at), to_epoch(now), offer_id),
        )
        return row is not None


def _mentor_values(data: MentorInput, bio: str, now: datetime) -> tuple[object, ...]:
    return (join(data.specialties), join(data.visas), data.stage, join(data.languages),
            data.timezone, data.capacity, bio, to_epoch(now))
