"""Links a member gives as a field (a meeting link, a resource URL): the one validator.

A link is read the way browsers read it (the WHATWG URL standard's host parser), so what the
bot checks is what a member's browser opens:

- ``https://`` only, no user name or password, the standard port;
- the host is percent-decoded and mapped with UTS #46 (full-width letters and dots, case), then
  refused if it is an IP address in *any* form browsers accept: ``127.0.0.1``, ``127.1``,
  ``0x7f.1``, ``0177.0.0.1``, ``2130706433``, ``10.1`` (a host whose last label is a number is an
  IPv4 address to a browser), or IPv6 ``[::1]``; ``localhost`` and one-label names are refused too;
- characters that end a ``<...>`` wrapper or break out of markdown (``< > " ` { } | ^ \\``),
  whitespace, control and invisible characters are refused, so a shown link is exactly one link;
- the result is canonical ASCII: international host names in their ``xn--`` (punycode) form,
  non-ASCII characters, brackets and parentheses in the path percent-encoded.
  :attr:`Link.international` tells reviewers the host uses non-ASCII letters (a possible
  look-alike).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

import idna

from bot.errors import InvalidInput
from bot.services.text import is_invisible

MAX_LINK_LENGTH = 512
"""Long enough for deep official pages (travel.state.gov paths run ~110 chars), short enough for embeds."""

_REFUSED = frozenset('<>"`{}|^\\')
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")
_NUMBER = re.compile(r"(?:[0-9]+|0[xX][0-9a-fA-F]*)")
# Kept as typed in the path, query and fragment; everything else is percent-encoded, including
# brackets and parentheses, so no markdown link syntax survives in a shown link.
_SAFE_PATH = "!#$%&'*+,-./:;=?@~_"


@dataclass(frozen=True)
class Link:
    url: str
    """Canonical ASCII form: what is stored and shown."""
    host: str
    """ASCII host (``xn--`` labels for international names), no trailing dot."""

    @property
    def international(self) -> bool:
        return any(label.startswith("xn--") for label in self.host.split("."))

    def warning(self) -> str | None:
        """A note for reviewers when the host could be a look-alike, else None."""
        if not self.international:
            return None
        return (
            f"⚠️ `{self.host}` is an international website name (non-Latin letters, shown in "
            "its xn-- form): check it is the site it claims to be."
        )


def shown_link(url: str) -> str:
    """A stored link as shown in a message: ``<url>`` in its canonical form (the brackets stop
    the preview; the URL cannot contain ``>``), or a placeholder when it no longer passes."""
    try:
        return f"<{parse_link(url).url}>"
    except InvalidInput:
        return "(link hidden: not a valid https link)"


def link_warning(url: str) -> str | None:
    """:meth:`Link.warning` of a stored link; a link that no longer passes is flagged too."""
    try:
        return parse_link(url).warning()
    except InvalidInput as error:
        return f"⚠️ This link would be refused today: {error}"


def parse_link(raw: str, *, max_length: int = MAX_LINK_LENGTH) -> Link:
    """``raw`` as a :class:`Link`, or InvalidInput saying what is wrong with it."""
    url = raw.strip()
    if not url:
        raise InvalidInput("Please give a link.")
    if len(url) > max_length:
        raise InvalidInput(f"That link is too long (at most {max_length} characters).")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch in _REFUSED or is_invisible(ch)
           for ch in url):
        raise InvalidInput(
            "A link cannot contain spaces, control or invisible characters, or any of "
            "`< > \" { } | ^ \\` and the backtick."
        )
    if url[:8].lower() != "https://":
        raise InvalidInput("Only https:// links are accepted.")
    rest = url[8:]
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        raise InvalidInput("Links with a user name or password in them are not accepted.")
    if authority.startswith("["):
        raise InvalidInput("Please link to a public website by its name, not an IP address.")
    host_part, _, port = authority.partition(":") if authority.count(":") == 1 else (authority, "", "")
    if ":" in host_part or (port and not (port.isascii() and port.isdigit() and int(port) <= 65535)):
        raise InvalidInput("That does not look like a valid link.")
    if port and int(port) != 443:
        raise InvalidInput("Links must use the standard https port.")
    host = _ascii_host(host_part)
    return Link(url=f"https://{host}{quote(tail, safe=_SAFE_PATH)}", host=host)


def _ascii_host(raw: str) -> str:
    """The WHATWG host parser's domain branch, refusing every IP address form."""
    invalid = InvalidInput("That website name is not valid.")
    try:
        decoded = unquote(raw, errors="strict")
        mapped = idna.uts46_remap(decoded, std3_rules=False)
    except (UnicodeError, idna.IDNAError):
        raise invalid from None
    labels = mapped.split(".")
    if labels and labels[-1] == "":
        labels.pop()  # one trailing dot is allowed, and dropped
    if not labels:
        raise InvalidInput("That link has no website name.")
    if "" in labels:
        raise invalid
    if _NUMBER.fullmatch(labels[-1]):  # "ends in a number": browsers read an IPv4 address
        raise InvalidInput("Please link to a public website by its name, not an IP address.")
    ascii_labels = []
    for label in labels:
        try:
            if label.isascii():
                if label.startswith("xn--"):
                    idna.ulabel(label)  # browsers refuse broken punycode too
                ascii_label = label
            else:
                ascii_label = idna.alabel(label).decode("ascii")
        except (UnicodeError, idna.IDNAError):
            raise invalid from None
        if not _LABEL.fullmatch(ascii_label) or len(ascii_label) > 63:
            raise invalid
        ascii_labels.append(ascii_label)
    host = ".".join(ascii_labels)
    if len(labels) < 2 or host == "localhost" or host.endswith(".localhost") or len(host) > 253:
        raise InvalidInput("Please link to a public website by its name.")
    return host
