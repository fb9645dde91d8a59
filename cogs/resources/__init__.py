"""The resource library: `/resources` (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.resources.cog import ResourcesCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(ResourcesCog(bot))
