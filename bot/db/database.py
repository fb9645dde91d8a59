"""The one SQLite connection of the process, its transaction helper and its migrations.

Every statement and every whole transaction holds one asyncio.Lock: with a single connection,
a statement from another coroutine would otherwise land inside someone else's transaction.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import FmgError, SchemaTooNewError

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


class _Statements:
    """Statement helpers shared by the database (outside a transaction) and a transaction."""

    _conn: aiosqlite.Connection

    async def _fetchall(self, sql: str, params: Params) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def _execute(self, sql: str, params: Params) -> int:
        async with self._conn.execute(sql, params) as cursor:
            return cursor.lastrowid or 0

    async def _executemany(self, sql: str, seq: Iterable[Params]) -> None:
        async with self._conn.executemany(sql, seq):
            pass


class Transaction(_Statements):
    """Statements inside `Database.transaction()`; the lock is already held."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self._fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self._fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any | None:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the last inserted rowid (0 when none)."""
        return await self._execute(sql, params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        await self._executemany(sql, seq)


class Database(_Statements):
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; we BEGIN explicitly.
        conn = await aiosqlite.connect(path, isolation_level=None)
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
        return cls(conn, path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    # -- statements (each holds the lock for its duration) ---------------------------------
    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return await self._fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any | None:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one autocommitted statement; returns the last inserted rowid (0 when none)."""
        async with self._lock:
            return await self._execute(sql, params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, seq)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if the block raises (or is cancelled)."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._conn)
                await self._conn.execute("COMMIT")
            except BaseException:
                # Shielded: a cancelled caller must not leave the connection inside a transaction.
                await asyncio.shield(self._rollback())
                raise

    async def _rollback(self) -> None:
        if self._conn.in_transaction:
            await self._conn.execute("ROLLBACK")

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
