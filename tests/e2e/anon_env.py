"""Helpers for the anonymous-questions e2e tests and the anonymity audit, on top of the shared
``e2e`` harness (the real bot against localdiscord, with the test's ManualClock)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.app import FmgBot
from bot.clock import ManualClock
from bot.outbox import SOURCE_NAME as OUTBOX
from localdiscord.driver import Driver, Message
from localdiscord.harness import BotHarness
from localdiscord.seed import World

CODE = re.compile(r"`(\d+-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})`")


@dataclass
class Anon:
    e2e: BotHarness
    clock: ManualClock

    @property
    def discord(self) -> Driver:
        assert self.e2e.discord is not None
        return self.e2e.discord

    @property
    def world(self) -> World:
        assert self.e2e.world is not None
        return self.e2e.world

    @property
    def bot(self) -> FmgBot:
        assert self.e2e.bot is not None
        return self.e2e.bot

    async def configure(
        self, channel: str = "anonymous", *, review: bool = False, preapproval: bool = False
    ) -> None:
        await self.e2e.set_setting("anonymous_channel", self.world.channel(channel).id)
        if review or preapproval:
            await self.e2e.set_setting(
                "anonymous_review_channel", self.world.channel("mod_review").id
            )
        if preapproval:
            await self.e2e.set_setting("anonymous_preapproval", True)

    async def publish_due(self) -> None:
        """Let the longest random delay pass and run the publisher."""
        self.clock.advance(timedelta(seconds=181))
        await self.bot.scheduler.run_now(OUTBOX)

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
