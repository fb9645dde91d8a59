"""The domain: plain async Python, no discord import (a test enforces it).

`Services` is the one place the capabilities' services are built, from the database, the
settings and the clock, and handed to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.services.anonymous import AnonymousLimits, AnonymousService
from bot.services.guild_settings import GuildSettingsService


@dataclass(frozen=True)
class Services:
    guild_settings: GuildSettingsService
    anonymous: AnonymousService

    @classmethod
    def build(cls, db: Database, settings: Settings, clock: Clock) -> Services:
        guild_settings = GuildSettingsService(db, clock)
        anonymous_limits = AnonymousLimits(
            publish_delay_min_s=settings.anon_publish_delay_min_s,
            publish_delay_max_s=settings.anon_publish_delay_max_s,
            questions_per_hour=settings.anon_questions_per_hour,
        )
        return cls(
            guild_settings=guild_settings,
            anonymous=AnonymousService(db, guild_settings, clock, anonymous_limits),
        )
