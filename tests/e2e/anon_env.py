"""The real bot (create_bot, every cog) against localdiscord with a manual clock, for the
anonymous-questions e2e tests and the anonymity audit."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from localdiscord import (
    Driver,
    LocalDiscord,
    Message,
    World,
    pointed_at,
    seed,
    start_client,
    stop_client,
)

from bot.clock import ManualClock
from bot.config import Settings
from bot.factory import FmgBot, create_bot

CODE = re.compile(r"`(\d+-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})`")


@dataclass
class AnonEnv:
    server: LocalDiscord
    world: World
    discord: Driver
    bot: FmgBot
    clock: ManualClock
    settings: Settings
    task: asyncio.Task[None] | None = None

    async def restart(self) -> None:
        """Stop the bot and start a new process-worth of it on the same database and clock."""
        assert self.task is not None
        await stop_client(self.bot, self.task)
        self.bot = create_bot(self.settings, clock=self.clock)
        self.task = await start_client(self.bot, self.server)

    async def configure(
        self, channel: str = "anonymous", *, review: bool = False, preapproval: bool = False
    ) -> None:
        gs = self.bot.services.guild_settings
        gid = self.world.guild_id
        await gs.set(gid, "anonymous_channel", self.world.channel(channel).id)
        await gs.set(gid, "moderator_role", self.world.roles["moderators"].id)
        if review or preapproval:
            await gs.set(gid, "anonymous_review_channel", self.world.channel("mod_review").id)
        if preapproval:
            await gs.set(gid, "anonymous_preapproval", True)

    async def publish_due(self) -> None:
        """Let the longest random delay pass and run the publisher."""
        self.clock.advance(timedelta(seconds=181))
        await self.bot.scheduler.run_now("anonymous")

    async def ask(
        self, title: str, question: str, tag: str = "", *, user: str = "alice"
    ) -> tuple[str, Message]:
        """/ask question as ``user``: returns the claim code and the ephemeral acknowledgement."""
        form = await self.discord.invoke("ask question", user=user)
        ack = await self.discord.submit_modal(
            form, {"Title": title, "Your question": question, "Topic tag (optional)": tag}
        )
        [message] = ack.messages
        assert message.ephemeral
        match = CODE.search(message.content)
        assert match, message.content
        return match.group(1), message


async def start_env(tmp_path: Path, clock: ManualClock) -> AsyncIterator[AnonEnv]:
    server = await LocalDiscord().start()
    world = seed(server)
    settings = dataclasses.replace(
        Settings.from_env({}),
        database_path=tmp_path / "fmg-bot.sqlite3",
        dev_guild_id=world.guild_id,
    )
    with pointed_at(server):
        bot = create_bot(settings, clock=clock)
        env = AnonEnv(server, world, Driver(server, world), bot, clock, settings)
        env.task = await start_client(bot, server)
        try:
            yield env
        finally:
            await stop_client(env.bot, env.task)
            await server.stop()
    problems = [str(v) for v in server.violations] + [
        f"unknown route {r.method} {r.path}" for r in server.unknown_routes
    ]
    assert not problems, problems
