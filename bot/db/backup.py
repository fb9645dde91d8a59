"""Online backups with SQLite's backup API: a consistent copy, safe while the bot writes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bot.errors import FmgError


def backup_database(source: Path, destination: Path) -> Path:
    """Copy ``source`` to ``destination`` (a file, or a folder to put a timestamped file in).

    The copy is written beside its destination first and renamed into place, so a reader never
    sees half a backup. Returns the path written.
    """
    if not source.exists():
        raise FmgError(f"no database at {source}")
    if destination.is_dir():
        raise FmgError(f"{destination} is a folder: give a file name for the backup")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            # pages=-1 copies in one step under one read snapshot: with WAL the writer is not
            # blocked, and the copy cannot be restarted forever by a busy writer.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, destination)
    return destination
