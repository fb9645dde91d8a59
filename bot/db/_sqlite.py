"""SQLite (the default engine): the one connection of the process.

Every statement and every whole transaction holds one asyncio.Lock: with a single connection,
a statement from another coroutine would otherwise land inside someone else's transaction.
The task that holds a transaction joins it instead of waiting for the lock (bot/db/database.py).

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
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.db.database import Database, Migration, Params, Transaction, sqlite_path
from bot.db.dialect import SQLITE
from bot.db.lease import FileLease
from bot.db.lock import FileLocks, hold_named_lock
from bot.errors import FmgError

BUSY_TIMEOUT_MS = 5000


def erase_on_delete(raw: sqlite3.Connection) -> sqlite3.Connection:
    """Every connection the project opens: deleted content is overwritten with zeros instead of
    staying in free pages (and so in later backups). SQLite's default depends on how it was
    built (SQLITE_SECURE_DELETE), so it is set, never assumed."""
    raw.execute("PRAGMA secure_delete = ON")
    return raw


def _is_select(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


class SqliteTransaction(Transaction):
    """The lock and SQLite's write lock are held, so each statement runs at once on the loop's
    thread (see the module docstring)."""

    dialect = SQLITE

    def __init__(self, raw: sqlite3.Connection) -> None:
        super().__init__(asyncio.current_task())
        self._raw = raw

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        self._check_open()
        return self._raw.execute(sql, params).fetchall()

    async def execute(self, sql: str, params: Params = ()) -> None:
        self._check_open()
        self._raw.execute(sql, params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        self._check_open()
        self._raw.executemany(sql, seq)


class SqliteDatabase(Database):
    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, raw: sqlite3.Connection, path: Path) -> None:
        super().__init__()
        self._conn = conn  # aiosqlite's thread over ``raw``: for what may wait (module docstring)
        self._raw = raw
        self.path: Path = path
        self._lock = asyncio.Lock()

    @property
    def target(self) -> str:
        return str(self.path)

    @property
    def label(self) -> str:
        return str(self.path)

    def worker_lease(self, worker_id: str) -> FileLease:
        return FileLease(self.path, worker_id)

    def _joined(self) -> SqliteTransaction | None:
        """The open transaction of the calling task, which its statements join."""
        tx = self._current.get()
        if tx is not None and tx._open and tx._owner is asyncio.current_task():
            assert isinstance(tx, SqliteTransaction)
            return tx
        return None

    @classmethod
    def accepts(cls, target: str) -> bool:
        return True  # a path, or an sqlite: URL

    @classmethod
    def process_locks(cls, target: str) -> FileLocks:
        return FileLocks(Path(sqlite_path(target)).expanduser())

    @classmethod
    async def connect(cls, target: str) -> SqliteDatabase:
        path = Path(sqlite_path(target))
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

    async def data_version(self) -> object:
        return await self.fetchval("SELECT data_version FROM pragma_data_version")

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

    # -- statements (each holds the lock for its duration, or joins the caller's transaction) -
    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        tx = self._joined()
        if tx is not None:
            return await tx.fetchall(sql, params)
        async with self._lock:
            if _is_select(sql):
                return self._raw.execute(sql, params).fetchall()
            return list(await self._conn.execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Params = ()) -> None:
        tx = self._joined()
        if tx is not None:
            await tx.execute(sql, params)
            return
        async with self._lock, self._conn.execute(sql, params):
            pass

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTransaction]:
        """BEGIN IMMEDIATE ... COMMIT (see `Database.transaction`)."""
        self._refuse_nesting()
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            tx = SqliteTransaction(self._raw)
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

    # -- schema -----------------------------------------------------------------------------
    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        async with hold_named_lock(self.path, name):
            yield

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN (SELECT name || suffix FROM sqlite_master, (SELECT '_data' AS suffix "
            "UNION ALL SELECT '_idx' UNION ALL SELECT '_content' UNION ALL SELECT '_docsize' "
            "UNION ALL SELECT '_config') WHERE sql LIKE 'CREATE VIRTUAL TABLE%') ORDER BY name"
        )
        return [r[0] for r in rows]

    async def columns(self, table: str) -> list[str]:
        return [r[0] for r in await self.fetchall("SELECT name FROM pragma_table_info(?)", (table,))]

    async def references(self) -> dict[str, set[str]]:
        return {t: {r["table"] for r in await self.fetchall(f'PRAGMA foreign_key_list("{t}")')}
                for t in await self.tables()}

    async def integrity_problems(self) -> list[str]:
        found = [r[0] for r in await self.fetchall("PRAGMA integrity_check") if r[0] != "ok"]
        return found + [f"foreign key: {tuple(r)}"
                        for r in await self.fetchall("PRAGMA foreign_key_check")]

    async def schema_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version") or 0)

    async def _apply(self, migration: Migration) -> bool:
        async with self._lock:
            try:
                await self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{migration.text_for(self.dialect)}\n"
                    f"PRAGMA user_version = {migration.version};\nCOMMIT;"
                )
            except sqlite3.Error as exc:
                await self._rollback()
                raise FmgError(f"migration {migration.name} failed: {exc}") from exc
        return True
