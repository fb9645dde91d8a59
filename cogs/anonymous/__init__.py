"""Anonymous questions: `/ask`, `/anonymous` and the *Mark mentor answer* message command (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.anonymous.cog import AnonymousCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(AnonymousCog(bot))
