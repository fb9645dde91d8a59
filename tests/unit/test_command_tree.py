"""Every slash command the cogs define fits Discord's rules (checked without connecting)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands

from bot.app import FmgBot, cog_modules
from bot.config import Settings
from bot.factory import create_bot
from bot.services import Services

NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture
async def offline_bot(settings: Settings, db, clock) -> AsyncIterator[FmgBot]:
    """The real bot with every cog loaded, but never logged in."""
    bot = create_bot(settings, clock=clock)
    bot.db = db
    bot.services = Services.build(db, settings, clock)
    for module in cog_modules():
        await bot.load_extension(module)
    try:
        yield bot
    finally:
        for module in list(bot.extensions):
            await bot.unload_extension(module)
        await bot.scheduler.shutdown()


def _check_parameters(command: app_commands.Command, problems: list[str]) -> None:
    params = command.parameters
    if len(params) > 25:
        problems.append(f"/{command.qualified_name}: more than 25 options")
    seen_optional = False
    for param in params:
        where = f"/{command.qualified_name} {param.display_name}"
        if not NAME.match(param.display_name) or param.display_name != param.display_name.lower():
            problems.append(f"{where}: option name must be lowercase, 1-32 characters")
        if not param.description or param.description == "…" or len(param.description) > 100:
            problems.append(f"{where}: option needs a description of 1-100 characters")
        if len(param.choices) > 25:
            problems.append(f"{where}: more than 25 choices")
        if param.required and seen_optional:
            problems.append(f"{where}: a required option after an optional one")
        seen_optional = seen_optional or not param.required


async def test_every_command_fits_discord(offline_bot: FmgBot) -> None:
    problems: list[str] = []
    names: set[str] = set()
    top_level = offline_bot.tree.get_commands(type=discord.AppCommandType.chat_input)
    if len(top_level) > 100:
        problems.append("more than 100 top-level commands")
    for command in offline_bot.tree.walk_commands(type=discord.AppCommandType.chat_input):
        qualified = command.qualified_name
        if qualified in names:
            problems.append(f"/{qualified} defined twice")
        names.add(qualified)
        if not NAME.match(command.name) or command.name != command.name.lower():
            problems.append(f"/{qualified}: name must be lowercase, 1-32 characters")
        if not command.description or command.description == "…" or len(command.description) > 100:
            problems.append(f"/{qualified}: needs a description of 1-100 characters")
        if isinstance(command, app_commands.Group):
            if len(command.commands) > 25:
                problems.append(f"/{qualified}: more than 25 subcommands")
        else:
            _check_parameters(command, problems)
    assert problems == []
    assert {"help", "settings view"} <= names


async def test_help_is_generated_from_the_tree(offline_bot: FmgBot) -> None:
    from cogs.help.cog import help_pages, walk_commands

    lines = list(walk_commands(offline_bot))
    listed = {line.name for line in lines}
    every = {
        c.qualified_name
        for c in offline_bot.tree.walk_commands(type=discord.AppCommandType.chat_input)
        if not isinstance(c, app_commands.Group)
    }
    assert listed == every
    assert all(line.capability != "Other" for line in lines)
    settings_lines = [line for line in lines if line.name.startswith("settings ")]
    assert settings_lines and all(line.moderator for line in settings_lines)
    pages = help_pages(lines)
    assert all(len(page.description or "") <= 4096 for page in pages)
    assert "`/help`" in pages[0].description
    text = "\n".join(page.description or "" for page in pages)
    for line in lines:
        shown = next(row for row in text.splitlines() if row.startswith(f"`/{line.name}` "))
        assert shown.count("(moderators)") == int(line.moderator), shown
