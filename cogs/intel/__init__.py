"""Program intel on Discord: `/intel report`, `/intel program`, `/intel search` (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.intel.cog import IntelCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(IntelCog(bot))
