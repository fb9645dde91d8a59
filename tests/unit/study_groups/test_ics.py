"""The .ics export parses back with icalendar to exactly the sessions we hold."""

# Naive datetimes here are wall-clock times in a named zone, as rrule and members use them.
# ruff: noqa: DTZ001

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.services.study_groups.ics import IcsSeries, build_calendar
from bot.services.study_groups.recurrence import Recurrence, occurrences

STAMP = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _expand(event) -> list[datetime]:
    """What a calendar client does: DTSTART + RRULE - EXDATE, as UTC instants."""
    start = event.decoded("dtstart")
    if "rrule" not in event:
        return [start.astimezone(UTC)]
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    exdates = event.get("exdate")
    excluded: set[datetime] = set()
    for group in exdates if isinstance(exdates, list) else [exdates] if exdates else []:
        excluded |= {d.dt.astimezone(UTC) for d in group.dts}
    return [d.astimezone(UTC) for d in rule if d.astimezone(UTC) not in excluded]


def test_round_trip_weekly_series_with_dst_and_cancellation() -> None:
    ny, kolkata = ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")
    weekly = Recurrence((0, 3), until=date(2026, 11, 30))
    one_off_first = datetime(2026, 10, 20, 18, 30)
    series = [
        IcsSeries(
            uid="series-1@fmg-bot",
            summary="Step 2 CK: cardiology",
            description="Bring UWorld block 12; Lagos, Lahore, Cairo and Chicago",
            zone="America/New_York",
            first_local=datetime(2026, 10, 1, 19, 0),
            duration=timedelta(minutes=90),
            recurrence=weekly,
            location="https://meet.example/ck",
            cancelled=(datetime(2026, 11, 3, 0, 0, tzinfo=UTC),),
        ),
        IcsSeries(
            uid="series-2@fmg-bot",
            summary="OET mock",
            description="",
            zone="Asia/Kolkata",
            first_local=one_off_first,
            duration=timedelta(hours=1),
        ),
    ]
    raw = build_calendar("Step 2 CK group", series, STAMP)
    cal = Calendar.from_ical(raw)

    assert cal["prodid"] == "-//fmg-bot//study groups//EN"
    assert str(cal["version"]) == "2.0"
    assert {tz["tzid"] for tz in cal.walk("VTIMEZONE")} == {"America/New_York", "Asia/Kolkata"}
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    ck = events["series-1@fmg-bot"]
    assert ck["dtstart"].params["TZID"] == "America/New_York"
    assert ck.decoded("duration") == timedelta(minutes=90)
    assert str(ck["location"]) == "https://meet.example/ck"
    assert ck.decoded("dtstamp") == STAMP
    rrule_text = ck["rrule"].to_ical().decode()
    assert "FREQ=WEEKLY" in rrule_text and "BYDAY=MO,TH" in rrule_text
    assert "UNTIL=20261201T045959Z" in rrule_text  # end of 30 Nov in New York, in UTC

    expected = [
        s for s in occurrences(datetime(2026, 10, 1, 19, 0), ny, weekly)
        if s != datetime(2026, 11, 3, 0, 0, tzinfo=UTC)  # the cancelled 2 Nov (EST)
    ]
    got = _expand(ck)
    assert got == expected
    # local time stays 19:00 in New York on both sides of 1 Nov
    assert {g.astimezone(ny).strftime("%H:%M") for g in got} == {"19:00"}
    assert len({g.astimezone(UTC).hour for g in got}) == 2

    oet = events["series-2@fmg-bot"]
    assert "rrule" not in oet
    assert _expand(oet) == [one_off_first.replace(tzinfo=kolkata).astimezone(UTC)]


def test_count_rule_and_interval_survive_the_round_trip() -> None:
    rule = Recurrence((2,), interval=2, count=6)
    series = IcsSeries("s@x", "Interviews", "", "Europe/London", datetime(2026, 3, 4, 8, 0),
                       timedelta(hours=1), rule)
    cal = Calendar.from_ical(build_calendar("g", [series], STAMP))
    (event,) = cal.walk("VEVENT")
    london = ZoneInfo("Europe/London")
    assert _expand(event) == list(occurrences(datetime(2026, 3, 4, 8, 0), london, rule))
    assert len(_expand(event)) == 6


def test_empty_calendar_is_still_valid() -> None:
    cal = Calendar.from_ical(build_calendar("nothing yet", [], STAMP))
    assert cal.walk("VEVENT") == []
    assert str(cal["x-wr-calname"]) == "nothing yet"
