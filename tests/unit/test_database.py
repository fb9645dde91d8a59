import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database, _sqlite
from bot.db import database as database_module
from bot.db.database import Migration, load_migrations
from bot.errors import FmgError, SchemaTooNewError, TransactionError


async def test_migrates_an_empty_database_to_the_latest_version(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "new.sqlite3")
    try:
        version = await db.migrate()
        assert version == load_migrations()[-1].version
        assert await db.schema_version() == version
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "guild_settings" in tables
    finally:
        await db.close()


async def test_migrating_an_up_to_date_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    await db.migrate()
    schema_before = await db.fetchall("SELECT sql FROM sqlite_master ORDER BY name")
    changes_before = await db.fetchval("PRAGMA data_version")
    await db.migrate()
    assert await db.fetchall("SELECT sql FROM sqlite_master ORDER BY name") == schema_before
    assert await db.fetchval("PRAGMA data_version") == changes_before
    await db.close()


async def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE from_the_future (x)")
    raw.execute("PRAGMA user_version = 999")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    db = await Database.open(path)
    with pytest.raises(SchemaTooNewError, match="999"):
        await db.migrate()
    await db.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 999
    assert [r[0] for r in check.execute("SELECT name FROM sqlite_master")] == ["from_the_future"]
    check.close()
    assert len(before) > 0


async def test_a_failing_migration_is_rolled_back_whole(tmp_path: Path, monkeypatch) -> None:
    good = load_migrations()
    broken = Migration(9000, "9000_broken.sql", "CREATE TABLE half_done (x);\nTHIS IS NOT SQL;")
    monkeypatch.setattr(database_module, "load_migrations", lambda: [*good, broken])
    db = await Database.open(tmp_path / "db.sqlite3")
    with pytest.raises(FmgError, match=r"9000_broken\.sql"):
        await db.migrate()
    assert await db.schema_version() == good[-1].version
    assert await db.fetchval("SELECT count(*) FROM sqlite_master WHERE name='half_done'") == 0
    # The connection is usable afterwards (no transaction left open).
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings VALUES (1, 'k', 'v', 0)")
    await db.close()


@pytest.mark.sqlite_only
async def test_pragmas(db: Database) -> None:
    assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") == _sqlite.BUSY_TIMEOUT_MS


