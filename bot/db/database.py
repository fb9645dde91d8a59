"""The `Database` interface both engines implement, its transaction and the migrations.

`Database.open(target)` opens SQLite (a path or an `sqlite:` URL: the default, see _sqlite.py)
or PostgreSQL (a `postgresql://` URL, see _postgres.py). Services see only this interface:
`fetchall/fetchone/fetchval/execute/executemany` with `?` parameters, `transaction()`, and
`dialect` for the few SQL fragments that differ (bot/db/dialect.py).

One transaction per task. A context variable names the open transaction and its owning task:
a `db.*` statement from that task joins the transaction instead of waiting for it (it would
wait for itself). Only the owning task joins: a child task inherits the variable (asyncio
copies the context) but is another task, so it waits like anyone else. Opening a second
transaction inside one is refused, not deadlocked. Both engines serialise writers the same
way: a transaction, and a write outside one, hold the engine's write lock from start to end.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Protocol

from bot.db.dialect import Dialect
from bot.db.lease import WorkerLease
from bot.db.lock import ProcessLocks
from bot.errors import FmgError, SchemaTooNewError, TransactionError

log = logging.getLogger(__name__)

Params = Sequence[Any]
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_OVERRIDE_SUFFIX = ".postgresql.sql"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    #: the PostgreSQL text when the translation of ``sql`` cannot serve (NNNN_name.postgresql.sql)
    postgresql: str | None = None

    def text_for(self, dialect: Dialect) -> str:
        if dialect.name == "postgresql" and self.postgresql is not None:
            return self.postgresql
        return dialect.migration(self.sql)


def load_migrations() -> list[Migration]:
    """The numbered `.sql` files shipped in bot/db/migrations, in order."""
    folder = resources.files("bot.db").joinpath("migrations")
    overrides = {
        entry.name.removesuffix(_OVERRIDE_SUFFIX) + ".sql": entry.read_text("utf-8")
        for entry in folder.iterdir() if entry.name.endswith(_OVERRIDE_SUFFIX)
    }
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8"),
                                   overrides.pop(entry.name, None)))
    if overrides:
        raise FmgError(f"PostgreSQL migrations without their migration: {sorted(overrides)}")
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise FmgError(f"two migrations share a number: {[m.name for m in found]}")
    return found


class Transaction:
    """Statements inside `Database.transaction()`, run by the engine's connection.

    Once the block has ended the object refuses statements: a statement that outlives its
    transaction would otherwise run autocommitted, outside the lock, unnoticed.
    """

    dialect: Dialect

    def __init__(self, owner: object) -> None:
        self._open = True
        self._owner = owner
        self._after_commit: list[Callable[[], object]] = []
        #: set by `Database.truncate_wal_after_commit`
        self.truncates_wal = False

    def _check_open(self) -> None:
        if not self._open:
            raise TransactionError("this transaction has ended: open a new one for more statements")

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Call ``callback()`` once this transaction has committed (never if it rolls back).

        What a transaction decided is acted on only once it is durable (waking the outbox,
        say). A callback that raises is logged: the caller's work has committed all the same.
        """
        self._check_open()
        self._after_commit.append(callback)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        raise NotImplementedError

    async def notify(self, channel: str) -> None:
        """Tell every process following ``channel`` (`Database.follow`) once this transaction
        commits. Nothing on an engine that cannot push (SQLite: its followers poll)."""
        self._check_open()

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> None:
        """Run one statement (an INSERT that needs its new id says `RETURNING id` to fetchval)."""
        raise NotImplementedError

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        raise NotImplementedError

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


class Following(Protocol):
    """A `Database.follow` in progress."""

    @property
    def live(self) -> bool:
        """Whether notices are being received now (False: poll until it is True again)."""
        ...


