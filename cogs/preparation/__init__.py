"""Application preparation on Discord: `/review` (document review) and `/mock` (mock
interviews); see `cog.py`."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.preparation.cog import PreparationCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(PreparationCog(bot))
