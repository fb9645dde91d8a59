"""Logging: one format for the bot and discord.py, with secrets redacted from every line.

Redaction works on the *formatted* line (message, arguments and traceback alike), so a token
that reaches a log call through an exception or a library's debug output is still hidden.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
REDACTED = "[redacted]"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a secret that contains another is removed whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        return line


def setup_logging(level: str, secrets: Iterable[str] = (), stream=None) -> logging.Handler:
    """Send all logging (ours and discord.py's) to one stream handler with redaction."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


#: discord.py (2.7) logs every gateway event in full at DEBUG, unconditionally
#: ("For Shard ID %s: WebSocket Event: %s"). An INTERACTION_CREATE holds the member who ran a
#: command, so at DEBUG the log would tie each `/ask` to its asker. The records are never
#: created: the bot (bot.app) keeps this logger at INFO whatever LOG_LEVEL says.
GATEWAY_LOGGER = "discord.gateway"


def quiet_gateway_payloads() -> None:
    """Never below INFO; never chattier than the rest of the log either (the sandbox runs at
    WARNING so its transcript stays readable)."""
    root_level = logging.getLogger().getEffectiveLevel()
    logging.getLogger(GATEWAY_LOGGER).setLevel(max(logging.INFO, root_level))
