from datetime import date

import pytest

from bot.errors import InvalidInput
from bot.services.mentoring.overlap import waking_intervals, waking_overlap_hours
from bot.services.timezones import check_timezone


def test_same_zone_shares_the_whole_waking_day() -> None:
    assert waking_overlap_hours("Asia/Kolkata", "Asia/Kolkata", date(2026, 1, 5)) == 16.0


def test_new_york_london_follows_each_zones_dst_rules() -> None:
    # Winter: EST (UTC-5) vs GMT: 5 h apart -> 11 h shared.
    assert waking_overlap_hours("America/New_York", "Europe/London", date(2026, 1, 5)) == 11.0
    # US switched on 8 March, the UK only on 29 March: 4 h apart -> 12 h shared.
    assert waking_overlap_hours("America/New_York", "Europe/London", date(2026, 3, 10)) == 12.0
    # Both on summer time: 5 h apart again.
    assert waking_overlap_hours("America/New_York", "Europe/London", date(2026, 4, 5)) == 11.0


def test_transition_day_uses_both_offsets() -> None:
    # On 8 March 2026 (UTC day) New York is awake 00:00-04:00Z (7 March, EST) and from 11:00Z
    # (8 March, already EDT): the two local days have different offsets.
    assert waking_intervals("America/New_York", date(2026, 3, 8)) == ((0.0, 4 * 3600.0),
                                                                     (11 * 3600.0, 86400.0))
    # London (GMT) is awake 07:00-23:00Z; shared: 11:00-23:00Z.
    assert waking_overlap_hours("America/New_York", "Europe/London", date(2026, 3, 8)) == 12.0


def test_half_hour_zones_and_across_the_date_line() -> None:
    # Kolkata UTC+5:30 vs Chicago UTC-6: 11.5 h apart -> 4.5 h + 3.5 h around the clock.
    assert waking_overlap_hours("Asia/Kolkata", "America/Chicago", date(2026, 1, 5)) == 8.0
    # UTC+14 vs UTC-11 are 25 h apart: effectively 1 h.
    assert waking_overlap_hours("Pacific/Kiritimati", "Pacific/Pago_Pago", date(2026, 1, 5)) == 15.0


def test_overlap_is_symmetric() -> None:
    on = date(2026, 10, 30)
    assert waking_overlap_hours("Australia/Sydney", "Europe/Berlin", on) == waking_overlap_hours(
        "Europe/Berlin", "Australia/Sydney", on
    )


def test_unknown_timezone_is_rejected() -> None:
    assert check_timezone("Asia/Kolkata") == "Asia/Kolkata"
    with pytest.raises(InvalidInput):
        check_timezone("Mars/Olympus_Mons")
    with pytest.raises(InvalidInput):
        check_timezone("EST5EDT;rm -rf")
