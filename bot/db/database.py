"""The one SQLite connection of the process, its transaction helper and its migrations.

Every statement and every whole transaction holds one asyncio.Lock: with a single connection,
a statement from another coroutine would otherwise land inside someone else's transaction.
The task that holds a transaction must not wait for that lock again (it would wait for
itself), so a context variable names the open transaction and its owning task: a `db.*`
statement from that task joins the transaction instead. Only the owning task joins: a child
task inherits the variable (asyncio copies the context) but is another task, so it waits for
the lock like anyone else. Opening a second transaction inside one is refused, not deadlocked.

Where a statement runs: a trip to aiosqlite's thread costs ~65 us of CPU (a queue, a thread
wake-up, the GIL twice, the loop's self-pipe), while an indexed read costs a few us. So the
statements that cannot wait on another process run at once on the loop's thread: a SELECT
outside a transaction (in WAL mode a reader never waits for a writer) and every statement
inside a transaction (SQLite's write lock is already held, and nothing is synced before
COMMIT). What can wait (BEGIN IMMEDIATE and an autocommitted write, up to busy_timeout for
another process such as `fmg-bot resources import`; COMMIT, which may checkpoint and sync)
still goes to the thread, so the bot never stalls on another process's lock. The price: a
long SELECT (an export, a match-all reading every profile) holds the loop while it runs, a few
milliseconds for thousands of rows, where the hop it saves is paid by every command.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.db.lock import hold_named_lock
from bot.errors import FmgError, SchemaTooNewError, TransactionError

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The numbered `.sql` files shipped in bot/db/migrations, in order."""
    found: list[Migration] = []
    for entry in resources.files("bot.db").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise FmgError(f"two migrations share a number: {[m.name for m in found]}")
    return found


def erase_on_delete(raw: sqlite3.Connection) -> sqlite3.Connection:
    """Every connection the project opens: deleted content is overwritten with zeros instead of
    staying in free pages (and so in later backups). SQLite's default depends on how it was
    built (SQLITE_SECURE_DELETE), so it is set, never assumed."""
    raw.execute("PRAGMA secure_delete = ON")
    return raw


