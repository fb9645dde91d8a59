"""Mock interviews on the migrated temp database, with senders that keep what they were given."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import DueItem, Outbox, Receipt
from bot.services.preparation import MOCK_DM_KIND, MOCK_PAIR_KIND, MockDm, MockInterviews, PairThread

GUILD = 800000000000000002
MOD, CHANNEL = 3001, 4001


@dataclass
class Sink:
    """Keeps each payload once per nonce (as Discord deduplicates a resent nonce)."""

    sent: list[object] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)

    async def send(self, item: DueItem, message: PairThread | MockDm) -> Receipt:
        if message.nonce not in self.nonces:
            self.nonces.add(message.nonce)
            self.sent.append(message)
        return Receipt(len(self.sent))

    def of(self, kind: type) -> list:
        return [m for m in self.sent if isinstance(m, kind)]


@pytest.fixture
def outbox(db: Database, clock: ManualClock) -> Outbox:
    return Outbox(db, clock, worker_id="worker-1")


@pytest.fixture
def mock(db: Database, clock: ManualClock, outbox: Outbox) -> MockInterviews:
    return MockInterviews(db, clock, outbox)


@pytest.fixture
def threads(outbox: Outbox) -> Sink:
    sink = Sink()
    outbox.attach_sender(MOCK_PAIR_KIND, sink)
    return sink


@pytest.fixture
def dms(outbox: Outbox) -> Sink:
    sink = Sink()
    outbox.attach_sender(MOCK_DM_KIND, sink)
    return sink


async def member(db: Database, user_id: int, zone: str = "Asia/Kolkata",
                 languages: str | None = None, mentor: bool = False) -> None:
    """A member with a zone (and a mentee or approved mentor profile with ``languages``)."""
    await db.execute("INSERT INTO member_timezones (user_id, zone, updated_at) VALUES (?, ?, 0)",
                     (user_id, zone))
    if mentor:
        await db.execute(
            "INSERT INTO mentors (guild_id, user_id, specialties, visas, stage, languages, "
            "timezone, capacity, status, created_at, updated_at) VALUES "
            "(?, ?, 'internal_medicine', 'j1', 'matched', ?, ?, 2, 'approved', 0, 0)",
            (GUILD, user_id, languages or "en", zone))
    elif languages is not None:
        await db.execute(
            "INSERT INTO mentees (guild_id, user_id, specialty, visa, stage, languages, timezone, "
            "created_at, updated_at) VALUES (?, ?, 'internal_medicine', 'j1', 'step1', ?, ?, 0, 0)",
            (GUILD, user_id, languages, zone))
