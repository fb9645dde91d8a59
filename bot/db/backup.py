"""Online backups with SQLite's backup API (a consistent copy, safe while the bot writes), or
`pg_dump` on PostgreSQL, the rotation of scheduled backups, and restoring one (SQLite)."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bot.db._sqlite import erase_on_delete
from bot.db.database import load_migrations
from bot.errors import FmgError, SchemaTooNewError


def pg_tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else the newest of Debian's versioned folders."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise FmgError(f"{name} not found: install PostgreSQL's client programs "
                       "(Debian/Ubuntu: apt-get install postgresql-client)")
    return found


def _pg_dump(url: str, partial: Path) -> None:
    """A consistent dump (one snapshot; the bot keeps writing) in pg_dump's custom format
    (`pg_restore` reads it)."""
    result = subprocess.run([pg_tool("pg_dump"), "--format=custom", f"--file={partial}",
                             f"--dbname={url}"], capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise FmgError(f"pg_dump failed: {result.stderr.strip()[:500]}")


def backup_database(source: Path | str, destination: Path) -> Path:
    """Copy ``source`` (an SQLite file, or a PostgreSQL URL) to ``destination``.

    The copy is written beside its destination first and renamed into place, so a reader never
    sees half a backup. Returns the path written.
    """
    is_server = isinstance(source, str) and source.startswith(("postgresql://", "postgres://"))
    source = source if is_server else Path(source)
    if not is_server and not Path(source).exists():
        raise FmgError(f"no database at {source}")
    if destination.is_dir():
        raise FmgError(f"{destination} is a folder: give a file name for the backup")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if is_server:
            _pg_dump(str(source), partial)
            os.replace(partial, destination)
            return destination
        src = erase_on_delete(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30))
        try:
            dst = erase_on_delete(sqlite3.connect(partial))
            try:
                # pages=-1 copies in one step under one read snapshot: with WAL the writer is
                # not blocked, and the copy cannot be restarted forever by a busy writer.
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(partial, destination)
    except BaseException as exc:
        # A failed copy (damaged source, full disk) must not leave a half-written file in the
        # backups folder or beside the database.
        partial.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error | OSError):
            where = "the PostgreSQL database" if is_server else source
            raise FmgError(f"could not back up {where} to {destination}: {exc}") from exc
        raise
    return destination


# -- scheduled backups: names carry their UTC instant, so the folder itself is the schedule ----
BACKUP_PREFIX = "fmg-bot-"
BACKUP_SUFFIX = ".sqlite3"
PG_BACKUP_SUFFIX = ".pgdump"
_STAMP = "%Y%m%dT%H%M%SZ"


def backup_name(at: datetime, suffix: str = BACKUP_SUFFIX) -> str:
    return f"{BACKUP_PREFIX}{at.astimezone(UTC).strftime(_STAMP)}{suffix}"


def list_backups(folder: Path) -> list[tuple[datetime, Path]]:
    """The scheduled backups in ``folder``, oldest first (other files are ignored)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"{BACKUP_PREFIX}*"):
        suffix = next((s for s in (BACKUP_SUFFIX, PG_BACKUP_SUFFIX) if path.name.endswith(s)), None)
        if suffix is None:
            continue
        stamp = path.name[len(BACKUP_PREFIX) : -len(suffix)]
        try:
            at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append((at, path))
    return sorted(found)


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` scheduled backups; returns what was deleted."""
    backups = list_backups(folder)
    doomed = [path for _, path in backups[: max(0, len(backups) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


# -- restore --------------------------------------------------------------------------------------
def inspect_database(path: Path) -> tuple[list[str], int]:
    """(problems from PRAGMA integrity_check, schema version) of an SQLite file, read-only."""
    if not path.is_file():
        raise FmgError(f"no file at {path}")
    try:
        conn = erase_on_delete(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30))
        try:
            check = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise FmgError(f"{path} is not a readable SQLite database ({exc})") from None
    return ([] if check == ["ok"] else check), version


def validate_backup(path: Path) -> int:
    """Refuse a damaged, foreign or too-new backup; returns its schema version."""
    problems, version = inspect_database(path)
    if problems:
        raise FmgError(f"{path} failed the integrity check ({problems[0]}): not restored")
    latest = max((m.version for m in load_migrations()), default=0)
    if version > latest:
        raise SchemaTooNewError(
            f"{path} has schema version {version}, newer than this fmg-bot knows ({latest}): "
            "upgrade fmg-bot first; nothing was restored"
        )
    if version == 0:
        raise FmgError(f"{path} holds no fmg-bot schema (version 0): not restored")
    return version


def restore_database(backup: Path, database: Path) -> Path | None:
    """Swap ``backup`` in as ``database``; the old file is kept as `<database>.before-restore`.

    The caller must hold the database lock (no bot running). The old database's write-ahead
    log is checkpointed first, so no stale `-wal` is left to be replayed onto the restored file;
    the new file is written beside the old one and renamed over it (atomic on one filesystem).
    Returns the `.before-restore` path, or None when there was no database before.
    """
    validate_backup(backup)
    kept: Path | None = None
    if database.exists():
        conn = erase_on_delete(sqlite3.connect(database, timeout=30))
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            conn.close()
        if busy:
            raise FmgError(f"{database} is busy (another program has it open): not restored")
        kept = backup_database(database, database.with_name(database.name + ".before-restore"))
        for suffix in ("-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
    backup_database(backup, database)
    return kept
