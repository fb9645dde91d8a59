"""In-memory rate limits that never learn who anyone is.

Buckets for members are keyed by ``HMAC-SHA256(secret, user id)``. The secret is random, lives
only in this process's memory and is replaced at least every ``rotate_every``; it is never
written anywhere. A key therefore cannot be turned back into an id (no one holds the secret
outside this object) and keys from different days cannot be linked. The price: a restart
forgets every limit (documented in the README).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.services.rate_limits import SlidingWindow


class MemberKeys:
    """Turns a user id into an opaque, unlinkable-across-rotations bucket key.

    After a rotation the previous secret is kept for ``grace`` (the longest window that uses
    these keys) so a limit does not reset at rotation time; after that it is dropped.
    """

    def __init__(
        self,
        clock: Clock,
        rotate_every: timedelta = timedelta(hours=24),
        grace: timedelta = timedelta(hours=1),
    ) -> None:
        if rotate_every > timedelta(hours=24):
            raise ValueError("the secret must rotate at least daily")
        self._clock = clock
        self.rotate_every = rotate_every
        self.grace = grace
        self._secret = secrets.token_bytes(32)
        self._previous: bytes | None = None
        self._rotated_at = clock.now()
        self.generation = 0

    def _maybe_rotate(self) -> None:
        now = self._clock.now()
        if now - self._rotated_at >= self.rotate_every:
            self.rotate()
        elif self._previous is not None and now - self._rotated_at >= self.grace:
            self._previous = None

    def rotate(self) -> None:
        """Replace the secret now (the old one is kept only for the grace period)."""
        self._previous = self._secret
        self._secret = secrets.token_bytes(32)
        self._rotated_at = self._clock.now()
        self.generation += 1

    def next_change(self) -> datetime:
        """When the previous secret is dropped, or else when the next rotation is due."""
        if self._previous is not None:
            return self._rotated_at + self.grace
        return self._rotated_at + self.rotate_every

    def maintain(self) -> None:
        self._maybe_rotate()

    def keys(self, user_id: int) -> tuple[bytes, ...]:
        """The current key first, then (during the grace period) the previous secret's key."""
        self._maybe_rotate()
        message = str(user_id).encode("ascii")
        current = hmac.new(self._secret, message, hashlib.sha256).digest()
        if self._previous is None:
            return (current,)
        return (current, hmac.new(self._previous, message, hashlib.sha256).digest())


class MemberLimiter:
    """A sliding-window limit per member, keyed through :class:`MemberKeys`."""

    def __init__(self, keys: MemberKeys, clock: Clock, limit: int, window: timedelta) -> None:
        self._keys = keys
        self._clock = clock
        self._window = SlidingWindow[bytes](limit, window)

    @property
    def limit(self) -> int:
        return self._window.limit

    def retry_after(self, user_id: int) -> int:
        """Whole seconds until this member may act again; 0 when allowed now."""
        now = self._clock.now().timestamp()
        return math.ceil(self._window.retry_after(self._keys.keys(user_id), now))

    def hit(self, user_id: int) -> None:
        now = self._clock.now().timestamp()
        self._window.hit(self._keys.keys(user_id)[0], now)

    def prune(self) -> None:
        self._window.prune(self._clock.now().timestamp())

    def next_expiry(self) -> float | None:
        return self._window.next_expiry()

    def bucket_count(self) -> int:
        return len(self._window)
