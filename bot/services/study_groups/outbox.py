"""Study groups' due work on the one outbox (`bot.outbox`): every announcement and DM
reminder is a row before it is a send.

Exactly once, retries and orphaned claims are the engine's. This handler decides what a due
row means now. Late rows (the bot was down): sent marked "(delayed)" if the session has not
ended, skipped if it has, and skipped if a later announcement of the same session is also due
(one catch-up message instead of three). An announcement with no announcements channel set is
failed at once, visibly (last_error), rather than retried.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.clock import from_epoch
from bot.db import Database
from bot.db.dialect import Dialect
from bot.outbox import DueItem, Handler, NewRow, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups.dst import DstNotice, heads_ups
from bot.services.study_groups.models import OutgoingMessage, RsvpCounts

ANNOUNCE, DM = "study_announce", "study_dm"
KINDS = (ANNOUNCE, DM)
#: A row sent later than this after its due time is marked "(delayed)".
LATE_GRACE = timedelta(seconds=60)
MAX_ATTEMPTS = 6


def lead_sql(dialect: Dialect) -> str:
    """A row's lead (seconds before the start) is in its data; queries read it with this."""
    return dialect.json_int("data", "lead")


def due_row(guild_id: int, occurrence_id: int, recipient_id: int | None, lead: int,
            due_s: int) -> NewRow:
    """One announcement (``recipient_id`` None) or DM reminder: one row per session, member
    and lead, whatever adds it (the key)."""
    return NewRow(
        due=from_epoch(due_s), guild_id=guild_id, ref_id=occurrence_id,
        recipient_id=recipient_id, data={"lead": lead},
        key=f"{occurrence_id}:{recipient_id or 0}:{lead}",
    )


async def rsvp_counts(db: Database, occurrence_id: int) -> RsvpCounts:
    rows = await db.fetchall(
        "SELECT choice, COUNT(*) AS n FROM study_rsvps WHERE occurrence_id = ? GROUP BY choice",
        (occurrence_id,),
    )
    by_choice = {r["choice"]: r["n"] for r in rows}
    return RsvpCounts(by_choice.get("going", 0), by_choice.get("maybe", 0), by_choice.get("no", 0))


_SELECT = (
    "SELECT o.id AS occurrence_id, o.starts_at, o.ends_at, o.cancelled_at, o.event_id, "
    "s.id AS series_id, s.title, s.zone, s.rrule, s.first_local, s.location, "
    "s.channel_id AS voice_channel_id, s.duration_minutes, g.id AS group_id, g.name AS group_name, "
    "g.guild_id, g.role_id "
    "FROM study_occurrences o JOIN study_series s ON s.id = o.series_id "
    "JOIN study_groups g ON g.id = s.group_id WHERE o.id = ?"
)


class Announcements(Handler):
    policy = Policy(max_attempts=MAX_ATTEMPTS, backoff_base_s=5, backoff_max_s=300)

    def __init__(self, db: Database, guild_settings: GuildSettingsService) -> None:
        self._db = db
        self._guild_settings = guild_settings

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        row = await self._db.fetchone(_SELECT, (item.ref_id,))
        if row is None:
            return Skip("the session no longer exists", state="cancelled")
        kind = "announce" if item.kind == ANNOUNCE else "dm"
        lead = int(item.data["lead"])
        reason = await self._skip_reason(item, row, kind, lead, now)
        if reason is not None:
            return Skip(reason, state="cancelled" if reason == "cancelled" else "skipped")
        delayed = item.late(now, LATE_GRACE)
        rsvps = await rsvp_counts(self._db, item.ref)
        channel_id, zone, heads_ups = None, None, ()
        if kind == "dm":
            zone = await self._db.fetchval(
                "SELECT zone FROM member_timezones WHERE user_id = ?", (item.recipient_id,)
            )
        else:
            value = (await self._guild_settings.get(row["guild_id"])).get("announcements_channel")
            if not value:
                return Skip("no announcements channel is set (/settings channel)", state="failed")
            channel_id = int(value)
            heads_ups = tuple(await self._heads_ups(item, row, lead))
        return Send(OutgoingMessage(
            outbox_id=item.id, kind=kind, guild_id=row["guild_id"], channel_id=channel_id,
            recipient_id=item.recipient_id, role_id=row["role_id"] if kind == "announce" else None,
            nonce=item.nonce, occurrence_id=item.ref, rsvps=rsvps, delayed=delayed,
            group_name=row["group_name"], title=row["title"],
            starts_at=from_epoch(row["starts_at"]), duration_minutes=row["duration_minutes"],
            location=row["location"], voice_channel_id=row["voice_channel_id"],
            event_id=row["event_id"], zone=zone, heads_ups=heads_ups,
        ))

    async def _skip_reason(self, item: DueItem, row: sqlite3.Row, kind: str, lead: int,
                           now: datetime) -> str | None:
        if row["cancelled_at"] is not None:
            return "cancelled"
        now_s = int(now.timestamp())
        if now_s >= row["ends_at"]:
            return "the session had ended before it could be sent"
        if item.late(now, LATE_GRACE) and kind == "announce":
            newer = await self._db.fetchval(
                f"SELECT 1 FROM outbox WHERE ref_id = ? AND kind = ? AND {lead_sql(self._db.dialect)} < ? "
                "AND due_at <= ? AND state IN ('pending', 'claimed', 'sent') LIMIT 1",
                (item.ref_id, ANNOUNCE, lead, now_s),
            )
            if newer:
                return "superseded by a later announcement of the same session"
        return None

    async def _heads_ups(self, item: DueItem, row: sqlite3.Row, lead: int) -> list[DstNotice]:
        """Heads-ups about next week's local times, in the session's first announcement."""
        first_lead = await self._db.fetchval(
            f"SELECT MAX({lead_sql(self._db.dialect)}) FROM outbox WHERE ref_id = ? AND kind = ?",
            (item.ref_id, ANNOUNCE),
        )
        if not row["rrule"] or lead != first_lead:
            return []
        zones = [
            r["zone"]
            for r in await self._db.fetchall(
                "SELECT DISTINCT t.zone FROM study_group_members m JOIN member_timezones t "
                "ON t.user_id = m.user_id WHERE m.group_id = ? AND t.zone IS NOT NULL",
                (row["group_id"],),
            )
        ]
        return await heads_ups(
            self._db, row["series_id"], from_epoch(row["starts_at"]), zones
        )

