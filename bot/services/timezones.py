"""Member time zones: finding one from what a member types, validating it, local labels.

A member may type a city ("delhi", "lahore"), a country in English or its common name
("india", "uk", "pakistan"), an abbreviation ("IST", "PKT", "EST"), an offset as members mean
it ("GMT+5" = five hours ahead of UTC) or an IANA name. Abbreviations map to real zones with
their clock changes ("EST" is New York, never a fixed UTC-5); one used by several countries
offers each. Country data comes from tzdata's zone.tab and iso3166.tab, the rest from
zone_names.py.

A member's stored zone is used where Discord cannot render ``<t:...>`` (select labels,
autocomplete choices, footers, DMs, .ics); members without one get UTC until they set it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import InvalidInput
from bot.services import zone_names

#: Shown (and used) for members who have not set a zone yet.
DEFAULT_ZONE = "UTC"
#: Discord: 25 choices, 100 characters each.
MAX_CHOICES = 25
CHOICE_NAME_MAX = 100

# Legacy aliases ("US/Eastern", "EST5EDT") are valid but confusing next to the canonical names.
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>[0-5]\d))?$")


@functools.cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


@functools.cache
def _zones_by_lower() -> dict[str, str]:
    return {z.lower(): z for z in _all_zones()}


@functools.cache
def _canonical_zones() -> tuple[str, ...]:
    canonical = (
        z for z in _all_zones() if "/" in z and not z.startswith(_LEGACY_PREFIXES)
    )
    return (*canonical, "UTC")


def _tab(name: str) -> list[list[str]]:
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - tzdata is a dependency
        return []
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def _countries() -> dict[str, str]:
    """ISO code -> English name ("GB" -> "Britain (UK)")."""
    return {row[0]: row[1] for row in _tab("iso3166.tab") if len(row) >= 2}


@functools.cache
def _country_zones() -> dict[str, tuple[str, ...]]:
    """ISO code -> its zones, the primary one first (zone.tab lists one line per zone)."""
    known = set(_all_zones())
    out: dict[str, list[str]] = {}
    for row in _tab("zone.tab"):
        if len(row) >= 3 and row[2] in known:
            out.setdefault(row[0], []).append(row[2])
    for code, zones in out.items():
        primary = zone_names.PRIMARY.get(code)
        if primary in zones:
            zones.remove(primary)
            zones.insert(0, primary)
    return {code: tuple(zones) for code, zones in out.items()}


@functools.cache
def _zone_country() -> dict[str, str]:
    return {z: code for code, zones in _country_zones().items() for z in zones}


@functools.cache
def _country_names() -> dict[str, str]:
    """Every name a country goes by (lower case) -> ISO code."""
    names: dict[str, str] = {}
    for code, name in _countries().items():
        low = name.lower().replace("&", "and")
        names[low] = code
        names[re.sub(r"\s*\(.*\)", "", low)] = code  # "britain (uk)" -> "britain"
        if m := re.search(r"\((.+)\)", low):  # "britain (uk)" -> "uk", "korea (south)" stays
            if len(m[1]) <= 3:
                names[m[1]] = code
        names[low.replace("st ", "saint ")] = code
    names.update(zone_names.COUNTRY_ALIASES)
    return names


def country_of(zone: str) -> str | None:
    """The English name of the country a zone is in ("Asia/Kolkata" -> "India")."""
    code = _zone_country().get(zone)
    return _countries().get(code) if code else None


# -- abbreviations ---------------------------------------------------------------------------
@functools.cache
def _tzdata_abbreviations(year: int) -> dict[str, tuple[str, ...]]:
    """Abbreviation -> one zone per country that prints it in ``year`` (tzdata's own)."""
    out: dict[str, dict[str, str]] = {}
    for zone in _canonical_zones():
        code = _zone_country().get(zone)
        if code is None:
            continue
        tz = ZoneInfo(zone)
        for month in (1, 7):
            name = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(tz).tzname() or ""
            if name[:1].isalpha():
                per_country = out.setdefault(name.upper(), {})
                if code not in per_country or zone == zone_names.PRIMARY.get(code):
                    per_country[code] = zone
    return {abbr: tuple(sorted(zones.values())) for abbr, zones in out.items()}


def abbreviation_zones(word: str, year: int | None = None) -> tuple[str, ...]:
    """Zones an abbreviation stands for, the most likely first ("IST" -> Kolkata, Jerusalem,
    Dublin); empty if it is not one."""
    key = word.strip().upper()
    if not key.isalpha() or len(key) > 5:
        return ()
    year = year or datetime.now(UTC).year
    curated = zone_names.ABBREVIATIONS.get(key, ())
    found = _tzdata_abbreviations(year).get(key, ())
    covered = {_zone_country().get(z) for z in curated}
    extra = [z for z in found if z not in curated and _zone_country().get(z) not in covered]
    return (*curated, *extra)


def abbreviations_of(zone: ZoneInfo, now: datetime) -> set[str]:
    """What a member of ``zone`` may write after a time: its abbreviations this year, the ones
    that map to it (PHT for Manila), and spoken names ("eastern" for New York)."""
    year = now.year
    names = {
        (datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone).tzname() or "").upper()
        for month in (1, 7)
    }
    names |= {abbr for abbr, zones in zone_names.ABBREVIATIONS.items() if zone.key in zones[:1]}
    names |= {spoken for spoken, abbrs in zone_names.GENERIC_NAMES.items() if names & set(abbrs)}
    return {n for n in names if n and n[0].isalpha()}


