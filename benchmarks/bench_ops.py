"""What one bot process holds: resident memory of the real bot connected to N guilds.

localdiscord runs in this process and serves G synthetic guilds (the seeded one plus copies with
a category, 14 text channels, a forum, 2 voice channels and 8 roles each); the bot runs in a
child process (`python -m benchmarks.bench_ops --child ...`), so its RSS is the bot's alone.
The baseline is the same bot connected to the one seeded guild, measured in the same run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.figures import Figure

ROOT = Path(__file__).resolve().parents[1]
TEXT_CHANNELS = 14
ROLES = 8
#: Discord's hard limit per shard; sharding is required from here on.
GUILDS_PER_SHARD = 2500


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


async def _child(api_base: str, gateway: str, database: str) -> None:
    """Run the real bot against the given localdiscord; print its RSS before and after READY."""
    import discord
    import yarl
    from discord.gateway import DiscordWebSocket
    from localdiscord.connect import FAKE_TOKEN, fast_ready

    from bot.config import Settings
    from bot.factory import create_bot

    discord.http.Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    settings = dataclasses.replace(
        Settings.from_env({}), database_path=Path(database), discord_token=FAKE_TOKEN
    )
    bot = create_bot(settings)
    fast_ready(bot)
    gc.collect()
    before = _rss_kb()
    async with bot:
        task = asyncio.create_task(bot.start(FAKE_TOKEN))
        await asyncio.wait_for(bot.wait_until_ready(), 300)
        gc.collect()
        after = _rss_kb()
        print(json.dumps({"before_kb": before, "after_kb": after, "guilds": len(bot.guilds)}), flush=True)
        await bot.close()
        await task


def _populate(server, guilds: int) -> None:
    for number in range(guilds):
        guild = server.add_guild(f"Community {number}")
        gid = int(guild["id"])
        for role in range(ROLES):
            server.add_role(gid, f"role-{role}")
        category = server.add_channel(gid, "Community", 4)
        for channel in range(TEXT_CHANNELS):
            server.add_channel(gid, f"channel-{channel}", 0, parent_id=category["id"])
        server.add_channel(gid, "questions", 15, parent_id=category["id"])
        server.add_channel(gid, "Study Hall", 2, parent_id=category["id"])
        server.add_channel(gid, "Lounge", 2, parent_id=category["id"])


async def _measure(extra_guilds: int) -> dict[str, int]:
    from localdiscord import LocalDiscord, seed

    server = await LocalDiscord(validate=False).start()
    seed(server)
    _populate(server, extra_guilds)
    with tempfile.TemporaryDirectory() as tmp:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.bench_ops", "--child",
            server.api_base, server.gateway_url, str(Path(tmp) / "bench.sqlite3"),
            cwd=ROOT, stdout=subprocess.PIPE,
        )
        try:
            out, _ = await asyncio.wait_for(child.communicate(), 600)
        finally:
            await server.stop()
    if child.returncode != 0:
        raise RuntimeError(f"the bench bot exited with {child.returncode}")
    return json.loads(out.decode().strip().splitlines()[-1])


async def run(quick: bool) -> list[Figure]:
    many = 250 if quick else GUILDS_PER_SHARD
    one = await _measure(0)
    lots = await _measure(many - 1)
    per_guild_kb = (lots["after_kb"] - one["after_kb"]) / (lots["guilds"] - one["guilds"])
    figures = [
        Figure("bot_rss_1_guild_mb", one["after_kb"] / 1024, "MB", target="< 150 MB",
               ok=one["after_kb"] / 1024 < 150, baseline=one["before_kb"] / 1024,
               baseline_label="before connecting"),
        Figure(f"bot_rss_{lots['guilds']}_guilds_mb", lots["after_kb"] / 1024, "MB",
               baseline=one["after_kb"] / 1024, baseline_label="1 guild"),
        Figure("bot_rss_per_guild_kb", per_guild_kb, "KB", target="< 100 KB", ok=per_guild_kb < 100),
    ]
    if lots["guilds"] < GUILDS_PER_SHARD:  # --quick: extrapolate to one full shard
        shard_mb = (one["after_kb"] + per_guild_kb * (GUILDS_PER_SHARD - 1)) / 1024
        figures.append(Figure(
            f"bot_rss_{GUILDS_PER_SHARD}_guilds_estimate_mb", shard_mb, "MB",
            target="< 512 MB", ok=shard_mb < 512,
        ))
    return figures


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    asyncio.run(_child(*sys.argv[2:5]))
