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
from bot.db.backup import backup_database, backup_name, list_backups, prune_backups

log = logging.getLogger(__name__)

BACKUP_INTERVAL = timedelta(days=1)


class BackupSchedule:
    """A scheduler source: `next_due` from the folder, `run_due` backs up and prunes."""

    def __init__(self, database_path: Path, folder: Path, keep: int, clock: Clock) -> None:
        self.database_path = database_path
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
        due = await self.next_due()
        if due is not None and due > now:
            return
        written = await asyncio.to_thread(
            backup_database, self.database_path, self.folder / backup_name(now)
        )
        removed = await asyncio.to_thread(prune_backups, self.folder, self.keep)
        log.info("backed up the database to %s (removed %d old backups)", written, len(removed))
