"""The .ics the bot writes, read by others: a second library expands it to exactly the bot's
sessions over a full year (with cancellations), and its VTIMEZONE, read strictly as RFC 5545
says, gives zoneinfo's offset at every instant through 2100."""

# Naive datetimes here are wall-clock times in a named zone, as RFC 5545 and rrule use them.
# ruff: noqa: DTZ001

from __future__ import annotations

import bisect
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr
from dateutil.tz import tzical
from icalendar import Calendar

from bot.clock import ManualClock, from_epoch
from bot.db import Database
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.ics import IcsSeries, build_calendar
from bot.services.study_groups.recurrence import wall_instants
from bot.services.study_groups.sessions import materialize
from bot.services.study_groups.vtimezone import vtimezone

from .conftest import ALICE, GUILD, ROLE

END_YEAR = 2100


# -- VTIMEZONE, read the strict way ----------------------------------------------------------
def _strict_transitions(tz_component) -> list[tuple[datetime, timedelta]]:
    """(instant, offset after) of every observance onset, RFC 5545 3.6.5: the onset is
    DTSTART (+ RRULE/RDATE) read as local time in TZOFFSETFROM."""
    out: list[tuple[datetime, timedelta]] = []
    limit = datetime(END_YEAR + 1, 1, 1)
    for part in tz_component.subcomponents:
        start = part.decoded("dtstart").replace(tzinfo=None)
        offset_from = part.decoded("tzoffsetfrom")
        offset_to = part.decoded("tzoffsetto")
        locals_ = [start]
        if "rrule" in part:
            rule = rrulestr(part["rrule"].to_ical().decode(), dtstart=start)
            locals_ = list(rule.between(start, limit, inc=True))
        for local in locals_:
            out.append(((local - offset_from).replace(tzinfo=UTC), offset_to))
    return sorted(out)


def _offset_at(table: list[tuple[datetime, timedelta]], instant: datetime) -> timedelta:
    i = bisect.bisect_right([t for t, _ in table], instant) - 1
    assert i >= 0, f"{instant} is before the VTIMEZONE's first observance"
    return table[i][1]


ZONES = [
    ("America/New_York", date(2026, 1, 5)),
    ("America/Chicago", date(2026, 1, 5)),
    ("Europe/London", date(2026, 1, 5)),
    ("Europe/Berlin", date(2026, 6, 1)),
    ("Australia/Sydney", date(2026, 1, 5)),
    ("America/Sao_Paulo", date(2016, 1, 1)),  # DST until 2019, southern hemisphere
    ("Asia/Kolkata", date(2026, 1, 5)),
    ("Asia/Tehran", date(2020, 1, 1)),  # DST until 2022, half-hour offset
    ("America/Santiago", date(2026, 1, 5)),  # a rule at 24:00: explicit transitions
    ("Africa/Casablanca", date(2026, 1, 5)),  # listed transitions to 2087, no rule
]


@pytest.mark.parametrize(("key", "first"), ZONES)
def test_vtimezone_gives_zoneinfos_offset_at_every_instant_through_2100(key: str, first: date) -> None:
    zone = ZoneInfo(key)
    raw = Calendar.from_ical(vtimezone(key, first).to_ical())  # what a reader gets
    table = _strict_transitions(raw)
    # every onset is a real change at that very second
    for instant, offset_to in table[1:]:
        assert instant.astimezone(zone).utcoffset() == offset_to, (key, instant)
    # and between onsets the offset is zoneinfo's, sampled every 6 hours to 2100
    t = datetime(first.year, 1, 1, tzinfo=UTC) + timedelta(hours=14)
    end = datetime(END_YEAR, 12, 31, tzinfo=UTC)
    while t < end:
        assert _offset_at(table, t) == t.astimezone(zone).utcoffset(), (key, t)
        t += timedelta(hours=6)


