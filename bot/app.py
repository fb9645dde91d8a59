"""The bot: what it needs from Discord (intents), where its cogs are, and its start-up (database,
migrations, services, the outbox, cogs, command sync). `bot.factory.create_bot` builds one."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import importlib
import json
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
from bot.db.deploy import DEPLOY_LOCK, open_migrated
from bot.interaction_errors import FmgCommandTree
from bot.logs import quiet_revealing_loggers
from bot.outbox import SOURCE_NAME as OUTBOX_SOURCE
from bot.paging import PageButton, PagedReplies
from bot.scheduler import Scheduler
from bot.services import Services

log = logging.getLogger(__name__)

#: Discord's IDENTIFY rate: one per ``max_concurrency`` bucket every this many seconds
IDENTIFY_INTERVAL_S = 5.0

#: the shared mark holding the fingerprint of the last command sync
COMMANDS_MARK = "commands"


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
        # Processes starting together (one per group of shards) migrate one after another:
        # the first applies the migrations, the others find the schema up to date.
        self.db, _, version = await open_migrated(self.settings.database)
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
        """Sync the command tree once per deploy: processes starting together take turns
        (the deploy lock), and a process skips the sync when the last one recorded exactly
        these commands (same application, same target) and Discord still lists them."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        where = f"guild {guild.id}" if guild is not None else "global"
        async with self.db.exclusive(DEPLOY_LOCK):
            payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
            fingerprint = hashlib.sha256(json.dumps(
                [self.application_id, where, payload], sort_keys=True).encode()).hexdigest()
            marks = self.services.marks
            if await marks.value(COMMANDS_MARK) == fingerprint:
                listed = {(c.name, c.type.value) for c in await self.tree.fetch_commands(guild=guild)}
                if listed == {(c["name"], c.get("type", 1)) for c in payload}:
                    log.info("the %s commands are already synced (%d)", where, len(payload))
                    return
            synced = await self.tree.sync(guild=guild)
            await marks.set_value(COMMANDS_MARK, fingerprint)
        log.info("synced %d %s commands", len(synced), where)

    async def close(self) -> None:
        await self.scheduler.shutdown()
        if hasattr(self, "services"):
            await self.services.outbox.stop()
            try:
                await self.services.resources.gaps.flush()
            except Exception:  # a statistic: never a reason not to stop cleanly
                log.exception("the last search counts could not be written")
        await super().close()
        if hasattr(self, "db"):
            await self.db.close()


class ShardedFmgBot(FmgBot, commands.AutoShardedBot):
    """The same bot over several gateway shards in one process (SHARD_COUNT), or over some of
    them (SHARD_IDS) with other processes running the rest."""

    def __init__(self, settings: Settings, clock: Clock, **options: Any) -> None:
        super().__init__(settings, clock, **options)
        self._max_concurrency: int | None = None
        self._identify_holds: set[asyncio.Task[None]] = set()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord lets one shard per bucket (``shard_id % max_concurrency``) IDENTIFY every
        5 seconds, counted over the whole bot, whichever process sends it. discord.py's own
        hook waits 5 s before every shard but the first of this process: too slow for large
        bots (shards of different buckets may start together) and not enough for several
        processes starting at once. So the bucket's lock (`Database.exclusive`, every process)
        is taken for this IDENTIFY and kept until 5 s after it."""
        if self._max_concurrency is None:
            _, _, limits = await self.http.get_bot_gateway()
            self._max_concurrency = max(1, int(limits.get("max_concurrency", 1)))
        bucket = (shard_id or 0) % self._max_concurrency
        taken = asyncio.Event()

        async def hold() -> None:
            async with self.db.exclusive(f"identify-{bucket}"):
                taken.set()
                await asyncio.sleep(IDENTIFY_INTERVAL_S)

        task = asyncio.create_task(hold(), name=f"fmg-identify-{bucket}")
        self._identify_holds.add(task)
        task.add_done_callback(self._identify_holds.discard)
        waiter = asyncio.create_task(taken.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if not taken.is_set():
            task.result()  # re-raise why the lock could not be taken

    async def close(self) -> None:
        for task in list(self._identify_holds):
            task.cancel()
        await super().close()
