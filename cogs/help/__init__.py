"""`/help`, generated from the command tree (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.help.cog import HelpCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(HelpCog(bot))
