"""Member time zones: validating IANA names, searching them for autocomplete, local labels.

A member's stored zone is used where Discord cannot render ``<t:...>`` (select labels,
autocomplete choices, footers, DMs, .ics); members without one get UTC until they set it.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import InvalidInput

#: Shown (and used) for members who have not set a zone yet.
DEFAULT_ZONE = "UTC"

# Legacy aliases ("US/Eastern", "EST5EDT") are valid but confusing next to the canonical names.
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


@functools.cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


@functools.cache
def _zones_by_lower() -> dict[str, str]:
    return {z.lower(): z for z in _all_zones()}


@functools.cache
def _canonical_zones() -> tuple[str, ...]:
    canonical = (z for z in _all_zones() if "/" in z and not z.startswith(_LEGACY_PREFIXES))
    return (*canonical, "UTC")


def resolve_zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name typed by a member (case-insensitive), or InvalidInput."""
    cleaned = name.strip().replace(" ", "_")
    if not cleaned:
        raise InvalidInput("Please give a time zone such as Europe/London or America/Chicago.")
    exact = _zones_by_lower().get(cleaned.lower())
    if exact is None:
        hint = search_zones(cleaned, limit=3)
        tip = f" Did you mean {', '.join(hint)}?" if hint else ""
        raise InvalidInput(
            f"`{name.strip()[:60]}` is not a time zone I know.{tip} "
            "Pick one from the list (IANA names such as Africa/Lagos or Asia/Karachi)."
        )
    try:
        return ZoneInfo(exact)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - tzdata is bundled
        raise InvalidInput(f"`{exact}` cannot be loaded on this server.") from exc


def check_timezone(name: str) -> str:
    """The canonical IANA name for ``name`` (case-insensitive), or InvalidInput."""
    return resolve_zone(name).key


def search_zones(query: str, limit: int = 25) -> list[str]:
    """IANA names matching ``query`` for autocomplete: prefix matches of the city first.

    "lagos" finds Africa/Lagos, "new york" finds America/New_York, "" lists common ones.
    """
    q = query.strip().lower().replace(" ", "_")
    zones = _canonical_zones()
    if not q:
        return list(_POPULAR[:limit])
    ranked: list[tuple[int, str]] = []
    for zone in zones:
        lower = zone.lower()
        city = lower.rsplit("/", 1)[-1]
        if city.startswith(q) or lower.startswith(q):
            ranked.append((0, zone))
        elif q in lower:
            ranked.append((1, zone))
    if not ranked:  # fall back to legacy aliases such as "US/Eastern" or "EST"
        ranked = [(2, z) for z in _all_zones() if q in z.lower()]
    ranked.sort()
    return [z for _, z in ranked[:limit]]


_POPULAR = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Africa/Lagos",
    "Africa/Cairo",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Manila",
    "Asia/Dubai",
    "Asia/Riyadh",
    "Australia/Sydney",
)


def zone_city(zone: str) -> str:
    """A short human label: "Europe/London" -> "London", "America/New_York" -> "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def format_local(instant: datetime, zone: tzinfo, *, with_date: bool = True) -> str:
    """``instant`` as wall-clock text in ``zone`` ("Thu 3 Dec 2026, 19:00 GMT")."""
    if instant.tzinfo is None:
        raise ValueError("format_local needs an aware datetime")
    local = instant.astimezone(zone)
    abbrev = local.tzname() or ""
    time_part = f"{local:%H:%M} {abbrev}".rstrip()
    if not with_date:
        return time_part
    return f"{local:%a} {local.day} {local:%b %Y}, {time_part}"
