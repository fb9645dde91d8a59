"""Make member-written text safe to post as the bot.

The bot always sends member text with ``AllowedMentions.none()``, so nothing here is the only
defence against pings; it is the second one, and it also keeps the *rendered* text from
showing a highlighted mention, an invite or hidden characters that a reader cannot see.
"""

from __future__ import annotations

import re
import unicodedata

MESSAGE_LIMIT = 2000
"""Discord's limit for a message's ``content`` (characters)."""

MAX_QUESTION_CHARS = 4000
"""Longest question body accepted *after* sanitising (the modal also caps raw input at 4000)."""

MAX_FOLLOWUP_CHARS = 4000
MAX_TITLE_CHARS = 100
MAX_TAG_CHARS = 40

# Every "format" character (Unicode category Cf) is invisible: zero-width space/joiners, the
# word joiner, BOM, bidi overrides (which can make text read differently than it is stored).
# The characters below are not Cf but are invisible or blank too.
_EXTRA_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")

_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_USER_MENTION = re.compile(r"<@!?\d+>")
_ROLE_MENTION = re.compile(r"<@&\d+>")
_CHANNEL_MENTION = re.compile(r"<#\d+>")
# discord.gg/x, discord.com/invite/x, discordapp.com/invite/x, discord.me/x, dsc.gg/x, with or
# without a scheme; whatever follows the host up to whitespace is part of the link.
_INVITE = re.compile(
    r"(?:https?://)?(?:www\.)?"
    r"(?:discord(?:app)?\.com/invite|discord\.(?:gg|io|li|me)|dsc\.gg)"
    # The code part is optional: a bare "discord.com/invite" is neutralised too, so no
    # fragment of an invite survives next to text that could complete it.
    r"(?:(?:/|\\/)+\S*)?",
    re.IGNORECASE,
)

INVITE_PLACEHOLDER = "[invite link removed]"
FULLWIDTH_AT = "\uff20"  # looks like "@" but Discord never parses it as a mention


def _is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or ch in _EXTRA_INVISIBLE


def sanitize(text: str) -> str:
    """Return ``text`` with nothing that could ping, invite or hide.

    - invisible characters are removed first, so they cannot split ``@every\u200bone`` or an
      invite into pieces that only join up again on the reader's screen;
    - ``@everyone``/``@here`` get a full-width at sign (U+FF20), which never pings;
    - user, role and channel mentions become ``@member``, ``@role``, ``#channel``;
    - Discord invite links become ``[invite link removed]``;
    - ``\\r\\n`` becomes ``\\n`` and surrounding whitespace is stripped.
    Markdown is left alone: it cannot ping, and members use it to format their question.
    """
    text = "".join(
        ch for ch in text.replace("\r\n", "\n").replace("\r", "\n") if not _is_invisible(ch)
    )
    text = _INVITE.sub(INVITE_PLACEHOLDER, text)
    text = _USER_MENTION.sub("@member", text)
    text = _ROLE_MENTION.sub("@role", text)
    text = _CHANNEL_MENTION.sub("#channel", text)
    text = _MASS_MENTION.sub(lambda m: FULLWIDTH_AT + m.group(1), text)
    return text.strip()


def could_ping(text: str) -> bool:
    """True when Discord would render a mention or invite in ``text`` (used by tests and checks)."""
    return bool(
        _MASS_MENTION.search(text)
        or _USER_MENTION.search(text)
        or _ROLE_MENTION.search(text)
        or _CHANNEL_MENTION.search(text)
        or _INVITE.search(text)
        or any(_is_invisible(ch) for ch in text)
    )


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
