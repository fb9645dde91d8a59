"""In-memory member limits keyed by a rotating HMAC: they limit, rotate and forget."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.anonymous._limits import MemberKeys, MemberLimiter, SlidingWindow

ALICE = 111111111111111111
BOB = 222222222222222222


def test_sliding_window_allows_limit_then_reports_wait() -> None:
    window = SlidingWindow[str](3, timedelta(hours=1))
    for t in (0.0, 10.0, 20.0):
        assert window.retry_after(("k",), t) == 0
        window.hit("k", t)
    assert window.retry_after(("k",), 30.0) == pytest.approx(3570.0)
    assert window.retry_after(("k",), 3600.0) == 0
    assert window.retry_after(("other",), 30.0) == 0


def test_member_limiter_counts_each_member_separately(clock: ManualClock) -> None:
    limiter = MemberLimiter(MemberKeys(clock), clock, limit=3, window=timedelta(hours=1))
    for _ in range(3):
        assert limiter.retry_after(ALICE) == 0
        limiter.hit(ALICE)
    assert limiter.retry_after(ALICE) == 3600
    assert limiter.retry_after(BOB) == 0
    clock.advance(timedelta(minutes=59, seconds=59))
    assert limiter.retry_after(ALICE) == 1
    clock.advance(timedelta(seconds=1))
    assert limiter.retry_after(ALICE) == 0


def test_keys_are_not_the_id_and_change_on_rotation(clock: ManualClock) -> None:
    keys = MemberKeys(clock)
    first = keys.keys(ALICE)
    assert len(first) == 1 and str(ALICE).encode() not in first[0]
    assert keys.keys(ALICE) == first  # stable within a period
    assert keys.keys(BOB) != first
    clock.advance(timedelta(hours=24))
    rotated = keys.keys(ALICE)
    assert keys.generation == 1
    assert rotated[0] != first[0]
    assert rotated[1] == first[0]  # previous secret kept for the grace period only
    clock.advance(timedelta(hours=1))
    assert keys.keys(ALICE) == (rotated[0],)


def test_secret_must_rotate_at_least_daily(clock: ManualClock) -> None:
    with pytest.raises(ValueError):
        MemberKeys(clock, rotate_every=timedelta(hours=25))


def test_limit_survives_rotation_within_the_grace_period(clock: ManualClock) -> None:
    keys = MemberKeys(clock, rotate_every=timedelta(hours=24), grace=timedelta(hours=1))
    limiter = MemberLimiter(keys, clock, limit=2, window=timedelta(hours=1))
    clock.advance(timedelta(hours=23, minutes=50))
    limiter.hit(ALICE)
    limiter.hit(ALICE)
    clock.advance(timedelta(minutes=15))  # rotation happened 5 minutes ago
    assert limiter.retry_after(ALICE) > 0
    clock.advance(timedelta(minutes=50))
    assert limiter.retry_after(ALICE) == 0


def test_a_new_process_forgets_every_limit(clock: ManualClock) -> None:
    """The documented trade-off: the secret is never stored, so a restart resets limits."""
    before = MemberLimiter(MemberKeys(clock), clock, limit=1, window=timedelta(hours=1))
    before.hit(ALICE)
    assert before.retry_after(ALICE) > 0
    after_restart = MemberLimiter(MemberKeys(clock), clock, limit=1, window=timedelta(hours=1))
    assert after_restart.retry_after(ALICE) == 0


async def test_upkeep_drops_buckets_and_rotates_without_any_activity(
    clock: ManualClock, db: Database
) -> None:
    from bot.services.anonymous import AnonymousService
    from bot.services.guild_settings import GuildSettingsService

    service = AnonymousService(db, GuildSettingsService(db, clock), clock)
    service._asks.hit(ALICE)
    assert service._asks.bucket_count() == 1
    due = await service.upkeep.next_due()
    assert due == clock.now() + timedelta(hours=1)  # the bucket's last hit + window
    clock.set(due)
    await service.upkeep.run_due(clock.now())
    assert service._asks.bucket_count() == 0  # nothing about ALICE left in memory
    assert await service.upkeep.next_due() == clock.now() + timedelta(hours=23)  # next rotation
    clock.advance(timedelta(hours=23))
    await service.upkeep.run_due(clock.now())
    assert service.member_keys.generation == 1
    assert await service.upkeep.next_due() == clock.now() + timedelta(
        hours=1
    )  # old secret dropped then
    clock.advance(timedelta(hours=1))
    await service.upkeep.run_due(clock.now())
    assert service.member_keys._previous is None
