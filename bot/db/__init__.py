"""Storage: the `Database` interface on SQLite (default) or PostgreSQL, transactions,
numbered migrations, backups."""

from bot.db._postgres import PostgresDatabase
from bot.db._sqlite import SqliteDatabase
from bot.db.database import Database, Transaction

Database.engines = (PostgresDatabase, SqliteDatabase)

__all__ = ["Database", "Transaction"]
