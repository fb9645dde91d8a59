"""Discord's 3-second window for an interaction's first answer, and work nobody can receive.

An overloaded bot falls behind: interactions wait in its queue until Discord would refuse
their answer (10062 Unknown interaction). Working on them anyway costs the CPU that the
interactions still answerable need, so the backlog grows. The tree skips them instead
(`FmgCommandTree.interaction_check`) once they lag by SHED_AFTER_S, which leaves a second for
the work and the answer's trip; an answer refused as expired all the same is counted, not
treated as a bug. Both counts are logged as one warning when interactions arrive in time again.

An interaction's age is read from its snowflake (Discord's clock) against the bot's. A host clock
that runs ahead would make every interaction look late, so ages are measured from the
smallest age seen lately (the network's latency plus any skew): only the lag on top of that
counts. The floor is the minimum over the current and the previous 10-second window, so after
the host clock is stepped forward (NTP catching up after boot, a resumed VM) the bot sheds for
at most 20 s, not until restart. The price: an overload lasting longer than that raises the
floor with it, so shedding then catches a backlog that grows by 2 s within 20 s, and answers
that arrive late anyway are counted (`answered_late`), not treated as errors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

import discord

log = logging.getLogger(__name__)

ANSWER_WINDOW_S = 3.0
SHED_AFTER_S = 2.0
FLOOR_WINDOW_S = 10.0
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
        self._late = 0

    def lag(self, created_at: datetime, now: datetime) -> float:
        """Seconds this interaction waited beyond the usual delivery delay."""
        age = (now - created_at).total_seconds()
        tick = self._monotonic()
        if tick - self._window_start >= FLOOR_WINDOW_S:
            self._window_start, self._previous_floor, self._floor = tick, self._floor, float("inf")
        self._floor = min(self._floor, age)
        return age - min(self._floor, self._previous_floor)

    def answerable(self, interaction: discord.Interaction, now: datetime) -> bool:
        if self.lag(interaction.created_at, now) >= SHED_AFTER_S:
            self._skipped += 1
            return False
        if self._skipped or self._late:
            log.warning("the bot was overloaded: skipped %d interactions that waited %g s or more, "
                        "%d answers came after Discord's %g s window", self._skipped, SHED_AFTER_S,
                        self._late, ANSWER_WINDOW_S)
            self._skipped = self._late = 0
        return True

    def answered_late(self) -> None:
        """Discord refused an answer as too late (counted, reported with the skips)."""
        self._late += 1
