"""Backups on PostgreSQL: pg_dump's custom format, written whole or not at all, and the daily
schedule keeps them like the SQLite copies."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.db.backup import backup_database, list_backups, pg_tool
from bot.services.backups import BackupSchedule


def _inspect(dump: Path) -> tuple[bytes, str, list[str]]:
    """The dump's first bytes, what pg_restore lists in it, and the files beside it."""
    listing = subprocess.run([pg_tool("pg_restore"), "--list", str(dump)],
                             capture_output=True, text=True, check=True).stdout
    return dump.read_bytes()[:5], listing, sorted(p.name for p in dump.parent.iterdir())


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)  # SQLite's: test_restore.py
async def test_a_postgresql_backup_is_a_restorable_dump(db: Database, tmp_path: Path,
                                                        clock: ManualClock) -> None:
    await db.execute("INSERT INTO guild_settings VALUES (1, 'marker', 'kept', 0)")
    written = await asyncio.to_thread(backup_database, db.target, tmp_path / "manual.pgdump")
    magic, listing, files = await asyncio.to_thread(_inspect, written)
    assert magic == b"PGDMP"  # pg_dump's custom format
    assert "TABLE DATA public guild_settings" in listing
    assert files == ["manual.pgdump"]  # nothing half-written left beside it

    folder = tmp_path / "backups"
    await BackupSchedule(db.target, folder, keep=7, clock=clock).run_due(clock.now())
    [(at, path)] = await asyncio.to_thread(list_backups, folder)
    assert at == clock.now() and path.suffix == ".pgdump"
