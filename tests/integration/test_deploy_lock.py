"""One migration and one command sync per deploy, however many processes start together:
`Database.exclusive` (a lock every process of the bot takes), and the commands' fingerprint."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.db.database import load_migrations
from bot.db.deploy import open_migrated
from bot.factory import create_bot
from localdiscord import LocalDiscord, pointed_at, seed, start_client, stop_client


async def test_exclusive_is_held_by_one_database_handle_at_a_time(tmp_path: Path) -> None:
    first = await Database.open(tmp_path / "bot.sqlite3")
    second = await Database.open(tmp_path / "bot.sqlite3")
    try:
        order: list[str] = []
        async with first.exclusive("deploy"):
            waiter = asyncio.create_task(_hold(second, "deploy", order))
            await asyncio.sleep(0.2)
            assert not waiter.done()  # it waits for the holder
            async with second.exclusive("other-name"):  # another name is another lock
                order.append("other")
            order.append("first done")
        await asyncio.wait_for(waiter, 5)
        assert order == ["other", "first done", "second"]
        # a waiter that is cancelled leaves the lock to the next one
        async with first.exclusive("deploy"):
            cancelled = asyncio.create_task(_hold(second, "deploy", order))
            await asyncio.sleep(0.1)
            cancelled.cancel()
            with pytest.raises(asyncio.CancelledError):
                await cancelled
        await asyncio.wait_for(_hold(second, "deploy", order), 5)
        with pytest.raises(ValueError, match="lock names"):
            async with first.exclusive("../escape"):
                pass
    finally:
        await first.close()
        await second.close()


async def _hold(db: Database, name: str, order: list[str]) -> None:
    async with db.exclusive(name):
        order.append("second")


async def test_processes_migrating_together_apply_each_migration_once(tmp_path: Path) -> None:
    """Four processes open a fresh file at once: the first switches it to WAL and migrates, the
    others wait for it and find the schema up to date (without the lock, a second one would
    fail to switch the journal, or apply migration 1 again and fail on its tables)."""
    path = tmp_path / "bot.sqlite3"
    opened = await asyncio.gather(*(open_migrated(path) for _ in range(4)),
                                  return_exceptions=True)
    versions = []
    for result in opened:
        if not isinstance(result, BaseException):
            await result[0].close()
            versions.append(result[1:])
    assert [r for r in opened if isinstance(r, BaseException)] == []
    latest = load_migrations()[-1].version
    assert sorted(versions) == [(0, latest)] + [(latest, latest)] * 3


async def test_processes_starting_together_sync_the_commands_once(tmp_path: Path) -> None:
    """Two processes' worth of bots (shard 0 and shard 1 of 2) start at once on one database:
    one PUT of the command tree. A later start finds it synced; a Discord that lost the
    commands (or another application) gets them again."""
    server = await LocalDiscord().start()
    server.max_concurrency = 2
    for i in (0, 1):
        seed(server, f"Guild {i}", shard=(i, 2))
    base = Settings.from_env({"SHARD_COUNT": "2"})
    settings = [dataclasses.replace(base, database_path=tmp_path / "bot.sqlite3", shard_ids=(i,))
                for i in (0, 1)]
    try:
        with pointed_at(server):
            assert await _start(server, settings) == 1
            assert await _start(server, settings[:1]) == 1  # a restart: nothing to sync
            server.global_commands.clear()  # Discord lost them (or another bot's token)
            assert await _start(server, settings[1:]) == 2
    finally:
        await server.stop()
    assert not server.violations and not server.unknown_routes


async def _start(server: LocalDiscord, settings: list[Settings]) -> int:
    """Start bots on ``settings`` together, stop them; the command PUTs so far."""
    bots = [create_bot(s) for s in settings]
    tasks = await asyncio.gather(*(start_client(bot, server) for bot in bots))
    for bot, task in zip(bots, tasks, strict=True):
        await stop_client(bot, task)
    gc.unfreeze()  # the bots froze the heap after setup, as a long-lived process does
    return sum(1 for r in server.requests if r.method == "PUT" and r.path.endswith("/commands"))


async def test_shards_of_one_identify_bucket_identify_apart_across_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With max_concurrency 1 every shard is in one bucket: the two processes' shards IDENTIFY
    one interval apart (Discord's limit is the bot's, not a process's); with 2, at once."""
    import bot.app

    monkeypatch.setattr(bot.app, "IDENTIFY_INTERVAL_S", 0.6)
    server = await LocalDiscord().start()
    for i in (0, 1):
        seed(server, f"Guild {i}", shard=(i, 2))
    identified: list[float] = []
    real_identify = server.gateway._identify

    def identify(conn, data) -> None:
        identified.append(asyncio.get_running_loop().time())
        real_identify(conn, data)

    monkeypatch.setattr(server.gateway, "_identify", identify)
    base = Settings.from_env({"SHARD_COUNT": "2"})
    settings = [dataclasses.replace(base, database_path=tmp_path / "bot.sqlite3", shard_ids=(i,))
                for i in (0, 1)]
    try:
        with pointed_at(server):
            for concurrency in (1, 2):
                server.max_concurrency = concurrency
                identified.clear()
                await _start(server, settings)
                gap = abs(identified[1] - identified[0])
                assert gap >= 0.55 if concurrency == 1 else gap < 0.5, (concurrency, gap)
    finally:
        await server.stop()
