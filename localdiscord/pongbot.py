"""A bare discord.py bot with one slash command, ``/ping``, answered "pong" (callback type 4).

``python -m localdiscord.pongbot API_BASE GATEWAY_URL`` runs it against a LocalDiscord (in its
own process, so it has its own core); it prints ``ready`` once connected and synced. It is the
floor the real bot's commands are compared to in the benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys

import discord
import discord.http
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from localdiscord.connect import FAKE_TOKEN, fast_ready


class PongBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.none() | discord.Intents(guilds=True))
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(description="Answers pong")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_ready(self) -> None:
        print("ready", flush=True)


async def _main(api_base: str, gateway_url: str) -> None:
    discord.http.Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    bot = PongBot()
    fast_ready(bot)
    async with bot:
        await bot.start(FAKE_TOKEN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("api_base")
    parser.add_argument("gateway_url")
    args = parser.parse_args(argv)
    try:
        uvloop = importlib.import_module("uvloop")  # the `speed` extra, when installed
    except ImportError:
        asyncio.run(_main(args.api_base, args.gateway_url))
    else:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(_main(args.api_base, args.gateway_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
