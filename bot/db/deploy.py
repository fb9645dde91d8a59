"""What happens once per deploy, however many processes of the bot start together: each takes
the deploy lock in turn, so the first migrates (and syncs the commands, bot/app.py) and the
others find the work done."""

from __future__ import annotations

from pathlib import Path

from bot.db.database import Database, sqlite_path
from bot.db.lock import hold_named_lock

#: the `Database.exclusive` name held while migrating and while syncing commands
DEPLOY_LOCK = "deploy"


async def open_migrated(target: Path | str) -> tuple[Database, int, int]:
    """Open the database (a SQLite path, or DATABASE_URL) and apply pending migrations under
    the deploy lock; returns it with the schema version before and after (equal when another
    process had applied them).

    On SQLite the lock is taken before the connection opens (the file lock `Database.exclusive`
    uses there): the first open of a fresh file switches it to WAL, which two connections doing
    at once refuse ("database is locked") instead of waiting. A server engine opens first and
    takes its advisory lock through `Database.exclusive`."""
    file = _sqlite_file(target)
    if file is not None:
        async with hold_named_lock(file, DEPLOY_LOCK):
            return await _migrated(await Database.open(target))
    db = await Database.open(target)
    async with db.exclusive(DEPLOY_LOCK):
        return await _migrated(db)


def _sqlite_file(target: Path | str) -> Path | None:
    """The SQLite file ``target`` names (None for a PostgreSQL URL)."""
    if isinstance(target, Path):
        return target
    return None if target.startswith(("postgresql:", "postgres:")) else Path(sqlite_path(target))


async def _migrated(db: Database) -> tuple[Database, int, int]:
    try:
        before = await db.schema_version()
        after = await db.migrate()
    except BaseException:
        await db.close()
        raise
    return db, before, after
