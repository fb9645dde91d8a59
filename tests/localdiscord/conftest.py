"""A LocalDiscord with the seeded guild and the small test bot connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest

from localdiscord import Driver, LocalDiscord, World, pointed_at, seed, start_client, stop_client
from localdiscord.harness import wait_bot_idle
from tests.localdiscord import testbot


@dataclass
class Env:
    server: LocalDiscord
    world: World
    discord: Driver
    bot: discord.Client


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    server = await LocalDiscord().start()
    world = seed(server)
    with pointed_at(server):
        bot = testbot.build(discord.Intents.default() | discord.Intents(members=True))

        async def sync() -> None:
            bot.tree.copy_global_to(guild=discord.Object(world.guild_id))
            await bot.tree.sync(guild=discord.Object(world.guild_id))

        bot.setup_hook = sync  # type: ignore[method-assign]
        task = await start_client(bot, server)
        try:
            yield Env(server, world, Driver(server, world, bot_idle=wait_bot_idle), bot)
        finally:
            await stop_client(bot, task)
            await server.stop()
    problems = [str(v) for v in server.violations]
    problems += [f"unknown route {r.method} {r.path}" for r in server.unknown_routes]
    assert not problems, problems
