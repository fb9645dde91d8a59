"""The engine: claims due rows, sends them with their stored nonce, retries, marks, gives up.

Exactly once, over crashes and with several workers on one database:
- A row is claimed in a transaction (state 'claimed', ``claimed_by`` = this worker,
  ``claimed_at``) before it is sent with its stored nonce and ``enforce_nonce``, and marked
  'sent' with the message id after. Every state change names the state it expects (and, for
  a claimed row, its holder), so a worker never overwrites another's decision. On
  PostgreSQL the claim's SELECT also passes over rows another worker has locked (SKIP LOCKED).
- A claimed row is taken back only when its holder is gone (its `WorkerLease`, from
  `db.worker_lease`: on SQLite the dead worker's file lock is free; on PostgreSQL its heartbeat
  row is missing or stale by the server's clock, so a hung worker counts as gone too) or it is
  ours and no send of ours holds it (a cancelled send). It is resent with the same nonce while
  Discord still deduplicates it (NONCE_WINDOW after the claim), so the member sees one
  message; older orphans are given up with a logged reason rather than risk a duplicate. A
  hung worker that wakes up after its claims were taken records nothing: its updates name it
  as the holder, and it no longer is.
- Failed sends are retried with the kind's backoff (a 429's Retry-After when given) up to its
  ``max_attempts``; a permanent refusal (403/404, no channel) gives up at once.

Several processes: each claims only the rows of the servers its shards hold (`ShardScope`;
guild 0, global work, goes with shard 0), so a process never acts for a server whose events it
does not receive, and its timer never waits on rows another process will send.

Waking: `enqueue` runs inside the caller's transaction and registers an after-commit wake
(RoboDanny's create_timer: the writer re-arms the dispatcher), so rows never wait for a timer
armed before they existed. The APScheduler-based `Scheduler` is only the timer underneath.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.errors import FmgError
from bot.outbox._models import (
    Done,
    DueItem,
    Handler,
    NewRow,
    Receipt,
    Report,
    Send,
    Sender,
    SendFailed,
)
from bot.shards import ALL, ShardScope

log = logging.getLogger(__name__)

#: How long Discord deduplicates a nonce ("a few minutes"): orphaned claims younger than this
#: are resent with the same nonce, older ones are given up (never risk a double post).
NONCE_WINDOW = timedelta(minutes=2)
BATCH = 100
MAX_ROUNDS = 50
CONCURRENCY = 16
SOURCE_NAME = "outbox"


def new_nonce() -> str:
    """A message nonce (Discord allows 25 characters), stored with its row."""
    return secrets.token_hex(10)


class Outbox:
    def __init__(self, db: Database, clock: Clock, *, worker_id: str | None = None,
                 shards: ShardScope = ALL) -> None:
        self._db = db
        self._clock = clock
        #: the rows this worker may claim: those of its shards' servers
        self._mine = shards.where("guild_id")
        #: identifies this worker's claims (its lease tells others whether it is alive)
        self.worker_id = worker_id or secrets.token_hex(8)
        self._lease = db.worker_lease(self.worker_id)
        self._handlers: dict[str, Handler] = {}
        self._senders: dict[str, Sender] = {}
        self._in_flight: set[int] = set()
        self._wake: Callable[[], None] | None = None

    # -- wiring -----------------------------------------------------------------------------
    def handler(self, kind: str) -> Handler | None:
        """The handler registered for ``kind``, if any."""
        return self._handlers.get(kind)

    def register(self, kind: str, handler: Handler) -> None:
        """A service declares a kind of due work (once, when it is built)."""
        if kind in self._handlers and self._handlers[kind] is not handler:
            raise FmgError(f"due-work kind {kind!r} is registered twice")
        self._handlers[kind] = handler

    def attach_sender(self, kind: str, sender: Sender) -> None:
        """A cog provides how ``kind`` is sent (on load); rows wait until it does."""
        self._check_kind(kind)
        self._senders[kind] = sender
        self.wake()

    def detach_sender(self, kind: str) -> None:
        self._senders.pop(kind, None)

    def start(self, wake: Callable[[], None]) -> None:
        """Run under a timer: ``wake()`` makes it re-read `next_due` (the scheduler's poke).
        The worker's lease is taken by its first `run_due`, before it claims anything."""
        self._wake = wake
        wake()

    async def stop(self) -> None:
        """A clean stop: the lease goes, so claims left behind are taken back at once."""
        self._wake = None
        await self._lease.release()

    def wake(self) -> None:
        if self._wake is not None:
            self._wake()

    def _ready_kinds(self) -> list[str]:
        return [k for k, h in self._handlers.items() if not h.policy.sends or k in self._senders]

    # -- writing ----------------------------------------------------------------------------
    async def enqueue(
        self,
        kind: str,
        *,
        due: datetime,
        guild_id: int = 0,
        ref_id: int | None = None,
        recipient_id: int | None = None,
        data: Mapping[str, Any] | None = None,
        nonce: str | None = None,
    ) -> int:
        """Add a row; call it inside the transaction that decided it. The engine is woken
        once that transaction commits (at once when the caller holds none)."""
        self._check_kind(kind)
        due_s = int(due.timestamp())
        row_id = await self._db.fetchval(
            "INSERT INTO outbox (kind, guild_id, ref_id, recipient_id, data, due_at, "
            "next_attempt_at, nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (kind, guild_id, ref_id, recipient_id, json.dumps(dict(data or {})), due_s, due_s,
             nonce or new_nonce()),
        )
        self.wake_after_commit()
        return row_id

    async def enqueue_many(self, kind: str, rows: Iterable[NewRow], *,
                           revive_from: datetime | None = None) -> None:
        """Add rows (in the caller's transaction, like `enqueue`). A row whose key its kind
        already holds is not added again; with ``revive_from``, one that was cancelled and is
        due at or after that instant becomes pending again."""
        self._check_kind(kind)
        conflict = "DO NOTHING" if revive_from is None else (
            "DO UPDATE SET state = 'pending', last_error = NULL WHERE outbox.state = 'cancelled' "
            f"AND excluded.due_at >= {int(revive_from.timestamp())}"
        )
        await self._db.executemany(
            "INSERT INTO outbox (kind, guild_id, ref_id, recipient_id, data, due_at, "
            "next_attempt_at, nonce, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"ON CONFLICT (kind, key) {conflict}",
            [(kind, r.guild_id, r.ref_id, r.recipient_id, json.dumps(dict(r.data)),
              int(r.due.timestamp()), int(r.due.timestamp()), new_nonce(), r.key) for r in rows],
        )
        self.wake_after_commit()

    def wake_after_commit(self) -> None:
        """Wake the engine once the caller's transaction commits: for a service that changed
        its rows by hand (made a cancelled one pending again, say)."""
        self._db.after_commit(self.wake)

    def _check_kind(self, kind: str) -> None:
        if kind not in self._handlers:
            raise FmgError(f"no service registered the due-work kind {kind!r}")

    async def cancel(self, kinds: Iterable[str], ref_id: int, reason: str) -> int:
        """Cancel the pending rows of ``kinds`` about ``ref_id`` (in the caller's transaction);
        a kind that forgets its data does so now."""
        cancelled = 0
        for kind in kinds:
            forget = ", data = '{}'" if self._handlers[kind].policy.forget_data else ""
            rows = await self._db.fetchall(
                f"UPDATE outbox SET state = 'cancelled', last_error = ?{forget} WHERE ref_id = ? "
                "AND kind = ? AND state = 'pending' RETURNING id",
                (reason, ref_id, kind),
            )
            cancelled += len(rows)
        return cancelled

    # -- the timer's source -----------------------------------------------------------------
    async def next_due(self) -> datetime | None:
        orphans, held = await self._claims()
        if orphans:
            return self._clock.now()
        # Another worker's claim, alive for now: look again when its lease may have lapsed.
        recheck = self._lease.recheck
        soonest = self._clock.now() + recheck if held and recheck is not None else None
        kinds = self._ready_kinds()
        due = None if not kinds else await self._db.fetchval(
            f"SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending' "
            f"AND kind IN ({', '.join('?' * len(kinds))}) AND {self._mine}",
            kinds,
        )
        if due is None:
            return soonest
        return from_epoch(due) if soonest is None else min(from_epoch(due), soonest)

    async def run_due(self, now: datetime) -> Report:
        """Send every row due at ``now``, at most once each; returns what happened."""
        await self._lease.hold()
        report = Report()
        await self._recover(now, report)
        semaphore = asyncio.Semaphore(CONCURRENCY)
        # Handling rows writes rows (a timeout makes the next offer) and members act while we
        # send: claim again until a batch finds nothing, so those do not wait for another run.
        for _ in range(MAX_ROUNDS):
            claimed, found = await self._claim_batch(now, report)
            groups: dict[object, list[tuple[DueItem, object]]] = {}
            for item, payload in claimed:
                key = (item.kind, item.ref_id) if self._handlers[item.kind].policy.ordered \
                    else item.id
                groups.setdefault(key, []).append((item, payload))
            await asyncio.gather(*(self._send_group(g, semaphore, report)
                                   for g in groups.values()))
            if not found:
                break
        return report

    # -- claims -----------------------------------------------------------------------------
    async def _claims(self) -> tuple[list[sqlite3.Row], bool]:
        """The claimed rows nobody is sending (a gone worker's, or ours whose send was
        cancelled), and whether other live workers hold some of our rows."""
        rows = await self._db.fetchall(
            f"SELECT id, kind, claimed_at, claimed_by FROM outbox WHERE state = 'claimed' "
            f"AND {self._mine}"
        )
        alive: dict[str | None, bool] = {}
        found = []
        for r in rows:
            holder = r["claimed_by"]
            if holder == self.worker_id:
                if r["id"] not in self._in_flight:
                    found.append(r)
                continue
            if holder not in alive:
                alive[holder] = await self._lease.alive(holder)
            if not alive[holder] and r["kind"] in self._handlers:
                found.append(r)
        return found, any(alive.values())

    async def _recover(self, now: datetime, report: Report) -> None:
        rows, _ = await self._claims()
        if not rows:
            return
        now_s = int(now.timestamp())
        window_start = int((now - NONCE_WINDOW).timestamp())
        async with self._db.transaction():
            for r in rows:
                fresh = r["claimed_at"] is not None and r["claimed_at"] >= window_start
                if fresh:
                    await self._db.execute(
                        "UPDATE outbox SET state = 'pending', claimed_by = NULL, "
                        "next_attempt_at = ? WHERE id = ? AND state = 'claimed' "
                        f"AND {self._db.dialect.same('claimed_by', '?')}",
                        (now_s, r["id"], r["claimed_by"]),
                    )
                    continue
                item = await self._item_by_id(r["id"])
                reason = "unconfirmed: the bot stopped mid-send too long ago to resend safely"
                if await self._finish(item, "failed", reason, holder=r["claimed_by"]):
                    await self._handlers[item.kind].failed(item, reason)
                    report.failed += 1
                    log.warning("outbox row %d (%s) given up: %s", item.id, item.kind, reason)

    async def _claim_batch(
        self, now: datetime, report: Report
    ) -> tuple[list[tuple[DueItem, object]], int]:
        kinds = self._ready_kinds()
        if not kinds:
            return [], 0
        now_s = int(now.timestamp())
        claim_s = max(now_s, int(self._clock.now().timestamp()))
        claimed: list[tuple[DueItem, object]] = []
        async with self._db.transaction():
            rows = await self._db.fetchall(
                f"SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? "
                f"AND kind IN ({', '.join('?' * len(kinds))}) AND {self._mine} "
                f"ORDER BY next_attempt_at, id LIMIT ?{self._db.dialect.skip_locked}",
                (now_s, *kinds, BATCH),
            )
            for row in rows:
                # Claimed before the handler looks: what it cancels (the rows about an offer
                # that just timed out, say) cannot include the row it is handling.
                took = await self._db.fetchone(
                    "UPDATE outbox SET state = 'claimed', claimed_by = ?, claimed_at = ?, "
                    "attempts = attempts + 1 WHERE id = ? AND state = 'pending' RETURNING id",
                    (self.worker_id, claim_s, row["id"]),
                )
                if took is None:
                    continue
                item = _item(row, attempts=row["attempts"] + 1)
                outcome = await self._handlers[item.kind].prepare(item, from_epoch(claim_s))
                if isinstance(outcome, Send):
                    claimed.append((item, outcome.payload))
                    self._in_flight.add(item.id)
                elif isinstance(outcome, Done):
                    await self._finish(item, "done", None, holder=self.worker_id)
                    report.done += 1
                else:
                    await self._finish(item, outcome.state, outcome.reason,
                                       holder=self.worker_id)
                    if outcome.state == "failed":
                        log.warning("outbox row %d (%s) cannot be sent: %s", item.id, item.kind,
                                    outcome.reason)
                        report.failed += 1
                    else:
                        report.skipped += 1
        return claimed, len(rows)

    async def _finish(self, item: DueItem, state: str, reason: str | None, *,
                      holder: str | None) -> bool:
        """Move a claimed row to a final state, if ``holder`` still holds it (False when
        someone else moved it first)."""
        forget = ", data = '{}'" if self._handlers[item.kind].policy.forget_data else ""
        done = await self._db.fetchone(
            f"UPDATE outbox SET state = ?, last_error = ?, claimed_by = NULL{forget} "
            f"WHERE id = ? AND state = 'claimed' AND {self._db.dialect.same('claimed_by', '?')} "
            "RETURNING id",
            (state, reason, item.id, holder),
        )
        return done is not None

    # -- sends ------------------------------------------------------------------------------
    async def _send_group(self, group: list[tuple[DueItem, object]],
                          semaphore: asyncio.Semaphore, report: Report) -> None:
        for item, payload in group:
            await self._send_one(item, payload, semaphore, report)

    async def _send_one(self, item: DueItem, payload: object, semaphore: asyncio.Semaphore,
                        report: Report) -> None:
        try:
            async with semaphore:
                sender = self._senders.get(item.kind)
                try:
                    if sender is None:
                        raise SendFailed(f"nothing sends {item.kind!r} rows right now")
                    receipt = await sender.send(item, payload)
                except SendFailed as exc:
                    await self._failure(item, exc, report)
                    return
                except Exception as exc:  # a bug or a network error: retry, never lose the row
                    log.exception("sending outbox row %d (%s) failed", item.id, item.kind)
                    await self._failure(item, SendFailed(repr(exc)[:200]), report)
                    return
                await self._mark_sent(item, receipt)
                report.sent += 1
        finally:
            self._in_flight.discard(item.id)

    async def _mark_sent(self, item: DueItem, receipt: Receipt) -> None:
        handler = self._handlers[item.kind]
        forget = ", data = '{}'" if handler.policy.forget_data else ""
        sql = (f"UPDATE outbox SET state = 'sent', message_id = ?, channel_id = ?, sent_at = ?, "
               f"last_error = NULL, claimed_by = NULL{forget} WHERE id = ? "
               "AND state = 'claimed' AND claimed_by = ? RETURNING id")
        params = (receipt.message_id, receipt.channel_id, int(self._clock.now().timestamp()),
                  item.id, self.worker_id)
        if type(handler).sent is Handler.sent:
            await self._db.fetchone(sql, params)  # nothing else to record: one statement
            return
        async with self._db.transaction():
            if await self._db.fetchone(sql, params) is not None:
                await handler.sent(item, receipt)

    async def _failure(self, item: DueItem, exc: SendFailed, report: Report) -> None:
        policy = self._handlers[item.kind].policy
        reason = str(exc)[:300]
        if exc.permanent or item.attempts >= policy.max_attempts:
            async with self._db.transaction():
                if await self._finish(item, "failed", reason, holder=self.worker_id):
                    await self._handlers[item.kind].failed(item, reason)
            log.warning("outbox row %d (%s) failed for good: %s", item.id, item.kind, reason)
            report.failed += 1
            return
        wait = exc.retry_after if exc.retry_after is not None else policy.backoff(item.attempts)
        retry_at = int(self._clock.now().timestamp() + max(1.0, wait))
        log.warning("outbox row %d (%s) failed, will retry in %.0f s: %s", item.id, item.kind,
                    max(1.0, wait), reason)
        await self._db.execute(
            "UPDATE outbox SET state = 'pending', claimed_by = NULL, next_attempt_at = ?, "
            "last_error = ? WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
            (retry_at, reason, item.id, self.worker_id),
        )
        report.retried += 1

    async def _item_by_id(self, row_id: int) -> DueItem:
        row = await self._db.fetchone("SELECT * FROM outbox WHERE id = ?", (row_id,))
        assert row is not None
        return _item(row, attempts=row["attempts"])


def _item(row: sqlite3.Row, *, attempts: int) -> DueItem:
    return DueItem(
        id=row["id"], kind=row["kind"], guild_id=row["guild_id"], ref_id=row["ref_id"],
        recipient_id=row["recipient_id"], data=json.loads(row["data"]),
        due_at=from_epoch(row["due_at"]), nonce=row["nonce"], attempts=attempts,
    )
