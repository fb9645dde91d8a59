"""`/settings`: channels, roles and switches per capability (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.settings.cog import SettingsCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(SettingsCog(bot))
