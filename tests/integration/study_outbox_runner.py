"""Bot processes for the outbox crash tests. Both run until killed.

    python tests/integration/study_outbox_runner.py DB_PATH SINK_URL
        the real service, database and scheduler, with a sender that posts to a Discord-like
        HTTP sink (nonce + enforce_nonce); prints "ready" once the outbox is registered.
    python tests/integration/study_outbox_runner.py --bot DB_PATH API_BASE GATEWAY_URL
        the real bot (bot.factory.create_bot, every cog) pointed at a localdiscord server.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp

from bot.clock import SystemClock
from bot.db import Database
from bot.scheduler import Scheduler
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.models import OutgoingMessage
from bot.services.study_groups.outbox import SendFailed


class HttpSender:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self._session = session
        self._base = base

    async def send(self, message: OutgoingMessage) -> int:
        payload = {
            "content": message.content,
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
            return int((await response.json())["id"])


class OutboxSource:
    def __init__(self, service: StudyGroupService, sender: HttpSender) -> None:
        self._service = service
        self._sender = sender

    async def next_due(self):
        return await self._service.next_due(with_events=False)

    async def run_due(self, now) -> None:
        await self._service.run_due(now, self._sender)


async def main(db_path: str, sink: str) -> None:
    clock = SystemClock()
    db = await Database.open(db_path)
    await db.migrate()
    service = StudyGroupService(db, clock, GuildSettingsService(db, clock))
    scheduler = Scheduler(clock)
    scheduler.start()
    async with aiohttp.ClientSession() as session:
        scheduler.register("study_groups", OutboxSource(service, HttpSender(session, sink)))
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
