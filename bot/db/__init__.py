"""Storage: one aiosqlite connection, a transaction helper, numbered migrations, backups."""

from bot.db.database import Database, Transaction

__all__ = ["Database", "Transaction"]
