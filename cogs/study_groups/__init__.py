"""Study groups: `/studygroup`, `/session` and `/timezone` (see `cog.py`)."""

from __future__ import annotations

from bot.app import FmgBot
from cogs.study_groups.cog import StudyGroupsCog


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(StudyGroupsCog(bot))
