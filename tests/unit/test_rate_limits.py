from datetime import timedelta

from bot.clock import ManualClock
from bot.services.rate_limits import TargetLimiter, TargetPolicy
from tests.conftest import CLOCK_START


def test_one_sender_and_everyone_together_are_bounded_per_target_then_forgotten() -> None:
    clock = ManualClock(CLOCK_START)
    limiter = TargetLimiter(clock, TargetPolicy(per_target=3, window=timedelta(hours=1),
                                                per_sender=2))
    for _ in range(2):
        assert limiter.refusal("mentor", "eve") is None
        limiter.hit("mentor", "eve")
    assert limiter.refusal("mentor", "eve") == "sender"
    assert limiter.refusal("other mentor", "eve") is None  # per target, not per sender
    limiter.hit("mentor", "bob")
    assert limiter.refusal("mentor", "carol") == "target"
    clock.advance(timedelta(hours=1))
    assert limiter.refusal("mentor", "eve") is None
    limiter.hit("someone", "x")  # hits drop what has expired
    assert len(limiter._targets) == 1 and len(limiter._pairs or ()) == 1


def test_without_senders_only_the_target_counts() -> None:
    clock = ManualClock(CLOCK_START)
    limiter = TargetLimiter(clock, TargetPolicy(per_target=1, window=timedelta(days=1)))
    limiter.hit(42)
    assert limiter.refusal(42) == "target" and limiter.refusal(43) is None
