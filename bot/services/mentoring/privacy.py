"""What mentoring holds about one member: export it, delete it, pause it when they leave.

Registered with the privacy registry (`bot.services.privacy`) as the "mentoring" contributor.
Deleting keeps the rest consistent: the member's waiting request is withdrawn, requests waiting
for them as a mentor move on to the next mentor, open pairings end (freeing the mentor's slot),
and notices that name them are removed, before their profiles (and with them, by cascade, their
requests, offers and pairings) are deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.clock import from_epoch
from bot.errors import UserError
from bot.services.mentoring import removals
from bot.services.mentoring._models import KINDS
from bot.services.mentoring.profile_review import pending_edit

if TYPE_CHECKING:
    from bot.services.mentoring import MentoringService


def _iso(epoch: int | None) -> str | None:
    return None if epoch is None else from_epoch(epoch).isoformat()


class MentoringPrivacy:
    def __init__(self, service: MentoringService) -> None:
        self._service = service
        self._db = service.db

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        mentor = await self._service.get_mentor(guild_id, user_id)
        if mentor is not None:
            out["mentor_profile"] = {
                "specialties": list(mentor.specialties), "visas": list(mentor.visas),
                "stage": mentor.stage, "languages": list(mentor.languages),
                "timezone": mentor.timezone, "capacity": mentor.capacity, "bio": mentor.bio,
                "status": mentor.status, "paused": mentor.paused,
                "registered_at": mentor.created_at.isoformat(),
            }
            waiting = await pending_edit(self._service, guild_id, user_id)
            if waiting is not None:
                out["mentor_profile"]["bio_waiting_for_review"] = waiting.bio
            offers = await self._db.fetchall(
                "SELECT request_id, status, offered_at, decided_at, question FROM mentor_offers "
                "WHERE mentor_id = ? ORDER BY id", (mentor.id,))
            out["requests_received"] = [
                {"request_id": r["request_id"], "outcome": r["status"],
                 "offered_at": _iso(r["offered_at"]), "decided_at": _iso(r["decided_at"]),
                 **({"your_question": r["question"]} if r["question"] else {})}
                for r in offers]
        mentee = await self._service.get_mentee(guild_id, user_id)
        if mentee is not None:
            out["mentee_profile"] = {
                "specialty": mentee.specialty, "visa": mentee.visa, "stage": mentee.stage,
                "languages": list(mentee.languages), "timezone": mentee.timezone,
                "goals": mentee.goals, "created_at": mentee.created_at.isoformat(),
            }
            requests = await self._db.fetchall(
                "SELECT id, status, created_at, closed_at FROM mentor_requests "
                "WHERE mentee_id = ? ORDER BY id", (mentee.id,))
            answers = {r["request_id"]: r["answer"] for r in await self._db.fetchall(
                "SELECT o.request_id, o.answer FROM mentor_offers o JOIN mentor_requests r "
                "ON r.id = o.request_id WHERE r.mentee_id = ? AND o.answer IS NOT NULL",
                (mentee.id,))}
            out["requests_made"] = [
                {"request_id": r["id"], "status": r["status"], "created_at": _iso(r["created_at"]),
                 "closed_at": _iso(r["closed_at"]),
                 **({"your_answer_to_the_mentor": answers[r["id"]]} if r["id"] in answers else {})}
                for r in requests]
        pairings = await self._db.fetchall(
            "SELECT p.id, p.status, p.started_at, p.ended_at, p.ended_by, p.rating, p.feedback, "
            "p.cadence, "
            "m.user_id AS mentor_user_id, e.user_id AS mentee_user_id FROM mentor_pairings p "
            "JOIN mentors m ON m.id = p.mentor_id JOIN mentees e ON e.id = p.mentee_id "
            "WHERE p.guild_id = ? AND (m.user_id = ? OR e.user_id = ?) ORDER BY p.id",
            (guild_id, user_id, user_id))
        checkins: dict[int, list[dict[str, Any]]] = {}
        for c in await self._db.fetchall(
                "SELECT pairing_id, week, answer, answered_at FROM mentor_checkins "
                "WHERE answered_by = ? ORDER BY pairing_id, week", (user_id,)):
            checkins.setdefault(c["pairing_id"], []).append(
                {"week": c["week"], "answer": c["answer"], "answered_at": _iso(c["answered_at"])})
        if pairings:
            out["pairings"] = [
                {"role": "mentor" if r["mentor_user_id"] == user_id else "mentee",
                 "partner_user_id": str(r["mentee_user_id"] if r["mentor_user_id"] == user_id
                                        else r["mentor_user_id"]),
                 "status": r["status"], "started_at": _iso(r["started_at"]),
                 "ended_at": _iso(r["ended_at"]),
                 "cadence": r["cadence"],
                 "your_check_in_answers": checkins.get(r["id"], []),
                 # Feedback is theirs only when they wrote it (they ended the pairing).
                 **({"your_rating": r["rating"], "your_feedback": r["feedback"]}
                    if r["ended_by"] == user_id else {})}
                for r in pairings]
        if await removals.is_removed(self._db, guild_id, user_id):
            out["removed_as_mentor"] = ("Moderators removed you as a mentor: a salted hash of "
                                        "your user id is kept so that this stands, even after "
                                        "you delete your data.")
        return out

    async def pause_member(self, guild_id: int, user_id: int) -> None:
        """A member left: no new requests reach them, and their own request is withdrawn."""
        mentor = await self._service.get_mentor(guild_id, user_id)
        if mentor is not None and not mentor.paused and mentor.status not in ("rejected",
                                                                               "removed"):
            await self._service.set_paused(guild_id, user_id, True)
        try:
            await self._service.withdraw(guild_id, user_id)
        except UserError:  # no mentee profile, or nothing waiting
            pass

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        await self.pause_member(guild_id, user_id)
        for pairing in await self._service.pairings_of(guild_id, user_id):
            await self._service.end_pairing(guild_id, user_id, partner_user_id=None,
                                            rating=None, feedback=None, pairing_id=pairing.id)
        async with self._db.transaction():
            # Found by ids: rows sent to them, and updates naming them as the next mentor.
            await self._db.execute(
                f"DELETE FROM outbox WHERE guild_id = ? AND kind IN ({', '.join('?' * len(KINDS))}) "
                f"AND (recipient_id = ? OR {self._db.dialect.json_int('data', 'mentor_user_id')} = ?)",
                (guild_id, *KINDS, user_id, user_id))
            await self._db.execute("DELETE FROM mentees WHERE guild_id = ? AND user_id = ?",
                                   (guild_id, user_id))
            await self._db.execute("DELETE FROM mentors WHERE guild_id = ? AND user_id = ?",
                                   (guild_id, user_id))
            # Pairings that outlive the member (between two others) never name them, except
            # as who ended them: only possible for their own pairings, deleted above.
        self._service.forget_pool(guild_id)
