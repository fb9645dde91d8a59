"""The process locks of bot/db/lock.py on PostgreSQL: session advisory locks of the server.

A bot's processes may run on several machines, so their locks must live in the server. Each
process holds them on one connection of its own, opened for the purpose and kept for its whole
life, in the two-int key form ``(namespace, n)``, which pg_locks shows as classid/objid:

- `DATABASE` (n = 0): shared by every bot, exclusive for `fmg-bot db transfer`;
- `SHARD_COUNT` (n = the count): shared; the other counts held in this database are read from
  pg_locks (a process takes its own first, then looks, so of two starting together with
  different counts at least one sees the other);
- `SHARD` (n = the shard id): exclusive.

Advisory locks belong to one database of the server, so two bots on two databases never meet.
The server releases a session's locks when the session ends: at once when the process exits or
is killed (its socket closes), and for a host that vanished once TCP keepalives give up on it
(`KEEPALIVES`, set on that session: about 25 s). The process watches the connection in turn
(`PING_S`): if it is lost, another process may take its shards, so the bot must stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from bot.db.lock import DatabaseInUse, ProcessLocks, ShardsInUse
from bot.errors import FmgError
from bot.shards import ShardScope

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

#: the namespaces (classid) of the two-int advisory keys: "fmgd", "fmgc", "fmgs" in ASCII
DATABASE = 0x666D6764
SHARD_COUNT = 0x666D6763
SHARD = 0x666D6773
#: the server gives up on a silent peer after idle + interval x count seconds (10 + 5 x 3)
KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
              "tcp_keepalives_count": "3"}
#: how often the process checks its lock connection, and how long an answer may take (seconds)
PING_S = 5.0
PING_TIMEOUT_S = 10.0
RETRY_S = 0.05
_HELD = ("SELECT {what} FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 "
         "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
         "AND classid = $1")


class ServerLocks(ProcessLocks):
    def __init__(self, url: str, label: str) -> None:
        self._url = url
        self._label = label

    async def _connect(self) -> asyncpg.Connection:
        import asyncpg

        try:
            return await asyncpg.connect(self._url, server_settings=KEEPALIVES)
        except (OSError, asyncpg.PostgresError) as exc:
            raise FmgError(f"cannot connect to PostgreSQL at {self._label}: {exc}") from exc

    @asynccontextmanager
    async def hold_bot(self, shards: ShardScope, wait: float = 0.0) -> AsyncIterator[asyncio.Event]:
        conn = await self._connect()
        try:
            deadline = time.monotonic() + wait
            if not await _take(conn, "pg_try_advisory_lock_shared", DATABASE, 0, deadline):
                raise DatabaseInUse(
                    f"the database {self._label} is held exclusively by `fmg-bot db transfer` "
                    "(or another maintenance command): start the bot once it has finished")
            # never held exclusively, so never waited for
            await conn.execute("SELECT pg_advisory_lock_shared($1::int4, $2::int4)", SHARD_COUNT,
                               shards.count)
            others = sorted(r[0] for r in await conn.fetch(
                _HELD.format(what="DISTINCT objid") + " AND objid <> $2", SHARD_COUNT, shards.count))
            if others:
                raise ShardsInUse(
                    f"another fmg-bot runs on {self._label} with SHARD_COUNT "
                    f"{', '.join(map(str, others))}, not {shards.count}: every process must use "
                    "the same SHARD_COUNT; stop them all to change it")
            for shard in shards.ids:
                if not await _take(conn, "pg_try_advisory_lock", SHARD, shard, deadline):
                    raise ShardsInUse(
                        f"shard {shard} of {shards.count} already runs in another fmg-bot on "
                        f"{self._label} (it holds the server's advisory lock for that shard): "
                        "give each process different SHARD_IDS")
            lost = asyncio.Event()

            def closed(_: object) -> None:
                _lose(lost, "the connection closed")

            conn.add_termination_listener(closed)
            watcher = asyncio.create_task(_watch(conn, lost), name="database-locks-watch")
            try:
                yield lost
            finally:  # a clean stop closes the connection: nothing lost
                conn.remove_termination_listener(closed)
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
        finally:
            await _close(conn)  # ends the session: the server drops every lock it held

    @asynccontextmanager
    async def hold_exclusive(self) -> AsyncIterator[None]:
        conn = await self._connect()
        try:
            if not await _take(conn, "pg_try_advisory_lock", DATABASE, 0, 0.0):
                raise DatabaseInUse(
                    f"the database {self._label} is in use by a running fmg-bot (it holds the "
                    "server's advisory lock on it): stop every bot process first")
            yield
        finally:
            await _close(conn)

    async def running(self) -> bool:
        conn = await self._connect()
        try:
            return bool(await conn.fetchval(
                f"SELECT EXISTS ({_HELD.format(what='1')} AND mode = 'ShareLock')", DATABASE))
        finally:
            await _close(conn)


async def _take(conn: Any, function: str, namespace: int, n: int, deadline: float) -> bool:
    """Try ``function(namespace, n)`` until it succeeds or ``deadline`` (time.monotonic) passes.
    (A lock freed a moment ago, by a process just killed, is taken on a second try.)"""
    while True:
        if await conn.fetchval(f"SELECT {function}($1::int4, $2::int4)", namespace, n):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(RETRY_S)


def _lose(lost: asyncio.Event, why: str) -> None:
    if not lost.is_set():
        log.critical("lost the connection holding this process's database locks (%s): other "
                     "processes may now take its shards, so the bot stops", why)
        lost.set()


async def _watch(conn: Any, lost: asyncio.Event) -> None:
    """Ask the lock connection something every `PING_S`: a server that went away without
    closing it (a host lost from the network) is noticed too."""
    while not lost.is_set():
        await asyncio.sleep(PING_S)
        try:
            await conn.fetchval("SELECT 1", timeout=PING_TIMEOUT_S)
        except Exception as exc:  # whatever broke it, the locks are in doubt
            _lose(lost, repr(exc))


async def _close(conn: Any) -> None:
    with contextlib.suppress(Exception):
        await conn.close(timeout=5)
