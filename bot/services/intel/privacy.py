"""What program intel holds about a member, for /privacy export and delete.

No row names the member: the bot finds their reports by recomputing their pseudonym for every
(program, cycle) reported in the server, with the key only it holds.
"""

from __future__ import annotations

from typing import Any

from bot.services.intel._models import FIELD_BY_KEY
from bot.services.intel._store import IntelStore
from bot.services.intel.keys import KeyHolder
from bot.services.privacy import PrivacyContributor


class IntelPrivacy:
    def __init__(self, store: IntelStore, keys: KeyHolder) -> None:
        self._store = store
        self._keys = keys

    def contributor(self) -> PrivacyContributor:
        return PrivacyContributor(
            "program_intel", self.export_member, self.delete_member,
            summary="Program intel: the program reports you made in this server (they stop "
            "counting in its aggregates).",
        )

    async def _reporters(self, guild_id: int, user_id: int) -> list[str]:
        pairs = await self._store.reported_pairs(guild_id)
        if not pairs:
            return []
        pseudonyms = await self._keys.get()
        return [pseudonyms.of(user_id, program_id, cycle) for program_id, cycle in pairs]

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        mine = await self._store.reports_of(await self._reporters(guild_id, user_id), guild_id)
        programs = await self._store.programs_by_id(p for p, _, _ in mine)
        return {"reports": [
            {
                "program_id": program_id,
                "program": programs[program_id].name if program_id in programs else None,
                "cycle": cycle,
                "answers": {FIELD_BY_KEY[k].label: FIELD_BY_KEY[k].answers[v]
                            for k, v in answers.items() if v is not None},
            }
            for program_id, cycle, answers in sorted(mine, key=lambda m: (m[1], m[0]))
        ]} if mine else {}

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        await self._store.delete_reports(await self._reporters(guild_id, user_id), guild_id)
