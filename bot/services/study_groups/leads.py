"""When a session's announcements (and DM reminders) are due, planned when it is scheduled.

Each lead time ("24 h before", "15 min before", "at the start") is due at start - lead. A lead
that has already passed when the session is planned (scheduled less than 24 hours ahead) is
not dropped: one row is due at once, whatever how many leads passed, and the later leads keep
their times. A session already started gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable


def plan_leads(start_s: int, leads: Iterable[int], now_s: int) -> list[tuple[int, int]]:
    """(lead_seconds, due_at) rows for a session starting at ``start_s`` (epoch seconds).

    The at-once row carries the smallest passed lead (the announcement it stands in for).
    """
    unique = sorted(set(leads), reverse=True)
    rows = [(lead, start_s - lead) for lead in unique if start_s - lead >= now_s]
    passed = [lead for lead in unique if start_s - lead < now_s]
    if passed and now_s < start_s:
        rows.insert(0, (min(passed), now_s))
    return rows
