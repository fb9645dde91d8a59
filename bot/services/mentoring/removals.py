"""Mentors removed by moderators stay removed: a moderator's decision is not undone by the member
deleting their data (`/privacy delete`) and registering again.

What is kept is the minimum to recognise the member again in that server: a salted SHA-256 of
their user id, never the id. Checking a member hashes their id with each row's salt (a server
has a handful of removals). Deleting one's data does not delete this; a moderator lifts it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bot.db import Database


def _digest(salt: bytes, user_id: int) -> bytes:
    return hashlib.sha256(salt + str(user_id).encode("ascii")).digest()


async def _matching(db: Database, guild_id: int, user_id: int) -> list[int]:
    rows = await db.fetchall(
        "SELECT id, salt, digest FROM mentor_removals WHERE guild_id = ?", (guild_id,)
    )
    return [
        r["id"] for r in rows if hmac.compare_digest(_digest(r["salt"], user_id), r["digest"])
    ]


async def is_removed(db: Database, guild_id: int, user_id: int) -> bool:
    return bool(await _matching(db, guild_id, user_id))


async def record(db: Database, guild_id: int, user_id: int) -> None:
    """Call inside the moderator's transaction (plain `db.*` calls join it)."""
    if await is_removed(db, guild_id, user_id):
        return
    salt = secrets.token_bytes(16)
    await db.execute(
        "INSERT INTO mentor_removals (guild_id, salt, digest) VALUES (?, ?, ?)",
        (guild_id, salt, _digest(salt, user_id)),
    )


async def lift(db: Database, guild_id: int, user_id: int) -> bool:
    """Forget the removal (inside the caller's transaction); True if there was one."""
    ids = await _matching(db, guild_id, user_id)
    for removal_id in ids:
        await db.execute("DELETE FROM mentor_removals WHERE id = ?", (removal_id,))
    return bool(ids)
