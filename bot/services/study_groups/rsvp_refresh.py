"""RSVP counts shown on a session's posted announcements, kept in line with the RSVPs.

A click edits only the announcement it was made on, so the session's other announcements (the
day before, 15 minutes before) would keep old counts; and erasing a member's data (`/privacy
delete`, the retention sweep) removes their RSVPs with no click at all. Both enqueue a
``study_rsvp_refresh`` row in the transaction that changed the RSVPs (clicks share one row per
session and DEBOUNCE_S, so a burst of clicks is one edit per message); this handler reads the
counts and the messages when it is due, and the cog edits their buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_epoch
from bot.db import Database
from bot.outbox import DueItem, Handler, NewRow, Outbox, Outcome, Policy, Send, Skip
from bot.services.study_groups.models import RsvpCounts
from bot.services.study_groups.outbox import ANNOUNCE, rsvp_counts

REFRESH = "study_rsvp_refresh"
#: RSVP clicks on one session within this many seconds share one refresh.
DEBOUNCE_S = 10


@dataclass(frozen=True)
class RsvpRefresh:
    occurrence_id: int
    rsvps: RsvpCounts
    messages: tuple[tuple[int, int], ...]
    """(channel id, message id) of each posted announcement of the session."""


async def posted_with_rsvps(db: Database, occurrence_ids_sql: str, params: tuple) -> list[int]:
    """Of the sessions the subquery names, those with a posted announcement."""
    rows = await db.fetchall(
        f"SELECT DISTINCT ref_id FROM outbox WHERE kind = ? AND state = 'sent' "
        f"AND message_id IS NOT NULL AND ref_id IN ({occurrence_ids_sql})",
        (ANNOUNCE, *params),
    )
    return [r["ref_id"] for r in rows]


class RsvpRefresher(Handler):
    policy = Policy(max_attempts=5, backoff_base_s=10, backoff_max_s=300)

    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox
        outbox.register(REFRESH, self)

    async def enqueue(self, occurrence_ids: Iterable[int], now: datetime) -> None:
        """Refresh these sessions' announcements (inside the transaction that changed them)."""
        for occurrence_id in occurrence_ids:
            await self._outbox.enqueue(REFRESH, due=now, ref_id=occurrence_id)

    async def after_rsvp(self, occurrence_id: int, now: datetime) -> None:
        """A member answered on one announcement: recount the session's others (debounced)."""
        posted = await self._db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE ref_id = ? AND kind = ? AND state = 'sent' "
            "AND message_id IS NOT NULL",
            (occurrence_id, ANNOUNCE),
        )
        if posted < 2:  # the click already edited the only one
            return
        bucket = int(now.timestamp()) // DEBOUNCE_S + 1
        await self._outbox.enqueue_many(REFRESH, [NewRow(
            due=from_epoch(bucket * DEBOUNCE_S), ref_id=occurrence_id,
            key=f"{occurrence_id}:{bucket}",
        )])

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        assert item.ref_id is not None
        rows = await self._db.fetchall(
            "SELECT channel_id, message_id FROM outbox WHERE kind = ? AND ref_id = ? "
            "AND state = 'sent' AND message_id IS NOT NULL AND channel_id IS NOT NULL ORDER BY id",
            (ANNOUNCE, item.ref_id),
        )
        if not rows:
            return Skip("no announcement of the session is posted")
        return Send(RsvpRefresh(item.ref_id, await rsvp_counts(self._db, item.ref_id),
                                tuple((r["channel_id"], r["message_id"]) for r in rows)))
