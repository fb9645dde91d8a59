"""Logging: one format for the bot and discord.py, with secrets redacted from every line.

Redaction works on the *formatted* line (message, arguments and traceback alike), so a secret
that reaches a log call through an exception or a library's debug output is still hidden. Two
kinds are removed: the secrets the bot knows in advance (its token), and secrets it only meets
while running, found by their shape:

- interaction and webhook tokens. discord.py's ``discord.http`` and ``discord.webhook.async_``
  loggers print every request URL at DEBUG, and an interaction's URL
  (``/interactions/{id}/{token}/callback``, ``/webhooks/{app}/{token}/messages/@original``)
  holds its token: for 15 minutes anyone holding it can read the private reply (an anonymous
  asker's claim code) and see who it was for. Every such path segment, every value under a
  ``token`` key, anything shaped like an interaction token (they all start with
  base64("interaction")) or a bot token, and any other opaque run of 60+ characters is masked;
- claim codes (``12-ABCDE-FGHJK-MNPQR-STVWX``), which let their holder act as an asker.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
REDACTED = "[redacted]"

#: (pattern, replacement): each keeps what is harmless (the route, the id) and masks the rest.
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/?#\s'\"]+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"aW50ZXJhY3Rpb24[\w.~%-]*"), REDACTED),
    # A bot token (base64 id, timestamp, HMAC), whoever's it is.
    (re.compile(r"\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,}"), REDACTED),
    # Any other long opaque run (a webhook token outside its URL): no id, name or word is
    # this long, and hiding a harmless one costs less than printing a secret.
    (re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{60,}"), REDACTED),
    (re.compile(r"""(["']?\btoken["']?\s*[:=]\s*["']?)[^"',}\s]+""", re.I), rf"\g<1>{REDACTED}"),
    (re.compile(r"\b(\d{1,18})-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}\b", re.I),
     rf"\g<1>-{REDACTED}"),
)


def redact(line: str, secrets: Iterable[str] = ()) -> str:
    """``line`` with the known ``secrets`` (longest first) and every token-shaped value masked."""
    for secret in secrets:
        line = line.replace(secret, REDACTED)
    for pattern, replacement in _SHAPES:
        line = pattern.sub(replacement, line)
    return line


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a secret that contains another is removed whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


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
#: APScheduler logs each timer it adds or removes at INFO. A command that queues work re-arms
#: the scheduler at once, so those lines would date member actions, an anonymous asker's
#: included; its warnings and errors (a job that failed, a missed run) still show.
SCHEDULER_LOGGER = "apscheduler"


def quiet_revealing_loggers() -> None:
    """The gateway never below INFO, the scheduler never below WARNING; neither chattier than
    the rest of the log either (the sandbox runs at WARNING so its transcript stays readable)."""
    root_level = logging.getLogger().getEffectiveLevel()
    logging.getLogger(GATEWAY_LOGGER).setLevel(max(logging.INFO, root_level))
    logging.getLogger(SCHEDULER_LOGGER).setLevel(max(logging.WARNING, root_level))
