"""200 sessions due in the same minute; the bot process is SIGKILLed mid-burst and restarted
five times. Every announcement must arrive exactly once: counted in what the receiving side got,
not in our own database. Twice: a minimal runner (service + scheduler + an HTTP sender) against
a small nonce-deduplicating sink, and the real bot (discord.py, every cog) against localdiscord,
which validates every request against Discord's OpenAPI spec."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.clock import ManualClock
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups import StudyGroupService

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("study_outbox_runner.py")
GUILD, CHANNEL, ROLE, OWNER = 800000000000000001, 800000000000000002, 800000000000000003, 42
SESSIONS = 200
KILLS = 5
SINK_DELAY = 0.12  # seconds per request: the burst takes a few seconds, so kills land inside it


class Sink:
    """Creates a message per new nonce (recorded before replying), like Discord's enforce_nonce."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.by_nonce: dict[str, int] = {}
        self.requests = 0
        self.deduplicated = 0
        self._grew = asyncio.Condition()

    async def wait_for(self, count: int) -> None:
        async with self._grew:
            await self._grew.wait_for(lambda: len(self.messages) >= count)

    async def post(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests += 1
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce in self.by_nonce:
            self.deduplicated += 1
            message_id = self.by_nonce[nonce]
        else:
            message_id = 1_000_000 + len(self.messages)
            self.messages.append(body | {"channel_id": request.match_info["channel_id"]})
            if nonce:
                self.by_nonce[nonce] = message_id
            async with self._grew:
                self._grew.notify_all()
        await asyncio.sleep(SINK_DELAY)
        return web.json_response({"id": str(message_id)})


async def _prepare(
    db_path: Path, guild: int = GUILD, channel: int = CHANNEL, role: int = ROLE
) -> None:
    """200 one-off sessions whose 'at start' announcement is due in the current minute."""
    now = datetime.now(UTC)
    start = now.replace(second=0, microsecond=0)
    clock = ManualClock(start - timedelta(hours=2))  # schedule "earlier", so the start is ahead
    db = await Database.open(db_path)
    try:
        await db.migrate()
        settings = GuildSettingsService(db, clock)
        await settings.set(guild, "announcements_channel", channel)
        await settings.set(guild, "study_series_per_member", SESSIONS)  # a moderator raised it
        service = StudyGroupService(db, clock, settings)
        group = await service.groups.create(guild, OWNER, "Burst group", "Other", role_id=role)
        await service.groups.edit(guild, group.id, OWNER, False, announce_offsets="0")
        for i in range(SESSIONS):
            await service.sessions.schedule(
                guild, group.id, OWNER, False, title=f"Session {i:03d}",
                start=f"{start:%Y-%m-%d %H:%M}", duration_minutes=120,
            )
        assert await db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'study_announce'") == SESSIONS
    finally:
        await db.close()


async def _start_runner(db_path: Path, sink_url: str) -> asyncio.subprocess.Process:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(RUNNER), str(db_path), sink_url,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=None,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
    assert line.strip() == b"ready"
    return proc


@pytest.mark.slow
async def test_every_announcement_exactly_once_across_five_sigkills(tmp_path: Path) -> None:
    db_path = tmp_path / "bot.sqlite3"
    await _prepare(db_path)
    sink = Sink()
    app = web.Application()
    app.router.add_post("/channels/{channel_id}/messages", sink.post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"
    kills_at: list[int] = []
    procs: list[asyncio.subprocess.Process] = []
    try:
        thresholds = [SESSIONS * k // (KILLS + 1) for k in range(1, KILLS + 1)]
        for threshold in thresholds:
            procs.append(proc := await _start_runner(db_path, url))
            async with asyncio.timeout(60):
                await sink.wait_for(threshold)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            kills_at.append(len(sink.messages))
        procs.append(proc := await _start_runner(db_path, url))
        async with asyncio.timeout(90):
            # another process's database: polling is the only way to watch it
            while await _open_rows(db_path):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
                await p.wait()
        await runner.cleanup()

    assert len(kills_at) == KILLS and all(0 < k < SESSIONS for k in kills_at), kills_at
    titles = [m["content"].splitlines()[0] for m in sink.messages]
    assert len(sink.messages) == SESSIONS, f"{len(sink.messages)} messages, kills at {kills_at}"
    assert len(set(titles)) == SESSIONS  # each session announced once, none twice
    assert {m["channel_id"] for m in sink.messages} == {str(CHANNEL)}
    assert all(m["allowed_mentions"] == {"parse": [], "roles": [str(ROLE)]} for m in sink.messages)
    assert all(f"<@&{ROLE}>" in t for t in titles)
    db = await Database.open(db_path)
    try:
        states = dict(await db.fetchall(
            "SELECT state, COUNT(*) FROM outbox WHERE kind = 'study_announce' GROUP BY state"))
    finally:
        await db.close()
    assert states == {"sent": SESSIONS}
    # the kills really interrupted sends: a send in flight at each kill was resent after the
    # restart with its stored nonce, and the sink returned the first message instead
    assert sink.deduplicated > 0
    print(f"kills at {kills_at}; {sink.requests} requests, {sink.deduplicated} deduplicated")


async def _open_rows(db_path: Path) -> int:
    db = await Database.open(db_path)
    try:
        return await db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'claimed')"
        )
    finally:
        await db.close()


@pytest.mark.slow
async def test_real_bot_on_localdiscord_announces_exactly_once_across_five_sigkills(
    tmp_path: Path,
) -> None:
    from localdiscord import LocalDiscord, seed

    server = await LocalDiscord().start()
    world = seed(server)
    announcements = world.channels["announcements"].id
    role = world.roles["mentors"].id
    db_path = tmp_path / "bot.sqlite3"
    await _prepare(db_path, world.guild_id, announcements, role)
    # each post takes a while, so a burst lasts long enough to be killed in the middle of
    server.faults.add_latency(0.05, route=r"/channels/\d+/messages$")

    def posted() -> int:
        return len(server.history.get(announcements, []))

    procs: list[asyncio.subprocess.Process] = []
    kills_at: list[int] = []

    async def start_bot() -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(RUNNER), "--bot", str(db_path), server.api_base,
            server.gateway_url, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)},
        )
        procs.append(proc)
        return proc

    try:
        for k in range(1, KILLS + 1):
            proc = await start_bot()
            assert await server.wait_until(lambda k=k: posted() >= SESSIONS * k // (KILLS + 1), 60)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            kills_at.append(posted())
        proc = await start_bot()
        async with asyncio.timeout(90):
            # another process's database: polling is the only way to watch it
            while await _open_rows(db_path):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        messages = [server.messages[m] for m in server.history.get(announcements, [])]
        problems = [str(v) for v in server.violations]
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
                await p.wait()
        await server.stop()

    assert len(kills_at) == KILLS and all(0 < k < SESSIONS for k in kills_at), kills_at
    assert problems == []
    titles = [m["content"].splitlines()[0] for m in messages]
    assert len(messages) == SESSIONS, f"{len(messages)} messages, kills at {kills_at}"
    assert len(set(titles)) == SESSIONS
    assert all(t.startswith(f"<@&{role}> **Burst group**: Session ") for t in titles)
    assert all(m["mention_roles"] == [str(role)] and not m["mentions"] for m in messages)
    print(f"kills at {kills_at}")