class Database:
    """One engine's connection(s). Open with `Database.open`; see the module docstring."""

    dialect: Dialect
    #: the SQLite file, or None on a server
    path: Path | None = None

    def __init__(self) -> None:
        # The transaction open in this context, if any (see the module docstring).
        self._current: ContextVar[Transaction | None] = ContextVar(f"fmg_tx_{id(self)}",
                                                                  default=None)

    def worker_lease(self, worker_id: str) -> WorkerLease:
        """The lease telling other outbox workers that ``worker_id`` is alive (bot/db/lease.py)."""
        raise NotImplementedError

    #: the engine classes, first match wins (set by bot/db/__init__.py, which imports them)
    engines: ClassVar[tuple[type[Database], ...]] = ()

    @staticmethod
    async def open(target: Path | str) -> Database:
        """SQLite for a path or an `sqlite:` URL; PostgreSQL for a `postgresql://` URL."""
        for engine in Database.engines:
            if engine.accepts(str(target)):
                return await engine.connect(str(target))
        raise FmgError(f"no database engine for {target!r}")

    @classmethod
    def accepts(cls, target: str) -> bool:
        raise NotImplementedError

    @staticmethod
    def locks(target: Path | str) -> ProcessLocks:
        """The process locks (bot/db/lock.py) of the database ``Database.open(target)`` opens:
        what `fmg-bot run` holds, `db restore`/`db transfer` take and `doctor` looks at."""
        for engine in Database.engines:
            if engine.accepts(str(target)):
                return engine.process_locks(str(target))
        raise FmgError(f"no database engine for {target!r}")

    @classmethod
    def process_locks(cls, target: str) -> ProcessLocks:
        raise NotImplementedError

    @classmethod
    async def connect(cls, target: str) -> Database:
        raise NotImplementedError

    def _joined(self) -> Transaction | None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    @property
    def target(self) -> str:
        """What `Database.open` takes to open this database again (another connection)."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        """What logs and messages call this database (never a password)."""
        raise NotImplementedError

    async def data_version(self) -> object:
        """A value that changes when another connection commits (perhaps more often: a cache
        keyed on it is reloaded, never stale)."""
        raise NotImplementedError

    async def follow(self, channel: str, on_notice: Callable[[], None]) -> Following | None:
        """Call ``on_notice()`` whenever a committed transaction of any process notified
        ``channel`` (`Transaction.notify`), and whenever notices may have been missed (the
        listening session was lost or came back). None when the engine cannot push changes
        (SQLite): the caller polls instead. While `Following.live` is False, it polls too."""
        return None

    async def truncate_wal(self) -> bool:
        """Drop erased text from the engine's write-ahead log now; True when done."""
        return True

    async def truncate_wal_after_commit(self) -> None:
        """`truncate_wal` once the calling task's transaction has committed; at once when the
        task holds none."""
        tx = self._joined()
        if tx is not None:
            tx.truncates_wal = True
            return
        await self.truncate_wal()

    # -- statements (each holds the lock for its duration, or joins the caller's transaction) -
    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        raise NotImplementedError

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> None:
        """Run one statement, autocommitted unless the calling task holds a transaction (an
        INSERT that needs its new id says `RETURNING id` to fetchval)."""
        raise NotImplementedError

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

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """BEGIN ... COMMIT holding the write lock, or ROLLBACK if the block raises (or is
        cancelled). Refused inside a transaction of the same task (use the open one: plain
        `db.*` joins it)."""
        raise NotImplementedError

    def _refuse_nesting(self) -> None:
        if self._joined() is not None:
            raise TransactionError(
                "a transaction is already open in this task: its statements join it, "
                "so do not open another one inside it"
            )

    def exclusive(self, name: str) -> AbstractAsyncContextManager[None]:
        """Hold the lock ``name`` for the block, against every process of the bot on this
        database (one migration and one command sync per deploy, however many processes start
        together). Waits for its holder; released when the block ends or the holder dies.

        SQLite: an exclusive flock on a file beside the database (one machine, as the file).
        PostgreSQL: a session-level advisory lock on one connection held for the block (the key
        a stable 64-bit hash of ``name``), which the server releases when that session ends.
        """
        raise NotImplementedError

    # -- schema -----------------------------------------------------------------------------
    async def tables(self) -> list[str]:
        """The names of the project's tables, sorted (no engine or FTS5 internals)."""
        raise NotImplementedError

    async def columns(self, table: str) -> list[str]:
        """The columns of ``table``, in their order."""
        raise NotImplementedError

    async def references(self) -> dict[str, set[str]]:
        """Table -> the tables its foreign keys reference."""
        raise NotImplementedError

    async def integrity_problems(self) -> list[str]:
        """What the engine's integrity check finds (empty when sound)."""
        raise NotImplementedError

    async def reset_identities(self) -> None:
        """After rows were copied in with their ids: new rows get ids after them."""

    async def schema_version(self) -> int:
        raise NotImplementedError

    async def _apply(self, migration: Migration) -> bool:
        """Apply one migration atomically (False when another process applied it first)."""
        raise NotImplementedError

    async def migrate(self) -> int:
        """Apply pending migrations, each atomically; returns the schema version reached.

        An up-to-date database is left untouched. A database from a newer fmg-bot is refused.
        """
        migrations = load_migrations()
        latest = migrations[-1].version if migrations else 0
        current = await self.schema_version()
        if current > latest:
            raise SchemaTooNewError(
                f"{self.label} has schema version {current}, but this fmg-bot knows only up to "
                f"{latest}: upgrade fmg-bot (or restore a backup); the database was not changed"
            )
        for migration in migrations:
            if migration.version <= current:
                continue
            if await self._apply(migration):
                log.info("applied migration %s", migration.name)
            current = migration.version
        return current


def sqlite_path(target: str) -> str:
    """The file of an `sqlite:` URL (`sqlite:///relative`, `sqlite:////absolute`), or ``target``."""
    for prefix in ("sqlite:///", "sqlite://", "sqlite:"):
        if target.startswith(prefix):
            return target[len(prefix):]
    return target

