"""The real bot (``bot.factory.create_bot``) in its own process, pointed at a LocalDiscord.

``python -m localdiscord.realbot API_BASE GATEWAY_URL --db PATH [--setting KEY=ID ...]``
prints ``ready`` once connected, synced and configured (``--setting`` stores per-guild settings
in the first guild, e.g. ``moderator_role=<role id>``). For benchmarks that ramp load against
the real bot (``localdiscord.load.ramp`` with ``command_mix``) on a separate core.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import signal
import sys
from pathlib import Path

import discord
import discord.http
import yarl
from discord.gateway import DiscordWebSocket

from localdiscord.connect import FAKE_TOKEN, fast_ready


async def _main(args: argparse.Namespace) -> None:
    from bot.config import Settings
    from bot.factory import create_bot

    discord.http.Route.BASE = args.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(args.gateway_url)
    settings = dataclasses.replace(Settings.from_env({}), database_path=Path(args.db))
    bot = create_bot(settings)
    fast_ready(bot)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(FAKE_TOKEN))
        await bot.wait_until_ready()
        guild = bot.guilds[0]
        for item in args.setting:
            key, _, value = item.partition("=")
            await bot.services.guild_settings.set(guild.id, key, int(value))
        print("ready", flush=True)
        await stop.wait()
        await bot.close()
        await runner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("api_base")
    parser.add_argument("gateway_url")
    parser.add_argument("--db", required=True, help="the bot's SQLite file")
    parser.add_argument("--setting", action="append", default=[], help="KEY=ID guild setting")
    args = parser.parse_args(argv)
    try:
        uvloop = importlib.import_module("uvloop")  # the `speed` extra, when installed
    except ImportError:
        asyncio.run(_main(args))
    else:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(_main(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
