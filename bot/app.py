"""The bot: what it needs from Discord (intents), where its cogs are, and its start-up (database,
migrations, services, the outbox, cogs, command sync). `bot.factory.create_bot` builds one."""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot import callbacks
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.interaction_errors import FmgCommandTree
from bot.logs import quiet_revealing_loggers
from bot.outbox import SOURCE_NAME as OUTBOX_SOURCE
from bot.paging import PageButton, PagedReplies
from bot.scheduler import Scheduler
from bot.services import Services

log = logging.getLogger(__name__)


def bot_intents(members: bool = False) -> discord.Intents:
    """The least the bot needs: guilds (channels, roles, threads and their caches).

    Slash commands, buttons and modals arrive as interactions, which need no intent; the bot
    reads no message content and no presences. ``members`` (MEMBERS_INTENT, privileged) adds
    the leave events, so a departed member's profiles are paused and later deleted.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.members = members
    return intents


def cog_modules() -> list[str]:
    """Every cog package in `cogs/` whose ``__init__`` defines an extension ``setup``."""
    names = []
    for info in pkgutil.iter_modules(cogs.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"cogs.{info.name}")
        if hasattr(module, "setup"):
            names.append(module.__name__)
    return sorted(names)


class FmgBot(commands.Bot):
    db: Database
    services: Services

    def __init__(self, settings: Settings, clock: Clock, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(settings.members_intent),
            # The member list is never needed whole; leave events come without it.
            chunk_guilds_at_startup=False,
            tree_cls=FmgCommandTree,
            help_command=None,
            # Nobody is pinged unless a send names exactly whom it means to ping.
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        # Gateway payloads name the member behind every interaction, scheduler lines date it:
        # never log them (see logs.py).
        quiet_revealing_loggers()
        self.settings = settings
        self.clock = clock
        self.scheduler = Scheduler(clock)
        self.paged_replies = PagedReplies()

    async def setup_hook(self) -> None:
        callbacks.install()
        self.db = await Database.open(self.settings.database)
        version = await self.db.migrate()
        log.info("database %s at schema version %d", self.db.label, version)
        self.services = Services.build(self.db, self.settings, self.clock)
        self.scheduler.start()
        # The outbox is the one source of due messages; it wakes itself after each commit
        # that enqueues (cogs only attach their senders).
        self.services.outbox.start(lambda: self.scheduler.poke(OUTBOX_SOURCE))
        self.scheduler.register(OUTBOX_SOURCE, self.services.outbox)
        self.add_dynamic_items(PageButton)
        for module in cog_modules():
            await self.load_extension(module)
        await self.sync_commands()
        # What exists now (modules, discord.py, numpy/scipy, cogs) lives as long as the
        # process: move it out of the collector's sight. A full collection then scans only
        # what was made since (~1 ms instead of ~30 ms, which showed up as p99 under load).
        # Collect first, so startup garbage is freed rather than frozen.
        gc.collect()
        gc.freeze()

    async def sync_commands(self) -> None:
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild.id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def close(self) -> None:
        await self.scheduler.shutdown()
        if hasattr(self, "services"):
            self.services.outbox.stop()
        await super().close()
        if hasattr(self, "db"):
            await self.db.close()


class ShardedFmgBot(FmgBot, commands.AutoShardedBot):
    """The same bot over several gateway shards in one process (SHARD_COUNT)."""
