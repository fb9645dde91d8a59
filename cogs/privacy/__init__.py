"""`/privacy`: export or erase a member's data (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.privacy.cog import PrivacyCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