# -- search ----------------------------------------------------------------------------------
def _plain(text: str) -> str:
    """Lower case, no accents, no dots or leading "the": "The Philippines" -> "philippines",
    "São Paulo" -> "sao paulo", "U.K." -> "uk"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    t = "".join(c for c in decomposed if not unicodedata.combining(c))
    t = " ".join(t.replace("_", " ").replace(".", "").split())
    return t.removeprefix("the ")


def _offset_zones(sign: str, hours: int, minutes: int, now: datetime) -> list[str]:
    """Zones at UTC``sign``hours:minutes now ("+5" = five hours ahead), places first, then the
    fixed Etc zone (whose POSIX-style name has the opposite sign: Etc/GMT-5 is UTC+5)."""
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    seen: set[str] = set()
    places: list[str] = []
    ordered = (*zone_names.POPULAR, *_canonical_zones())
    for zone in ordered:
        code = _zone_country().get(zone)
        if zone in places or code in seen or code is None or zone.startswith("Antarctica/"):
            continue
        if now.astimezone(ZoneInfo(zone)).utcoffset() == offset:
            places.append(zone)
            seen.add(code)
    places = places[: MAX_CHOICES - 1]
    if minutes == 0 and 0 < hours <= 14 - (sign == "-") * 2:
        places.insert(min(len(places), 4), f"Etc/GMT{'-' if sign == '+' else '+'}{hours}")
    elif hours == 0 and minutes == 0:
        places.insert(0, "UTC")
    return places


def search_zones(query: str, limit: int = MAX_CHOICES, now: datetime | None = None) -> list[str]:
    """Zones matching what a member typed, best first: abbreviations, offsets, countries,
    cities, then IANA names (city part first). "" lists the common ones."""
    now = now or datetime.now(UTC)
    q = _plain(query)[:60]
    if not q:
        return list(zone_names.POPULAR[:limit])
    hits: list[str] = []

    def add(zones: Iterable[str]) -> None:
        hits.extend(z for z in zones if z not in hits)

    if m := _OFFSET.match(q.replace(" ", "")):
        add(_offset_zones(m["sign"], int(m["h"]), int(m["m"] or 0), now))
        return hits[:limit]
    if q in ("utc", "gmt", "z", "zulu", "universal"):
        add(["UTC"])
    add(abbreviation_zones(q, now.year))
    add(zone_names.REGIONS.get(q, ()))
    countries = _country_names()
    if q in countries:
        add(_country_zones().get(countries[q], ()))
    add(zone_names.CITIES.get(q, ()))
    prefix: list[str] = []
    if len(q) >= 3:
        for name, code in sorted(countries.items()):
            if name.startswith(q) and name != q:
                prefix.extend(_country_zones().get(code, ())[:1])
        for city, zones in sorted(zone_names.CITIES.items()):
            if city.startswith(q) and city != q:
                prefix.extend(zones[:1])
    underscored = q.replace(" ", "_")
    exact_city: list[str] = []
    starts: list[str] = []
    contains: list[str] = []
    for zone in _canonical_zones():
        lower = zone.lower()
        city = lower.rsplit("/", 1)[-1]
        if city == underscored or lower == underscored:
            exact_city.append(zone)
        elif city.startswith(underscored) or lower.startswith(underscored):
            starts.append(zone)
        elif underscored in lower:
            contains.append(zone)
    named = bool(hits)  # an abbreviation, country or city: no look-alike names after it
    add(exact_city)
    add(prefix)
    if not named:
        add(starts)
        add(contains)
    if not hits:  # legacy aliases such as "US/Eastern", only when nothing else fits
        add(z for z in _all_zones() if underscored in z.lower())
    return hits[:limit]


def zone_choices(query: str, now: datetime) -> list[tuple[str, str]]:
    """(label, IANA name) pairs for autocomplete, each label with the local time there now:
    "Asia/Kolkata · India · now 18:10 IST"."""
    return [(zone_label(z, now), z) for z in search_zones(query, MAX_CHOICES, now)]


def zone_label(zone: str, now: datetime) -> str:
    local = now.astimezone(ZoneInfo(zone))
    country = country_of(zone)
    offset = _offset_text(local.utcoffset() or timedelta(0))
    abbrev = local.tzname() or ""
    when = f"now {local:%H:%M} {abbrev}" if abbrev[:1].isalpha() else f"now {local:%H:%M}"
    parts = [zone.replace("_", " ") if "/" in zone else zone]
    if zone.startswith("Etc/GMT"):
        parts.append("fixed, no clock changes")
    elif country:
        parts.append(country)
    parts.append(f"{when} ({offset})")
    return " · ".join(parts)[:CHOICE_NAME_MAX]


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h}" + (f":{m:02d}" if m else "")


# -- validation ------------------------------------------------------------------------------
def resolve_zone(name: str, now: datetime | None = None) -> ZoneInfo:
    """The zone a member means by ``name`` (an IANA name in any case, a city, a country, an
    abbreviation or an offset such as "GMT+5"), or InvalidInput with suggestions.

    Abbreviations and offsets win over the legacy IANA names that look like them: "EST" is
    America/New_York (with its clock changes), "GMT+5" is five hours ahead of UTC.
    """
    now = now or datetime.now(UTC)
    cleaned = " ".join(name.strip().split())
    if not cleaned:
        raise InvalidInput("Please give a time zone such as Europe/London or America/Chicago.")
    q = _plain(cleaned)[:80]
    exact = _zones_by_lower().get(q.replace(" ", "_"))
    typed_abbreviation = abbreviation_zones(q, now.year) if q.isalpha() else ()
    chosen: str | None = None
    if typed_abbreviation:
        chosen = typed_abbreviation[0]
    elif m := _OFFSET.match(q.replace(" ", "")):
        options = _offset_zones(m["sign"], int(m["h"]), int(m["m"] or 0), now)
        fixed = [z for z in options if z.startswith("Etc/") or z == "UTC"]
        chosen = (fixed or options or [None])[0]
    elif exact is not None and exact in _canonical_zones():
        chosen = exact
    else:
        hits = search_zones(q, limit=3, now=now)
        named = _country_names().get(q) or q in zone_names.CITIES or q in zone_names.REGIONS
        city_match = hits and hits[0].lower().rsplit("/", 1)[-1] == q.replace(" ", "_")
        if hits and (named or city_match):
            chosen = hits[0]
        elif exact is not None:  # a legacy name such as "US/Eastern" or "Etc/GMT+5"
            chosen = exact
        else:
            tip = f" Did you mean {', '.join(hits)}?" if hits else ""
            raise InvalidInput(
                f"`{cleaned[:60]}` is not a time zone I know.{tip} Pick one from the list "
                "(a city, a country or names such as Africa/Lagos or Asia/Karachi)."
            )
    if chosen is None:
        raise InvalidInput(f"`{cleaned[:60]}` is not an offset any place uses. Try `GMT+5` or `UTC-4`.")
    try:
        return ZoneInfo(chosen)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - tzdata is bundled
        raise InvalidInput(f"`{chosen}` cannot be loaded on this server.") from exc


def check_timezone(name: str) -> str:
    """The canonical IANA name for what a member typed (see resolve_zone), or InvalidInput."""
    return resolve_zone(name).key


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


def echo_in_zones(instant: datetime, own: str, others: Iterable[str], limit: int = 4) -> str:
    """What a typed time was read as: in the member's zone, then in up to ``limit`` other zones
    ("Thu 3 Dec 2026, 19:00 EST (your time) = Fri 05:30 IST Kolkata, 00:00 GMT London")."""
    text = f"{format_local(instant, ZoneInfo(own))} (your time)"
    rest = [z for z in dict.fromkeys(others) if z != own][:limit]
    if rest:
        own_day = instant.astimezone(ZoneInfo(own)).date()
        bits = []
        for zone in rest:
            local = instant.astimezone(ZoneInfo(zone))
            day = f"{local:%a} " if local.date() != own_day else ""
            bits.append(f"{day}{format_local(instant, ZoneInfo(zone), with_date=False)} {zone_city(zone)}")
        text += " = " + ", ".join(bits)
    return text
