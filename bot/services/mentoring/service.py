"""The mentoring service: profiles, requests that move through candidates, pairings, the
moderated roster, batch matching, and the due work (timeouts, reminders, Discord notices).

Everything that must happen later or on Discord is a row of the one outbox (`bot.outbox`),
enqueued in the transaction that decided it: an offer's message, its halfway reminder and its
timeout, a mentee's update, a pairing's private thread. The engine claims each row, asks this
service what it means now (`_prepare_due`: data to send, a skip, or the timeout done here),
and the cog's sender renders and sends it. Taking a mentor's slot happens in the transaction
that accepts, with a conditional UPDATE, so two mentees can never take the last slot.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import Done, DueItem, Handler, Outbox, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import _rows, removals
from bot.services.mentoring.assignment import greedy_assignment, optimal_assignment
from bot.services.mentoring.pool import Candidate, MentorPool
from bot.services.mentoring.profile_review import hold_bio_edit
from bot.services.mentoring.profiles import (
    APPROVED,
    MENTOR_STATUSES,
    PENDING,
    REJECTED,
    REMOVED,
    MenteeInput,
    MenteeProfile,
    MentorInput,
    MentorProfile,
)
from bot.services.mentoring.scoring import violations
from bot.services.mentoring.vocab import LANGUAGES, SPECIALTIES, VISA_ROUTES
from bot.services.notices import MemberNotices
from bot.services.rate_limits import TargetLimiter, TargetPolicy

#: A notice that could not be sent is retried this long after (same nonce), five times at most.
NOTICE_RETRY_S = 120
NOTICE_MAX_ATTEMPTS = 5
OFFER, REMINDER, UPDATE, THREAD, TIMEOUT = (
    "mentor_offer", "mentor_reminder", "mentor_update", "mentor_thread", "mentor_timeout")
#: The rows about one offer; they end with it.
OFFER_KINDS = (OFFER, REMINDER, TIMEOUT)
KINDS = (OFFER, REMINDER, UPDATE, THREAD, TIMEOUT)
SENT_KINDS = {OFFER: "offer", REMINDER: "reminder", UPDATE: "mentee_update", THREAD: "thread"}
FEEDBACK_MAX = 1000
MODERATOR_ACTIONS = ("approve", "reject", "pause", "remove")
#: The member notice each moderator action sends the mentor.
MODERATOR_EVENTS = {"approve": "mentor_approved", "reject": "mentor_rejected",
                    "pause": "mentor_paused", "remove": "mentor_removed"}
NO_MENTEE_PROFILE = "Set up your mentee profile first with `/mentee profile`."
#: Offer DMs a mentee's `/mentor request` sends one mentor (per mentee, and from everyone).
OFFER_DMS = TargetPolicy(per_target=20, window=timedelta(hours=24), per_sender=2)
#: Pings of a server's coordinator role for new mentor registrations.
COORDINATOR_PINGS = TargetPolicy(per_target=10, window=timedelta(hours=24), per_sender=1)
REMOVED_BY_MODERATORS = ("Moderators removed you as a mentor here, and that stands: please ask "
                         "a moderator if you think it should change.")


@dataclass(frozen=True)
class RequestStatus:
    request_id: int
    status: str  # pending | accepted | exhausted | withdrawn
    mentor_user_id: int | None  # the mentor asked now (pending) or who accepted
    expires_at: int | None  # when the current mentor's time to answer runs out
    tried: int  # mentors asked so far
    created_at: int
    ended_at: int | None = None
    """When the pairing this request made (if accepted) ended: it is no longer "accepted"."""


@dataclass(frozen=True)
class Pairing:
    id: int
    guild_id: int
    mentor_user_id: int
    mentee_user_id: int
    status: str
    thread_id: int | None
    started_at: int
    ended_at: int | None


@dataclass(frozen=True)
class MenteeStatus:
    request: RequestStatus | None
    pairings: list[Pairing]


@dataclass(frozen=True)
class MenteeUpdate:
    """Why a mentee's request moved, and where it went: to ``mentor_user_id`` until
    ``expires_at``, or (both None) nowhere: the request is closed."""

    why: str
    mentor_user_id: int | None
    expires_at: int | None
    legacy_text: str | None = None
    """Text of an update written before updates were stored as data (sent as it is)."""


@dataclass(frozen=True)
class Notice:
    """Something the bot must send. ``kind``: offer | reminder | mentee_update | thread."""

    id: int
    guild_id: int
    kind: str
    user_id: int
    request_id: int | None
    expires_at: int | None
    mentee: MenteeProfile | None
    pairing: Pairing | None
    update: MenteeUpdate | None = None


class _DueWork(Handler):
    """The outbox's view of mentoring: what a due row means now (see the module docstring)."""

    def __init__(self, service: MentoringService, policy: Policy) -> None:
        self._service = service
        self.policy = policy

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        return await self._service._prepare_due(item, now)

    async def failed(self, item: DueItem, reason: str) -> None:
        await self._service._due_failed(item)


@dataclass(frozen=True)
class Feedback:
    pairing: Pairing
    ended_by: int | None
    rating: int | None
    text: str | None


@dataclass(frozen=True)
class PlannedPair:
    mentee: MenteeProfile
    mentor: MentorProfile
    score: float


@dataclass(frozen=True)
class BatchPlan:
    guild_id: int
    pairs: list[PlannedPair]
    total: float
    greedy_total: float
    waiting: int


