"""Resource URLs: what a member may submit, and the one key that detects duplicates."""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from bot.errors import InvalidInput

MAX_URL_LENGTH = 512
"""Long enough for deep official pages (travel.state.gov paths run ~110 chars), short enough for embeds."""

_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ref_src", "igshid", "si"})


def validate_url(raw: str) -> str:
    """Return ``raw`` stripped if it is an acceptable resource link, else raise InvalidInput.

    Accepted: https only, a real host name (no credentials, no IP literal, no localhost), at most
    MAX_URL_LENGTH characters, no whitespace or control characters.
    """
    url = raw.strip()
    if not url:
        raise InvalidInput("Please give a link.")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"That link is too long (at most {MAX_URL_LENGTH} characters).")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidInput("A link cannot contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput("That does not look like a valid link.") from None
    if parts.scheme.lower() != "https":
        raise InvalidInput("Only https:// links are accepted.")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("Links with a user name or password in them are not accepted.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidInput("That link has no website name.")
    if port not in (None, 443):
        raise InvalidInput("Links must use the standard https port.")
    if _is_ip(host) or host == "localhost" or "." not in host:
        raise InvalidInput("Please link to a public website by its name.")
    try:
        host.encode("idna")
    except UnicodeError:
        raise InvalidInput("That website name is not valid.") from None
    return url


def normalize_url(url: str) -> str:
    """The duplicate-detection key of a URL.

    Lowercase scheme and host, no ``www.``, no default port, no fragment, no trailing slash, no
    tracking parameters (utm_*, fbclid...), remaining query parameters sorted. Two links with
    the same key open the same page.
    """
    parts: SplitResult = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".").lower()
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
        )
    )
    return urlunsplit(("https", host, path, query, ""))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
