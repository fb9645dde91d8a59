"""Time as a dependency: services ask a Clock, so tests and the sandbox can move time by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, simulated clock jumps)."""

    def __init__(self, start: datetime) -> None:
        self._now = _require_aware(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = _require_aware(instant)


def to_epoch(instant: datetime) -> int:
    """Whole epoch seconds of an aware instant: how the database stores time."""
    return int(_require_aware(instant).timestamp())


def from_epoch(seconds: int) -> datetime:
    """The aware UTC instant for epoch seconds read from the database."""
    return datetime.fromtimestamp(seconds, UTC)


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("ManualClock needs a timezone-aware datetime")
    return instant.astimezone(UTC)
