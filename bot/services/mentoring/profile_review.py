"""Edits of an approved mentor's member-facing text wait for a moderator (issue 16, item 14).

``mentors.bio`` always holds the text a moderator approved: that is what mentees see. When an
approved mentor rewrites it, the new text waits in ``mentor_profile_edits`` (one per mentor,
the latest wins) and the mentor stays active, shown with the approved text, until a moderator
approves the edit (it then replaces the bio) or rejects it (it is dropped). A pending mentor's
text needs no second review: the whole profile is still waiting for one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.clock import from_epoch, to_epoch
from bot.db import Database
from bot.errors import NotFound
from bot.services.mentoring.profiles import APPROVED, MentorProfile

if TYPE_CHECKING:
    from bot.services.mentoring import MentoringService


@dataclass(frozen=True)
class PendingEdit:
    mentor_id: int
    user_id: int
    approved_bio: str
    bio: str
    submitted_at: datetime


def _edit(row: sqlite3.Row) -> PendingEdit:
    return PendingEdit(row["mentor_id"], row["user_id"], row["approved_bio"], row["bio"],
                       from_epoch(row["submitted_at"]))


async def hold_bio_edit(db: Database, mentor: MentorProfile, new_bio: str, now: datetime) -> str:
    """The bio to store in ``mentors`` now, inside the caller's transaction. An approved
    mentor's changed text waits for review (the approved text is kept); otherwise the new text
    is stored and no edit waits."""
    if mentor.status == APPROVED and new_bio != mentor.bio:
        await db.execute(
            "INSERT INTO mentor_profile_edits (mentor_id, bio, submitted_at) VALUES (?, ?, ?) "
            "ON CONFLICT (mentor_id) DO UPDATE SET bio = excluded.bio, "
            "submitted_at = excluded.submitted_at",
            (mentor.id, new_bio, to_epoch(now)),
        )
        return mentor.bio
    await db.execute("DELETE FROM mentor_profile_edits WHERE mentor_id = ?", (mentor.id,))
    return new_bio


async def pending_edit(service: MentoringService, guild_id: int, user_id: int) -> PendingEdit | None:
    row = await service.db.fetchone(
        "SELECT e.mentor_id, m.user_id, m.bio AS approved_bio, e.bio, e.submitted_at "
        "FROM mentor_profile_edits e JOIN mentors m ON m.id = e.mentor_id "
        "WHERE m.guild_id = ? AND m.user_id = ?",
        (guild_id, user_id),
    )
    return None if row is None else _edit(row)


async def pending_edits(service: MentoringService, guild_id: int) -> list[PendingEdit]:
    """Every edit waiting in a server, oldest first."""
    rows = await service.db.fetchall(
        "SELECT e.mentor_id, m.user_id, m.bio AS approved_bio, e.bio, e.submitted_at "
        "FROM mentor_profile_edits e JOIN mentors m ON m.id = e.mentor_id "
        "WHERE m.guild_id = ? ORDER BY e.submitted_at, e.mentor_id",
        (guild_id,),
    )
    return [_edit(r) for r in rows]


async def decide_edit(service: MentoringService, guild_id: int, user_id: int, approve: bool) -> PendingEdit:
    """Approve (the text replaces the bio mentees see) or reject (it is dropped) a waiting edit."""
    async with service.db.transaction() as tx:
        row = await tx.fetchone(
            "SELECT e.mentor_id, m.user_id, m.bio AS approved_bio, e.bio, e.submitted_at "
            "FROM mentor_profile_edits e JOIN mentors m ON m.id = e.mentor_id "
            "WHERE m.guild_id = ? AND m.user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            raise NotFound("That member has no profile edit waiting for review.")
        edit = _edit(row)
        if approve:
            await tx.execute("UPDATE mentors SET bio = ? WHERE id = ?", (edit.bio, edit.mentor_id))
        await tx.execute("DELETE FROM mentor_profile_edits WHERE mentor_id = ?", (edit.mentor_id,))
    service.forget_pool(guild_id)
    return edit
