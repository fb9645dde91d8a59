"""A journey service on the migrated temp database, with a small calendar of its own (the
shipped file may change; these tests must not) and a DM sink that deduplicates nonces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import DueItem, Outbox, Receipt, Report
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey import (
    REMINDER_KIND,
    ChannelPost,
    JourneyService,
    ReminderDm,
    parse_calendar,
)
from bot.services.study_groups import StudyGroupService
from cogs.journey.posts import render_post, render_reminder

GUILD = 800000000000000001
ALICE, BOB, MOD = 2001, 2002, 2003


def _step(step_id: str, at: str, **extra: object) -> dict:
    step = {"id": step_id, "title": step_id.replace("_", " ").title(), "at": at,
            "zone": "America/New_York", "applies_to": ["everyone"], "status": "confirmed",
            "source": "https://www.nrmp.org/residency/med-school-official/",
            "verified": date(2026, 12, 6)}
    step.update(extra)
    return step


CALENDAR = {"version": 1, "cycles": [{
    "id": "2026", "name": "2026 Match", "starts": date(2025, 6, 1), "ends": date(2026, 7, 31),
    "steps": [
        _step("rank_order_list_opens", "2026-01-15T12:00"),
        _step("rank_order_list_deadline", "2026-02-25T21:00", status="projected",
              rule="9:00 p.m. ET, three weeks before Match Week"),
        _step("j1_only", "2026-05-01T09:00", applies_to=["visa:j1"]),
        _step("old_news", "2025-12-01T09:00"),
    ],
}]}


class Rendered:
    """What the service handed the cog (``message``, its fields readable here too) and the
    ``content`` the cog renders from it."""

    def __init__(self, message: ChannelPost | ReminderDm) -> None:
        self.message = message
        self.content = (render_reminder(message) if isinstance(message, ReminderDm)
                        else render_post(message))

    def __getattr__(self, name: str) -> object:
        return getattr(self.message, name)


@dataclass
class FakeDms:
    sent: list[Rendered] = field(default_factory=list)
    by_nonce: dict[str, int] = field(default_factory=dict)

    async def send(self, item: DueItem, message: ReminderDm) -> Receipt:
        if message.nonce not in self.by_nonce:
            self.sent.append(Rendered(message))
            self.by_nonce[message.nonce] = 950000000000000000 + len(self.sent)
        return Receipt(self.by_nonce[message.nonce])


@dataclass
class FakeChannel:
    posts: list[Rendered] = field(default_factory=list)

    async def send(self, item: DueItem, message: ChannelPost) -> Receipt:
        self.posts.append(Rendered(message))
        return Receipt(len(self.posts), channel_id=message.channel_id)


@pytest.fixture
def outbox(db: Database, clock: ManualClock) -> Outbox:
    return Outbox(db, clock, worker_id="worker-1")


@pytest.fixture
def journey(db: Database, clock: ManualClock, outbox: Outbox) -> JourneyService:
    settings = GuildSettingsService(db, clock)
    return JourneyService(db, clock, outbox, settings,
                          StudyGroupService(db, clock, settings, outbox=outbox),
                          cycles=parse_calendar(CALENDAR))


@pytest.fixture
def dms(outbox: Outbox) -> FakeDms:
    sink = FakeDms()
    outbox.attach_sender(REMINDER_KIND, sink)
    return sink


async def run(outbox: Outbox, clock: ManualClock, at: datetime) -> Report:
    clock.set(at)
    return await outbox.run_due(at)
