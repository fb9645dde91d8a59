"""Unloading a cog removes exactly what loading it added (the base cog's promise, `cogs/_base.py`):
buttons that answer after a restart, outbox senders, scheduler timers and tree commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bot.app import FmgBot, cog_modules
from bot.config import Settings
from bot.factory import create_bot
from bot.outbox import Sender
from bot.services import Services


@pytest.fixture
async def bare_bot(settings: Settings, db, clock) -> AsyncIterator[FmgBot]:
    """The real bot with its services but no cog loaded, never logged in."""
    bot = create_bot(settings, clock=clock)
    bot.db = db
    bot.services = Services.build(db, settings, clock)
    try:
        yield bot
    finally:
        for module in list(bot.extensions):
            await bot.unload_extension(module)
        await bot.scheduler.shutdown()


def plugged_in(bot: FmgBot) -> dict[str, Any]:
    """Everything a cog can plug into the bot, by identity where identity matters."""
    tree = {
        (command.qualified_name, kind.name)
        for kind in discord.AppCommandType
        for command in bot.tree.get_commands(type=kind)
    }
    return {
        "dynamic items": dict(bot._connection._view_store._dynamic_items),
        "senders": dict(bot.services.outbox._senders),
        "timers": dict(bot.scheduler._sources),
        "tree": tree,
        "cogs": set(bot.cogs),
    }


@pytest.mark.parametrize("module", cog_modules())
async def test_unloading_a_cog_removes_what_loading_added(bare_bot: FmgBot, module: str) -> None:
    before = plugged_in(bare_bot)
    await bare_bot.load_extension(module)
    loaded = plugged_in(bare_bot)
    assert loaded != before, f"{module} plugged nothing in"
    await bare_bot.unload_extension(module)
    assert plugged_in(bare_bot) == before


async def test_all_cogs_load_and_unload_together(bare_bot: FmgBot) -> None:
    before = plugged_in(bare_bot)
    for module in cog_modules():
        await bare_bot.load_extension(module)
    loaded = plugged_in(bare_bot)
    assert all(loaded[key] != before[key] for key in before), "some kind of plug-in is unused"
    for module in reversed(cog_modules()):
        await bare_bot.unload_extension(module)
    assert plugged_in(bare_bot) == before


async def test_the_symmetry_check_would_catch_a_forgotten_button(bare_bot: FmgBot) -> None:
    """The defect this guards against: an unload that forgot one dynamic item."""
    from cogs.mentoring.cog import MentoringCog

    class Forgetful(MentoringCog):
        async def cog_unload(self) -> None:
            await super().cog_unload()
            bare_bot.add_dynamic_items(self.dynamic_items[-1])

    before = plugged_in(bare_bot)
    await bare_bot.add_cog(Forgetful(bare_bot))
    await bare_bot.remove_cog(Forgetful.__cog_name__)
    assert plugged_in(bare_bot) != before


async def test_a_cog_whose_load_fails_leaves_nothing_behind(bare_bot: FmgBot) -> None:
    """discord.py never unloads a cog that failed to load, so the base cog undoes its part:
    here the menu, buttons and first sender are in before an unknown outbox kind is refused."""
    from bot.errors import FmgError
    from cogs.anonymous.cog import AnonymousCog

    class Broken(AnonymousCog):
        def senders(self) -> dict[str, Sender]:
            return {**super().senders(), "no-such-kind": next(iter(super().senders().values()))}

    before = plugged_in(bare_bot)
    with pytest.raises(FmgError):
        await bare_bot.add_cog(Broken(bare_bot))
    assert plugged_in(bare_bot) == before
