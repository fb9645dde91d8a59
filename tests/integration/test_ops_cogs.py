"""The ops and privacy cogs wire into a real bot: commands, scheduler sources, rendering."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import discord

from bot.app import FmgBot, cog_modules
from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database
from bot.db.backup import list_backups
from bot.factory import create_bot
from bot.services import Services
from bot.services.guild_settings import GuildConfig
from bot.services.health import Finding
from bot.ui import EMBED_DESCRIPTION_LIMIT
from cogs.settings.cog import check_pages, settings_embed


async def _loaded_bot(settings: Settings, clock: ManualClock) -> FmgBot:
    """setup_hook without the command sync (which needs Discord)."""
    bot = create_bot(settings, clock=clock)
    bot.db = await Database.open(settings.database_path)
    await bot.db.migrate()
    bot.services = Services.build(bot.db, settings, clock)
    bot.scheduler.start()
    for module in cog_modules():
        await bot.load_extension(module)
    return bot


async def _close(bot: FmgBot) -> None:
    await bot.scheduler.shutdown()
    await bot.db.close()


async def test_commands_exist_and_the_backup_runs_on_start(settings: Settings, clock: ManualClock) -> None:
    bot = await _loaded_bot(settings, clock)
    try:
        names = {
            f"{group.name} {command.name}"
            for group in bot.tree.get_commands()
            if isinstance(group, discord.app_commands.Group)
            for command in group.commands
        }
        assert {"privacy export", "privacy delete", "settings check"} <= names
        for _ in range(100):  # the backup source is due at once: no backup exists yet
            if list_backups(settings.backup_folder):
                break
            await asyncio.sleep(0.05)
        assert [at for at, _ in list_backups(settings.backup_folder)] == [clock.now()]
    finally:
        await _close(bot)


async def test_sharding_keeps_one_bot_class(tmp_path: Path, clock: ManualClock) -> None:
    settings = dataclasses.replace(
        Settings.from_env({"SHARD_COUNT": "2"}), database_path=tmp_path / "bot.sqlite3"
    )
    bot = create_bot(settings, clock=clock)
    assert isinstance(bot, FmgBot) and isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_count == 2  # never started, so nothing to close
    assert not create_bot(dataclasses.replace(settings, shard_count=None), clock=clock).shard_count


def test_the_check_report_puts_problems_first_and_pages_long_reports() -> None:
    findings = [Finding("ok", "A", "fine")] + [
        Finding("error", f"Capability {i}", "x" * 300, "do the thing") for i in range(30)
    ]
    pages = check_pages(findings)
    assert len(pages) > 1
    assert all(len(page.description or "") <= EMBED_DESCRIPTION_LIMIT for page in pages)
    assert pages[0].title == "Setup check: 30 thing(s) to fix"
    assert (pages[0].description or "").startswith("❌ **Capability 0**")
    assert (pages[-1].description or "").endswith("✅ **A**: fine")


def test_settings_view_points_at_what_is_missing() -> None:
    embed = settings_embed(GuildConfig(1, {}), [Finding("warning", "X", "not set", "fix")])
    assert embed.footer.text == "1 thing(s) still to fix: run /settings check for how."
