"""What the sandbox prints that is not a message: files (text, JSON, .ics), durations for
``wait``, and the one-line descriptions of threads and forum posts."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, tzinfo
from typing import Any

from icalendar import Calendar

DURATION_RE = re.compile(r"(\d+)\s*([dhms])")
DURATION_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
WEEKDAYS = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}
THREAD_TYPES = (10, 11, 12)
FORUM_TYPES = (15, 16)


def parse_duration(text: str) -> timedelta:
    """``10m``, ``2h``, ``1d``, ``90s``, ``1h30m``: how far ``wait`` moves the clock."""
    compact = text.replace(" ", "").lower()
    parts = DURATION_RE.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"not a duration: {text!r} (try 10m, 2h, 1d or 1h30m)")
    delta = timedelta()
    for number, unit in parts:
        delta += timedelta(**{DURATION_UNITS[unit]: int(number)})
    if delta <= timedelta(0):
        raise ValueError("wait for a positive duration, e.g. wait 10m")
    return delta


def describe_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
    return " ".join(parts) or "0 s"


def file_text(filename: str, data: bytes, tz: tzinfo | None) -> str:
    """A file as the sandbox prints it: .ics as its events, JSON pretty-printed, text as is."""
    lower = filename.lower()
    if lower.endswith(".ics"):
        return ics_summary(data, tz)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"(a binary file of {len(data)} bytes)"
    if lower.endswith(".json"):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    return text


def ics_summary(data: bytes, tz: tzinfo | None) -> str:
    """Each event of a calendar on one line (or two): title, first start in ``tz``, how it
    repeats, where, and cancelled dates; as a calendar app would list them."""
    calendar = Calendar.from_ical(data)
    name = calendar.get("x-wr-calname")
    lines = [f"Calendar {name}" if name else "Calendar"]
    events = list(calendar.walk("VEVENT"))
    if not events:
        lines.append("  (no events)")
    for event in events:
        start = event.decoded("dtstart")
        when = _when(start, tz)
        line = f"  - {event.get('summary', '(untitled)')}: {when}"
        if "duration" in event:
            line += f", {describe_duration(event.decoded('duration'))}"
        if "rrule" in event:
            line += f", {_repeats(event.get('rrule'))}"
        lines.append(line)
        if event.get("location"):
            lines.append(f"    at {event.get('location')}")
        exdates = event.get("exdate")
        if exdates is not None:
            cancelled = [d.dt for group in (exdates if isinstance(exdates, list) else [exdates])
                         for d in group.dts]
            lines.append("    cancelled: " + ", ".join(_when(d, tz) for d in cancelled))
    return "\n".join(lines)


def _when(moment: Any, tz: tzinfo | None) -> str:
    if not isinstance(moment, datetime):
        return f"{moment:%a %d %b %Y}"
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    return f"{moment:%a %d %b %Y %H:%M %Z}".rstrip()


def _repeats(rule: Any) -> str:
    every = (rule.get("INTERVAL") or [1])[0]
    days = ", ".join(WEEKDAYS.get(str(d), str(d)) for d in rule.get("BYDAY") or [])
    text = "weekly" if every == 1 else f"every {every} weeks"
    if days:
        text += f" on {days}"
    if rule.get("COUNT"):
        text += f", {rule['COUNT'][0]} times"
    if rule.get("UNTIL"):
        text += f" until {_when(rule['UNTIL'][0], None)}"
    return text


def thread_line(thread: dict[str, Any], parent: dict[str, Any] | None,
                tags: dict[str, str], messages: int) -> str:
    """``#questions > Is a J-1 waiver hard? [visa] (forum post, 2 messages)``."""
    where = f"#{parent['name']} > " if parent else ""
    applied = [tags.get(str(t), str(t)) for t in thread.get("applied_tags") or []]
    kind = ("forum post" if parent and parent["type"] in FORUM_TYPES
            else "private thread" if thread["type"] == 12 else "thread")
    state = []
    if thread["thread_metadata"].get("archived"):
        state.append("archived")
    if thread["thread_metadata"].get("locked"):
        state.append("locked")
    extra = f", {', '.join(state)}" if state else ""
    tag_text = f" [{', '.join(applied)}]" if applied else ""
    return (f"{where}{thread['name']}{tag_text} ({kind}, {messages} "
            f"message{'' if messages == 1 else 's'}{extra})")
