"""Choosing a zone as a new member would: by city, country, abbreviation or offset, for the
countries that send the most IMGs, with the local time beside each choice."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.services.timezones import (
    CHOICE_NAME_MAX,
    MAX_CHOICES,
    abbreviation_zones,
    echo_in_zones,
    resolve_zone,
    search_zones,
    zone_choices,
)

WINTER = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        # India
        ("delhi", "Asia/Kolkata"), ("New Delhi", "Asia/Kolkata"), ("mumbai", "Asia/Kolkata"),
        ("bangalore", "Asia/Kolkata"), ("india", "Asia/Kolkata"), ("IST", "Asia/Kolkata"),
        ("kolkata", "Asia/Kolkata"),
        # Pakistan
        ("lahore", "Asia/Karachi"), ("islamabad", "Asia/Karachi"), ("pakistan", "Asia/Karachi"),
        ("PKT", "Asia/Karachi"), ("karachi", "Asia/Karachi"),
        # Nigeria
        ("nigeria", "Africa/Lagos"), ("abuja", "Africa/Lagos"), ("WAT", "Africa/Lagos"),
        # Egypt
        ("egypt", "Africa/Cairo"), ("cairo", "Africa/Cairo"), ("alexandria", "Africa/Cairo"),
        ("EET", "Africa/Cairo"),
        # the Philippines
        ("philippines", "Asia/Manila"), ("cebu", "Asia/Manila"), ("PHT", "Asia/Manila"),
        # Bangladesh
        ("bangladesh", "Asia/Dhaka"), ("dhaka", "Asia/Dhaka"), ("chittagong", "Asia/Dhaka"),
        ("BDT", "Asia/Dhaka"),
        # Brazil, Mexico
        ("brazil", "America/Sao_Paulo"), ("rio de janeiro", "America/Sao_Paulo"),
        ("mexico", "America/Mexico_City"), ("guadalajara", "America/Mexico_City"),
        # the Caribbean
        ("caribbean", "America/Jamaica"), ("jamaica", "America/Jamaica"),
        ("trinidad", "America/Port_of_Spain"), ("barbados", "America/Barbados"),
        ("dominican republic", "America/Santo_Domingo"), ("puerto rico", "America/Puerto_Rico"),
        # the UK
        ("uk", "Europe/London"), ("united kingdom", "Europe/London"), ("england", "Europe/London"),
        ("manchester", "Europe/London"), ("BST", "Europe/London"),
        # Iran, Syria
        ("iran", "Asia/Tehran"), ("tehran", "Asia/Tehran"), ("IRST", "Asia/Tehran"),
        ("syria", "Asia/Damascus"), ("damascus", "Asia/Damascus"), ("aleppo", "Asia/Damascus"),
        # the US
        ("EST", "America/New_York"), ("EDT", "America/New_York"), ("est", "America/New_York"),
        ("usa", "America/New_York"),
        # how people write them: accents, dots, "the", their own languages
        ("The Philippines", "Asia/Manila"), ("São Paulo", "America/Sao_Paulo"),
        ("U.K.", "Europe/London"), ("brasil", "America/Sao_Paulo"), ("méxico", "America/Mexico_City"),
        ("misr", "Africa/Cairo"), ("bharat", "Asia/Kolkata"), ("the bahamas", "America/Nassau"),
        ("persia", "Asia/Tehran"), ("america/new_york", "America/New_York"),
    ],
)
def test_first_choice_is_the_zone_members_mean(typed: str, first: str) -> None:
    for now in (WINTER, SUMMER):
        hits = search_zones(typed, now=now)
        assert hits and hits[0] == first, (typed, hits[:3])
        assert resolve_zone(typed, now).key == first


def test_india_is_not_indiana_and_ist_is_not_istanbul() -> None:
    assert not any("Indiana" in z for z in search_zones("india", now=WINTER))
    ist = search_zones("IST", now=WINTER)
    assert ist[:3] == ["Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"]
    assert not any("Istanbul" in z for z in ist)


@pytest.mark.parametrize("typed", ["EST", "EDT", "est", "CST", "PST", "MST"])
def test_abbreviations_are_real_zones_never_fixed_offsets(typed: str) -> None:
    for zone in (*search_zones(typed, now=WINTER), resolve_zone(typed, WINTER).key):
        assert "/" in zone and not zone.startswith("Etc/"), zone
        assert zone not in ("EST", "MST", "HST", "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT")


def test_an_abbreviation_used_by_several_countries_offers_each() -> None:
    cst = search_zones("CST", now=WINTER)
    assert {"America/Chicago", "America/Mexico_City", "Asia/Shanghai", "America/Havana"} <= set(cst)
    assert cst[0] == "America/Chicago"
    est = search_zones("EST", now=WINTER)
    assert {"America/New_York", "America/Jamaica", "America/Panama"} <= set(est)
    assert {"Africa/Lagos", "Africa/Douala", "Africa/Kinshasa"} <= set(abbreviation_zones("WAT", 2026))
    # one zone per country, so the list stays short
    assert len(est) == len({z for z in est})
    assert sum(z.startswith("America/Indiana") for z in est) == 0


@pytest.mark.parametrize(
    ("typed", "offset_hours", "fixed"),
    [
        ("GMT+5", 5, "Etc/GMT-5"), ("UTC+5", 5, "Etc/GMT-5"), ("gmt +5", 5, "Etc/GMT-5"),
        ("UTC-4", -4, "Etc/GMT+4"), ("+3", 3, "Etc/GMT-3"), ("GMT+1", 1, "Etc/GMT-1"),
        ("UTC+5:30", 5.5, None), ("+0530", 5.5, None), ("GMT+5:45", 5.75, None),
        ("UTC+3:30", 3.5, None),
    ],
)
def test_offsets_mean_what_members_mean(typed: str, offset_hours: float, fixed: str | None) -> None:
    hits = search_zones(typed, now=WINTER)
    assert hits
    for zone in hits:
        offset = WINTER.astimezone(ZoneInfo(zone)).utcoffset()
        assert offset is not None and offset.total_seconds() == offset_hours * 3600, zone
    if fixed:
        assert fixed in hits
        assert resolve_zone(typed, WINTER).key == fixed
    else:
        resolved = resolve_zone(typed, WINTER)
        assert WINTER.astimezone(resolved).utcoffset().total_seconds() == offset_hours * 3600


def test_half_hour_offset_finds_india_and_sri_lanka() -> None:
    assert search_zones("UTC+5:30", now=WINTER)[:2] == ["Asia/Kolkata", "Asia/Colombo"]


def test_choices_show_country_and_local_time_within_discord_limits() -> None:
    for typed in ("IST", "india", "GMT+5", "caribbean", "america", "a", "", "brazil", "CST"):
        choices = zone_choices(typed, WINTER)
        assert len(choices) <= MAX_CHOICES
        for label, value in choices:
            assert 1 <= len(label) <= CHOICE_NAME_MAX and len(value) <= CHOICE_NAME_MAX
    (label, value), *_ = zone_choices("delhi", WINTER)
    assert value == "Asia/Kolkata"
    assert label == "Asia/Kolkata · India · now 17:30 IST (UTC+5:30)"
    new_york = dict((v, lbl) for lbl, v in zone_choices("EDT", SUMMER))["America/New_York"]
    assert "now 08:00 EDT (UTC-4)" in new_york
    fixed = dict((v, lbl) for lbl, v in zone_choices("GMT+5", WINTER))["Etc/GMT-5"]
    assert "fixed" in fixed and "UTC+5" in fixed


@pytest.mark.parametrize("typed", ["Mars/Olympus", "zzzz", "GMT+15", "   "])
def test_unknown_input_is_refused_helpfully(typed: str) -> None:
    with pytest.raises(InvalidInput):
        resolve_zone(typed, WINTER)


def test_echo_shows_the_members_zone_then_the_groups_other_zones() -> None:
    instant = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # Thu 19:00 in New York
    text = echo_in_zones(instant, "America/New_York", ["Asia/Kolkata", "America/New_York", "Europe/London"])
    assert text == (
        "Thu 3 Dec 2026, 19:00 EST (your time) = Fri 05:30 IST Kolkata, Fri 00:00 GMT London"
    )
