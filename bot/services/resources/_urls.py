"""Resource URLs: what a member may submit, and the keys that detect duplicates: exact
(:func:`normalize_url`) and look-alike (:func:`lookalike_key`)."""

from __future__ import annotations

from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

import idna

from bot.services.confusables import skeleton
from bot.services.links import MAX_LINK_LENGTH, parse_link

MAX_URL_LENGTH = MAX_LINK_LENGTH

_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ref_src", "igshid", "si"})


def validate_url(raw: str) -> str:
    """``raw`` in its canonical form if it is an acceptable resource link, else InvalidInput.

    The one link validator (bot/services/links.py): https only, a public host name as browsers
    read it (no IP address in any spelling, no credentials, no localhost), international names
    in their ``xn--`` form, at most MAX_URL_LENGTH characters.
    """
    return parse_link(raw, max_length=MAX_URL_LENGTH).url


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


def lookalike_key(url_key: str) -> str:
    """``url_key`` with its host replaced by the host's confusable skeleton (TR39): two links
    whose keys read the same (``ecfmg.org`` with a Cyrillic e) share this key."""
    parts = urlsplit(url_key)
    host = ".".join(_unicode_label(label) for label in (parts.hostname or "").split("."))
    return urlunsplit(("https", skeleton(host.casefold()), parts.path, parts.query, ""))


def _unicode_label(label: str) -> str:
    try:
        return idna.ulabel(label) if label.startswith("xn--") else label
    except (UnicodeError, idna.IDNAError):
        return label
