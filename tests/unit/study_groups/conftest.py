"""A study-groups service on the migrated temp database, with a guild that has an
announcements channel, and a sender that behaves like Discord's nonce deduplication."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import DueItem, Outbox, Receipt, Report, SendFailed
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups import KINDS, StudyGroupService
from bot.services.study_groups.models import OutgoingMessage
from bot.services.study_groups.outbox import lead_sql
from cogs.study_groups.views import render_announcement, render_dm

GUILD = 700000000000000001
CHANNEL = 700000000000000002
ROLE = 700000000000000003
ALICE, BOB, CAROL, DAN = 1001, 1002, 1003, 1004


class Posted:
    """A sent message: the service's data, and the ``content`` the cog rendered from it."""

    def __init__(self, message: OutgoingMessage) -> None:
        self.message = message
        self.content = (render_dm if message.kind == "dm" else render_announcement)(message)

    def __getattr__(self, name: str) -> object:
        return getattr(self.message, name)


@dataclass
class FakeDiscord:
    """Records posts; a repeated nonce returns the first message (enforce_nonce)."""

    posts: list[Posted] = field(default_factory=list)
    by_nonce: dict[str, int] = field(default_factory=dict)
    failures: list[SendFailed] = field(default_factory=list)  # raised by the next sends
    calls: int = 0

    async def send(self, item: DueItem, message: OutgoingMessage) -> Receipt:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        if message.nonce not in self.by_nonce:
            self.posts.append(Posted(message))
            self.by_nonce[message.nonce] = 900000000000000000 + len(self.posts)
        return Receipt(self.by_nonce[message.nonce], channel_id=message.channel_id)


def attach(service: StudyGroupService, sink: FakeDiscord) -> None:
    """``sink`` sends the study groups' rows (what the cog does when it loads)."""
    for kind in KINDS:
        service.outbox.attach_sender(kind, sink)


async def dispatch(service: StudyGroupService, now: datetime, sink: FakeDiscord) -> Report:
    """One run of the outbox with ``sink`` as Discord (what the timer does)."""
    attach(service, sink)
    return await service.outbox.run_due(now)


#: The study groups' rows of the one outbox, in the shape of the table they had before it
#: (tests read it; the service writes the outbox).
STUDY_OUTBOX_VIEW = (
    "CREATE VIEW study_outbox AS SELECT id, ref_id AS occurrence_id, "
    "CASE kind WHEN 'study_dm' THEN 'dm' ELSE 'announce' END AS kind, "
    "coalesce(recipient_id, 0) AS recipient_id, {lead} AS lead_seconds, "
    "due_at, next_attempt_at, nonce, state, attempts, claimed_by, claimed_at, channel_id, "
    "message_id, sent_at, last_error FROM outbox WHERE kind IN ('study_announce', 'study_dm')"
)


@pytest.fixture(autouse=True)
async def study_outbox_view(db: Database) -> None:
    await db.execute(STUDY_OUTBOX_VIEW.format(lead=lead_sql(db.dialect)))


@pytest.fixture
async def guild_settings(db: Database, clock: ManualClock) -> GuildSettingsService:
    service = GuildSettingsService(db, clock)
    await service.set(GUILD, "announcements_channel", CHANNEL)
    return service


@pytest.fixture
def service(db: Database, clock: ManualClock, guild_settings: GuildSettingsService) -> StudyGroupService:
    return StudyGroupService(db, clock, guild_settings, outbox=Outbox(db, clock, worker_id="worker-1"))


@pytest.fixture
def discord_sink() -> FakeDiscord:
    return FakeDiscord()
