"""Exactly once across processes: three real bot processes (`fmg-bot run`, four shards split
0,1 / 2 / 3) on one database and one localdiscord, a burst of 500 announcements, member notices
and anonymous questions due at once, a random process SIGKILLed five times and restarted with
the same shards. Counted where it matters, at localdiscord's nonce check: one message per row,
none lost, none twice."""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.anonymous import AnonymousLimits, AnonymousService
from bot.services.guild_settings import GuildSettingsService
from bot.services.notices import MemberNotices
from bot.services.study_groups import StudyGroupService
from localdiscord import LocalDiscord
from localdiscord.clibot import (
    SHARD_COUNT,
    SHARD_SPLIT,
    cpu_seconds,
    proc_status_kb,
    shard_env,
    spawn_real_bot,
)
from localdiscord.connect import FAKE_TOKEN
from localdiscord.seed import World, seed_shards

SHARDS, PROCESSES = SHARD_COUNT, SHARD_SPLIT
PER_GUILD = {"study_announce": 50, "anon_question": 40, "member_notice": 35}  # x4 guilds = 500
ROWS = SHARDS * sum(PER_GUILD.values())
KILLS = 5
OWNER = 42


async def _prepare(db_path: Path | str, worlds: list[World]) -> None:
    """500 rows due now: each guild's announcements (sessions starting this minute),
    anonymous questions (no publish delay) and notices (DMs to its members)."""
    now = datetime.now(UTC)
    start = now.replace(second=0, microsecond=0)
    db = await Database.open(db_path)
    try:
        await db.migrate()
        earlier = ManualClock(start - timedelta(hours=2))  # schedule "earlier": starts ahead
        clock = ManualClock(now)
        settings = GuildSettingsService(db, clock)
        outbox = Outbox(db, clock)
        studies = StudyGroupService(db, earlier, GuildSettingsService(db, earlier), outbox=outbox)
        anonymous = AnonymousService(db, settings, clock, AnonymousLimits(0, 0, 1000),
                                     outbox=outbox)
        notices = MemberNotices.of(outbox, db, clock, settings)
        for world in worlds:
            gid = world.guild_id
            await settings.set(gid, "announcements_channel", world.channels["announcements"].id)
            await settings.set(gid, "anonymous_channel", world.channels["anonymous"].id)
            await settings.set(gid, "study_series_per_member", PER_GUILD["study_announce"])
            group = await studies.groups.create(gid, OWNER, "Burst group", "Other")
            await studies.groups.edit(gid, group.id, OWNER, False, announce_offsets="0")
            for i in range(PER_GUILD["study_announce"]):
                await studies.sessions.schedule(
                    gid, group.id, OWNER, False, title=f"Session {i:03d}",
                    start=f"{start:%Y-%m-%d %H:%M}", duration_minutes=120)
            for i in range(PER_GUILD["anon_question"]):
                await anonymous.ask(gid, 10_000 + i, f"Question {i}", "How do I start?", None)
            members = [m.id for m in world.members.values()]
            for i in range(PER_GUILD["member_notice"]):
                await notices.notify("mentor_approved", guild_id=gid, user_id=members[i % len(members)])
        kinds = dict(await db.fetchall("SELECT kind, COUNT(*) FROM outbox GROUP BY kind"))
        assert kinds == {k: n * SHARDS for k, n in PER_GUILD.items()}
    finally:
        await db.close()


async def _open_rows(db_path: Path | str) -> int:
    db = await Database.open(db_path)
    try:
        return await db.fetchval("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'claimed')")
    finally:
        await db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The database the processes share: an SQLite file, or a PostgreSQL database (where
    a killed process's claims are taken over through its worker lock session)."""
    if request.param == "sqlite":
        return tmp_path / "bot.sqlite3"
    return await request.getfixturevalue("pg_server").new_database(migrated=False)


@pytest.mark.slow
async def test_three_processes_send_each_row_once_across_five_sigkills(
    tmp_path: Path, target: Path | str,
) -> None:
    server = await LocalDiscord().start()
    worlds = seed_shards(server, SHARDS)
    db_path = target
    await _prepare(db_path, worlds)
    engine = {} if isinstance(target, Path) else {"DATABASE_URL": target}
    # each post takes a while, so the burst lasts long enough to be killed in the middle of
    server.faults.add_latency(0.05, route=r"/channels/\d+/messages$")
    procs: dict[str, asyncio.subprocess.Process] = {}
    cpu: Counter[str] = Counter()
    kills: list[tuple[str, int]] = []

    def sent() -> int:
        return sum(1 for m in server.messages.values()
                   if m.get("nonce") and m["author"]["id"] == str(server.app_id))

    async def start(shards: str) -> None:
        bot = await spawn_real_bot(server, {"DISCORD_TOKEN": FAKE_TOKEN,
                                            "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
                                            "LOG_LEVEL": "WARNING"} | engine | shard_env(shards))
        procs[shards] = bot.proc

    rng = random.Random(2026)
    try:
        for shards in PROCESSES:
            await start(shards)
        for k in range(1, KILLS + 1):
            threshold = ROWS * k // (KILLS + 2)
            assert await server.wait_until(lambda t=threshold: sent() >= t, 60), (k, sent())
            victim = rng.choice(PROCESSES)
            cpu[victim] += cpu_seconds(procs[victim].pid)
            procs[victim].send_signal(signal.SIGKILL)
            await procs[victim].wait()
            kills.append((victim, sent()))
            await start(victim)
        async with asyncio.timeout(90):
            # other processes' database: polling is the only way to watch it
            while await _open_rows(db_path):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        for shards, proc in procs.items():
            cpu[shards] += cpu_seconds(proc.pid)
            rss = proc_status_kb(proc.pid)
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 20) == 0
            print(f"process {shards}: {cpu[shards]:.1f} s CPU, {rss / 1024:.0f} MB")
    finally:
        for proc in procs.values():
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        await server.stop()

    assert len(kills) == KILLS and all(0 < at < ROWS for _, at in kills), kills
    db = await Database.open(db_path)
    try:
        rows = await db.fetchall(
            "SELECT kind, guild_id, state, nonce, message_id, last_error FROM outbox")
    finally:
        await db.close()
    unsent = [(r["kind"], r["state"], r["last_error"]) for r in rows if r["state"] != "sent"]
    assert unsent == [], kills  # nothing lost
    messages = [m for m in server.messages.values() if m.get("nonce")]
    by_nonce = Counter(m["nonce"] for m in messages)
    assert {n for n, count in by_nonce.items() if count > 1} == set()  # nothing twice
    assert set(by_nonce) == {r["nonce"] for r in rows}  # one message per row, no other
    ids = {m["nonce"]: int(m["id"]) for m in messages}
    assert all(ids[r["nonce"]] == r["message_id"] for r in rows)
    assert server.violations == [] and server.unknown_routes == []
    posts = Counter(r.body.get("nonce") for r in server.requests
                    if r.method == "POST" and isinstance(r.body, dict) and r.body.get("nonce"))
    print(f"kills (process, messages so far): {kills}; "
          f"{sum(posts.values()) - len(posts)} resends answered by the nonce check")
