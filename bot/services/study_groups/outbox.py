"""The announcement outbox: every announcement and DM reminder is a row before it is a send.

At most once: a row is claimed in a transaction (state 'claimed', by this process) before it
is sent with its stored nonce and ``enforce_nonce``, and marked 'sent' with the message id
after. A process that dies between the two leaves 'claimed' rows; the next one resends them
with the same nonce while Discord still deduplicates it (NONCE_WINDOW), so the member sees one
message, and gives up on older ones rather than risk a duplicate.

Late rows (the bot was down): sent marked "(delayed)" if the session has not ended, skipped
if it has, and skipped if a later announcement of the same session is also due (one catch-up
message instead of three). 429/5xx failures are retried with exponential backoff.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.db.database import Transaction
from bot.services.guild_settings import GuildSettingsService
from bot.services.links import shown_link
from bot.services.study_groups.dst import dst_notices
from bot.services.study_groups.models import DispatchReport, OutgoingMessage, RsvpCounts
from bot.services.study_groups.recurrence import Recurrence, occurrences
from bot.services.text import md
from bot.services.timezones import DEFAULT_ZONE, format_local

log = logging.getLogger(__name__)

#: A row sent later than this after its due time is marked "(delayed)".
LATE_GRACE = timedelta(seconds=60)
#: How long Discord deduplicates a nonce ("a few minutes"); orphaned claims younger than this
#: are resent with the same nonce, older ones are given up (never risk a double post).
NONCE_WINDOW = timedelta(minutes=2)
MAX_ATTEMPTS = 6
BACKOFF_BASE_S = 5
BACKOFF_MAX_S = 300
BATCH = 100
CONCURRENCY = 16
CONTENT_MAX = 2000


class SendFailed(Exception):
    """Raised by a sender. ``permanent`` (403/404, no channel) is not retried; otherwise the
    row is retried after ``retry_after`` seconds (a 429's value) or an exponential backoff."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, message: OutgoingMessage) -> int:
        """Post the message (with its nonce, enforce_nonce) and return the message id."""
        ...


def new_nonce() -> str:
    """A message nonce (Discord allows 25 characters); stored with its outbox row."""
    return secrets.token_hex(10)


def backoff(attempts: int) -> float:
    return float(min(BACKOFF_BASE_S * 2 ** max(0, attempts - 1), BACKOFF_MAX_S))


_CLAIM_SELECT = (
    "SELECT ob.id, ob.occurrence_id, ob.kind, ob.recipient_id, ob.lead_seconds, ob.due_at, "
    "ob.nonce, ob.attempts, ob.delayed, o.starts_at, o.ends_at, o.cancelled_at, o.event_id, "
    "s.id AS series_id, s.title, s.zone, s.rrule, s.first_local, s.location, "
    "s.channel_id AS voice_channel_id, s.duration_minutes, g.id AS group_id, g.name AS group_name, "
    "g.guild_id, g.role_id "
    "FROM study_outbox ob JOIN study_occurrences o ON o.id = ob.occurrence_id "
    "JOIN study_series s ON s.id = o.series_id JOIN study_groups g ON g.id = s.group_id "
)


class Outbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        guild_settings: GuildSettingsService,
        *,
        worker_id: str | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._guild_settings = guild_settings
        #: identifies this process's claims; another id on a 'claimed' row means it was orphaned
        self.worker_id = worker_id or secrets.token_hex(8)
        self._in_flight: set[int] = set()

    async def next_due(self) -> datetime | None:
        if await self._orphans():
            return self._clock.now()
        due = await self._db.fetchval(
            "SELECT MIN(next_attempt_at) FROM study_outbox WHERE state = 'pending'"
        )
        return None if due is None else from_epoch(due)

    async def _orphans(self) -> list[sqlite3.Row]:
        """Claimed rows nobody is sending: another process's, or ours whose send was cancelled."""
        rows = await self._db.fetchall(
            "SELECT id, claimed_at, claimed_by FROM study_outbox WHERE state = 'claimed'"
        )
        return [
            r for r in rows if r["claimed_by"] != self.worker_id or r["id"] not in self._in_flight
        ]

    async def recover(self, now: datetime) -> tuple[int, int]:
        """Handle rows another (dead) process claimed: (requeued, given up)."""
        now_s = int(now.timestamp())
        window_start = int((now - NONCE_WINDOW).timestamp())
        rows = await self._orphans()
        if not rows:
            return 0, 0
        async with self._db.transaction() as tx:
            fresh = [r["id"] for r in rows if r["claimed_at"] >= window_start]
            stale = [r["id"] for r in rows if r["claimed_at"] < window_start]
            await tx.executemany(
                "UPDATE study_outbox SET state = 'pending', claimed_by = NULL, next_attempt_at = ? "
                "WHERE id = ? AND state = 'claimed'",
                [(now_s, i) for i in fresh],
            )
            await tx.executemany(
                "UPDATE study_outbox SET state = 'failed', last_error = ? WHERE id = ? "
                "AND state = 'claimed'",
                [("unconfirmed: the bot stopped mid-send too long ago to resend safely", i)
                 for i in stale],
            )
        if stale:
            log.warning("gave up %d unconfirmed announcements (claimed before a crash)", len(stale))
        return len(fresh), len(stale)

    async def dispatch(self, now: datetime, sender: Sender) -> DispatchReport:
        """Send every row due at ``now``, at most once each; returns what happened."""
        await self.recover(now)
        totals = [0, 0, 0, 0]  # sent, skipped, retried, failed
        semaphore = asyncio.Semaphore(CONCURRENCY)
        while True:
            messages, skipped, batch_size = await self._claim_batch(now)
            totals[1] += skipped
            if messages:
                outcomes = await asyncio.gather(
                    *(self._send_one(m, sender, semaphore) for m in messages)
                )
                for outcome in outcomes:
                    totals[outcome] += 1
            if batch_size < BATCH:
                break
        return DispatchReport(*totals)

    async def _claim_batch(self, now: datetime) -> tuple[list[OutgoingMessage], int, int]:
        now_s = int(now.timestamp())
        claim_s = max(now_s, int(self._clock.now().timestamp()))
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"{_CLAIM_SELECT} WHERE ob.state = 'pending' AND ob.next_attempt_at <= ? "
                "ORDER BY ob.next_attempt_at, ob.id LIMIT ?",
                (now_s, BATCH),
            )
            claimed: list[sqlite3.Row] = []
            skipped = 0
            for row in rows:
                reason = await _skip_reason(tx, row, claim_s)
                if reason is not None:
                    await tx.execute(
                        "UPDATE study_outbox SET state = ?, last_error = ? WHERE id = ?",
                        ("cancelled" if reason == "cancelled" else "skipped", reason, row["id"]),
                    )
                    skipped += 1
                    continue
                delayed = row["delayed"] or claim_s - row["due_at"] > LATE_GRACE.total_seconds()
                await tx.execute(
                    "UPDATE study_outbox SET state = 'claimed', claimed_by = ?, claimed_at = ?, "
                    "attempts = attempts + 1, delayed = ? WHERE id = ?",
                    (self.worker_id, claim_s, int(delayed), row["id"]),
                )
                claimed.append(row)
                self._in_flight.add(row["id"])
            prepared = [await self._prepare(tx, row, claim_s) for row in claimed]
        messages = []
        for row, (content, delayed, rsvps) in zip(claimed, prepared, strict=True):
            channel_id = None
            if row["kind"] == "announce":
                config = await self._guild_settings.get(row["guild_id"])
                value = config.get("announcements_channel")
                channel_id = int(value) if value else None
            messages.append(
                OutgoingMessage(
                    outbox_id=row["id"],
                    kind=row["kind"],
                    guild_id=row["guild_id"],
                    channel_id=channel_id,
                    recipient_id=row["recipient_id"] or None,
                    role_id=row["role_id"] if row["kind"] == "announce" else None,
                    nonce=row["nonce"],
                    content=content,
                    occurrence_id=row["occurrence_id"],
                    rsvps=rsvps,
                    delayed=delayed,
                )
            )
        return messages, skipped, len(rows)

    async def _prepare(
        self, tx: Transaction, row: sqlite3.Row, claim_s: int
    ) -> tuple[str, bool, RsvpCounts]:
        delayed = bool(row["delayed"]) or claim_s - row["due_at"] > LATE_GRACE.total_seconds()
        counts = await tx.fetchall(
            "SELECT choice, COUNT(*) AS n FROM study_rsvps WHERE occurrence_id = ? GROUP BY choice",
            (row["occurrence_id"],),
        )
        by_choice = {c["choice"]: c["n"] for c in counts}
        rsvps = RsvpCounts(by_choice.get("going", 0), by_choice.get("maybe", 0), by_choice.get("no", 0))
        if row["kind"] == "dm":
            zone_name = await tx.fetchval(
                "SELECT zone FROM member_timezones WHERE user_id = ?", (row["recipient_id"],)
            )
            return render_dm(row, zone_name, delayed), delayed, rsvps
        notices: list[str] = []
        first_lead = await tx.fetchval(
            "SELECT MAX(lead_seconds) FROM study_outbox WHERE occurrence_id = ? AND kind = 'announce'",
            (row["occurrence_id"],),
        )
        if row["rrule"] and row["lead_seconds"] == first_lead:
            zones = [
                r["zone"]
                for r in await tx.fetchall(
                    "SELECT DISTINCT t.zone FROM study_group_members m JOIN member_timezones t "
                    "ON t.user_id = m.user_id WHERE m.group_id = ? AND t.zone IS NOT NULL",
                    (row["group_id"],),
                )
            ]
            notices = _notices(row, zones)
        return render_announcement(row, delayed, notices), delayed, rsvps

    async def _send_one(
        self, message: OutgoingMessage, sender: Sender, semaphore: asyncio.Semaphore
    ) -> int:
        """Send one claimed row; returns the index into (sent, skipped, retried, failed)."""
        try:
            async with semaphore:
                try:
                    if message.kind == "announce" and message.channel_id is None:
                        raise SendFailed(
                            "no announcements channel is set (/settings channel)", permanent=True
                        )
                    message_id = await sender.send(message)
                except SendFailed as exc:
                    return await self._record_failure(message, exc)
                except Exception as exc:  # a bug or a network error: retry, never lose the row
                    log.exception("sending outbox row %d failed", message.outbox_id)
                    return await self._record_failure(message, SendFailed(repr(exc)[:200]))
                await self._db.execute(
                    "UPDATE study_outbox SET state = 'sent', message_id = ?, channel_id = ?, "
                    "sent_at = ?, last_error = NULL WHERE id = ? AND state = 'claimed' "
                    "AND claimed_by = ?",
                    (message_id, message.channel_id, int(self._clock.now().timestamp()),
                     message.outbox_id, self.worker_id),
                )
                return 0
        finally:
            self._in_flight.discard(message.outbox_id)

    async def _record_failure(self, message: OutgoingMessage, exc: SendFailed) -> int:
        attempts = await self._db.fetchval(
            "SELECT attempts FROM study_outbox WHERE id = ?", (message.outbox_id,)
        ) or 0
        if exc.permanent or attempts >= MAX_ATTEMPTS:
            await self._db.execute(
                "UPDATE study_outbox SET state = 'failed', last_error = ? WHERE id = ? "
                "AND state = 'claimed'",
                (str(exc)[:300], message.outbox_id),
            )
            log.warning("outbox row %d failed for good: %s", message.outbox_id, exc)
            return 3
        wait = exc.retry_after if exc.retry_after is not None else backoff(attempts)
        retry_at = int(self._clock.now().timestamp() + max(1.0, wait))
        await self._db.execute(
            "UPDATE study_outbox SET state = 'pending', claimed_by = NULL, next_attempt_at = ?, "
            "last_error = ? WHERE id = ? AND state = 'claimed'",
            (retry_at, str(exc)[:300], message.outbox_id),
        )
        return 2


