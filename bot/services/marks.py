"""Shared marks: the few facts every process of the bot on one database must agree on
(migration 0022). A mark has a counter (`version`, `bump`) and a text (`value`, `set_value`).
"""

from __future__ import annotations

from bot.db import Database


class SharedMarks:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def version(self, name: str) -> int:
        """The mark's counter (0 when never bumped)."""
        return int(await self._db.fetchval(
            "SELECT version FROM shared_marks WHERE name = ?", (name,)) or 0)

    async def bump(self, name: str) -> int:
        """Add one to the counter; call it inside the transaction of the change it marks, so
        the change and the new version commit together. Returns the new version."""
        return int(await self._db.fetchval(
            "INSERT INTO shared_marks (name, version) VALUES (?, 1) ON CONFLICT (name) "
            "DO UPDATE SET version = shared_marks.version + 1 RETURNING version", (name,)))

    async def value(self, name: str) -> str:
        return str(await self._db.fetchval(
            "SELECT value FROM shared_marks WHERE name = ?", (name,)) or "")

    async def set_value(self, name: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO shared_marks (name, value) VALUES (?, ?) ON CONFLICT (name) "
            "DO UPDATE SET value = excluded.value", (name, value))
