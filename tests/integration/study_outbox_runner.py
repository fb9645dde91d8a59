"""Bot processes for the outbox crash tests. Both run until killed.

    python tests/integration/study_outbox_runner.py DB_PATH SINK_URL
        the real service, outbox, database and scheduler, with a sender that posts to a
        Discord-like HTTP sink (nonce + enforce_nonce); prints "ready" once the outbox runs.
    python tests/integration/study_outbox_runner.py --bot DB_PATH API_BASE GATEWAY_URL
        the real bot (bot.factory.create_bot, every cog) pointed at a localdiscord server.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp

from bot.clock import SystemClock
from bot.db import Database
from bot.outbox import SOURCE_NAME, DueItem, Outbox, Receipt, SendFailed
from bot.scheduler import Scheduler
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups import KINDS, StudyGroupService
from bot.services.study_groups.models import OutgoingMessage
from cogs.study_groups.views import render_announcement


class HttpSender:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self._session = session
        self._base = base

    async def send(self, item: DueItem, message: OutgoingMessage) -> Receipt:
        payload = {
            "content": render_announcement(message),
            "nonce": message.nonce,
            "enforce_nonce": True,
            "allowed_mentions": {"parse": [], "roles": [str(message.role_id)] if message.role_id else []},
        }
        async with self._session.post(
            f"{self._base}/channels/{message.channel_id}/messages", json=payload
        ) as response:
            if response.status == 429 or response.status >= 500:
                raise SendFailed(f"HTTP {response.status}")
            if response.status >= 400:
                raise SendFailed(f"HTTP {response.status}", permanent=True)
            return Receipt(int((await response.json())["id"]), channel_id=message.channel_id)


async def main(db_path: str, sink: str) -> None:
    clock = SystemClock()
    db = await Database.open(db_path)
    await db.migrate()
    outbox = Outbox(db, clock)
    StudyGroupService(db, clock, GuildSettingsService(db, clock), outbox=outbox)
    scheduler = Scheduler(clock)
    scheduler.start()
    async with aiohttp.ClientSession() as session:
        for kind in KINDS:
            outbox.attach_sender(kind, HttpSender(session, sink))
        outbox.start(scheduler.waker(SOURCE_NAME))
        scheduler.register(SOURCE_NAME, outbox)
        print("ready", flush=True)
        await asyncio.Event().wait()


async def real_bot(db_path: str, api_base: str, gateway: str) -> None:
    import dataclasses
    from pathlib import Path

    import discord
    import yarl
    from discord.gateway import DiscordWebSocket

    from bot.config import Settings
    from bot.factory import create_bot
    from localdiscord.connect import FAKE_TOKEN, fast_ready

    discord.http.Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    settings = dataclasses.replace(
        Settings.from_env({}), database_path=Path(db_path), discord_token=FAKE_TOKEN
    )
    bot = create_bot(settings)
    fast_ready(bot)
    async with bot:
        await bot.start(FAKE_TOKEN)


if __name__ == "__main__":
    if sys.argv[1] == "--bot":
        asyncio.run(real_bot(*sys.argv[2:5]))
    else:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
