"""Moderator insights on Discord: `/stats` (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.insights.cog import InsightsCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(InsightsCog(bot))
