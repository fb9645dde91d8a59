"""What happens once per deploy, however many processes of the bot start together: each takes
the deploy lock in turn, so the first migrates (and syncs the commands, bot/app.py) and the
others find the work done."""

from __future__ import annotations

from pathlib import Path

from bot.db.database import Database
from bot.db.lock import hold_named_lock

#: the `Database.exclusive` name held while migrating and while syncing commands
DEPLOY_LOCK = "deploy"


async def open_migrated(path: Path) -> tuple[Database, int, int]:
    """Open the database and apply pending migrations under the deploy lock; returns it with
    the schema version before and after (equal when another process had applied them).

    The lock is taken before the connection opens (the file lock `Database.exclusive` uses on
    SQLite): the first open of a fresh file switches it to WAL, which two connections doing at
    once refuse ("database is locked") instead of waiting."""
    async with hold_named_lock(path, DEPLOY_LOCK):
        db = await Database.open(path)
        try:
            before = await db.schema_version()
            after = await db.migrate()
        except BaseException:
            await db.close()
            raise
    return db, before, after
