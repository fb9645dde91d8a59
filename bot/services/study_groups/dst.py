"""DST notices: "from Nov 2 this is 18:00 for you in London".

A series keeps its wall-clock time in its own zone, so when that zone or a member's zone
changes its UTC offset, the member's local time for the session moves. The announcement of an
occurrence in the week before such a move says so, once per affected zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.timezones import zone_city

#: How far after an occurrence to look for a change of local time (a weekly series plus slack).
NOTICE_WINDOW = timedelta(days=8)


@dataclass(frozen=True)
class DstNotice:
    zone: str
    from_date: date
    old_time: time
    new_time: time

    def text(self) -> str:
        return (
            f"from {self.from_date:%b} {self.from_date.day} this is "
            f"{self.new_time:%H:%M} for you in {zone_city(self.zone)} (was {self.old_time:%H:%M})"
        )


def dst_notices(
    this_start: datetime, later_starts: Iterable[datetime], zones: Iterable[str]
) -> list[DstNotice]:
    """Notices for each zone whose local time of the series changes within NOTICE_WINDOW.

    ``this_start`` and ``later_starts`` are aware instants of the same series (later ones in
    ascending order); ``zones`` are the IANA names of the members (duplicates are fine).
    """
    horizon = this_start + NOTICE_WINDOW
    upcoming = [s for s in later_starts if this_start < s <= horizon]
    notices: list[DstNotice] = []
    for name in sorted(set(zones)):
        zone = ZoneInfo(name)
        base = this_start.astimezone(zone).time()
        for start in upcoming:
            local = start.astimezone(zone)
            if local.time() != base:
                notices.append(DstNotice(name, local.date(), base, local.time()))
                break
    return notices
