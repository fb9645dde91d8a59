"""PostgreSQL through asyncpg: a connection pool, the same interface and the same guarantees.

Writers are serialised as on SQLite. There, BEGIN IMMEDIATE lets one writer in at a time, so
every check-then-write transaction of the services (a seat left in a group, an offer still
open) is correct however many coroutines or processes write. Here every transaction, and every
write outside one, holds the transaction-level advisory lock `WRITE_LOCK` from its first
statement to its COMMIT: the same one-writer-at-a-time order, across every process on the
server, so those transactions stay correct without being rewritten (and a SERIALIZABLE retry
never has to replay a block that already asked Discord for something). Within one process an
asyncio.Lock queues the writers first, so waiting writers do not each hold a pooled connection.
Reads outside a transaction take no lock and run on any pooled connection at once.

`?` placeholders become `$n` once per statement text (bot/db/dialect.py); asyncpg prepares
and caches each statement per connection, and the server plans each prepared statement once
(`plan_cache_mode = force_generic_plan`): every statement here looks rows up by key or by
server, where a plan for the parameters at hand is no better, and re-planning them on every
execution cost a quarter of the database time of `/session upcoming` and `/mentor status`
(460-484 µs against 615-628 µs per pair of calls, measured on a throwaway server).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from bot.db._pg_lease import HeartbeatLease
from bot.db._pg_locks import ServerLocks
from bot.db.database import Database, Migration, Params, Transaction
from bot.db.dialect import Dialect, PostgresDialect
from bot.errors import FmgError

if TYPE_CHECKING:  # imported when a PostgreSQL database is opened: SQLite never loads it
    import asyncpg

log = logging.getLogger(__name__)

#: the advisory lock every writer holds until it commits ("fmg-w" in ASCII)
WRITE_LOCK = 0x666D672D77
POOL_SIZE = 8
#: The server ends a session idle inside a transaction this long (seconds). Every transaction
#: holds `WRITE_LOCK`, so a process that hangs inside one (paused, its host frozen) would stop
#: every writer of every process; its transaction is rolled back instead. No transaction here
#: waits on anything but the database (Discord is called after the commit).
IDLE_IN_TRANSACTION_S = 60.0
STATEMENT_CACHE = 1024
_BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
_SCHEMA_TABLE = "CREATE TABLE IF NOT EXISTS fmg_schema (version BIGINT NOT NULL)"


def _is_select(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


def redact(url: str) -> str:
    """``url`` without its password (for logs and messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresTransaction(Transaction):
    def __init__(self, conn: Any, dialect: Dialect) -> None:
        super().__init__(asyncio.current_task())
        self._conn = conn
        self.dialect = dialect

    async def fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        self._check_open()
        return await self._conn.fetch(self.dialect.sql(sql), *params)

    async def execute(self, sql: str, params: Params = ()) -> None:
        self._check_open()
        await self._conn.execute(self.dialect.sql(sql), *params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        self._check_open()
        await self._conn.executemany(self.dialect.sql(sql), [tuple(p) for p in seq])

    async def notify(self, channel: str) -> None:
        self._check_open()
        await self._conn.execute("SELECT pg_notify($1, '')", channel)  # delivered on COMMIT


class Follower:
    """One `Database.follow`: LISTEN on a connection of its own (a pooled one would be handed
    to others), kept open by a task that reconnects after a loss. Every (re)connection and
    every loss calls ``on_notice`` too: notices sent while nobody listened are lost, so the
    follower re-reads rather than trust a cache across the gap."""

    #: the wait before connecting again after a loss (a restarting server, a network cut)
    RETRY_S = 1.0

    def __init__(self, url: str, channel: str, on_notice: Callable[[], None]) -> None:
        self._url = url
        self._channel = channel
        self._on_notice = on_notice
        self._live = False
        self._listening = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=f"fmg-follow-{channel}")

    @property
    def live(self) -> bool:
        return self._live

    async def started(self) -> None:
        """Wait for the first LISTEN (or the task's failure: then the caller polls)."""
        waiter = asyncio.create_task(self._listening.wait())
        await asyncio.wait({waiter, self._task}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()

    async def _run(self) -> None:
        while True:
            await self._listen_once()
            await asyncio.sleep(self.RETRY_S)

    async def _listen_once(self) -> None:
        """Listen until the session is lost."""
        import asyncpg

        try:
            conn = await asyncpg.connect(self._url)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("cannot listen for %s changes (%s); polling meanwhile", self._channel, exc)
            return
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(self._channel, lambda *_: self._on_notice())
            self._live = True
            self._listening.set()
            self._on_notice()  # what changed before we listened
            await lost.wait()
            log.warning("lost the session listening for %s changes; polling meanwhile",
                        self._channel)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("listening for %s changes failed (%s); polling meanwhile",
                        self._channel, exc)
        finally:
            self._live = False
            self._on_notice()
            await asyncio.shield(conn.close(timeout=2))

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class PostgresDatabase(Database):
    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        super().__init__()
        self._pool = pool
        self.url = url
        self.dialect = PostgresDialect()
        self._lock = asyncio.Lock()
        self._followers: list[Follower] = []
        self._leases: set[HeartbeatLease] = set()

    @classmethod
    def accepts(cls, target: str) -> bool:
        return target.startswith(("postgresql://", "postgres://"))

    @classmethod
    def process_locks(cls, target: str) -> ServerLocks:
        return ServerLocks(target, redact(target))

    @classmethod
    async def connect(cls, target: str) -> PostgresDatabase:
        import asyncpg

        url = target
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE,
                                             statement_cache_size=STATEMENT_CACHE,
                                             reset=_rollback, server_settings={
                                                 "idle_in_transaction_session_timeout":
                                                 str(int(IDLE_IN_TRANSACTION_S * 1000)),
                                                 "plan_cache_mode": "force_generic_plan"})
        except (OSError, asyncpg.PostgresError) as exc:
            raise FmgError(f"cannot connect to PostgreSQL at {redact(url)}: {exc}") from exc
        return cls(pool, url)

    @property
    def target(self) -> str:
        return self.url

    @property
    def label(self) -> str:
        return redact(self.url)

    def worker_lease(self, worker_id: str) -> HeartbeatLease:
        return HeartbeatLease(self._pool, self.url, worker_id, self._leases)

    async def close(self) -> None:
        for follower in self._followers:
            await follower.close()
        for lease in list(self._leases):  # beating into a closed pool would only log errors
            await lease.release()
        async with self._lock:
            await self._pool.close()

    async def follow(self, channel: str, on_notice: Callable[[], None]) -> Follower:
        follower = Follower(self.url, channel, on_notice)
        self._followers.append(follower)
        await follower.started()
        return follower

    async def data_version(self) -> object:
        """The server's write position: it moves with every commit, ours included."""
        return await self.fetchval("SELECT CAST(pg_current_wal_insert_lsn() AS TEXT)")

    def _joined(self) -> PostgresTransaction | None:
        tx = self._current.get()
        if tx is not None and tx._open and tx._owner is asyncio.current_task():
            assert isinstance(tx, PostgresTransaction)
            return tx
        return None

    async def fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        tx = self._joined()
        if tx is not None:
            return await tx.fetchall(sql, params)
        if _is_select(sql):
            return await self._pool.fetch(self.dialect.sql(sql), *params)
        async with self.transaction() as tx:  # a write (INSERT ... RETURNING)
            return await tx.fetchall(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> None:
        tx = self._joined()
        if tx is None:
            async with self.transaction() as tx:
                await tx.execute(sql, params)
            return
        await tx.execute(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        """BEGIN, the write lock ... COMMIT (see `Database.transaction`)."""
        self._refuse_nesting()
        async with self._lock, self._pool.acquire() as conn:
            await conn.execute(_BEGIN)
            tx = PostgresTransaction(conn, self.dialect)
            token = self._current.set(tx)
            committed = False
            try:
                yield tx
                await conn.execute("COMMIT")
                committed = True
            except BaseException:
                # Shielded: a cancelled caller must not return a connection inside a transaction.
                await asyncio.shield(_rollback(conn))
                raise
            finally:
                self._current.reset(token)
                tx._close(committed)

    # -- schema -----------------------------------------------------------------------------
    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        # A session-level lock (the single-bigint key space; WRITE_LOCK is a transaction-level
        # one on its own key), on a connection held for the block: if this process dies, the
        # server ends the session and releases it.
        key = int.from_bytes(hashlib.blake2b(f"fmg-bot:{name}".encode(), digest_size=8).digest(),
                             "big", signed=True)
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", key)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", key)

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' AND table_name <> 'fmg_schema' ORDER BY table_name"
        )
        return [r[0] for r in rows]

    async def columns(self, table: str) -> list[str]:
        rows = await self.fetchall(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = ? ORDER BY ordinal_position", (table,))
        return [r[0] for r in rows]

    async def references(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {t: set() for t in await self.tables()}
        for r in await self.fetchall(
            "SELECT CAST(conrelid AS regclass)::text AS child, "
            "CAST(confrelid AS regclass)::text AS parent FROM pg_constraint WHERE contype = 'f'"
        ):
            found.setdefault(r["child"], set()).add(r["parent"])
        return found

    async def integrity_problems(self) -> list[str]:
        return []  # the server enforces its constraints; there is no file to damage

    async def reset_identities(self) -> None:
        for r in await self.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns WHERE "
            "table_schema = current_schema() AND is_identity = 'YES'"
        ):
            table, column = r["table_name"], r["column_name"]
            await self.fetchval(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"coalesce(max({column}), 0) + 1, false) FROM {table}"
            )

    async def schema_version(self) -> int:
        import asyncpg

        try:
            return int(await self._pool.fetchval("SELECT max(version) FROM fmg_schema") or 0)
        except asyncpg.UndefinedTableError:
            return 0

    async def _apply(self, migration: Migration) -> bool:
        """Under the write lock, so processes starting together apply each migration once."""
        import asyncpg

        try:
            async with self.transaction() as tx:
                await tx.execute(_SCHEMA_TABLE)
                done = await tx.fetchval("SELECT max(version) FROM fmg_schema")
                if done is not None and done >= migration.version:
                    return False
                await tx._conn.execute(migration.text_for(self.dialect))
                await tx.execute("DELETE FROM fmg_schema")
                await tx.execute("INSERT INTO fmg_schema (version) VALUES (?)", (migration.version,))
        except asyncpg.PostgresError as exc:
            raise FmgError(f"migration {migration.name} failed: {exc}") from exc
        return True

    async def server_version(self) -> str:
        return str(await self._pool.fetchval("SHOW server_version"))


async def _rollback(conn: Any) -> None:
    """Also what a connection goes through on its way back to the pool: asyncpg's default
    reset (a round trip clearing session state) is not needed, as nothing here sets any, and
    would be paid by every statement outside a transaction."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")
