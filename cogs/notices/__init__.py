"""Member notices: tells members what was decided about them, by DM or in a channel (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.notices.cog import NoticesCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(NoticesCog(bot))
