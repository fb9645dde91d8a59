"""Reliability fixtures: the e2e harness (re-exported) plus a watch on the bot's log.

``log_errors`` collects every ERROR record from any logger while the test runs: the bot's own
"unexpected error ref=..." lines, discord.py's "Ignoring exception in ..." and asyncio's
"Task exception was never retrieved". Tests assert it stays empty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import ada, alice, bob, channels, discord, e2e, mira, roles

__all__ = ["ada", "alice", "bob", "channels", "discord", "e2e", "log_errors", "mira", "roles"]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
        return [formatter.format(r) for r in self.records]


@pytest.fixture
def log_errors() -> Iterator[_Collect]:
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
