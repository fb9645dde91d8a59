"""The FMG journey on Discord: `/cycle`, `/exam`, `/milestone` (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.journey.cog import JourneyCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(JourneyCog(bot))
