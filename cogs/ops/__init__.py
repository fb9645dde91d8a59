"""Server setup: the guide on join, member retention and daily backups (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.ops.cog import OpsCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(OpsCog(bot))
