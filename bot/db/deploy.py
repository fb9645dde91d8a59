"""What happens once per deploy, however many processes of the bot start together: each takes
the deploy lock (`Database.exclusive`) in turn, so the first migrates (and syncs the commands,
bot/app.py) and the others find the work done."""

from __future__ import annotations

from bot.db.database import Database

#: the `Database.exclusive` name held while migrating and while syncing commands
DEPLOY_LOCK = "deploy"


async def migrate_once(db: Database) -> tuple[int, int]:
    """Apply pending migrations under the deploy lock; returns the schema version before and
    after (equal when another process had applied them)."""
    async with db.exclusive(DEPLOY_LOCK):
        before = await db.schema_version()
        return before, await db.migrate()
