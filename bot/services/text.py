"""The one sanitiser for member-written text that the bot shows to anyone else.

Two layers, used everywhere (study groups, sessions, resource suggestions, mentor profiles,
anonymous questions):

- **On input** (services, before storing): :func:`sanitize` for text with lines (descriptions,
  bios, questions) and :func:`sanitize_line` for one-line fields (names, titles, tags). They
  remove what a reader cannot see or what makes the text act as something else: invisible and
  bidi characters, mentions, invites, masked links (``[ECFMG notice](https://evil)``) and, in
  text with lines, headings and subtext that would pass for a notice in the bot's voice.
- **On display** (where a stored one-line field is pasted into the bot's own markdown, e.g.
  ``**{group name}**``): :func:`md` escapes markdown so the field cannot close the bot's bold,
  open its own, or start a link. Stored text is never escaped, so plain-text places (event
  names, .ics files, autocomplete) show it without backslashes.

The bot also sends every message with an explicit ``allowed_mentions``; neutralising mentions
here is the second defence, and it keeps the *rendered* text from showing a highlighted mention.
Links a member gives as a field (a meeting link, a resource URL) are checked by
``bot.services.links``, not here.
"""

from __future__ import annotations

import re
import unicodedata

# Every "format" character (Unicode category Cf) is invisible: zero-width space/joiners, the
# word joiner, BOM, bidi overrides and isolates (which make text read differently than it is
# stored). The characters below are not Cf but are invisible or blank too.
_EXTRA_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")

_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_USER_MENTION = re.compile(r"<@!?\d+>")
_ROLE_MENTION = re.compile(r"<@&\d+>")
_CHANNEL_MENTION = re.compile(r"<#\d+>")
# A slash-command mention </name:id> renders as a clickable command in the bot's voice.
_COMMAND_MENTION = re.compile(r"</[^<>:\n]{1,100}:\d+>")
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
# A masked link needs "]" right before "(" (Discord, like CommonMark); with the pair broken no
# masked link can form, however the brackets are nested or escaped.
_LINK_JOIN = re.compile(r"\]\(")
# Headings (#, ##, ###) and subtext (-#) at the start of a line, after optional blanks and
# list or quote markers; escaping the first character keeps the text and drops the styling.
_LINE_STYLE = re.compile(r"^([ \t]*(?:>{1,3}[ \t]*)?(?:[-*+][ \t]+|\d+[.)][ \t]+)?)(-?#)", re.MULTILINE)
# Markdown's special characters in a one-line field pasted into the bot's own markdown; "#", "-"
# and "+" style only at the start of a line (a heading, subtext or list).
_MARKDOWN = re.compile(r"([\\*_~|`\[\]<>])|^([#+-])")

INVITE_PLACEHOLDER = "[invite link removed]"
FULLWIDTH_AT = "\uff20"  # looks like "@" but Discord never parses it as a mention


def is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or ch in _EXTRA_INVISIBLE


def sanitize(text: str) -> str:
    """``text`` (which may have lines) with nothing that could ping, invite, hide or pose.

    - invisible and bidi characters are removed first, so they cannot split ``@every\u200bone``,
      an invite or a name into pieces that only join up on the reader's screen;
    - ``@everyone``/``@here`` get a full-width at sign (U+FF20), which never pings;
    - user, role, channel and command mentions become ``@member``, ``@role``, ``#channel``,
      ``/command``;
    - Discord invite links become ``[invite link removed]``;
    - masked links lose their mask: ``[text](url)`` shows as ``[text] (url)``, the real address;
    - headings and subtext at the start of a line are shown as typed, not styled;
    - ``\\r\\n`` becomes ``\\n`` and surrounding whitespace is stripped.
    Other markdown (bold, lists, code) is kept: members use it to format their text.
    """
    return _LINE_STYLE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", _neutralise(text)).strip()


def sanitize_line(text: str) -> str:
    """:func:`sanitize` for a one-line field (name, title, tag): all whitespace runs, line
    breaks included, become one space. A leading ``#`` is kept as typed: the field is plain
    text (event names, autocomplete), and :func:`md` escapes it where markdown renders."""
    return " ".join(_neutralise(text).split())


def _neutralise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # ASCII holds no invisible character: skip the per-character walk
        text = "".join(ch for ch in text if not is_invisible(ch))
    text = _INVITE.sub(INVITE_PLACEHOLDER, text)
    text = _USER_MENTION.sub("@member", text)
    text = _ROLE_MENTION.sub("@role", text)
    text = _CHANNEL_MENTION.sub("#channel", text)
    text = _COMMAND_MENTION.sub("/command", text)
    text = _MASS_MENTION.sub(lambda m: FULLWIDTH_AT + m.group(1), text)
    return _LINK_JOIN.sub("] (", text)


def one_line(text: str) -> str:
    """Text with lines, sanitised and shown on one line (a quoted snippet in a list)."""
    return " ".join(sanitize(text).split())


def md(text: str) -> str:
    """A one-line field escaped for pasting into the bot's own markdown (``**{name}**``).

    Applied on display, never stored. ``text`` is sanitised first, so rows stored before the
    sanitiser existed are safe to show too."""
    return _MARKDOWN.sub(lambda m: "\\" + (m.group(1) or m.group(2)), sanitize_line(text))


def could_ping(text: str) -> bool:
    """True when Discord would render a mention or invite in ``text``, or ``text`` hides
    characters (used by tests and checks)."""
    return bool(
        _MASS_MENTION.search(text)
        or _USER_MENTION.search(text)
        or _ROLE_MENTION.search(text)
        or _CHANNEL_MENTION.search(text)
        or _INVITE.search(text)
        or any(is_invisible(ch) for ch in text)
    )
