"""The outbox worker lease on PostgreSQL: a heartbeat row per worker (table outbox_workers).

Workers may run on several machines, so no lock of one machine can tell whether another's
worker is alive. Each worker holding its lease writes its row with the server's clock every
`BEAT_S` from a background task; a worker whose row is missing, or whose beat is older than
`STALE_S` by the server's clock, is gone, whatever the hosts' clocks say. That also covers a
worker that hangs (a paused process, a host that froze, a network that lost it): after
`STALE_S` its claims are taken back and resent with the same nonce. If it wakes up, the
holder checks of the engine's updates (``claimed_by = ?``) keep it from recording over the
worker that took them, and the same nonce lets Discord keep one message.

A worker also holds a session advisory lock (namespace `WORKER`, a hash of its id) on a
connection of its own: the server drops it the moment that session ends, so a worker whose
process died (killed, crashed) is gone at once, not `STALE_S` later. A worker is alive while
both hold: its lock, and a fresh beat.

The beats go straight to the pool, outside the write lock: a long transaction elsewhere must
not make a live worker look stale. A beat that fails (the server restarting, a lost
connection) is logged and tried again at the next beat; the task never dies silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.db.lease import WorkerLease

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

#: how often a worker beats (seconds); tests lower it
BEAT_S = 5.0
#: a worker whose last beat is older than this, by the server's clock, is gone (seconds)
STALE_S = 30.0
#: the server's clock in epoch seconds; a beat is stored rounded down, so a beat looks up to a
#: second older than it is (a live worker is never younger than its last beat)
_NOW = "extract(epoch FROM clock_timestamp())"
_BEAT = (f"INSERT INTO outbox_workers (worker_id, beat_at) VALUES ($1, CAST(floor({_NOW}) AS "
         "BIGINT)) ON CONFLICT (worker_id) DO UPDATE SET beat_at = excluded.beat_at")
#: the namespace (classid) of the workers' advisory keys: "fmgw" in ASCII
WORKER = 0x666D6777
_ALIVE = (f"SELECT EXISTS (SELECT 1 FROM outbox_workers WHERE worker_id = $1 "
          f"AND beat_at >= {_NOW} - $2::float8) AND EXISTS (SELECT 1 FROM pg_locks WHERE "
          "locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $3::int8::oid "
          "AND objid = $4::int8::oid AND database = (SELECT oid FROM pg_database "
          "WHERE datname = current_database()))")


def worker_key(worker_id: str) -> int:
    """The second half of ``worker_id``'s advisory key (31 bits: pg_locks shows it as is)."""
    digest = hashlib.blake2b(worker_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


class HeartbeatLease(WorkerLease):
    def __init__(self, pool: asyncpg.Pool, url: str, worker_id: str,
                 held: set[HeartbeatLease]) -> None:
        self._pool = pool
        self._url = url
        self.worker_id = worker_id
        self._task: asyncio.Task[None] | None = None
        #: the session holding this worker's advisory lock
        self._session: asyncpg.Connection | None = None
        #: the database's held leases: closing it releases them (tests rarely stop a worker)
        self._held = held

    @property
    def recheck(self) -> timedelta:
        """A live holder may stop beating at any moment: look again once per beat."""
        return timedelta(seconds=BEAT_S)

    async def hold(self) -> None:
        if self._task is not None and not self._task.done():
            return
        await self._lock()
        await self._pool.execute(_BEAT, self.worker_id)
        # the rows of workers long gone (killed: nobody deleted them) mean no more than none
        await self._pool.execute(f"DELETE FROM outbox_workers WHERE beat_at < {_NOW} - $1::float8",
                                 STALE_S)
        self._task = asyncio.create_task(self._beat(), name=f"outbox-heartbeat-{self.worker_id}")
        self._held.add(self)

    async def _lock(self) -> None:
        """(Re)open the session holding this worker's advisory lock."""
        import asyncpg

        if self._session is not None and not self._session.is_closed():
            return
        session = await asyncpg.connect(self._url)
        try:
            await session.execute("SELECT pg_advisory_lock($1::int4, $2::int4)", WORKER,
                                  worker_key(self.worker_id))
        except BaseException:
            await session.close()
            raise
        self._session = session

    async def _beat(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(BEAT_S)
            try:
                await self._lock()  # a lost session: others would think us gone
                await self._pool.execute(_BEAT, self.worker_id, timeout=STALE_S)
            except Exception:  # a lost connection, a restarting server: beat again later
                log.exception("outbox worker %s: heartbeat failed; trying again in %.0f s "
                              "(after %.0f s without one, other workers take its claims)",
                              self.worker_id, BEAT_S, STALE_S)
                failing = True
                continue
            if failing:
                log.warning("outbox worker %s: heartbeat restored", self.worker_id)
                failing = False

    async def release(self) -> None:
        self._held.discard(self)
        if self._task is None:
            return
        task, self._task = self._task, None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
        try:  # its claims are taken back at once rather than after STALE_S
            await self._pool.execute("DELETE FROM outbox_workers WHERE worker_id = $1",
                                     self.worker_id)
        except Exception:
            log.exception("outbox worker %s: its heartbeat row stays until it is stale",
                          self.worker_id)

    async def alive(self, worker_id: str | None) -> bool:
        if worker_id is None:
            return False
        if worker_id == self.worker_id:
            return self._task is not None and not self._task.done()
        return bool(await self._pool.fetchval(_ALIVE, worker_id, STALE_S, WORKER,
                                              worker_key(worker_id)))
