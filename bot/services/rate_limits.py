"""In-memory rate limits shared by the capabilities.

:class:`SlidingWindow` counts hits per key. :class:`TargetLimiter` bounds how often members can
make the bot reach *someone else*, a DM or a ping, per target: one member looping
request/withdraw must not send a mentor 25 offer DMs, nor many accounts together. Both live
only in memory, so a restart resets them (the price of keeping no log of who contacted whom).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, Literal, TypeVar

from bot.clock import Clock

K = TypeVar("K", bound=Hashable)


class SlidingWindow(Generic[K]):
    """At most ``limit`` hits per key within any ``window``."""

    def __init__(self, limit: int, window: timedelta) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window.total_seconds()
        self._hits: dict[K, deque[float]] = {}

    def _recent(self, key: K, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def count(self, keys: tuple[K, ...], now: float) -> int:
        return sum(len(self._recent(k, now)) for k in keys)

    def retry_after(self, keys: tuple[K, ...], now: float) -> float:
        """Seconds until one more hit is allowed for the union of ``keys`` (0 = allowed now)."""
        merged = sorted(t for k in keys for t in self._recent(k, now))
        if len(merged) < self.limit:
            return 0.0
        oldest_that_must_expire = merged[len(merged) - self.limit]
        return max(0.0, oldest_that_must_expire + self.window - now)

    def hit(self, key: K, now: float) -> None:
        self._hits.setdefault(key, deque()).append(now)

    def forget(self, keys: tuple[K, ...]) -> None:
        for k in keys:
            self._hits.pop(k, None)

    def prune(self, now: float) -> None:
        for key in list(self._hits):
            self._recent(key, now)

    def next_expiry(self) -> float | None:
        """When the first bucket becomes empty (and is dropped by ``prune``)."""
        if not self._hits:
            return None
        return min(hits[-1] for hits in self._hits.values()) + self.window

    def __len__(self) -> int:
        return len(self._hits)


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    per_target: int
    """How often the target may be reached within ``window``, by everyone together."""
    window: timedelta
    per_sender: int | None = None
    """How often one member may make the bot reach the same target within ``window`` (None:
    the sender is not known, as for anonymous questions)."""


class TargetLimiter:
    """A :class:`TargetPolicy` in force. Targets and senders are whatever keys the caller
    uses (a guild and user id, a role id); nothing is kept past the window."""

    def __init__(self, clock: Clock, policy: TargetPolicy) -> None:
        self._clock = clock
        self.policy = policy
        self._targets = SlidingWindow[Hashable](policy.per_target, policy.window)
        self._pairs = (
            SlidingWindow[Hashable](policy.per_sender, policy.window)
            if policy.per_sender
            else None
        )

    def refusal(
        self, target: Hashable, sender: Hashable | None = None
    ) -> Literal["sender", "target"] | None:
        """Which limit one more contact would break ("sender" first), or None if allowed."""
        now = self._clock.now().timestamp()
        pairs = self._pairs
        if sender is not None and pairs and pairs.retry_after(((sender, target),), now):
            return "sender"
        if self._targets.retry_after((target,), now):
            return "target"
        return None

    def hit(self, target: Hashable, sender: Hashable | None = None) -> None:
        now = self._clock.now().timestamp()
        # Contacts are rare (a request, a registration): dropping idle keys here keeps memory
        # bounded by the contacts of one window, without a timer.
        self._targets.prune(now)
        self._targets.hit(target, now)
        if sender is not None and self._pairs is not None:
            self._pairs.prune(now)
            self._pairs.hit((sender, target), now)