async def _skip_reason(tx: Transaction, row: sqlite3.Row, now_s: int) -> str | None:
    if row["cancelled_at"] is not None:
        return "cancelled"
    if now_s >= row["ends_at"]:
        return "the session had ended before it could be sent"
    late = now_s - row["due_at"] > LATE_GRACE.total_seconds()
    if late and row["kind"] == "announce":
        newer = await tx.fetchval(
            "SELECT 1 FROM study_outbox WHERE occurrence_id = ? AND kind = 'announce' "
            "AND lead_seconds < ? AND due_at <= ? AND state IN ('pending', 'claimed', 'sent') "
            "LIMIT 1",
            (row["occurrence_id"], row["lead_seconds"], now_s),
        )
        if newer:
            return "superseded by a later announcement of the same session"
    return None


def _notices(row: sqlite3.Row, zones: Sequence[str]) -> list[str]:
    start = from_epoch(row["starts_at"])
    later = occurrences(
        datetime.fromisoformat(row["first_local"]),
        ZoneInfo(row["zone"]),
        Recurrence.from_rrule(row["rrule"]),
        after=start + timedelta(seconds=1),
        before=start + timedelta(days=8, seconds=1),
    )
    return [n.text() for n in dst_notices(start, list(later), zones)]


def render_announcement(row: sqlite3.Row, delayed: bool, notices: Sequence[str]) -> str:
    """Message content: <t:...> renders in each reader's own local time."""
    start = row["starts_at"]
    head = f"<@&{row['role_id']}> " if row["role_id"] else ""
    lines = [
        f"{head}**{md(row['group_name'])}**: {md(row['title'])}" + (" (delayed)" if delayed else ""),
        f"Starts <t:{start}:F> (<t:{start}:R>) · {row['duration_minutes']} min",
    ]
    if row["voice_channel_id"]:
        lines.append(f"Where: <#{row['voice_channel_id']}>")
    elif row["location"]:
        lines.append(f"Where: {shown_link(row['location'])}")
    if row["event_id"]:
        lines.append(f"Event: https://discord.com/events/{row['guild_id']}/{row['event_id']}")
    lines.append("RSVP below so the group knows who is coming.")
    text = "\n".join(lines)
    for i, notice in enumerate(notices):
        line = f"\n⏰ Heads-up: {notice}"
        rest = len(notices) - i - 1
        tail = f"\n…and {rest} more zones change too: see `/session upcoming`." if rest else ""
        if len(text) + len(line) + len(tail) > CONTENT_MAX - 60:
            text += f"\n⏰ The local time changes next week in {len(notices) - i} more zones."
            break
        text += line
    return text


def render_dm(row: sqlite3.Row, zone_name: str | None, delayed: bool) -> str:
    """A DM reminder: the member's own zone (push notifications do not render <t:...>)."""
    zone = ZoneInfo(zone_name or DEFAULT_ZONE)
    start = from_epoch(row["starts_at"])
    lines = [
        f"Reminder{' (delayed)' if delayed else ''}: **{md(row['title'])}** ({md(row['group_name'])}) "
        f"starts {format_local(start, zone)} (<t:{row['starts_at']}:R>).",
    ]
    if row["location"]:
        lines.append(f"Link: {shown_link(row['location'])}")
    if zone_name is None:
        lines.append("Times are in UTC until you set your zone with `/timezone set`.")
    lines.append("Change or stop these reminders with `/session remind`.")
    return "\n".join(lines)
