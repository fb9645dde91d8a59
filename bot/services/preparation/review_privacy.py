"""What document review holds about a member, for /privacy export and delete.

As the member who asked: their requests, documents included (deleting erases them at once and
cancels what was still to be sent). As a reviewer: their opt-in; deleting (or leaving) hands
the offers and reviews waiting for them to other reviewers.
"""

from __future__ import annotations

import json
from typing import Any

from bot.clock import from_epoch
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation._review_models import DOCUMENT_KINDS
from bot.services.preparation.review import DocumentReview, week_of
from bot.services.privacy import PrivacyContributor


class ReviewPrivacy:
    def __init__(self, review: DocumentReview) -> None:
        self._review = review
        self._store = review.store

    def contributor(self) -> PrivacyContributor:
        return PrivacyContributor(
            "document_review", self.export_member, self.delete_member, self.pause_member,
            summary="Document review: the documents you sent for review and their reviews "
            "(erased at once), and your reviewer opt-in (reviews waiting for you go to "
            "another reviewer).",
        )

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        now = self._review.clock.now()
        reviewer = await self._store.reviewer(guild_id, user_id, week_of(now))
        requests = []
        for row in await self._store.requests_of(guild_id, user_id):
            requests.append({
                "kind": DOCUMENT_KINDS[row["kind"]], "specialty": SPECIALTIES[row["specialty"]],
                "anonymous": bool(row["anonymous"]), "status": row["status"],
                "sent_at": from_epoch(row["created_at"]).isoformat(),
                "erased_at": None if row["erase_at"] is None
                else from_epoch(row["erase_at"]).isoformat(),
                "document": row["document"],
                "review": None if row["rubric"] is None else {
                    key: {"score": score, "comment": sentence}
                    for key, score, sentence in json.loads(row["rubric"])
                } | {"comments": row["comments"] or ""},
                "your_rating": row["rating"],
            })
        return {
            "requests": requests,
            "reviewer": None if reviewer is None else {
                "kinds": [DOCUMENT_KINDS[k] for k in reviewer.kinds],
                "specialties": [SPECIALTIES[s] for s in reviewer.specialties],
                "weekly_capacity": reviewer.weekly_capacity, "active": reviewer.active,
                "reviews_given": reviewer.reviews_given,
            },
        }

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        async with self._store.db.transaction():
            for request_id in await self._store.request_ids_of(guild_id, user_id):
                await self._review.erase_now(request_id, "the member deleted their data")
            await self._hand_over(guild_id, user_id, delete=True)

    async def pause_member(self, guild_id: int, user_id: int) -> None:
        """The member left: they review no more (their data waits for the retention sweep)."""
        async with self._store.db.transaction():
            await self._hand_over(guild_id, user_id, delete=False)

    async def _hand_over(self, guild_id: int, user_id: int, *, delete: bool) -> None:
        now = self._review.clock.now()
        reviewer = await self._store.reviewer(guild_id, user_id, week_of(now))
        if reviewer is None:
            return
        await self._store.set_active(reviewer.id, False, now)
        await self._review.hand_over(reviewer.id, now)
        if delete:
            await self._store.delete_reviewer(reviewer.id)
