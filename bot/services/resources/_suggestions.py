"""Member suggestions: the moderators' review queue, and what approving adds to the library.

Everything here is per server: a suggestion is reviewed by that server's moderators, is a
duplicate only of what that server sees (the shared catalog, minus what it removed, plus its own
entries), and once approved becomes an entry of that server only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.db import Database, Transaction
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.resources._models import (
    MAX_DESCRIPTION,
    MAX_REASON,
    MAX_TITLE,
    Resource,
    Suggestion,
    check_category,
    clean_text,
)
from bot.services.resources._store import (
    library_changed,
    to_suggestion,
    update_resource,
    write_override,
)
from bot.services.resources._urls import lookalike_key, normalize_url, validate_url
from bot.services.text import md, sanitize_line

if TYPE_CHECKING:
    from bot.services.notices import MemberNotices
    from bot.services.resources._service import ResourceService

MAX_PENDING_PER_MEMBER = 5
_WEB_ADDRESS = re.compile(r"://|\bwww\.|\b[\w-]+(?:\.[\w-]+)+/", re.IGNORECASE)


class SuggestionQueue:
    def __init__(self, db: Database, clock: Clock, library: ResourceService,
                 notices: MemberNotices) -> None:
        self._db = db
        self._clock = clock
        self._library = library
        self._notices = notices

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    async def suggest(
        self, *, guild_id: int, user_id: int, title: str, url: str, reason: str, category: str,
        channel_id: int | None = None,
    ) -> Suggestion:
        """``channel_id``: where the member suggested it; the review's outcome is mentioned
        there if their DMs are closed."""
        title = clean_text(sanitize_line(title), MAX_TITLE, "title")
        if _WEB_ADDRESS.search(title):
            # the title becomes the text of a link: a URL there would show one site and open another
            raise InvalidInput("A title cannot contain a web address: the link goes in the Link field.")
        reason = clean_text(sanitize_line(reason), MAX_REASON, "reason", required=False)
        url = validate_url(url)
        key = normalize_url(url)
        check_category(category)
        view = await self._library.view(guild_id)
        existing = view.find_url(key) or _lookalike(view.ordered(), key)
        if existing is not None:
            same = "" if normalize_url(existing.url) == key else " (or a link that looks the same)"
            raise Conflict(f"That link{same} is already in the library as **{md(existing.title)}**.")
        now = self._now()
        async with self._db.transaction() as tx:
            mine = await tx.fetchval(
                "SELECT COUNT(*) FROM resource_suggestions "
                "WHERE guild_id = ? AND user_id = ? AND status = 'pending'",
                (guild_id, user_id),
            )
            if mine >= MAX_PENDING_PER_MEMBER:
                raise Conflict(
                    f"You already have {mine} suggestions waiting for review; "
                    "please wait until moderators get to them."
                )
            pending = await tx.fetchall(
                "SELECT url_key FROM resource_suggestions WHERE guild_id = ? AND status = 'pending'",
                (guild_id,),
            )
            look = lookalike_key(key)
            if any(lookalike_key(r["url_key"]) == look for r in pending):
                raise Conflict("Someone already suggested that link; it is waiting for review.")
            sid = await tx.fetchval(
                "INSERT INTO resource_suggestions (guild_id, user_id, title, url, url_key, "
                "category, reason, created_at, channel_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                (guild_id, user_id, title, url, key, category, reason, now, channel_id),
            )
            row = await tx.fetchone("SELECT * FROM resource_suggestions WHERE id = ?", (sid,))
        assert row is not None
        return to_suggestion(row)

    async def get(self, suggestion_id: int, guild_id: int) -> Suggestion:
        row = await self._db.fetchone(
            "SELECT * FROM resource_suggestions WHERE id = ? AND guild_id = ?",
            (suggestion_id, guild_id),
        )
        if row is None:
            raise NotFound("That suggestion does not exist on this server.")
        return to_suggestion(row)

    async def pending(self, guild_id: int, *, limit: int = 25) -> tuple[list[Suggestion], int]:
        """The oldest pending suggestions of a server (up to ``limit``) and how many are pending."""
        rows = await self._db.fetchall(
            "SELECT * FROM resource_suggestions WHERE guild_id = ? AND status = 'pending' "
            "ORDER BY created_at, id LIMIT ?",
            (guild_id, limit),
        )
        total = await self._db.fetchval(
            "SELECT COUNT(*) FROM resource_suggestions WHERE guild_id = ? AND status = 'pending'",
            (guild_id,),
        )
        return [to_suggestion(r) for r in rows], int(total or 0)

    async def approve(self, suggestion_id: int, *, guild_id: int, moderator_id: int) -> Resource:
        """Add the suggested link to this server's library (community tier, verified now).

        If this server already sees the link (added meanwhile), the suggestion points at that
        entry. If this server had removed it (a shared entry, or an own one), it comes back
        here with the suggested details."""
        now = self._now()
        async with self._db.transaction() as tx:
            suggestion = await _claim(tx, suggestion_id, guild_id)
            values = {
                "title": suggestion.title,
                "url": suggestion.url,
                "category": suggestion.category,
                "tier": "community",
                "description": suggestion.reason[:MAX_DESCRIPTION],
                "last_verified": now,
            }
            rid = await _seen_here(tx, guild_id, suggestion.url_key)
            if rid is None:
                own = await tx.fetchval(
                    "SELECT id FROM resources WHERE guild_id = ? AND url_key = ? AND removed = 1",
                    (guild_id, suggestion.url_key),
                )
                shared = await tx.fetchval(
                    "SELECT r.id FROM resources r JOIN resource_overrides o ON o.resource_id = r.id "
                    "WHERE r.guild_id IS NULL AND o.guild_id = ? AND o.removed = 1 "
                    "AND coalesce(o.url_key, r.url_key) = ?",
                    (guild_id, suggestion.url_key),
                )
                if own is not None:
                    rid = own
                    await update_resource(tx, rid, {**values, "removed": 0}, now)
                elif shared is not None:
                    rid = shared
                    await write_override(tx, guild_id, rid, {**values, "url_key": suggestion.url_key,
                                                             "removed": 0}, now)
                else:
                    rid = await tx.fetchval(
                        "INSERT INTO resources (guild_id, url, url_key, title, category, tier, "
                        "description, last_verified, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, 'community', ?, ?, ?, ?) RETURNING id",
                        (guild_id, suggestion.url, suggestion.url_key, suggestion.title,
                         suggestion.category, values["description"], now, now, now),
                    )
                    await library_changed(tx)
            await tx.execute(
                "UPDATE resource_suggestions SET status = 'approved', reviewed_by = ?, "
                "reviewed_at = ?, resource_id = ? WHERE id = ?",
                (moderator_id, now, rid, suggestion_id),
            )
            await self._tell(suggestion, guild_id, suggestion_id, "suggestion_approved")
        await self._library.refresh()
        return await self._library.get(rid, guild_id=guild_id)

    async def reject(self, suggestion_id: int, *, guild_id: int, moderator_id: int) -> Suggestion:
        async with self._db.transaction() as tx:
            suggestion = await _claim(tx, suggestion_id, guild_id)
            await tx.execute(
                "UPDATE resource_suggestions SET status = 'rejected', reviewed_by = ?, "
                "reviewed_at = ? WHERE id = ?",
                (moderator_id, self._now(), suggestion_id),
            )
            await self._tell(suggestion, guild_id, suggestion_id, "suggestion_rejected")
        return await self.get(suggestion_id, guild_id)

    async def _tell(self, suggestion: _Claimed, guild_id: int, suggestion_id: int,
                    event: str) -> None:
        """The member who suggested the link learns the moderators' decision."""
        await self._notices.notify(
            event, guild_id=guild_id, user_id=suggestion.user_id,
            facts={"title": suggestion.title, "url": suggestion.url},
            channel_id=suggestion.channel_id, ref_id=suggestion_id,
        )

    async def export_member(self, guild_id: int, user_id: int) -> list[dict[str, Any]]:
        rows = await self._db.fetchall(
            "SELECT * FROM resource_suggestions WHERE guild_id = ? AND user_id = ? ORDER BY id",
            (guild_id, user_id),
        )
        return [
            {"title": s.title, "url": s.url, "reason": s.reason, "status": s.status,
             "created_at": s.created_at.isoformat()}
            for s in map(to_suggestion, rows)
        ]

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        """The member's suggestions here, and their name on reviews here. Approved links stay in
        the library: they are the community's, not the member's."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM resource_suggestions WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            await tx.execute(
                "UPDATE resource_suggestions SET reviewed_by = NULL WHERE guild_id = ? AND reviewed_by = ?",
                (guild_id, user_id),
            )


def _lookalike(resources: Iterable[Resource], key: str) -> Resource | None:
    """The entry whose link reads the same as ``key`` (confusable skeleton), if any."""
    look = lookalike_key(key)
    return next((r for r in resources if lookalike_key(normalize_url(r.url)) == look), None)


@dataclass(frozen=True)
class _Claimed:
    user_id: int
    channel_id: int | None
    url_key: str
    url: str
    title: str
    category: str
    reason: str


async def _seen_here(tx: Transaction, guild_id: int, url_key: str) -> int | None:
    """The entry server ``guild_id`` sees with that link: its own live entry, a shared entry it
    changed to that link, or a shared entry it has no override for."""
    own = await tx.fetchval(
        "SELECT id FROM resources WHERE guild_id = ? AND url_key = ? AND removed = 0",
        (guild_id, url_key),
    )
    if own is not None:
        return own
    changed = await tx.fetchval(
        "SELECT r.id FROM resources r JOIN resource_overrides o ON o.resource_id = r.id "
        "WHERE r.guild_id IS NULL AND o.guild_id = ? AND o.removed = 0 "
        "AND coalesce(o.url_key, r.url_key) = ?",
        (guild_id, url_key),
    )
    if changed is not None:
        return changed
    return await tx.fetchval(
        "SELECT r.id FROM resources r WHERE r.guild_id IS NULL AND r.url_key = ? AND NOT EXISTS "
        "(SELECT 1 FROM resource_overrides o WHERE o.resource_id = r.id AND o.guild_id = ?)",
        (url_key, guild_id),
    )


async def _claim(tx: Transaction, suggestion_id: int, guild_id: int) -> _Claimed:
    row = await tx.fetchone(
        "SELECT * FROM resource_suggestions WHERE id = ? AND guild_id = ?", (suggestion_id, guild_id)
    )
    if row is None:
        raise NotFound("That suggestion does not exist on this server.")
    if row["status"] != "pending":
        raise Conflict(f"That suggestion was already {row['status']}"
                       + (f" by <@{row['reviewed_by']}>." if row["reviewed_by"] else "."))
    return _Claimed(row["user_id"], row["channel_id"], row["url_key"], row["url"], row["title"],
                    row["category"], row["reason"])