@pytest.mark.parametrize(("key", "first"), ZONES)
def test_dateutils_vtimezone_reader_agrees_with_zoneinfo(key: str, first: date) -> None:
    """A second, independent reader of the VTIMEZONE (dateutil's tzical, not icalendar)."""
    text = vtimezone(key, first).to_ical().decode()
    reader = tzical(io.StringIO(text)).get(key)
    zone = ZoneInfo(key)
    wall = datetime(first.year, 1, 1, 12, 0)
    checked = 0
    while wall.year < END_YEAR:
        if len(wall_instants(wall, zone)) == 1:  # skipped and repeated times are read apart
            assert wall.replace(tzinfo=reader).utcoffset() == wall.replace(tzinfo=zone).utcoffset(), (
                key, wall,
            )
            checked += 1
        wall += timedelta(days=5, hours=7)
    assert checked > 4000


def test_onset_is_the_local_time_before_the_change() -> None:
    text = vtimezone("America/New_York", date(2026, 1, 1)).to_ical().decode()
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\n" in text
    assert "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400" in text
    assert "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\n" in text
    assert "TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500" in text
    sydney = vtimezone("Australia/Sydney", date(2026, 1, 1)).to_ical().decode()
    assert "DTSTART:20260405T030000" in sydney  # 03:00 AEDT becomes 02:00 AEST
    assert "DTSTART:20261004T020000" in sydney  # 02:00 AEST becomes 03:00 AEDT


def test_open_ended_rule_zones_use_yearly_rules_not_an_end_year() -> None:
    text = vtimezone("Europe/London", date(2026, 1, 1)).to_ical().decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text


# -- text escaping ---------------------------------------------------------------------------
NASTY = 'Step 1, Lahore; "night" \\ crew\nline two'


def test_every_text_value_is_escaped_and_reads_back() -> None:
    series = IcsSeries(
        uid="s@x", summary=NASTY, description=NASTY, zone="Asia/Kolkata",
        first_local=datetime(2026, 2, 3, 20, 30), duration=timedelta(hours=1),
        location="https://meet.example/a,b;c",
    )
    raw = build_calendar(NASTY, [series], datetime(2026, 1, 5, tzinfo=UTC))
    text = raw.decode()
    escaped = 'Step 1\\, Lahore\\; "night" \\\\ crew\\nline two'
    for prop in ("X-WR-CALNAME", "SUMMARY", "DESCRIPTION"):
        assert f"{prop}:{escaped}" in text.replace("\r\n ", ""), prop
    cal = Calendar.from_ical(raw)
    (event,) = cal.walk("VEVENT")
    assert str(event["summary"]) == NASTY and str(event["location"]) == "https://meet.example/a,b;c"


# -- the bot's sessions, expanded by recurring-ical-events ------------------------------------
YEAR_START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
YEAR_END = YEAR_START + timedelta(days=366)

SERIES = [
    # (member zone, start typed, weekdays, every N weeks, count)
    ("America/New_York", "mon 19:00", "mon, thu", 1, None),  # open-ended, US changes
    ("America/New_York", "sun 2:30am", "sun", 1, None),  # 02:30 is skipped on 8 Mar
    ("Europe/London", "tue 01:30", "tue", 2, None),  # every 2 weeks, EU changes
    ("Australia/Sydney", "wed 18:00", "wed", 1, 60),  # southern hemisphere
    ("Asia/Kolkata", "fri 20:30", "fri", 1, 40),  # half-hour offset
    ("Europe/Berlin", "2026-03-29 10:00", None, None, None),  # a one-off on an EU change day
]


