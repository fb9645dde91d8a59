"""Limits and splitting of anonymous questions. Their text goes through the one sanitiser
(bot/services/text.py), like every member text the bot posts."""

from __future__ import annotations

from bot.services.text import could_ping, sanitize

__all__ = ["could_ping", "sanitize", "split_message"]

MESSAGE_LIMIT = 2000
"""Discord's limit for a message's ``content`` (characters)."""

MAX_QUESTION_CHARS = 4000
"""Longest question body accepted *after* sanitising (the modal also caps raw input at 4000)."""

MAX_FOLLOWUP_CHARS = 4000
MAX_TITLE_CHARS = 100
MAX_TAG_CHARS = 40


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters, preferring line then word
    boundaries so a chunk does not end mid-word unless a single word is longer than ``limit``.
    Every character is kept except the one whitespace character a split happens on."""
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            chunks.append(rest[:limit])
            rest = rest[limit:]
            continue
        chunks.append(rest[:cut])
        rest = rest[cut + 1 :]
    if rest or not chunks:
        chunks.append(rest)
    return chunks
