"""What mock interviews hold about a member, for /privacy export and delete."""

from __future__ import annotations

from typing import Any

from bot.clock import from_epoch
from bot.services.preparation.mock._models import RUBRIC
from bot.services.preparation.mock._store import MockStore
from bot.services.preparation.mock.rounds import DM
from bot.services.privacy import PrivacyContributor


class MockPrivacy:
    def __init__(self, store: MockStore) -> None:
        self._store = store

    def contributor(self) -> PrivacyContributor:
        return PrivacyContributor(
            "mock_interviews", self.export_member, self.delete_member, self.pause_member,
            summary="Mock interviews: your entries in rounds, the feedback you received and "
            "your no-show record (your partners keep their sessions, without your id).",
        )

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        streak, sit_out = await self._store.member(guild_id, user_id)
        sit_out_round = None if sit_out is None else await self._store.round(sit_out)
        sessions = []
        for pair in await self._store.pairs_of(guild_id, user_id):
            mine = user_id == pair.interviewer_id
            session: dict[str, Any] = {
                "as": "interviewer" if mine else "interviewee",
                "partner_id": str(pair.partner_of(user_id)),
                "specialty": pair.specialty,
                "proposed_times": [t.isoformat() for t in pair.times],
                "you_came_as_your_partner_reported":
                    pair.interviewer_showed if mine else pair.interviewee_showed,
            }
            found = None if mine else await self._store.feedback(pair.id)
            if found is not None:
                rubric, comment = found
                session["feedback_received"] = {
                    **{RUBRIC[key][0]: score for key, score in rubric.items()},
                    "comment": comment,
                }
            sessions.append(session)
        return {
            "entries": [{"round_closes_at": e.closes_at.isoformat(), "role": e.role,
                         "specialty": e.specialty, "carried_from_last_week": e.carried}
                        for e in await self._store.entries_of(guild_id, user_id)],
            "sessions": sessions,
            "missed_sessions_in_a_row": streak,
            "sits_out_round_closing_at": None if sit_out_round is None
            else from_epoch(sit_out_round["closes_at"]).isoformat(),
        }

    async def pause_member(self, guild_id: int, user_id: int) -> None:
        """The member left the server: out of this week's round."""
        current = await self._store.open_round(guild_id)
        if current is not None:
            await self._store.delete_entry(current["id"], user_id)

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        async with self._store.db.transaction():
            await self._store.delete_member(guild_id, user_id)
            await self._store.delete_rows_to(DM, guild_id, user_id)
