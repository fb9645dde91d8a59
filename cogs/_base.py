"""The one base cog: what a capability plugs into the bot, added on load and removed on unload.

A cog declares its persistent buttons (`dynamic_items`), how its outbox kinds are sent
(`senders`), its timers (`timers`) and its context menus (`context_menus`); `cog_load` adds
exactly what it declared and `cog_unload` removes exactly what `cog_load` added, so the two
cannot drift apart (a hand-written unload once forgot a button). Slash commands need nothing
here: they are class-level `app_commands.Group`s, which discord.py adds and removes with the cog.
Context menus are the exception: discord.py refuses them in a cog's class body, so they are
built per instance (their callback is a bound method) and tracked here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import FmgBot
from bot.outbox import Sender
from bot.scheduler import DueWorkSource


def guild_group(name: str, description: str, **options: Any) -> app_commands.Group:
    """A class-level slash-command group usable only in servers: exactly what
    ``@app_commands.guild_only()`` sets on a group (no DMs, and the guild context)."""
    return app_commands.Group(name=name, description=description, guild_only=True,
                              allowed_contexts=app_commands.AppCommandContext(guild=True), **options)


def anywhere_group(name: str, description: str, **options: Any) -> app_commands.Group:
    """A class-level slash-command group usable in servers and in DMs with the bot: for what
    is about the member alone (their time zone), never for what a server's settings decide."""
    return app_commands.Group(name=name, description=description, **options)


class FmgCog(commands.Cog):
    #: persistent components (custom-id templates) that must answer after a restart
    dynamic_items: ClassVar[tuple[type[discord.ui.DynamicItem[Any]], ...]] = ()

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot
        # what cog_load added so far: exactly what cog_unload removes
        self._menus: list[app_commands.ContextMenu] = []
        self._items: list[type[discord.ui.DynamicItem[Any]]] = []
        self._attached: list[str] = []
        self._timers: list[str] = []

    def senders(self) -> Mapping[str, Sender]:
        """Outbox kind -> how it is sent (the service registered the kind's handler)."""
        return {}

    def timers(self) -> Mapping[str, DueWorkSource]:
        """Scheduler source name -> due work it runs (registering it arms its timer)."""
        return {}

    def context_menus(self) -> Sequence[app_commands.ContextMenu]:
        """Right-click commands (called once per load; callbacks are bound methods)."""
        return ()

    async def prepare(self) -> None:
        """Work the cog needs before it is plugged in (say, loading a catalogue)."""

    async def cog_load(self) -> None:
        await self.prepare()
        try:
            for menu in self.context_menus():
                self.bot.tree.add_command(menu)
                self._menus.append(menu)
            for item in self.dynamic_items:
                self.bot.add_dynamic_items(item)
                self._items.append(item)
            for kind, sender in self.senders().items():
                self.bot.services.outbox.attach_sender(kind, sender)
                self._attached.append(kind)
            # registering is the restart rebuild: the scheduler re-reads next_due from the rows
            for name, source in self.timers().items():
                self.bot.scheduler.register(name, source)
                self._timers.append(name)
        except BaseException:
            # discord.py does not unload a cog whose load failed: undo what was added
            await self.cog_unload()
            raise

    async def cog_unload(self) -> None:
        for name in self._timers:
            self.bot.scheduler.unregister(name)
        for kind in self._attached:
            self.bot.services.outbox.detach_sender(kind)
        self.bot.remove_dynamic_items(*self._items)
        for menu in self._menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)
        self._menus, self._items, self._attached, self._timers = [], [], [], []
