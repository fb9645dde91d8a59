"""Mentoring's part of /privacy: export one member's mentoring data, pause it, delete it.

Deleting keeps everyone else's state consistent, in one transaction: a pending request to the
member as mentor moves on to the next candidate (the mentee is told, as when a mentor pauses),
the member's own pending request is withdrawn, the slots of their open pairings are given back
to their mentors, their profiles go (requests, offers, pairings and notices cascade), and other
members' notices that mention them lose the mention.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from bot.services.mentoring import _rows
from bot.services.mentoring.profiles import REJECTED, REMOVED
from bot.services.privacy import PrivacyContributor

if TYPE_CHECKING:
    from bot.services.mentoring.service import MentoringService

FORMER_MEMBER = "a former member"


async def export_member(service: MentoringService, guild_id: int, user_id: int) -> dict[str, Any]:
    db = service._db
    mentor = await db.fetchone(
        f"SELECT {_rows.MENTOR_COLUMNS}, updated_at FROM mentors WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    )
    mentee = await db.fetchone(
        f"SELECT {_rows.MENTEE_COLUMNS}, updated_at FROM mentees WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    )
    requests = [] if mentee is None else [dict(r) for r in await db.fetchall(
        "SELECT r.id, r.status, r.created_at, r.closed_at, "
        "(SELECT count(*) FROM mentor_offers o WHERE o.request_id = r.id) AS mentors_asked "
        "FROM mentor_requests r WHERE r.mentee_id = ? ORDER BY r.id",
        (mentee["id"],),
    )]
    offers = [] if mentor is None else [dict(r) for r in await db.fetchall(
        "SELECT o.request_id, o.status, o.offered_at, o.expires_at, o.decided_at "
        "FROM mentor_offers o WHERE o.mentor_id = ? ORDER BY o.id",
        (mentor["id"],),
    )]
    pairings = [dict(r) for r in await db.fetchall(
        "SELECT p.id, CASE WHEN m.user_id = ? THEN 'mentor' ELSE 'mentee' END AS my_role, "
        "CASE WHEN m.user_id = ? THEN e.user_id ELSE m.user_id END AS partner_user_id, "
        "p.status, p.started_at, p.ended_at, p.ended_by = ? AS ended_by_me, "
        "CASE WHEN p.ended_by = ? THEN p.rating END AS my_rating, "
        "CASE WHEN p.ended_by = ? THEN p.feedback END AS my_feedback "
        "FROM mentor_pairings p JOIN mentors m ON m.id = p.mentor_id "
        "JOIN mentees e ON e.id = p.mentee_id "
        "WHERE p.guild_id = ? AND (m.user_id = ? OR e.user_id = ?) ORDER BY p.id",
        (user_id, user_id, user_id, user_id, user_id, guild_id, user_id, user_id),
    )]
    for pairing in pairings:
        pairing["partner_user_id"] = str(pairing["partner_user_id"])
        pairing["ended_by_me"] = bool(pairing["ended_by_me"])
    notices = [dict(r) for r in await db.fetchall(
        "SELECT kind, body, due_at, sent_at, cancelled FROM mentor_notices "
        "WHERE guild_id = ? AND user_id = ? ORDER BY id",
        (guild_id, user_id),
    )]
    return {
        "mentor_profile": _profile(mentor),
        "mentee_profile": _profile(mentee),
        "requests": requests,
        "offers_received": offers,
        "pairings": pairings,
        "messages_to_you": notices,
    }


def _profile(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    profile = dict(row)
    for key in ("id", "guild_id", "user_id"):
        profile.pop(key)
    return profile


async def pause_member(service: MentoringService, guild_id: int, user_id: int) -> None:
    """The member left: stop offering them as a mentor and withdraw their pending request."""
    mentor = await service.get_mentor(guild_id, user_id)
    if mentor is not None and not mentor.paused and mentor.status not in (REJECTED, REMOVED):
        await service.set_paused(guild_id, user_id, True)
    mentee = await service.get_mentee(guild_id, user_id)
    if mentee is not None and await service._open_request_id(service._db, mentee.id) is not None:
        await service.withdraw(guild_id, user_id)


async def delete_member(service: MentoringService, guild_id: int, user_id: int) -> None:
    now = service._now()
    async with service._db.transaction() as tx:
        mentor = await service._mentor_row(tx, guild_id, user_id)
        if mentor is not None:
            # Pausing first takes them out of the pool, so their pending requests move on to
            # someone else instead of back to them.
            if not mentor.paused:
                await service._apply_pause(tx, mentor, True)
            await tx.execute("DELETE FROM mentors WHERE id = ?", (mentor.id,))
        mentee = await service._mentee_row(tx, guild_id, user_id)
        if mentee is not None:
            await tx.execute(
                "UPDATE mentors SET active = active - 1, updated_at = ? WHERE active > 0 AND id IN "
                "(SELECT mentor_id FROM mentor_pairings WHERE mentee_id = ? AND status = 'active')",
                (now, mentee.id),
            )
            # Cascades to their requests, the offers made for them (and those offers' unsent
            # notices to mentors) and their pairings.
            await tx.execute("DELETE FROM mentees WHERE id = ?", (mentee.id,))
        await tx.execute(
            "DELETE FROM mentor_notices WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        mention = f"<@{user_id}>"
        await tx.execute(
            "UPDATE mentor_notices SET body = replace(body, ?, ?) WHERE guild_id = ? "
            "AND instr(body, ?) > 0",
            (mention, FORMER_MEMBER, guild_id, mention),
        )
    service._invalidate(guild_id)


def contributor(service: MentoringService) -> PrivacyContributor:
    return PrivacyContributor(
        "mentoring",
        partial(export_member, service),
        partial(delete_member, service),
        partial(pause_member, service),
        summary="Mentoring: your mentor and mentee profiles, requests and pairings (open "
        "pairings end and your mentor's slot is freed; requests waiting for you go to another mentor).",
    )
