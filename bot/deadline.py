"""Discord's 3-second window for an interaction's first answer, and work nobody can receive.

An overloaded bot falls behind: interactions wait in its queue until Discord would refuse
their answer (10062 Unknown interaction). Working on them anyway costs the CPU that the
interactions still answerable need, so the backlog grows; the tree skips them instead
(`FmgCommandTree.interaction_check`) with one warning per burst, and an answer refused as
expired is logged as such, not as a bug.

An interaction's age is read from its snowflake (Discord's clock) against the bot's. A host clock
that runs ahead would make every interaction look late, so ages are measured from the
smallest age seen lately (the network's latency plus any skew): only the lag on top of that
counts. The floor is the minimum over the current and the previous window, so it follows a
corrected clock within two windows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

import discord

log = logging.getLogger(__name__)

ANSWER_WINDOW_S = 3.0
FLOOR_WINDOW_S = 600.0
UNKNOWN_INTERACTION = 10062


def expired(error: BaseException) -> bool:
    """Discord refused an answer because the interaction's window had closed."""
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


class Deadline:
    """Whether an interaction can still be answered, robust to a skewed host clock."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._window_start = monotonic()
        self._floor = float("inf")
        self._previous_floor = float("inf")
        self._skipped = 0

    def lag(self, created_at: datetime, now: datetime) -> float:
        """Seconds this interaction waited beyond the usual delivery delay."""
        age = (now - created_at).total_seconds()
        tick = self._monotonic()
        if tick - self._window_start >= FLOOR_WINDOW_S:
            self._window_start, self._previous_floor, self._floor = tick, self._floor, float("inf")
        self._floor = min(self._floor, age)
        return age - min(self._floor, self._previous_floor)

    def answerable(self, interaction: discord.Interaction, now: datetime) -> bool:
        lag = self.lag(interaction.created_at, now)
        if lag < ANSWER_WINDOW_S:
            if self._skipped:
                log.warning("skipped %d interactions that waited past Discord's %g s window "
                            "(the bot was overloaded)", self._skipped, ANSWER_WINDOW_S)
                self._skipped = 0
            return True
        self._skipped += 1
        return False