async def test_transaction_commits_or_rolls_back(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings VALUES (1, 'a', '1', 0)")
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO guild_settings VALUES (1, 'b', '1', 0)")
            raise RuntimeError("boom")
    keys = [r["key"] for r in await db.fetchall("SELECT key FROM guild_settings")]
    assert keys == ["a"]


async def test_a_cancelled_transaction_rolls_back_and_frees_the_connection(db: Database) -> None:
    entered = asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO guild_settings VALUES (1, 'c', '1', 0)")
            entered.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(slow_writer())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0
    await db.execute("INSERT INTO guild_settings VALUES (1, 'd', '1', 0)")
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 1


async def test_concurrent_transactions_do_not_interleave(db: Database) -> None:
    await db.execute("INSERT INTO guild_settings VALUES (1, 'n', '0', 0)")

    async def increment() -> None:
        async with db.transaction() as tx:
            value = int(await tx.fetchval("SELECT value FROM guild_settings WHERE key='n'"))
            await asyncio.sleep(0)
            await tx.execute("UPDATE guild_settings SET value = ? WHERE key='n'", (str(value + 1),))

    await asyncio.gather(*(increment() for _ in range(50)))
    assert await db.fetchval("SELECT value FROM guild_settings WHERE key='n'") == "50"


async def test_returning_id_and_fetch_helpers(db: Database) -> None:
    await db.execute(db.dialect.migration("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    assert await db.fetchval("INSERT INTO t (v) VALUES ('x') RETURNING id") == 1
    assert await db.execute("UPDATE t SET v = 'x' WHERE id = 1") is None
    await db.executemany("INSERT INTO t (v) VALUES (?)", [("y",), ("z",)])
    assert await db.fetchval("SELECT count(*) FROM t") == 3
    assert (await db.fetchone("SELECT v FROM t WHERE id = ?", (2,)))["v"] == "y"
    assert await db.fetchone("SELECT v FROM t WHERE id = 99") is None
    assert await db.fetchval("SELECT v FROM t WHERE id = 99") is None


def test_migration_files_are_numbered_uniquely() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1


# -- one transaction per task: join, refuse nesting, refuse after close, after-commit -----------
async def test_statements_through_db_join_the_callers_transaction(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings VALUES (1, 'a', '1', 0)")
        # Before: the connection's lock was taken twice and this hung forever.
        async with asyncio.timeout(2):
            seen = await db.fetchval("SELECT count(*) FROM guild_settings")
            await db.execute("INSERT INTO guild_settings VALUES (1, 'b', '1', 0)")
            await db.executemany("INSERT INTO guild_settings VALUES (1, ?, '1', 0)", [("c",)])
        assert seen == 1
        assert db.in_transaction()
    assert not db.in_transaction()
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 3


async def test_joined_statements_roll_back_with_the_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO guild_settings VALUES (1, 'a', '1', 0)")
            raise RuntimeError("boom")
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0


async def test_a_nested_transaction_in_the_same_task_is_refused(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings VALUES (1, 'a', '1', 0)")
        with pytest.raises(TransactionError, match="already open"):
            async with asyncio.timeout(2):
                async with db.transaction():
                    pass
    # The outer transaction was not harmed by the refusal.
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 1


async def test_a_closed_transaction_refuses_statements(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings VALUES (1, 'a', '1', 0)")
    for statement in (tx.execute("INSERT INTO guild_settings VALUES (1, 'b', '1', 0)"),
                      tx.fetchall("SELECT * FROM guild_settings")):
        with pytest.raises(TransactionError, match="ended"):
            await statement
    with pytest.raises(TransactionError):
        tx.after_commit(lambda: None)
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 1


async def test_a_child_task_does_not_join_its_parents_transaction(db: Database) -> None:
    """asyncio.create_task copies the context: the child sees the variable but must wait for
    the parent's transaction to end instead of writing into it."""
    order: list[str] = []

    async def child() -> None:
        await db.execute("INSERT INTO guild_settings VALUES (1, 'child', '1', 0)")
        order.append("child wrote")

    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings VALUES (1, 'parent', '1', 0)")
        task = asyncio.create_task(child())
        await asyncio.sleep(0.05)
        assert order == []  # it waits for the lock; it did not join
        order.append("parent commits")
        with pytest.raises(RuntimeError):
            raise RuntimeError("the parent rolls back; the child's row must survive it")
    await task
    assert order == ["parent commits", "child wrote"]
    keys = {r["key"] for r in await db.fetchall("SELECT key FROM guild_settings")}
    assert keys == {"parent", "child"}


async def test_a_child_task_rollback_is_not_shared(db: Database) -> None:
    async def child() -> None:
        await db.execute("INSERT INTO guild_settings VALUES (1, 'child', '1', 0)")

    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO guild_settings VALUES (1, 'parent', '1', 0)")
            task = asyncio.create_task(child())
            await asyncio.sleep(0.02)
            raise RuntimeError("boom")
    await task
    keys = {r["key"] for r in await db.fetchall("SELECT key FROM guild_settings")}
    assert keys == {"child"}


@pytest.mark.sqlite_only
async def test_after_commit_runs_only_after_a_commit(db: Database) -> None:
    calls: list[str] = []
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings VALUES (1, 'a', '1', 0)")
        tx.after_commit(lambda: calls.append(f"committed, rows seen: {_count(db)}"))
        db.after_commit(lambda: calls.append("via db"))
        assert calls == []
    assert calls == ["committed, rows seen: 1", "via db"]

    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            tx.after_commit(lambda: calls.append("rolled back"))
            raise RuntimeError("boom")
    assert calls == ["committed, rows seen: 1", "via db"]


def _count(db: Database) -> int:
    """Read through a second connection: what another process sees is what was committed."""
    other = sqlite3.connect(db.path)
    try:
        return other.execute("SELECT count(*) FROM guild_settings").fetchone()[0]
    finally:
        other.close()


async def test_after_commit_outside_a_transaction_runs_at_once(db: Database) -> None:
    calls: list[int] = []
    db.after_commit(lambda: calls.append(1))
    assert calls == [1]


async def test_a_failing_after_commit_callback_is_logged_not_raised(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def broken() -> None:
        raise ValueError("callback bug")

    async with db.transaction() as tx:
        await tx.execute("INSERT INTO guild_settings VALUES (1, 'a', '1', 0)")
        tx.after_commit(broken)
        tx.after_commit(lambda: calls.append("later callbacks still run"))
    assert calls == ["later callbacks still run"]
    assert "after-commit callback failed" in caplog.text
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 1


async def test_cancellation_rolls_back_and_skips_after_commit(db: Database) -> None:
    entered = asyncio.Event()
    calls: list[int] = []

    async def writer() -> None:
        async with db.transaction() as tx:
            await db.execute("INSERT INTO guild_settings VALUES (1, 'c', '1', 0)")
            tx.after_commit(lambda: calls.append(1))
            entered.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(writer())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == []
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0
    assert not db.in_transaction()



def _wal_size(db: Database) -> int:
    return Path(f"{db.path}-wal").stat().st_size


@pytest.mark.sqlite_only
async def test_wal_truncation_asked_inside_a_transaction_waits_for_its_commit(db: Database) -> None:
    """truncate_wal takes the lock, so inside a transaction it would wait for itself: the
    request is kept and carried out once the transaction has committed, never on rollback."""
    await db.execute("CREATE TABLE t (x TEXT)")
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO t VALUES ('rolled back')")
            await db.truncate_wal_after_commit()
            raise RuntimeError
    assert _wal_size(db) > 0  # the CREATE is still in the log: nothing truncated
    async with db.transaction():
        await db.execute("INSERT INTO t VALUES ('kept')")
        async with asyncio.timeout(5):  # same task: it must return at once, not wait
            await db.truncate_wal_after_commit()
        assert _wal_size(db) > 0  # not yet: the transaction is open
    assert _wal_size(db) == 0
    assert await db.fetchval("SELECT x FROM t") == "kept"
