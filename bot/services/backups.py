"""The daily backup, as due work for the scheduler.

No row records when the last backup ran: the backup folder does. Each scheduled backup's name
carries its UTC instant, so after a restart the next one is due a day after the newest file
(at once when there is none), and deleting the folder simply makes a backup due now.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.db.backup import (
    BACKUP_SUFFIX,
    PG_BACKUP_SUFFIX,
    backup_database,
    backup_name,
    list_backups,
    prune_backups,
)

log = logging.getLogger(__name__)

BACKUP_INTERVAL = timedelta(days=1)


class BackupSchedule:
    """A scheduler source: `next_due` from the folder, `run_due` backs up and prunes."""

    def __init__(self, database: Path | str, folder: Path, keep: int, clock: Clock) -> None:
        """``database``: the SQLite file, or a PostgreSQL URL (dumped with pg_dump)."""
        self.database = database
        self._suffix = PG_BACKUP_SUFFIX if isinstance(database, str) else BACKUP_SUFFIX
        self.folder = folder
        self.keep = keep
        self._clock = clock

    def newest(self) -> datetime | None:
        backups = list_backups(self.folder)
        return backups[-1][0] if backups else None

    async def next_due(self) -> datetime | None:
        newest = await asyncio.to_thread(self.newest)
        return self._clock.now() if newest is None else newest + BACKUP_INTERVAL

    async def run_due(self, now: datetime) -> None:
        # Compare the newest backup with the run's ``now``, never with a fresh clock reading:
        # with no backup yet, `next_due` says "now" as of a later instant, which on a real
        # clock is always after the run's ``now`` (the backup never ran and the scheduler spun).
        newest = await asyncio.to_thread(self.newest)
        if newest is not None and newest + BACKUP_INTERVAL > now:
            return
        written = await asyncio.to_thread(
            backup_database, self.database, self.folder / backup_name(now, self._suffix)
        )
        removed = await asyncio.to_thread(prune_backups, self.folder, self.keep)
        log.info("backed up the database to %s (removed %d old backups)", written, len(removed))
