"""`.ics` export of a group's sessions (icalendar): one VEVENT per series with RRULE, EXDATE
for cancelled occurrences and a VTIMEZONE per zone, as Google Calendar and Outlook expect.

Every TEXT value goes through icalendar's vText (RFC 5545 escaping of `\\ ; , newline`),
the calendar name too. An EXDATE is the wall time the RRULE itself produces for the cancelled
session (02:30 on a spring-forward night, not the 03:30 it is held at), so clients that match
EXDATE by wall time drop it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur, vText

from bot.services.study_groups.recurrence import WEEKDAY_CODES, Recurrence, place, rule_walls
from bot.services.study_groups.vtimezone import vtimezone

PRODID = "-//fmg-bot//study groups//EN"


@dataclass(frozen=True)
class IcsSeries:
    """What the export needs about one series (one-off sessions have no recurrence)."""

    uid: str
    summary: str
    description: str
    zone: str
    #: naive wall-clock time in ``zone``; aware for the second instant of a repeated hour
    first_local: datetime
    duration: timedelta
    recurrence: Recurrence | None = None
    location: str | None = None
    cancelled: Sequence[datetime] = field(default_factory=tuple)  # aware instants


def build_calendar(name: str, series: Sequence[IcsSeries], stamp: datetime) -> bytes:
    """The iCalendar bytes for ``series``; ``stamp`` (aware) becomes every DTSTAMP."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", vText(name))
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
        wall = s.first_local.replace(tzinfo=None)
        # A TZID'd wall time in a repeated hour means its first instant (RFC 5545 3.3.5). A
        # series starting at the second one is written as that wall time, excluded, plus the
        # real first instant as a UTC RDATE; a one-off simply starts at its UTC instant.
        second_pass = s.first_local.tzinfo is not None and s.first_local.astimezone(UTC) != place(wall, zone)
        if s.recurrence is None and second_pass:
            event.add("dtstart", s.first_local.astimezone(UTC))
        else:
            event.add("dtstart", wall.replace(tzinfo=zone))
        event.add("duration", s.duration)
        if s.recurrence is not None:
            event.add("rrule", _vrecur(s.recurrence, zone))
            walls = rule_walls(wall, zone, s.recurrence, s.cancelled)
            if second_pass:
                if wall in walls:  # that first session was cancelled: no RDATE for it
                    walls.remove(wall)
                else:
                    event.add("rdate", [s.first_local.astimezone(UTC)])
                walls.insert(0, wall)
            if walls:
                event.add("exdate", [w.replace(tzinfo=zone) for w in walls])
        cal.add_component(event)
    for key in sorted({s.zone for s in series}):
        first = min(s.first_local.date() for s in series if s.zone == key)
        cal.add_component(vtimezone(key, first))
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