class MentoringService:
    def __init__(self, db: Database, clock: Clock, *, request_timeout: timedelta,
                 outbox: Outbox | None = None, notices: MemberNotices | None = None) -> None:
        self._db = db
        self._clock = clock
        self.request_timeout = request_timeout
        self.offer_dms = TargetLimiter(clock, OFFER_DMS)
        self.coordinator_pings = TargetLimiter(clock, COORDINATOR_PINGS)
        self._pools: dict[int, MentorPool] = {}
        self.outbox = outbox or Outbox(db, clock)
        self.notices = notices or MemberNotices.of(
            self.outbox, db, clock, GuildSettingsService(db, clock))
        due_notices = _DueWork(self, Policy(max_attempts=NOTICE_MAX_ATTEMPTS,
                                            backoff_base_s=NOTICE_RETRY_S,
                                            backoff_max_s=NOTICE_RETRY_S))
        for kind in SENT_KINDS:
            self.outbox.register(kind, due_notices)
        self.outbox.register(TIMEOUT, _DueWork(self, Policy(sends=False)))

    @property
    def db(self) -> Database:
        return self._db

    def forget_pool(self, guild_id: int) -> None:
        """Drop the cached pool (after changes made outside this service's methods)."""
        self._pools.pop(guild_id, None)

    # -- helpers ---------------------------------------------------------------------------
    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    def _today(self) -> date:
        return self._clock.now().astimezone(UTC).date()

    async def _refresh(self, guild_id: int, mentor_ids: Collection[int]) -> None:
        """Bring the cached pool up to date after this service changed these mentors: patch
        them in place (a request stays fast under churn), or drop the pool to rebuild it."""
        pool = self._pools.get(guild_id)
        if pool is None or not mentor_ids:
            return
        rows = await self._db.fetchall(
            f"SELECT {_rows.MENTOR_COLUMNS} FROM mentors WHERE id IN "
            f"({', '.join('?' * len(mentor_ids))})",
            tuple(mentor_ids),
        )
        if not all(pool.patch(_rows.mentor(r)) for r in rows):
            self._pools.pop(guild_id, None)

    async def _pool(self, guild_id: int) -> MentorPool:
        """Approved mentors of a guild as arrays, cached; this service keeps it current."""
        pool = self._pools.get(guild_id)
        if pool is None:
            rows = await self._db.fetchall(
                f"SELECT {_rows.MENTOR_COLUMNS} FROM mentors WHERE guild_id = ? AND status = ? "
                "ORDER BY id",
                (guild_id, APPROVED),
            )
            pool = MentorPool([_rows.mentor(r) for r in rows])
            self._pools[guild_id] = pool
        return pool

    async def _open_mentors(self, guild_id: int) -> list[MentorProfile]:
        rows = await self._db.fetchall(
            f"SELECT {_rows.MENTOR_COLUMNS} FROM mentors WHERE guild_id = ? AND status = ? "
            "AND paused = 0 AND active < capacity ORDER BY id",
            (guild_id, APPROVED),
        )
        return [_rows.mentor(r) for r in rows]

    async def _mentor_row(self, guild_id: int, user_id: int) -> MentorProfile | None:
        row = await self._db.fetchone(
            f"SELECT {_rows.MENTOR_COLUMNS} FROM mentors WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return None if row is None else _rows.mentor(row)

    async def _mentee_row(self, guild_id: int, user_id: int) -> MenteeProfile | None:
        row = await self._db.fetchone(
            f"SELECT {_rows.MENTEE_COLUMNS} FROM mentees WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return None if row is None else _rows.mentee(row)

    async def _paired_mentor_ids(self, mentee_id: int) -> set[int]:
        rows = await self._db.fetchall(
            "SELECT mentor_id FROM mentor_pairings WHERE mentee_id = ? AND status = 'active'",
            (mentee_id,),
        )
        return {r["mentor_id"] for r in rows}

    # -- profiles --------------------------------------------------------------------------
    async def get_mentor(self, guild_id: int, user_id: int) -> MentorProfile | None:
        return await self._mentor_row(guild_id, user_id)

    async def get_mentee(self, guild_id: int, user_id: int) -> MenteeProfile | None:
        return await self._mentee_row(guild_id, user_id)

    async def register_mentor(self, guild_id: int, user_id: int,
                              data: MentorInput) -> MentorProfile:
        """A new (or, after a rejection, re-applying) mentor, pending a moderator's review. A
        member moderators removed cannot: see `removals`."""
        now = self._now()
        async with self._db.transaction():
            existing = await self._mentor_row(guild_id, user_id)
            if existing is not None and existing.status in (PENDING, APPROVED):
                raise Conflict("You are already registered as a mentor: use `/mentor profile-edit`.")
            if await removals.is_removed(self._db, guild_id, user_id):
                raise Forbidden(REMOVED_BY_MODERATORS)
            values = (_rows.join(data.specialties), _rows.join(data.visas), data.stage,
                      _rows.join(data.languages), data.timezone, data.capacity, data.bio, now)
            if existing is None:
                await self._db.execute(
                    "INSERT INTO mentors (specialties, visas, stage, languages, timezone, "
                    "capacity, bio, updated_at, guild_id, user_id, created_at, status) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, guild_id, user_id, now, PENDING),
                )
            else:
                if data.capacity < existing.active:
                    raise InvalidInput(f"You still have {existing.active} open pairings: "
                                       "capacity cannot be lower.")
                await self._db.execute(
                    "UPDATE mentors SET specialties = ?, visas = ?, stage = ?, languages = ?, "
                    "timezone = ?, capacity = ?, bio = ?, updated_at = ?, status = ?, paused = 0 "
                    "WHERE id = ?",
                    (*values, PENDING, existing.id),
                )
            profile = await self._mentor_row(guild_id, user_id)
        assert profile is not None
        await self._refresh(guild_id, [profile.id])
        return profile

    async def edit_mentor(self, guild_id: int, user_id: int, data: MentorInput) -> MentorProfile:
        now = self._now()
        async with self._db.transaction():
            existing = await self._mentor_row(guild_id, user_id)
            if existing is None or existing.status == REMOVED:
                raise NotFound("You have no mentor profile: register with `/mentor register`.")
            if data.capacity < existing.active:
                raise InvalidInput(f"You have {existing.active} open pairings: capacity cannot "
                                   f"go below that.")
            bio = await hold_bio_edit(self._db, existing, data.bio, now)  # approved text is reviewed
            await self._db.execute(
                "UPDATE mentors SET specialties = ?, visas = ?, stage = ?, languages = ?, "
                "timezone = ?, capacity = ?, bio = ?, updated_at = ? WHERE id = ?",
                (_rows.join(data.specialties), _rows.join(data.visas), data.stage,
                 _rows.join(data.languages), data.timezone, data.capacity, bio, now,
                 existing.id),
            )
            if data.capacity <= existing.active:
                await self._move_on_offers_of(existing.id, now, "moved")
            profile = await self._mentor_row(guild_id, user_id)
        assert profile is not None
        await self._refresh(guild_id, [profile.id])
        return profile

    async def set_mentee_profile(self, guild_id: int, user_id: int,
                                 data: MenteeInput) -> MenteeProfile:
        now = self._now()
        await self._db.execute(
            "INSERT INTO mentees (guild_id, user_id, specialty, visa, stage, languages, timezone, "
            "goals, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET specialty = excluded.specialty, "
            "visa = excluded.visa, stage = excluded.stage, languages = excluded.languages, "
            "timezone = excluded.timezone, goals = excluded.goals, updated_at = excluded.updated_at",
            (guild_id, user_id, data.specialty, data.visa, data.stage,
             _rows.join(data.languages), data.timezone, data.goals, now, now),
        )
        profile = await self.get_mentee(guild_id, user_id)
        assert profile is not None
        return profile

    async def set_paused(self, guild_id: int, user_id: int, paused: bool) -> int:
        """Pause or resume one's own mentoring; pausing moves pending requests on at once.

        Returns how many pending requests were moved to another mentor."""
        async with self._db.transaction():
            mentor = await self._mentor_row(guild_id, user_id)
            if mentor is None or mentor.status in (REJECTED, REMOVED):
                raise NotFound("You have no active mentor profile.")
            if mentor.paused == paused:
                raise Conflict("You are already paused." if paused else "You are not paused.")
            moved = await self._apply_pause(mentor, paused)
        await self._refresh(guild_id, [mentor.id])
        return moved

    async def _apply_pause(self, mentor: MentorProfile, paused: bool) -> int:
        now = self._now()
        await self._db.execute("UPDATE mentors SET paused = ?, updated_at = ? WHERE id = ?",
                         (int(paused), now, mentor.id))
        return await self._move_on_offers_of(mentor.id, now, "moved") if paused else 0

    # -- moderation ------------------------------------------------------------------------
    async def moderate(self, guild_id: int, mentor_user_id: int, action: str) -> MentorProfile:
        """approve | reject | pause | remove a mentor (moderators only: checked by the cog)."""
        if action not in MODERATOR_ACTIONS:
            raise InvalidInput(f"Unknown action {action!r}.")
        now = self._now()
        async with self._db.transaction():
            mentor = await self._mentor_row(guild_id, mentor_user_id)
            if mentor is None:
                raise NotFound("That member has no mentor profile.")
            if action == "approve":
                if mentor.status == APPROVED:
                    raise Conflict("That mentor is already approved.")
                await self._db.execute("UPDATE mentors SET status = ?, updated_at = ? WHERE id = ?",
                                 (APPROVED, now, mentor.id))
                await removals.lift(self._db, guild_id, mentor_user_id)
            elif action == "reject":
                if mentor.status != PENDING:
                    raise Conflict(f"Only pending mentors can be rejected (this one is "
                                   f"{mentor.status}).")
                await self._db.execute("UPDATE mentors SET status = ?, updated_at = ? WHERE id = ?",
                                 (REJECTED, now, mentor.id))
            elif action == "pause":
                if mentor.paused:
                    raise Conflict("That mentor is already paused.")
                await self._apply_pause(mentor, True)
            else:
                if mentor.status == REMOVED:
                    raise Conflict("That mentor is already removed.")
                await self._db.execute("UPDATE mentors SET status = ?, updated_at = ? WHERE id = ?",
                                 (REMOVED, now, mentor.id))
                await removals.record(self._db, guild_id, mentor_user_id)
                await self._move_on_offers_of(mentor.id, now, "moved")
            await self.notices.notify(MODERATOR_EVENTS[action], guild_id=guild_id,
                                      user_id=mentor_user_id)
            profile = await self._mentor_row(guild_id, mentor_user_id)
        assert profile is not None
        await self._refresh(guild_id, [profile.id])
        return profile

    async def check_not_removed(self, guild_id: int, user_id: int) -> None:
        """Refuse a member moderators removed before the registration form opens (and again
        on saving, in ``register_mentor``)."""
        if await removals.is_removed(self._db, guild_id, user_id):
            raise Forbidden(REMOVED_BY_MODERATORS)

    async def lift_removal(self, guild_id: int, user_id: int) -> bool:
        """A moderator lets a removed member register as a mentor again; True if removed."""
        async with self._db.transaction():
            return await removals.lift(self._db, guild_id, user_id)

    def claim_coordinator_ping(self, guild_id: int, member_id: int,
                               about: Literal["registration", "bio_edit"]) -> bool:
        """May the coordinators be pinged about this member's registration (or bio edit)?
        Counts it if so. Each kind of note is limited on its own: a register/delete loop must
        not ping every round, and must not silence the note of a later bio edit either."""
        if self.coordinator_pings.refusal(guild_id, (member_id, about)):
            return False
        self.coordinator_pings.hit(guild_id, (member_id, about))
        return True

    async def roster(self, guild_id: int, *, status: str | None = None,
                     specialty: str | None = None, visa: str | None = None,
                     language: str | None = None, has_room: bool | None = None,
                     ) -> list[MentorProfile]:
        """Mentors matching every given filter, pending first, then by registration."""
        sql = [f"SELECT {_rows.MENTOR_COLUMNS} FROM mentors WHERE guild_id = ?"]
        params: list[object] = [guild_id]
        if status is not None:
            if status not in MENTOR_STATUSES:
                raise InvalidInput(f"Unknown status {status!r}.")
            sql.append("AND status = ?")
            params.append(status)
        for column, key, vocabulary in (("specialties", specialty, SPECIALTIES),
                                        ("visas", visa, VISA_ROUTES),
                                        ("languages", language, LANGUAGES)):
            if key is not None:
                if key not in vocabulary:
                    raise InvalidInput(f"Unknown filter value {key!r}.")
                listed = f"',' || {column} || ','"
                sql.append(f"AND {self._db.dialect.position('?', listed)} > 0")
                params.append(f",{key},")
        if has_room is not None:
            sql.append("AND active < capacity" if has_room else "AND active >= capacity")
        sql.append("ORDER BY status = 'pending' DESC, created_at, id")
        rows = await self._db.fetchall(" ".join(sql), params)
        return [_rows.mentor(r) for r in rows]

    async def roster_csv(self, guild_id: int) -> str:
        """The whole roster with pairing counts and average rating, as CSV text."""
        rows = await self._db.fetchall(
            "SELECT m.*, (SELECT count(*) FROM mentor_pairings p WHERE p.mentor_id = m.id) "
            "AS pairings, (SELECT avg(rating) FROM mentor_pairings p WHERE p.mentor_id = m.id) "
            "AS avg_rating FROM mentors m WHERE m.guild_id = ? ORDER BY m.id",
            (guild_id,),
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["user_id", "status", "paused", "specialties", "visas", "stage",
                         "languages", "timezone", "capacity", "active", "pairings_total",
                         "avg_rating", "registered_utc", "bio"])
        for r in rows:
            registered = from_epoch(r["created_at"]).isoformat()
            avg = "" if r["avg_rating"] is None else f"{r['avg_rating']:.2f}"
            writer.writerow([r["user_id"], r["status"], r["paused"], r["specialties"], r["visas"],
                             r["stage"], r["languages"], r["timezone"], r["capacity"], r["active"],
                             r["pairings"], avg, registered, _csv_safe(r["bio"])])
        return out.getvalue()

    async def feedback(self, guild_id: int) -> list[Feedback]:
        """Feedback left when pairings ended, newest first (for moderators only)."""
        rows = await self._db.fetchall(
            f"{_PAIRING_SELECT} WHERE p.guild_id = ? AND p.status = 'ended' "
            "AND (p.rating IS NOT NULL OR p.feedback IS NOT NULL) ORDER BY p.ended_at DESC, p.id",
            (guild_id,),
        )
        return [Feedback(_pairing(r), r["ended_by"], r["rating"], r["feedback"]) for r in rows]

    # -- requests --------------------------------------------------------------------------
    async def _require_mentee(self, guild_id: int, user_id: int) -> MenteeProfile:
        mentee = await self.get_mentee(guild_id, user_id)
        if mentee is None:
            raise NotFound(NO_MENTEE_PROFILE)
        return mentee

    async def candidates(self, guild_id: int, mentee_user_id: int, k: int = 3) -> list[Candidate]:
        """The best ``k`` mentors for this mentee right now, with why."""
        # One round trip (the profile, its waiting request, its open pairings): this runs on
        # every `/mentor request`, and each query is a hop to the database thread.
        row = await self._db.fetchone(
            f"SELECT {_rows.MENTEE_COLUMNS}, "
            "(SELECT r.id FROM mentor_requests r WHERE r.mentee_id = mentees.id "
            "AND r.status = 'pending' LIMIT 1) AS open_request, "
            f"(SELECT {self._db.dialect.string_agg('p.mentor_id')} FROM mentor_pairings p "
            "WHERE p.mentee_id = mentees.id AND p.status = 'active') AS paired "
            "FROM mentees WHERE guild_id = ? AND user_id = ?",
            (guild_id, mentee_user_id),
        )
        if row is None:
            raise NotFound(NO_MENTEE_PROFILE)
        mentee = _rows.mentee(row)
        if row["open_request"] is not None:
            raise Conflict("You already have a request waiting: see `/mentor status`, or "
                           "`/mentor withdraw` it first.")
        paired = {int(i) for i in row["paired"].split(",")} if row["paired"] else set()
        pool = await self._pool(guild_id)
        return pool.top(mentee, self._today(), k, paired=paired)

    async def _open_request_id(self, mentee_id: int) -> int | None:
        return await self._db.fetchval(
            "SELECT id FROM mentor_requests WHERE mentee_id = ? AND status = 'pending'",
            (mentee_id,),
        )

    async def request(self, guild_id: int, mentee_user_id: int, mentor_id: int) -> RequestStatus:
        """The mentee asks ``mentor_id`` (one of their candidates); the mentor is notified."""
        mentee = await self._require_mentee(guild_id, mentee_user_id)
        now = self._now()
        async with self._db.transaction():
            if await self._open_request_id(mentee.id) is not None:
                raise Conflict("You already have a request waiting: see `/mentor status`.")
            row = await self._db.fetchone(
                f"SELECT {_rows.MENTOR_COLUMNS} FROM mentors WHERE id = ? AND guild_id = ?",
                (mentor_id, guild_id),
            )
            if row is None:
                raise NotFound("That mentor does not exist here.")
            mentor = _rows.mentor(row)
            if violations(mentor, mentee, paired=await self._paired_mentor_ids(mentee.id)):
                raise Conflict("That mentor can no longer take this request: run "
                               "`/mentor request` again for fresh suggestions.")
            self._check_offer_dm(mentor.user_id, mentee_user_id)
            request_id = await self._db.fetchval(
                "INSERT INTO mentor_requests (guild_id, mentee_id, status, created_at) "
                "VALUES (?, ?, 'pending', ?) RETURNING id",
                (guild_id, mentee.id, now),
            )
            await self._offer(guild_id, request_id, mentor, now)
        self.offer_dms.hit(mentor.user_id, mentee_user_id)
        return await self._request_status(request_id)

    def _check_offer_dm(self, mentor_user_id: int, mentee_user_id: int) -> None:
        refused = self.offer_dms.refusal(mentor_user_id, mentee_user_id)
        if refused == "sender":
            raise Forbidden("You have asked this mentor several times today already: please "
                            "pick another mentor, or ask again tomorrow.")
        if refused == "target":
            raise Forbidden("That mentor has had many requests today: please pick another "
                            "mentor, or ask again tomorrow.")

    async def _offer(self, guild_id: int, request_id: int,
                     mentor: MentorProfile, now: int) -> int:
        """Ask ``mentor``: an offer row with its expiry, the message and the halfway reminder."""
        timeout = int(self.request_timeout.total_seconds())
        offer_id = await self._db.fetchval(
            "INSERT INTO mentor_offers (request_id, mentor_id, status, offered_at, expires_at) "
            "VALUES (?, ?, 'pending', ?, ?) RETURNING id",
            (request_id, mentor.id, now, now + timeout),
        )
        for kind, due in ((OFFER, now), (REMINDER, now + timeout // 2), (TIMEOUT, now + timeout)):
            await self.outbox.enqueue(kind, due=from_epoch(due), guild_id=guild_id,
                                      ref_id=offer_id, recipient_id=mentor.user_id)
        return offer_id

    async def _pending_offer(self, request_id: int,
                             mentor_user_id: int) -> sqlite3.Row:
        row = await self._db.fetchone(
            "SELECT o.id, o.mentor_id, r.guild_id, r.mentee_id, m.user_id AS mentor_user_id "
            "FROM mentor_offers o JOIN mentor_requests r ON r.id = o.request_id "
            "JOIN mentors m ON m.id = o.mentor_id WHERE r.id = ? AND o.status = 'pending'",
            (request_id,),
        )
        if row is not None and row["mentor_user_id"] == mentor_user_id:
            return row
        was_asked = await self._db.fetchval(
            "SELECT 1 FROM mentor_offers o JOIN mentors m ON m.id = o.mentor_id "
            "WHERE o.request_id = ? AND m.user_id = ?",
            (request_id, mentor_user_id),
        )
        if not was_asked:
            raise Forbidden("This request was sent to another mentor.")
        raise Conflict("This request is no longer waiting for your answer (it was answered, "
                       "withdrawn, or moved on to another mentor).")

    async def accept(self, request_id: int, mentor_user_id: int) -> Pairing:
        """Accept: take a slot (conditional UPDATE), close the request, open a pairing; all in
        one transaction. A mentor who is now full has their other pending requests moved on."""
        now = self._now()
        async with self._db.transaction():
            offer = await self._pending_offer(request_id, mentor_user_id)
            slot = await self._db.fetchone(
                "UPDATE mentors SET active = active + 1, updated_at = ? WHERE id = ? "
                "AND active < capacity AND status = 'approved' AND paused = 0 "
                "RETURNING active, capacity",
                (now, offer["mentor_id"]),
            )
            if slot is None:
                raise Conflict("You have no free mentee slot (or are paused): raise your "
                               "capacity with `/mentor profile-edit` or end a pairing first.")
            await self._db.execute(
                "UPDATE mentor_offers SET status = 'accepted', decided_at = ? WHERE id = ?",
                (now, offer["id"]),
            )
            await self._db.execute(
                "UPDATE mentor_requests SET status = 'accepted', closed_at = ? WHERE id = ?",
                (now, request_id),
            )
            await self._cancel_notices(offer["id"])
            pairing_id = await self._pair(offer["guild_id"], offer["mentor_id"],
                                          offer["mentee_id"], request_id, now)
            if slot["active"] >= slot["capacity"]:
                await self._move_on_offers_of(offer["mentor_id"], now, "moved")
            pairing = await self._pairing(pairing_id)
        await self._refresh(pairing.guild_id, [offer["mentor_id"]])
        return pairing

    async def _pair(self, guild_id: int, mentor_id: int, mentee_id: int,
                    request_id: int | None, now: int) -> int:
        pairing_id = await self._db.fetchval(
            "INSERT INTO mentor_pairings (guild_id, mentor_id, mentee_id, request_id, status, "
            "started_at) VALUES (?, ?, ?, ?, 'active', ?) ON CONFLICT DO NOTHING RETURNING id",
            (guild_id, mentor_id, mentee_id, request_id, now),
        )
        if pairing_id is None:  # mentor_pairings_one_active
            raise Conflict("You are already paired with this mentee.")
        mentor_user = await self._db.fetchval("SELECT user_id FROM mentors WHERE id = ?", (mentor_id,))
        await self.outbox.enqueue(THREAD, due=from_epoch(now), guild_id=guild_id,
                                  ref_id=pairing_id, recipient_id=mentor_user)
        return pairing_id

    async def decline(self, request_id: int, mentor_user_id: int) -> RequestStatus:
        """Decline: the request moves to the next candidate at once."""
        now = self._now()
        async with self._db.transaction():
            offer = await self._pending_offer(request_id, mentor_user_id)
            await self._end_offer(offer["id"], "declined", now)
            await self._move_on(request_id, now, "could not take you on")
        return await self._request_status(request_id)

    async def withdraw(self, guild_id: int, mentee_user_id: int) -> RequestStatus:
        mentee = await self._require_mentee(guild_id, mentee_user_id)
        now = self._now()
        async with self._db.transaction():
            request_id = await self._open_request_id(mentee.id)
            if request_id is None:
                raise NotFound("You have no request waiting.")
            offer_id = await self._db.fetchval(
                "SELECT id FROM mentor_offers WHERE request_id = ? AND status = 'pending'",
                (request_id,),
            )
            if offer_id is not None:
                await self._end_offer(offer_id, "withdrawn", now)
            await self._db.execute(
                "UPDATE mentor_requests SET status = 'withdrawn', closed_at = ? WHERE id = ?",
                (now, request_id),
            )
        return await self._request_status(request_id)

    async def _end_offer(self, offer_id: int, outcome: str, now: int) -> None:
        await self._db.execute(
            "UPDATE mentor_offers SET status = ?, decided_at = ? WHERE id = ?",
            (outcome, now, offer_id),
        )
        await self._cancel_notices(offer_id)

    async def _cancel_notices(self, offer_id: int) -> None:
        await self.outbox.cancel(OFFER_KINDS, offer_id, "the offer was answered or moved on")

    async def _move_on_offers_of(self, mentor_id: int, now: int,
                                 outcome: str) -> int:
        """Move every pending request offered to ``mentor_id`` to its next candidate."""
        rows = await self._db.fetchall(
            "SELECT id, request_id FROM mentor_offers WHERE mentor_id = ? AND status = 'pending'",
            (mentor_id,),
        )
        if not rows:
            return 0
        guild_id = await self._db.fetchval("SELECT guild_id FROM mentors WHERE id = ?", (mentor_id,))
        # One pool for all of them: moving requests on changes no mentor's state.
        pool = MentorPool(await self._open_mentors(guild_id))
        for row in rows:
            await self._end_offer(row["id"], outcome, now)
            await self._move_on(row["request_id"], now, "is no longer available", pool)
        return len(rows)

    async def _move_on(self, request_id: int, now: int, why: str,
                       pool: MentorPool | None = None) -> None:
        """Offer the request to the best eligible mentor not tried yet, or close it.

        ``pool``: the guild's open mentors, when the caller already loaded them in its transaction."""
        req = await self._db.fetchone(
            f"SELECT r.guild_id, {', '.join('e.' + c for c in _rows.MENTEE_COLUMNS.split(', '))} "
            "FROM mentor_requests r JOIN mentees e ON e.id = r.mentee_id WHERE r.id = ?",
            (request_id,),
        )
        assert req is not None
        mentee = _rows.mentee(req)
        tried = {r["mentor_id"] for r in await self._db.fetchall(
            "SELECT mentor_id FROM mentor_offers WHERE request_id = ?", (request_id,))}
        paired = await self._paired_mentor_ids(mentee.id)
        if pool is None:
            pool = MentorPool(await self._open_mentors(mentee.guild_id))
        best = pool.top(mentee, self._today(), 1, excluded=tried, paired=paired)
        data: dict[str, object] = {"why": why}
        if best:
            await self._offer(mentee.guild_id, request_id, best[0].mentor, now)
            data |= {"mentor_user_id": best[0].mentor.user_id,
                     "expires_at": now + int(self.request_timeout.total_seconds())}
        else:
            await self._db.execute(
                "UPDATE mentor_requests SET status = 'exhausted', closed_at = ? WHERE id = ?",
                (now, request_id),
            )
        await self.outbox.enqueue(UPDATE, due=from_epoch(now), guild_id=mentee.guild_id,
                                  ref_id=request_id, recipient_id=mentee.user_id, data=data)

    async def _request_status(self, request_id: int) -> RequestStatus:
        row = await self._db.fetchone(
            "SELECT r.id, r.status, r.created_at, "
            "(SELECT count(*) FROM mentor_offers o WHERE o.request_id = r.id) AS tried, "
            "(SELECT m.user_id FROM mentor_offers o JOIN mentors m ON m.id = o.mentor_id "
            " WHERE o.request_id = r.id AND o.status IN ('pending', 'accepted')) AS mentor_user, "
            "(SELECT o.expires_at FROM mentor_offers o WHERE o.request_id = r.id "
            " AND o.status = 'pending') AS expires_at, "
            "(SELECT p.ended_at FROM mentor_pairings p WHERE p.request_id = r.id) AS ended_at "
            "FROM mentor_requests r WHERE r.id = ?",
            (request_id,),
        )
        if row is None:
            raise NotFound("No such request.")
        return RequestStatus(row["id"], row["status"], row["mentor_user"], row["expires_at"],
                             row["tried"], row["created_at"], row["ended_at"])

    async def status(self, guild_id: int, mentee_user_id: int) -> MenteeStatus:
        """Where the mentee's latest request stands, and their open pairings."""
        # The profile check and the latest request in one round trip (see candidates).
        row = await self._db.fetchone(
            "SELECT (SELECT r.id FROM mentor_requests r WHERE r.mentee_id = mentees.id "
            "ORDER BY r.id DESC LIMIT 1) AS latest FROM mentees WHERE guild_id = ? AND user_id = ?",
            (guild_id, mentee_user_id),
        )
        if row is None:
            raise NotFound(NO_MENTEE_PROFILE)
        request_id = row["latest"]
        request = None if request_id is None else await self._request_status(request_id)
        return MenteeStatus(request, await self.pairings_of(guild_id, mentee_user_id))

    # -- pairings --------------------------------------------------------------------------
    async def _pairing(self, pairing_id: int) -> Pairing:
        row = await self._db.fetchone(f"{_PAIRING_SELECT} WHERE p.id = ?", (pairing_id,))
        if row is None:
            raise NotFound("No such pairing.")
        return _pairing(row)

    async def get_pairing(self, pairing_id: int) -> Pairing:
        return await self._pairing(pairing_id)

    async def pairings_of(self, guild_id: int, user_id: int) -> list[Pairing]:
        """Open pairings where the member is mentor or mentee."""
        rows = await self._db.fetchall(
            f"{_PAIRING_SELECT} WHERE p.guild_id = ? AND p.status = 'active' "
            "AND (m.user_id = ? OR e.user_id = ?) ORDER BY p.id",
            (guild_id, user_id, user_id),
        )
        return [_pairing(r) for r in rows]

    async def record_thread(self, pairing_id: int, thread_id: int) -> None:
        await self._db.execute("UPDATE mentor_pairings SET thread_id = ? WHERE id = ?",
                               (thread_id, pairing_id))

    async def end_pairing(self, guild_id: int, user_id: int, *, partner_user_id: int | None,
                          rating: int | None, feedback: str | None,
                          pairing_id: int | None = None) -> Pairing:
        """End one of the member's pairings (frees the mentor's slot) with optional feedback.

        Which one: ``pairing_id``, or the one with ``partner_user_id``, or their only one."""
        if rating is not None and not 1 <= rating <= 5:
            raise InvalidInput("Rating must be between 1 and 5.")
        feedback = (feedback or "").strip() or None
        if feedback is not None and len(feedback) > FEEDBACK_MAX:
            raise InvalidInput(f"Feedback is limited to {FEEDBACK_MAX} characters.")
        mine = await self.pairings_of(guild_id, user_id)
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
        now = self._now()
        async with self._db.transaction():
            row = await self._db.fetchone(
                "UPDATE mentor_pairings SET status = 'ended', ended_at = ?, ended_by = ?, "
                "rating = ?, feedback = ? WHERE id = ? AND status = 'active' RETURNING mentor_id",
                (now, user_id, rating, feedback, target.id),
            )
            if row is None:
                raise Conflict("That pairing has already ended.")
            await self._db.execute(
                "UPDATE mentors SET active = active - 1, updated_at = ? WHERE id = ? "
                "AND active > 0",
                (now, row["mentor_id"]),
            )
            ended = await self._pairing(target.id)
            await self._tell_pairing_ended(ended, user_id)
        await self._refresh(guild_id, [row["mentor_id"]])
        return ended

    async def _tell_pairing_ended(self, pairing: Pairing, ended_by: int) -> None:
        """The other side is told by DM (in the pairing's thread when DMs are closed), and the
        thread gets a line saying so."""
        other = (pairing.mentee_user_id if pairing.mentor_user_id == ended_by
                 else pairing.mentor_user_id)
        facts = {"ended_by": ended_by, "started_at": pairing.started_at,
                 "role": "mentor" if other == pairing.mentor_user_id else "mentee"}
        await self.notices.notify("pairing_ended", guild_id=pairing.guild_id, user_id=other,
                                  facts=facts, channel_id=pairing.thread_id, ref_id=pairing.id)
        if pairing.thread_id is not None:
            await self.notices.notify("pairing_ended", guild_id=pairing.guild_id, user_id=None,
                                      facts=facts, channel_id=pairing.thread_id,
                                      ref_id=pairing.id)

    # -- batch matching --------------------------------------------------------------------
    async def plan_match_all(self, guild_id: int) -> BatchPlan:
        """Optimal assignment of every waiting mentee (no open pairing, no pending request)."""
        rows = await self._db.fetchall(
            f"SELECT {_rows.MENTEE_COLUMNS} FROM mentees e WHERE guild_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM mentor_pairings p WHERE p.mentee_id = e.id "
            "AND p.status = 'active') AND NOT EXISTS (SELECT 1 FROM mentor_requests r "
            "WHERE r.mentee_id = e.id AND r.status = 'pending') ORDER BY id",
            (guild_id,),
        )
        waiting = [_rows.mentee(r) for r in rows]
        pool = MentorPool(await self._open_mentors(guild_id))

        def solve():  # seconds of numpy/scipy for thousands of mentees: off the event loop
            base, feasible = pool.score_matrix(waiting, self._today())
            return (base, optimal_assignment(base, feasible, pool.active, pool.capacity),
                    greedy_assignment(base, feasible, pool.active, pool.capacity))

        base, best, greedy = await asyncio.to_thread(solve)
        pairs = [PlannedPair(waiting[r], pool.mentors[c], float(base[r, c])) for r, c in best.pairs]
        pairs.sort(key=lambda p: (p.mentor.id, p.mentee.id))
        return BatchPlan(guild_id, pairs, best.total, greedy.total, len(waiting))

    async def apply_plan(self, plan: BatchPlan) -> tuple[list[Pairing], int]:
        """Create the planned pairings that are still valid; returns (created, skipped)."""
        now = self._now()
        created: list[int] = []
        async with self._db.transaction():
            for pair in plan.pairs:
                busy = await self._db.fetchval(
                    "SELECT 1 FROM mentees e WHERE e.id = ? AND (EXISTS (SELECT 1 FROM "
                    "mentor_pairings p WHERE p.mentee_id = e.id AND p.status = 'active') OR "
                    "EXISTS (SELECT 1 FROM mentor_requests r WHERE r.mentee_id = e.id AND "
                    "r.status = 'pending'))",
                    (pair.mentee.id,),
                )
                if busy:
                    continue
                slot = await self._db.fetchone(
                    "UPDATE mentors SET active = active + 1, updated_at = ? WHERE id = ? "
                    "AND active < capacity AND status = 'approved' AND paused = 0 "
                    "RETURNING active, capacity",
                    (now, pair.mentor.id),
                )
                if slot is None:
                    continue
                created.append(await self._pair(plan.guild_id, pair.mentor.id,
                                                pair.mentee.id, None, now))
                if slot["active"] >= slot["capacity"]:
                    await self._move_on_offers_of(pair.mentor.id, now, "moved")
            pairings = [await self._pairing(pid) for pid in created]
        self._pools.pop(plan.guild_id, None)  # many mentors changed: rebuild on next use
        return pairings, len(plan.pairs) - len(pairings)

    # -- for other capabilities ------------------------------------------------------------
    async def matching_mentor_ids(self, guild_id: int, topic_tags: Sequence[str]) -> list[int]:
        """User ids of approved, unpaused mentors whose specialty or visa experience matches any
        tag (vocabulary keys such as ``internal_medicine`` or ``j1``, or their labels)."""
        wanted = _tag_keys(topic_tags)
        if not wanted:
            return []
        rows = await self._db.fetchall(
            "SELECT user_id, specialties, visas FROM mentors WHERE guild_id = ? AND status = ? "
            "AND paused = 0 ORDER BY user_id",
            (guild_id, APPROVED),
        )
        return [r["user_id"] for r in rows
                if wanted & {*_rows.split(r["specialties"]), *_rows.split(r["visas"])}]

    # -- due work (the outbox calls these through _DueWork) -------------------------------
    async def _prepare_due(self, item: DueItem, now: datetime) -> Outcome:
        """What a due row means now; runs in the engine's claim transaction."""
        if item.kind in OFFER_KINDS:
            offer = await self._db.fetchone(
                "SELECT o.status, o.request_id, o.expires_at, r.mentee_id FROM mentor_offers o "
                "JOIN mentor_requests r ON r.id = o.request_id WHERE o.id = ?",
                (item.ref_id,),
            )
            if offer is None or offer["status"] != "pending":
                return Skip("the offer was answered or moved on", state="cancelled")
            if item.kind == TIMEOUT:
                ts = int(now.timestamp())
                await self._end_offer(item.ref, "timeout", ts)
                await self._move_on(offer["request_id"], ts, "did not answer in time")
                return Done()
            row = await self._db.fetchone(
                f"SELECT {_rows.MENTEE_COLUMNS} FROM mentees WHERE id = ?", (offer["mentee_id"],))
            return Send(Notice(item.id, item.guild_id, SENT_KINDS[item.kind], item.recipient,
                               offer["request_id"], offer["expires_at"],
                               None if row is None else _rows.mentee(row), None))
        if item.kind == THREAD:
            try:
                pairing = await self._pairing(item.ref)
            except NotFound:
                return Skip("the pairing no longer exists", state="cancelled")
            row = await self._db.fetchone(
                f"SELECT {_rows.MENTEE_COLUMNS} FROM mentees WHERE guild_id = ? AND user_id = ?",
                (pairing.guild_id, pairing.mentee_user_id),
            )
            return Send(Notice(item.id, item.guild_id, "thread", item.recipient, None, None,
                               None if row is None else _rows.mentee(row), pairing))
        data = item.data
        update = MenteeUpdate(data.get("why", ""), data.get("mentor_user_id"),
                              data.get("expires_at"), data.get("legacy_text"))
        return Send(Notice(item.id, item.guild_id, "mentee_update", item.recipient, None,
                           None, None, None, update))

    async def _due_failed(self, item: DueItem) -> None:
        """A notice Discord refused for good (closed DMs, missing channel): an offer that cannot
        reach its mentor moves on to the next candidate. Runs in the engine's transaction."""
        if item.kind != OFFER:
            return
        request_id = await self._db.fetchval(
            "SELECT request_id FROM mentor_offers WHERE id = ? AND status = 'pending'",
            (item.ref_id,),
        )
        if request_id is not None:
            now = self._now()
            await self._end_offer(item.ref, "moved", now)
            await self._move_on(request_id, now, "could not be reached")


_PAIRING_SELECT = (
    "SELECT p.id, p.guild_id, m.user_id AS mentor_user_id, e.user_id AS mentee_user_id, "
    "p.status, p.thread_id, p.started_at, p.ended_at, p.ended_by, p.rating, p.feedback "
    "FROM mentor_pairings p JOIN mentors m ON m.id = p.mentor_id "
    "JOIN mentees e ON e.id = p.mentee_id"
)


def _pairing(row: sqlite3.Row) -> Pairing:
    return Pairing(row["id"], row["guild_id"], row["mentor_user_id"], row["mentee_user_id"],
                   row["status"], row["thread_id"], row["started_at"], row["ended_at"])


def _tag_keys(tags: Collection[str]) -> set[str]:
    """Vocabulary keys for tags given as keys or labels (case-insensitive)."""
    by_label = {label.casefold(): key for vocab in (SPECIALTIES, VISA_ROUTES)
                for key, label in vocab.items()}
    keys = set()
    for tag in tags:
        t = tag.strip()
        if t in SPECIALTIES or t in VISA_ROUTES:
            keys.add(t)
        elif t.casefold() in by_label:
            keys.add(by_label[t.casefold()])
    return keys


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas in member-written text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
