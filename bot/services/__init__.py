"""The domain: plain async Python, no discord import (a test enforces it).

`Services` is the one place the capabilities' services are built, from the database, the
settings and the clock, and handed to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.resources import ResourceService


@dataclass(frozen=True)
class Services:
    guild_settings: GuildSettingsService
    resources: ResourceService

    @classmethod
    def build(cls, db: Database, settings: Settings, clock: Clock) -> Services:
        return cls(
            guild_settings=GuildSettingsService(db, clock),
            resources=ResourceService(db, clock, settings.resources_catalog),
        )
