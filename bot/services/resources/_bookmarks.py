"""Members' bookmarks: they follow a member across servers; each server shows the ones it sees
(its own version of a shared entry it changed; not an entry it removed or another server's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.db import Database
from bot.errors import Conflict, NotFound
from bot.services.resources._models import Resource

if TYPE_CHECKING:
    from bot.services.resources._service import ResourceService

MAX_BOOKMARKS = 200


class Bookmarks:
    def __init__(self, db: Database, clock: Clock, library: ResourceService) -> None:
        self._db = db
        self._clock = clock
        self._library = library

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    async def save(self, user_id: int, resource_id: int, *, guild_id: int | None) -> Resource:
        resource = await self._library.get(resource_id, guild_id=guild_id)
        async with self._db.transaction() as tx:
            if await tx.fetchval(
                "SELECT 1 FROM resource_bookmarks WHERE user_id = ? AND resource_id = ?",
                (user_id, resource_id),
            ):
                raise Conflict(f"**{resource.title}** is already in your saved resources.")
            count = await tx.fetchval(
                "SELECT COUNT(*) FROM resource_bookmarks WHERE user_id = ?", (user_id,)
            )
            if count >= MAX_BOOKMARKS:
                raise Conflict(f"You can save up to {MAX_BOOKMARKS} resources; unsave some first.")
            await tx.execute(
                "INSERT INTO resource_bookmarks (user_id, resource_id, created_at) VALUES (?, ?, ?)",
                (user_id, resource_id, self._now()),
            )
        return resource

    async def unsave(self, user_id: int, resource_id: int) -> None:
        found = await self._db.fetchval(
            "SELECT 1 FROM resource_bookmarks WHERE user_id = ? AND resource_id = ?",
            (user_id, resource_id),
        )
        if not found:
            raise NotFound("That resource is not in your saved list.")
        await self._db.execute(
            "DELETE FROM resource_bookmarks WHERE user_id = ? AND resource_id = ?",
            (user_id, resource_id),
        )

    async def saved(self, user_id: int, *, guild_id: int | None) -> list[Resource]:
        """A member's bookmarks that server ``guild_id`` sees, newest first."""
        rows = await self._db.fetchall(
            "SELECT resource_id FROM resource_bookmarks WHERE user_id = ? "
            "ORDER BY created_at DESC, resource_id DESC",
            (user_id,),
        )
        return await self._library.live((r[0] for r in rows), guild_id=guild_id)

    async def export_member(self, user_id: int) -> list[dict[str, str]]:
        """Every bookmark the member keeps, on any server, as the entry was stored."""
        rows = await self._db.fetchall(
            "SELECT r.title, r.url FROM resource_bookmarks b JOIN resources r ON r.id = b.resource_id "
            "WHERE b.user_id = ? ORDER BY b.created_at DESC, b.resource_id DESC",
            (user_id,),
        )
        return [{"title": row["title"], "url": row["url"]} for row in rows]

    async def delete_member(self, user_id: int) -> None:
        await self._db.execute("DELETE FROM resource_bookmarks WHERE user_id = ?", (user_id,))