def _is_select(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


class Transaction:
    """Statements inside `Database.transaction()`: the lock and SQLite's write lock are held, so
    each runs at once on the loop's thread (see the module docstring).

    Once the block has ended the object refuses statements: a statement that outlives its
    transaction would otherwise run autocommitted, outside the lock, unnoticed.
    """

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw
        self._open = True
        self._owner = asyncio.current_task()
        self._after_commit: list[Callable[[], object]] = []
        #: set by `Database.truncate_wal_after_commit`
        self.truncates_wal = False

    def _check_open(self) -> sqlite3.Connection:
        if not self._open:
            raise TransactionError("this transaction has ended: open a new one for more statements")
        return self._raw

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Call ``callback()`` once this transaction has committed (never if it rolls back).

        What a transaction decided is acted on only once it is durable (waking the outbox,
        say). A callback that raises is logged: the caller's work has committed all the same.
        """
        self._check_open()
        self._after_commit.append(callback)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self._check_open().execute(sql, params).fetchall()

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the last inserted rowid (0 when none)."""
        return self._check_open().execute(sql, params).lastrowid or 0

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        self._check_open().executemany(sql, seq)

    def _close(self, committed: bool) -> None:
        self._open = False
        callbacks, self._after_commit = self._after_commit, []
        if not committed:
            return
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("an after-commit callback failed (the transaction did commit)")


class Database:
    def __init__(self, conn: aiosqlite.Connection, raw: sqlite3.Connection, path: Path) -> None:
        self._conn = conn  # aiosqlite's thread over ``raw``: for what may wait (module docstring)
        self._raw = raw
        self.path = path
        self._lock = asyncio.Lock()
        # The transaction open in this context, if any (see the module docstring).
        self._current: ContextVar[Transaction | None] = ContextVar(f"fmg_tx_{id(self)}",
                                                                  default=None)

    def _joined(self) -> Transaction | None:
        """The open transaction of the calling task, which its statements join."""
        tx = self._current.get()
        if tx is not None and tx._open and tx._owner is asyncio.current_task():
            return tx
        return None

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        opened: list[sqlite3.Connection] = []

        def connect() -> sqlite3.Connection:
            # isolation_level=None: no implicit transactions; we BEGIN explicitly.
            # check_same_thread=False: the loop's thread runs reads too, never at the same
            # time as aiosqlite's (both hold the lock).
            raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            opened.append(erase_on_delete(raw))
            return raw

        conn = await aiosqlite.Connection(connect, iter_chunk_size=64)
        conn.row_factory = sqlite3.Row
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is crash-safe in WAL mode (a killed process loses no committed transaction).
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
        except Exception:
            await conn.close()
            raise
        return cls(conn, opened[0], path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def truncate_wal(self) -> bool:
        """Call after erasing member text. secure_delete zeroes it in the new page images, but
        the write-ahead log still holds the old ones (with the text) until it is overwritten,
        which may be never. This copies the log into the main file and truncates it to zero
        bytes. False when another process's open read kept it from finishing (its next
        checkpoint does it). Inside a transaction, use `truncate_wal_after_commit`."""
        async with self._lock:
            async with self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                row = await cursor.fetchone()
        return row is not None and row[0] == 0

    async def truncate_wal_after_commit(self) -> None:
        """`truncate_wal` once the calling task's transaction has committed and released the
        lock (an outbox handler that erased text, say); at once when the task holds none."""
        tx = self._joined()
        if tx is not None:
            tx.truncates_wal = True
            return
        await self.truncate_wal()

    # -- statements (each holds the lock for its duration, or joins the caller's transaction) -
    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        tx = self._joined()
        if tx is not None:
            return await tx.fetchall(sql, params)
        async with self._lock:
            if _is_select(sql):
                return self._raw.execute(sql, params).fetchall()
            return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement, autocommitted unless the calling task holds a transaction;
        returns the last inserted rowid (0 when none)."""
        tx = self._joined()
        if tx is not None:
            return await tx.execute(sql, params)
        async with self._lock:
            async with self._conn.execute(sql, params) as cursor:
                return cursor.lastrowid or 0

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        tx = self._joined()
        if tx is not None:
            await tx.executemany(sql, seq)
            return
        async with self.transaction() as tx:
            await tx.executemany(sql, seq)

    def in_transaction(self) -> bool:
        """Whether the calling task holds an open transaction (its statements join it)."""
        return self._joined() is not None

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` after the calling task's transaction commits, or at once when the
        task holds none (what it wrote is already committed)."""
        tx = self._joined()
        if tx is not None:
            tx.after_commit(callback)
            return
        try:
            callback()
        except Exception:
            log.exception("an after-commit callback failed")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if the block raises (or is cancelled).

        Refused inside a transaction of the same task: SQLite has no nested transactions, and
        waiting for our own lock would hang forever. Use the open one (plain `db.*` joins it).
        """
        if self._joined() is not None:
            raise TransactionError(
                "a transaction is already open in this task: its statements join it, "
                "so do not open another one inside it"
            )
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            tx = Transaction(self._raw)
            token = self._current.set(tx)
            committed = False
            try:
                yield tx
                await self._conn.execute("COMMIT")
                committed = True
            except BaseException:
                # Shielded: a cancelled caller must not leave the connection inside a transaction.
                await asyncio.shield(self._rollback())
                raise
            finally:
                self._current.reset(token)
                tx._close(committed)
        if tx.truncates_wal:  # committed (a rollback raised above), and the lock is free again
            await self.truncate_wal()

    async def _rollback(self) -> None:
        if self._conn.in_transaction:
            await self._conn.execute("ROLLBACK")

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        """Hold the lock ``name`` for the block, against every process of the bot on this
        database (one migration and one command sync per deploy, however many processes start
        together). Waits for its holder; released when the block ends or the holder dies.

        SQLite: an exclusive flock on a file beside the database (one machine, as the file).
        A server engine takes a session-level advisory lock on one connection held for the
        block (PostgreSQL: pg_advisory_lock(key) ... pg_advisory_unlock(key), the key a stable
        64-bit hash of ``name``), which the server releases when that session ends.
        """
        async with hold_named_lock(self.path, name):
            yield

    # -- schema -----------------------------------------------------------------------------
    async def schema_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version") or 0)

    async def migrate(self) -> int:
        """Apply pending migrations, each atomically; returns the schema version reached.

        An up-to-date database is left untouched. A database from a newer fmg-bot is refused.
        """
        migrations = load_migrations()
        latest = migrations[-1].version if migrations else 0
        current = await self.schema_version()
        if current > latest:
            raise SchemaTooNewError(
                f"{self.path} has schema version {current}, but this fmg-bot knows only up to "
                f"{latest}: upgrade fmg-bot (or restore a backup); the database was not changed"
            )
        for migration in migrations:
            if migration.version <= current:
                continue
            async with self._lock:
                try:
                    await self._conn.executescript(
                        f"BEGIN IMMEDIATE;\n{migration.sql}\n"
                        f"PRAGMA user_version = {migration.version};\nCOMMIT;"
                    )
                except sqlite3.Error as exc:
                    await self._rollback()
                    raise FmgError(f"migration {migration.name} failed: {exc}") from exc
            log.info("applied migration %s", migration.name)
            current = migration.version
        return current
