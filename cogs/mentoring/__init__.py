"""Mentor matching: `/mentor` and `/mentee` (see `cog.py`; views, modals and buttons in `views.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.mentoring.cog import MentoringCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(MentoringCog(bot))
