"""RSVP counts shown on posted announcements, brought back in line after RSVPs were erased.

A click edits the announcement it was made on; erasing a member's data (`/privacy delete`, the
retention sweep) removes their RSVPs without a click, so every posted announcement of those
sessions would keep counting them. `StudyGroupPrivacy` enqueues one ``study_rsvp_refresh`` row
per such session in the erasing transaction; this handler reads the counts and the messages
when it is due, and the cog edits their buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.db import Database
from bot.outbox import DueItem, Handler, Outbox, Outcome, Policy, Send, Skip
from bot.services.study_groups.models import RsvpCounts
from bot.services.study_groups.outbox import ANNOUNCE, rsvp_counts

REFRESH = "study_rsvp_refresh"


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
