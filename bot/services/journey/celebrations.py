"""Public and anonymous milestone celebrations: posts in the server's announcements channel,
as rows of the one outbox (kind ``journey_celebration``, enqueued with the milestone).

An anonymous celebration names nobody, and its row carries no member id (ref_id is the
milestone). A milestone deleted before its post (/privacy delete) is not celebrated.
"""

from __future__ import annotations

from datetime import datetime

from bot.outbox import DueItem, Handler, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey._models import CelebrationPost
from bot.services.journey._store import JourneyStore

KIND = "journey_celebration"
SETTING = "announcements_channel"


class Celebrations(Handler):
    policy = Policy(max_attempts=5, backoff_base_s=10, backoff_max_s=600)

    def __init__(self, store: JourneyStore, guild_settings: GuildSettingsService) -> None:
        self._store = store
        self._guild_settings = guild_settings

    async def channel(self, guild_id: int) -> int | None:
        value = (await self._guild_settings.get(guild_id)).get(SETTING)
        return int(value) if value else None

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        milestone = await self._store.milestone(item.ref_id or 0)
        if milestone is None:
            return Skip("the milestone was deleted", state="cancelled")
        channel_id = await self.channel(item.guild_id)
        if channel_id is None:
            return Skip("no announcements channel is set (/settings channel)", state="failed")
        user_id = None if milestone.visibility == "anonymous" else milestone.user_id
        return Send(CelebrationPost(channel_id, item.nonce, milestone.label, user_id))
