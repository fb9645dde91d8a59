import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database
from bot.db import database as database_module
from bot.db.database import Migration, load_migrations
from bot.errors import FmgError, SchemaTooNewError


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


async def test_pragmas(db: Database) -> None:
    assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") == database_module.BUSY_TIMEOUT_MS


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


async def test_execute_returns_lastrowid_and_fetch_helpers(db: Database) -> None:
    await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    assert await db.execute("INSERT INTO t (v) VALUES ('x')") == 1
    await db.executemany("INSERT INTO t (v) VALUES (?)", [("y",), ("z",)])
    assert await db.fetchval("SELECT count(*) FROM t") == 3
    assert (await db.fetchone("SELECT v FROM t WHERE id = ?", (2,)))["v"] == "y"
    assert await db.fetchone("SELECT v FROM t WHERE id = 99") is None
    assert await db.fetchval("SELECT v FROM t WHERE id = 99") is None


def test_migration_files_are_numbered_uniquely() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1
