"""/session suggest ranking and time zone search/validation."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.services.study_groups.suggest import awake_for, suggest_slots
from bot.services.timezones import format_local, resolve_zone, search_zones, zone_city

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # Monday
STEP2_GROUP = {1: "Africa/Lagos", 2: "Asia/Karachi", 3: "Africa/Cairo", 4: "America/Chicago"}


def test_suggests_three_slots_everyone_is_awake_for_on_different_days() -> None:
    slots = suggest_slots(STEP2_GROUP, NOW)
    assert len(slots) == 3
    for slot in slots:
        assert slot.available == (1, 2, 3, 4)
        assert slot.unavailable == ()
        # only 14:00-16:00 UTC fits Chicago's morning and Lahore's evening; 16:00 is the most
        # evening-like for the group as a whole
        assert slot.start.hour == 16
    assert len({s.start.date() for s in slots}) == 3
    assert all(NOW < s.start <= NOW + timedelta(days=7) for s in slots)


def test_when_nobody_fits_everyone_the_best_slots_say_who_is_out() -> None:
    zones = dict(STEP2_GROUP) | {5: "Pacific/Auckland", 6: "America/Los_Angeles"}
    slots = suggest_slots(zones, NOW)
    best = max(len(s.available) for s in slots)
    assert best == len(slots[0].available) < 6
    for slot in slots:
        assert set(slot.available) | set(slot.unavailable) == set(zones)
        for uid in slot.available:
            assert awake_for(slot.start, timedelta(hours=1), ZoneInfo(zones[uid]))
        for uid in slot.unavailable:
            assert not awake_for(slot.start, timedelta(hours=1), ZoneInfo(zones[uid]))


def test_longer_sessions_must_end_by_22() -> None:
    zone = ZoneInfo("Europe/London")
    assert awake_for(datetime(2026, 1, 5, 20, tzinfo=UTC), timedelta(hours=2), zone)
    assert not awake_for(datetime(2026, 1, 5, 20, 30, tzinfo=UTC), timedelta(hours=2), zone)
    assert not awake_for(datetime(2026, 1, 5, 7, 30, tzinfo=UTC), timedelta(hours=1), zone)


def test_suggest_without_zones_or_with_silly_duration() -> None:
    with pytest.raises(InvalidInput, match="timezone set"):
        suggest_slots({}, NOW)
    with pytest.raises(InvalidInput, match="15 minutes to 8 hours"):
        suggest_slots(STEP2_GROUP, NOW, duration=timedelta(hours=9))


@pytest.mark.parametrize(
    ("query", "first"),
    [("lagos", "Africa/Lagos"), ("new york", "America/New_York"), ("Kolk", "Asia/Kolkata"),
     ("europe/lon", "Europe/London"), ("", "UTC"), ("us/east", "US/East-Indiana")],
)
def test_zone_search(query: str, first: str) -> None:
    hits = search_zones(query)
    assert hits[0] == first
    assert len(hits) <= 25


def test_zone_search_caps_at_25_choices() -> None:
    assert "US/Eastern" in search_zones("us/east")  # legacy names only when nothing else fits
    assert len(search_zones("america")) == 25


def test_resolve_zone_is_case_insensitive_and_helpful() -> None:
    assert resolve_zone("asia/karachi").key == "Asia/Karachi"
    assert resolve_zone("America/New York").key == "America/New_York"
    assert resolve_zone("London").key == "Europe/London"  # a city is enough
    with pytest.raises(InvalidInput, match="Did you mean Europe/London"):
        resolve_zone("Lond")
    with pytest.raises(InvalidInput, match="not a time zone"):
        resolve_zone("Mars/Olympus")
    with pytest.raises(InvalidInput, match="Please give a time zone"):
        resolve_zone("  ")


def test_local_formatting() -> None:
    instant = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    assert format_local(instant, ZoneInfo("Europe/London")) == "Thu 3 Dec 2026, 19:00 GMT"
    assert format_local(instant, ZoneInfo("Asia/Kolkata"), with_date=False) == "00:30 IST"
    assert zone_city("America/New_York") == "New York"


def test_half_hour_starts_find_overlaps_whole_hours_miss() -> None:
    # Los Angeles (UTC-8 in winter) and Kolkata (UTC+5:30), 210 minutes: only 02:30Z fits
    zones = {1: "America/Los_Angeles", 2: "Asia/Kolkata"}
    slots = suggest_slots(zones, NOW, duration=timedelta(minutes=210))
    assert slots[0].available == (1, 2)
    assert {(s.start.hour, s.start.minute) for s in slots if s.available == (1, 2)} == {(2, 30)}


@pytest.mark.parametrize(
    ("zones", "duration", "minute"),
    [
        # St John's (-3:30) morning to Tehran's (+3:30) evening: 7 hours from 11:30Z only
        ({1: "Asia/Tehran", 2: "America/St_Johns"}, timedelta(hours=7), 30),
        # Kolkata (+5:30) morning to Auckland's (+13, its summer) evening: 6.5 h from 02:30Z
        ({1: "Asia/Kolkata", 2: "Pacific/Auckland"}, timedelta(minutes=390), 30),
        # Kathmandu (+5:45) morning and New York's (-5) late evening: 45 minutes from 02:15Z
        ({1: "Asia/Kathmandu", 2: "America/New_York"}, timedelta(minutes=45), 15),
    ],
)
def test_quarter_hour_zones_get_a_slot_for_everyone(
    zones: dict[int, str], duration: timedelta, minute: int
) -> None:
    slots = suggest_slots(zones, NOW, duration=duration)
    assert slots[0].available == tuple(sorted(zones))
    for uid, zone in zones.items():
        assert awake_for(slots[0].start, duration, ZoneInfo(zone)), uid
    assert slots[0].start.minute == minute