async def test_a_second_library_expands_the_calendar_to_the_bots_own_year(
    service: StudyGroupService, clock: ManualClock, db: Database
) -> None:
    clock.set(YEAR_START)
    group = await service.groups.create(GUILD, ALICE, "Everywhere", "Step 1", role_id=ROLE)
    made = []
    for zone, start, days, every, count in SERIES:
        await service.timezones.set(ALICE, zone)
        made.append(await service.sessions.schedule(
            GUILD, group.id, ALICE, False, title=f"In {zone}", start=start, weekdays=days,
            every_weeks=every, count=count,
        ))
    target = int(YEAR_END.timestamp())
    async with db.transaction() as tx:  # the whole year, as refills would make it
        for m in made:
            await materialize(tx, service.outbox, m.series_id, target, int(YEAR_START.timestamp()))
    rows = await db.fetchall(
        "SELECT id, series_id, starts_at FROM study_occurrences ORDER BY starts_at"
    )

    def of_series(series_id: int) -> list:
        return [r for r in rows if r["series_id"] == series_id]

    ny_night = of_series(made[1].series_id)
    spring = next(r for r in ny_night if from_epoch(r["starts_at"]).date() == date(2026, 3, 8))
    fall = next(r for r in ny_night if from_epoch(r["starts_at"]).date() == date(2026, 11, 1))
    cancel_one = [spring["id"], fall["id"], of_series(made[2].series_id)[6]["id"],
                  of_series(made[3].series_id)[13]["id"], of_series(made[0].series_id)[20]["id"]]
    for occ_id in cancel_one:
        await service.sessions.cancel(GUILD, occ_id, ALICE, False)
    later = of_series(made[4].series_id)[25]["id"]  # this and all later sessions
    await service.sessions.cancel(GUILD, later, ALICE, False, whole_series=True)

    kept = await db.fetchall(
        "SELECT o.starts_at, s.id AS series_id FROM study_occurrences o JOIN study_series s "
        "ON s.id = o.series_id WHERE o.cancelled_at IS NULL AND o.starts_at < ?", (target,),
    )
    bots = sorted((r["series_id"], from_epoch(r["starts_at"])) for r in kept)
    announced = await db.fetchall(
        "SELECT DISTINCT o.series_id, o.starts_at FROM study_outbox ob JOIN study_occurrences o "
        "ON o.id = ob.occurrence_id WHERE ob.kind = 'announce' AND ob.lead_seconds = 0 "
        "AND ob.state = 'pending'"
    )
    assert sorted((r["series_id"], from_epoch(r["starts_at"])) for r in announced) == bots

    cal = Calendar.from_ical(await service.sessions.calendar(GUILD, group.id))
    theirs = sorted(
        (int(str(e["uid"]).split("-")[3]), e.decoded("dtstart").astimezone(UTC))
        for e in recurring_ical_events.of(cal).between(YEAR_START, YEAR_END)
    )
    assert theirs == bots
    assert len(bots) > 250
    # the skipped-hour EXDATE is the rule's own wall time
    assert "EXDATE;TZID=America/New_York:20260308T023000" in cal.to_ical().decode()


@pytest.mark.parametrize("cancel_first", [False, True])
@pytest.mark.parametrize("weekly", [False, True])
async def test_a_start_in_the_second_pass_of_a_repeated_hour_reads_back_as_that_instant(
    service: StudyGroupService, clock: ManualClock, db: Database, weekly: bool, cancel_first: bool
) -> None:
    clock.set(datetime(2026, 11, 1, 6, 40, tzinfo=UTC))  # 01:40 EST, the second 01:40
    group = await service.groups.create(GUILD, ALICE, "Night shift", "Step 1", role_id=ROLE)
    await service.timezones.set(ALICE, "America/New_York")
    made = await service.sessions.schedule(
        GUILD, group.id, ALICE, False, title="Late", start="1:50am",
        weekdays="sun" if weekly else None, count=4 if weekly else None,
    )
    assert made.first_start == datetime(2026, 11, 1, 6, 50, tzinfo=UTC)
    if cancel_first:
        await service.sessions.cancel(GUILD, made.upcoming[0].id, ALICE, False)
    kept = await db.fetchall(
        "SELECT starts_at FROM study_occurrences WHERE cancelled_at IS NULL ORDER BY starts_at"
    )
    cal = Calendar.from_ical(await service.sessions.calendar(GUILD, group.id))
    theirs = [
        e.decoded("dtstart").astimezone(UTC)
        for e in recurring_ical_events.of(cal).between(clock.now(), clock.now() + timedelta(days=60))
    ]
    assert sorted(theirs) == [from_epoch(r["starts_at"]) for r in kept]
    assert len(theirs) == (4 if weekly else 1) - cancel_first
