"""What moderators do with mentors: review them (approve, reject, pause, remove), browse and
export the roster, read feedback; and the coordinator pings about registrations."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Literal

from bot.clock import Clock, from_epoch
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.mentoring import removals
from bot.services.mentoring._models import now_s
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.pools import Pools
from bot.services.mentoring.profiles import (
    APPROVED,
    MENTOR_STATUSES,
    PENDING,
    REJECTED,
    REMOVED,
    MentorProfile,
)
from bot.services.mentoring.registration import Registration
from bot.services.mentoring.requests import Requests
from bot.services.mentoring.vocab import LANGUAGES, SPECIALTIES, VISA_ROUTES
from bot.services.notices import MemberNotices
from bot.services.rate_limits import TargetLimiter, TargetPolicy

MODERATOR_ACTIONS = ("approve", "reject", "pause", "remove")
#: The member notice each moderator action sends the mentor.
MODERATOR_EVENTS = {"approve": "mentor_approved", "reject": "mentor_rejected",
                    "pause": "mentor_paused", "remove": "mentor_removed"}
#: Pings of a server's coordinator role for new mentor registrations.
COORDINATOR_PINGS = TargetPolicy(per_target=10, window=timedelta(hours=24), per_sender=1)


class Moderation:
    def __init__(self, store: MentoringStore, clock: Clock, notices: MemberNotices,
                 pools: Pools, registration: Registration, requests: Requests) -> None:
        self._store = store
        self._clock = clock
        self._notices = notices
        self._pools = pools
        self._registration = registration
        self._requests = requests
        self.coordinator_pings = TargetLimiter(clock, COORDINATOR_PINGS)

    async def moderate(self, guild_id: int, mentor_user_id: int, action: str) -> MentorProfile:
        """approve | reject | pause | remove a mentor (moderators only: checked by the cog)."""
        if action not in MODERATOR_ACTIONS:
            raise InvalidInput(f"Unknown action {action!r}.")
        now = now_s(self._clock)
        db = self._store.db
        async with db.transaction():
            mentor = await self._store.mentor(guild_id, mentor_user_id)
            if mentor is None:
                raise NotFound("That member has no mentor profile.")
            if action == "approve":
                if mentor.status == APPROVED:
                    raise Conflict("That mentor is already approved.")
                await self._store.set_mentor_status(mentor.id, APPROVED, now)
                await removals.lift(db, guild_id, mentor_user_id)
            elif action == "reject":
                if mentor.status != PENDING:
                    raise Conflict(f"Only pending mentors can be rejected (this one is "
                                   f"{mentor.status}).")
                await self._store.set_mentor_status(mentor.id, REJECTED, now)
            elif action == "pause":
                if mentor.paused:
                    raise Conflict("That mentor is already paused.")
                await self._registration.apply_pause(mentor, True)
            else:
                if mentor.status == REMOVED:
                    raise Conflict("That mentor is already removed.")
                await self._store.set_mentor_status(mentor.id, REMOVED, now)
                await removals.record(db, guild_id, mentor_user_id)
                await self._requests.move_on_offers_of(mentor.id, now, "moved")
            await self._notices.notify(MODERATOR_EVENTS[action], guild_id=guild_id,
                                       user_id=mentor_user_id)
            profile = await self._store.mentor(guild_id, mentor_user_id)
        assert profile is not None
        await self._pools.refresh(guild_id, [profile.id])
        return profile

    async def lift_removal(self, guild_id: int, user_id: int) -> bool:
        """A moderator lets a removed member register as a mentor again; True if removed."""
        async with self._store.db.transaction():
            return await removals.lift(self._store.db, guild_id, user_id)

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
        if status is not None and status not in MENTOR_STATUSES:
            raise InvalidInput(f"Unknown status {status!r}.")
        lists = []
        for column, key, vocabulary in (("specialties", specialty, SPECIALTIES),
                                        ("visas", visa, VISA_ROUTES),
                                        ("languages", language, LANGUAGES)):
            if key is not None:
                if key not in vocabulary:
                    raise InvalidInput(f"Unknown filter value {key!r}.")
                lists.append((column, key))
        return await self._store.roster(guild_id, status=status, lists=lists, has_room=has_room)

    async def roster_csv(self, guild_id: int) -> str:
        """The whole roster with pairing counts and average rating, as CSV text."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["user_id", "status", "paused", "specialties", "visas", "stage",
                         "languages", "timezone", "capacity", "active", "pairings_total",
                         "avg_rating", "registered_utc", "bio"])
        for r in await self._store.roster_rows(guild_id):
            registered = from_epoch(r["created_at"]).isoformat()
            avg = "" if r["avg_rating"] is None else f"{r['avg_rating']:.2f}"
            writer.writerow([r["user_id"], r["status"], r["paused"], r["specialties"], r["visas"],
                             r["stage"], r["languages"], r["timezone"], r["capacity"], r["active"],
                             r["pairings"], avg, registered, _csv_safe(r["bio"])])
        return out.getvalue()

    async def matching_mentor_ids(self, guild_id: int, topic_tags: Sequence[str]) -> list[int]:
        """User ids of approved, unpaused mentors whose specialty or visa experience matches any
        tag (vocabulary keys such as ``internal_medicine`` or ``j1``, or their labels)."""
        wanted = _tag_keys(topic_tags)
        if not wanted:
            return []
        return [user_id for user_id, keys in await self._store.open_mentor_topics(guild_id)
                if wanted & keys]


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
