"""Members' own profiles: registering and editing as a mentor (pending a moderator's review;
an approved mentor's new bio waits for one, see `profile_review`), the mentee profile, and a
mentor pausing themselves."""

from __future__ import annotations

from bot.clock import Clock
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.services.mentoring import removals
from bot.services.mentoring._models import now_s
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.pools import Pools
from bot.services.mentoring.profile_review import hold_bio_edit
from bot.services.mentoring.profiles import (
    APPROVED,
    PENDING,
    REJECTED,
    REMOVED,
    MenteeInput,
    MenteeProfile,
    MentorInput,
    MentorProfile,
)
from bot.services.mentoring.requests import Requests

REMOVED_BY_MODERATORS = ("Moderators removed you as a mentor here, and that stands: please ask "
                         "a moderator if you think it should change.")


class Registration:
    def __init__(self, store: MentoringStore, clock: Clock, pools: Pools,
                 requests: Requests) -> None:
        self._store = store
        self._clock = clock
        self._pools = pools
        self._requests = requests

    async def mentor(self, guild_id: int, user_id: int) -> MentorProfile | None:
        return await self._store.mentor(guild_id, user_id)

    async def mentee(self, guild_id: int, user_id: int) -> MenteeProfile | None:
        return await self._store.mentee(guild_id, user_id)

    async def register_mentor(self, guild_id: int, user_id: int,
                              data: MentorInput) -> MentorProfile:
        """A new (or, after a rejection, re-applying) mentor, pending a moderator's review. A
        member moderators removed cannot: see `removals`."""
        now = now_s(self._clock)
        async with self._store.db.transaction():
            existing = await self._store.mentor(guild_id, user_id)
            if existing is not None and existing.status in (PENDING, APPROVED):
                raise Conflict("You are already registered as a mentor: use `/mentor profile-edit`.")
            if await removals.is_removed(self._store.db, guild_id, user_id):
                raise Forbidden(REMOVED_BY_MODERATORS)
            if existing is None:
                await self._store.insert_mentor(guild_id, user_id, data, PENDING, now)
            else:
                if data.capacity < existing.active:
                    raise InvalidInput(f"You still have {existing.active} open pairings: "
                                       "capacity cannot be lower.")
                await self._store.reapply_mentor(existing.id, data, PENDING, now)
            profile = await self._store.mentor(guild_id, user_id)
        assert profile is not None
        await self._pools.refresh(guild_id, [profile.id])
        return profile

    async def edit_mentor(self, guild_id: int, user_id: int, data: MentorInput) -> MentorProfile:
        now = now_s(self._clock)
        async with self._store.db.transaction():
            existing = await self._store.mentor(guild_id, user_id)
            if existing is None or existing.status == REMOVED:
                raise NotFound("You have no mentor profile: register with `/mentor register`.")
            if data.capacity < existing.active:
                raise InvalidInput(f"You have {existing.active} open pairings: capacity cannot "
                                   f"go below that.")
            # Approved text is reviewed: the bio stored now may still be the approved one.
            bio = await hold_bio_edit(self._store.db, existing, data.bio, now)
            await self._store.update_mentor(existing.id, data, bio, now)
            if data.capacity <= existing.active:
                await self._requests.move_on_offers_of(existing.id, now, "moved")
            profile = await self._store.mentor(guild_id, user_id)
        assert profile is not None
        await self._pools.refresh(guild_id, [profile.id])
        return profile

    async def set_mentee_profile(self, guild_id: int, user_id: int,
                                 data: MenteeInput) -> MenteeProfile:
        await self._store.save_mentee(guild_id, user_id, data, now_s(self._clock))
        profile = await self._store.mentee(guild_id, user_id)
        assert profile is not None
        return profile

    async def set_paused(self, guild_id: int, user_id: int, paused: bool) -> int:
        """Pause or resume one's own mentoring; pausing moves pending requests on at once.

        Returns how many pending requests were moved to another mentor."""
        async with self._store.db.transaction():
            mentor = await self._store.mentor(guild_id, user_id)
            if mentor is None or mentor.status in (REJECTED, REMOVED):
                raise NotFound("You have no active mentor profile.")
            if mentor.paused == paused:
                raise Conflict("You are already paused." if paused else "You are not paused.")
            moved = await self.apply_pause(mentor, paused)
        await self._pools.refresh(guild_id, [mentor.id])
        return moved

    async def apply_pause(self, mentor: MentorProfile, paused: bool) -> int:
        """Pause or resume (inside the caller's transaction); pausing moves offers on."""
        now = now_s(self._clock)
        await self._store.set_mentor_paused(mentor.id, paused, now)
        return await self._requests.move_on_offers_of(mentor.id, now, "moved") if paused else 0

    async def check_not_removed(self, guild_id: int, user_id: int) -> None:
        """Refuse a member moderators removed before the registration form opens (and again
        on saving, in ``register_mentor``)."""
        if await removals.is_removed(self._store.db, guild_id, user_id):
            raise Forbidden(REMOVED_BY_MODERATORS)
