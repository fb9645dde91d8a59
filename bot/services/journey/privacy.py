"""What the journey holds about a member, for /privacy export and delete."""

from __future__ import annotations

from typing import Any

from bot.outbox import Outbox
from bot.services.journey._store import JourneyStore
from bot.services.journey.reminders import KIND
from bot.services.privacy import PrivacyContributor


class JourneyPrivacy:
    def __init__(self, store: JourneyStore, outbox: Outbox) -> None:
        self._store = store
        self._outbox = outbox

    def contributor(self) -> PrivacyContributor:
        return PrivacyContributor(
            "journey", self.export_member, self.delete_member, self.pause_member,
            summary="Journey: your exam dates, milestones, visa route and stage for the Match "
            "calendar, and your calendar reminders (they stop).",
        )

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        profile = await self._store.journey_profile(guild_id, user_id)
        return {
            "profile": None if profile is None else {"visa": profile.visa, "stage": profile.stage},
            "following_calendar": await self._store.follow_id(guild_id, user_id) is not None,
            "exam_dates": [{"exam": e.exam, "date": e.text()}
                           for e in await self._store.exams(guild_id, user_id)],
            "milestones": [{"milestone": m.label, "visibility": m.visibility,
                            "added_at": m.created_at.isoformat()}
                           for m in await self._store.milestones(guild_id, user_id)],
            "cohorts_passed": await self._store.cohorts_done(guild_id, user_id),
        }

    async def pause_member(self, guild_id: int, user_id: int) -> None:
        """The member left: no more reminders (their data waits for the retention sweep)."""
        async with self._store.db.transaction():
            follow_id = await self._store.follow_id(guild_id, user_id)
            if follow_id is not None:
                await self._outbox.cancel([KIND], follow_id, "the member left the server")
                await self._store.remove_follow(follow_id)

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        async with self._store.db.transaction():
            follow_id = await self._store.follow_id(guild_id, user_id)
            if follow_id is not None:
                await self._outbox.cancel([KIND], follow_id, "the member deleted their data")
            await self._store.delete_member(guild_id, user_id)
