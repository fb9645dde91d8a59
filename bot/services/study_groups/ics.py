"""`.ics` export of a group's sessions (icalendar): one VEVENT per series with RRULE, EXDATE
for cancelled occurrences and a VTIMEZONE per zone, as Google Calendar and Outlook expect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from bot.services.study_groups.recurrence import WEEKDAY_CODES, Recurrence, place

PRODID = "-//fmg-bot//study groups//EN"


@dataclass(frozen=True)
class IcsSeries:
    """What the export needs about one series (one-off sessions have no recurrence)."""

    uid: str
    summary: str
    description: str
    zone: str
    first_local: datetime  # naive wall-clock time in ``zone``
    duration: timedelta
    recurrence: Recurrence | None = None
    location: str | None = None
    cancelled_local: Sequence[datetime] = field(default_factory=tuple)  # naive wall times


def build_calendar(name: str, series: Sequence[IcsSeries], stamp: datetime) -> bytes:
    """The iCalendar bytes for ``series``; ``stamp`` (aware) becomes every DTSTAMP."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for s in series:
        zone = ZoneInfo(s.zone)
        event = Event()
        event.add("uid", s.uid)
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("summary", s.summary)
        if s.description:
            event.add("description", s.description)
        if s.location:
            event.add("location", s.location)
        start = s.first_local.replace(tzinfo=zone)
        event.add("dtstart", start)
        event.add("duration", s.duration)
        if s.recurrence is not None:
            event.add("rrule", _vrecur(s.recurrence, zone))
            if s.cancelled_local:
                event.add("exdate", [w.replace(tzinfo=zone) for w in s.cancelled_local])
        cal.add_component(event)
    if series:
        # VTIMEZONE rules only for the years the calendar spans (RDATE lists grow with them)
        first = min(s.first_local.date() for s in series) - timedelta(days=366)
        ends = [s.recurrence.until for s in series if s.recurrence and s.recurrence.until]
        last = max([stamp.date() + timedelta(days=5 * 366), *ends]) + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def _vrecur(recurrence: Recurrence, zone: ZoneInfo) -> vRecur:
    rule: dict[str, object] = {
        "FREQ": "WEEKLY",
        "BYDAY": [WEEKDAY_CODES[d] for d in recurrence.weekdays],
    }
    if recurrence.interval != 1:
        rule["INTERVAL"] = recurrence.interval
    if recurrence.count is not None:
        rule["COUNT"] = recurrence.count
    if recurrence.until is not None:
        # RFC 5545: with a TZID'd DTSTART, UNTIL is a UTC date-time
        rule["UNTIL"] = place(datetime.combine(recurrence.until, time(23, 59, 59)), zone)
    return vRecur(rule)
