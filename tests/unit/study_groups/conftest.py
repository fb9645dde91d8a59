"""A study-groups service on the migrated temp database, with a guild that has an
announcements channel, and a sender that behaves like Discord's nonce deduplication."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.models import OutgoingMessage
from bot.services.study_groups.outbox import SendFailed

GUILD = 700000000000000001
CHANNEL = 700000000000000002
ROLE = 700000000000000003
ALICE, BOB, CAROL, DAN = 1001, 1002, 1003, 1004


@dataclass
class FakeDiscord:
    """Records posts; a repeated nonce returns the first message (enforce_nonce)."""

    posts: list[OutgoingMessage] = field(default_factory=list)
    by_nonce: dict[str, int] = field(default_factory=dict)
    failures: list[SendFailed] = field(default_factory=list)  # raised by the next sends
    calls: int = 0

    async def send(self, message: OutgoingMessage) -> int:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        if message.nonce in self.by_nonce:
            return self.by_nonce[message.nonce]
        self.posts.append(message)
        self.by_nonce[message.nonce] = 900000000000000000 + len(self.posts)
        return self.by_nonce[message.nonce]


@pytest.fixture
async def guild_settings(db: Database, clock: ManualClock) -> GuildSettingsService:
    service = GuildSettingsService(db, clock)
    await service.set(GUILD, "announcements_channel", CHANNEL)
    return service


@pytest.fixture
def service(db: Database, clock: ManualClock, guild_settings: GuildSettingsService) -> StudyGroupService:
    return StudyGroupService(db, clock, guild_settings, worker_id="worker-1")


@pytest.fixture
def discord_sink() -> FakeDiscord:
    return FakeDiscord()
