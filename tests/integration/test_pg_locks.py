"""The process locks on PostgreSQL (bot/db/_pg_locks.py): advisory locks of the server, so
processes on several machines exclude each other as SQLite's file locks do on one."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from bot.db import Database, _pg_locks
from bot.db.lock import STARTUP_WAIT_S, DatabaseInUse, ShardsInUse
from bot.shards import ALL, ShardScope
from localdiscord import LocalDiscord, seed
from localdiscord.clibot import ROOT
from localdiscord.connect import FAKE_TOKEN
from tests.integration.test_cli import fmg_bot
from tests.pg_server import PgServer

HOLDER = """
import asyncio, sys
from bot.db import Database
from bot.shards import ShardScope
async def main() -> None:
    async with Database.locks(sys.argv[1]).hold_bot(ShardScope(4, (0, 1))):
        print("locked", flush=True)
        await asyncio.sleep(3600)
asyncio.run(main())
"""


@pytest.fixture
async def url(pg_server: PgServer) -> AsyncIterator[str]:
    yield await pg_server.new_database()


@pytest.fixture
def holder(url: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding shards 0 and 1 of 4 on the database, until killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, url], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


async def test_disjoint_shards_run_together_and_overlapping_ones_are_refused(
    url: str, holder: subprocess.Popen[str], pg_server: PgServer,
    caplog: pytest.LogCaptureFixture
) -> None:
    locks = Database.locks(url)
    async with locks.hold_bot(ShardScope(4, (2, 3))) as lost:
        assert await locks.running()  # doctor sees a running bot
    await asyncio.sleep(0.05)  # (asyncpg calls its termination listeners soon after)
    assert not lost.is_set() and caplog.records == []  # a clean stop loses nothing
    with pytest.raises(ShardsInUse) as caught:
        async with locks.hold_bot(ShardScope(4, (1, 2))):
            pass
    assert str(caught.value) == (
        f"shard 1 of 4 already runs in another fmg-bot on {url} (it holds the server's "
        "advisory lock for that shard): give each process different SHARD_IDS")
    with pytest.raises(ShardsInUse) as caught:  # another SHARD_COUNT splits servers otherwise
        async with locks.hold_bot(ShardScope(2, (1,))):
            pass
    assert str(caught.value) == (
        f"another fmg-bot runs on {url} with SHARD_COUNT 4, not 2: every process must use the "
        "same SHARD_COUNT; stop them all to change it")
    with pytest.raises(ShardsInUse):
        async with locks.hold_bot(ALL):  # a process without SHARD_IDS runs every shard
            pass
    with pytest.raises(DatabaseInUse, match="in use by a running fmg-bot"):
        async with locks.hold_exclusive():  # what `fmg-bot db transfer` takes
            pass
    # the refused attempts left nothing behind: the free shards are still free
    async with locks.hold_bot(ShardScope(4, (2,))), locks.hold_bot(ShardScope(4, (3,))):
        pass
    # advisory locks belong to one database: a bot on another one is another bot
    other = Database.locks(await pg_server.new_database(migrated=False))
    async with other.hold_bot(ShardScope(2, (0, 1))):
        pass

    holder.kill()  # SIGKILL: its session ends with its socket, and the server frees its locks
    holder.wait()
    async with locks.hold_bot(ShardScope(2, (0, 1)), wait=STARTUP_WAIT_S):
        pass  # everyone stopped: another count is fine
    assert not await locks.running()
    async with locks.hold_exclusive():
        pass


async def test_a_bot_does_not_start_during_a_transfer(url: str) -> None:
    locks = Database.locks(url)
    async with locks.hold_exclusive():
        with pytest.raises(DatabaseInUse) as caught:
            async with locks.hold_bot(ShardScope(4, (0,))):
                pass
    assert str(caught.value) == (
        f"the database {url} is held exclusively by `fmg-bot db transfer` (or another "
        "maintenance command): start the bot once it has finished")


async def test_transfer_refuses_and_doctor_sees_a_bot_running_on_the_server(
    url: str, holder: subprocess.Popen[str], tmp_path: Path
) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "unused.sqlite3"), "DATABASE_URL": url}
    doctor = await asyncio.to_thread(fmg_bot, "doctor", "--offline", "--expect-running",
                                     env=env, cwd=tmp_path)
    assert "[OK] bot process: running (it holds the database lock)" in doctor.stdout
    assert doctor.returncode == 0, doctor.stdout
    source = tmp_path / "old.sqlite3"
    assert (await asyncio.to_thread(fmg_bot, "db", "migrate", env={"DATABASE_PATH": str(source)},
                                    cwd=tmp_path)).returncode == 0
    refused = await asyncio.to_thread(fmg_bot, "db", "transfer", str(source), url, "--replace",
                                      env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"fmg-bot: the database {url} is in use by a running fmg-bot (it holds the server's "
        "advisory lock on it): stop every bot process first")
    holder.kill()
    holder.wait()
    stopped = await asyncio.to_thread(fmg_bot, "doctor", "--offline", "--expect-running",
                                      env=env, cwd=tmp_path)
    assert "[FAIL] bot process: not running" in stopped.stdout


async def _lock_holders(url: str) -> list[int]:
    """The server processes of the sessions holding a shard lock on the database."""
    conn = await asyncpg.connect(url)
    try:
        return [r["pid"] for r in await conn.fetch(
            _pg_locks._HELD.format(what="pid"), _pg_locks.SHARD)]
    finally:
        await conn.close()


async def test_a_bot_refuses_its_shard_twice_and_stops_when_it_loses_its_locks(
    url: str, tmp_path: Path
) -> None:
    """The real `fmg-bot run` on PostgreSQL: a second process for the same shard refuses to
    start; when the connection holding the first one's locks is lost (its server session
    killed here), the first one stops with a critical log and a non-zero status."""
    server = await LocalDiscord().start()
    seed(server)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": FAKE_TOKEN,
           "DATABASE_URL": url, "DATABASE_PATH": str(tmp_path / "unused.sqlite3"),
           "LOG_LEVEL": "WARNING"}

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "localdiscord.clibot", server.api_base, server.gateway_url,
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)

    first = await start()
    try:
        async with asyncio.timeout(30):
            while not await _lock_holders(url):  # noqa: ASYNC110 - another process: polled
                await asyncio.sleep(0.1)
        second = await start()
        _, err = await asyncio.wait_for(second.communicate(), 30)
        assert second.returncode == 1
        assert err.decode().strip().splitlines()[-1] == (
            f"fmg-bot: shard 0 of 1 already runs in another fmg-bot on {url} (it holds the "
            "server's advisory lock for that shard): give each process different SHARD_IDS")
        [pid] = await _lock_holders(url)
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await conn.close()
        _, err = await asyncio.wait_for(first.communicate(), 30)
        assert first.returncode == 3
        assert "lost the connection holding this process's database locks" in err.decode()
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
        await server.stop()


class SilentConnection:
    """A lock connection whose server went away without closing it: nothing answers."""

    async def fetchval(self, sql: str, **_: object) -> object:
        raise TimeoutError


async def test_a_silent_lock_connection_is_noticed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_pg_locks, "PING_S", 0.01)
    lost = asyncio.Event()
    async with asyncio.timeout(5):
        await _pg_locks._watch(SilentConnection(), lost)
    assert lost.is_set()
    assert [r.levelname for r in caplog.records] == ["CRITICAL"]
