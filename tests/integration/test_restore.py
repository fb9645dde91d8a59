"""Scheduled backups, their retention, and `fmg-bot db restore` (refused while the bot runs)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.db.backup import backup_database, list_backups, restore_database, validate_backup
from bot.db.lock import DatabaseInUse, hold_database_lock, is_locked, lock_path
from bot.errors import FmgError, SchemaTooNewError
from bot.services.backups import BACKUP_INTERVAL, BackupSchedule
from tests.integration.test_cli import fmg_bot

GUILD = 111111111111111111


async def _migrated(path: Path) -> Database:
    db = await Database.open(path)
    await db.migrate()
    return db


def _setting(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT value FROM guild_settings WHERE guild_id = ? AND key = 'moderator_role'", (GUILD,)
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else row[0]


async def _set_role(db: Database, value: str) -> None:
    await db.execute(
        "INSERT INTO guild_settings (guild_id, key, value, updated_at) VALUES (?, 'moderator_role', ?, 0) "
        "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value",
        (GUILD, value),
    )


async def test_backup_then_restore_round_trip(tmp_path: Path) -> None:
    live = tmp_path / "bot.sqlite3"
    db = await _migrated(live)
    await _set_role(db, "1")
    backup = backup_database(live, tmp_path / "backup.sqlite3")
    await _set_role(db, "2")  # a change made after the backup, still in the write-ahead log
    await db.close()

    with hold_database_lock(live):
        kept = restore_database(backup, live)

    assert _setting(live) == "1"
    assert kept == tmp_path / "bot.sqlite3.before-restore"
    assert _setting(kept) == "2"
    assert not (tmp_path / "bot.sqlite3-wal").exists()
    reopened = await _migrated(live)  # the bot starts on the restored file as usual
    assert await reopened.fetchval("PRAGMA integrity_check") == "ok"
    await reopened.close()


async def test_restore_refuses_a_damaged_or_foreign_or_newer_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite3"
    text.write_text("this is not a database " * 200)
    with pytest.raises(FmgError, match="not a readable SQLite database"):
        validate_backup(text)
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    with pytest.raises(FmgError, match="no fmg-bot schema"):
        validate_backup(empty)
    newer = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 9999")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        validate_backup(newer)


HOLDER = """
import sys
from pathlib import Path
from bot.db.lock import hold_database_lock
with hold_database_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_restore_is_refused_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    live = tmp_path / "bot.sqlite3"
    assert fmg_bot("db", "migrate", env={"DATABASE_PATH": str(live)}).returncode == 0
    backup = backup_database(live, tmp_path / "backup.sqlite3")
    before = live.read_bytes()
    root = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(live)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert is_locked(live)
        with pytest.raises(DatabaseInUse):
            with hold_database_lock(live):
                pass
        refused = fmg_bot("db", "restore", str(backup), env={"DATABASE_PATH": str(live)})
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines() == [
            f"fmg-bot: the database {live} is in use by a running fmg-bot "
            f"(it holds {lock_path(live)}): stop the bot first"
        ]
        assert live.read_bytes() == before
        assert not (tmp_path / "bot.sqlite3.before-restore").exists()
    finally:
        holder.communicate("\n", timeout=30)
    # The holder exited: the kernel released its lock, and the restore now goes through.
    assert not is_locked(live)
    restored = fmg_bot("db", "restore", str(backup), env={"DATABASE_PATH": str(live)})
    assert restored.returncode == 0, restored.stderr
    assert "kept as" in restored.stdout


async def test_the_daily_backup_keeps_the_newest_n(tmp_path: Path, clock: ManualClock) -> None:
    live = tmp_path / "bot.sqlite3"
    db = await _migrated(live)
    folder = tmp_path / "backups"
    schedule = BackupSchedule(live, folder, keep=3, clock=clock)
    assert await schedule.next_due() == clock.now()  # no backup yet: due at once
    taken = []
    for _ in range(5):
        await schedule.run_due(clock.now())
        taken.append(clock.now())
        assert await schedule.next_due() == clock.now() + BACKUP_INTERVAL
        clock.advance(BACKUP_INTERVAL)
    await db.close()
    kept = list_backups(folder)
    assert [at for at, _ in kept] == [t.replace(microsecond=0) for t in taken[-3:]]
    for _, path in kept:
        assert validate_backup(path) >= 1


class TickingClock(ManualClock):
    """A clock that moves on by a microsecond at every reading, like the system clock."""

    def now(self) -> datetime:
        self.advance(timedelta(microseconds=1))
        return super().now()


async def test_the_first_backup_runs_on_a_moving_clock(tmp_path: Path, clock: ManualClock) -> None:
    live = tmp_path / "bot.sqlite3"
    db = await _migrated(live)
    folder = tmp_path / "backups"
    ticking = TickingClock(clock.now())
    schedule = BackupSchedule(live, folder, keep=3, clock=ticking)
    await schedule.run_due(ticking.now())  # due at once: "now" read before next_due's "now"
    await db.close()
    assert len(list_backups(folder)) == 1
    assert await schedule.next_due() > ticking.now() + BACKUP_INTERVAL - timedelta(seconds=2)


async def test_the_schedule_survives_a_restart_through_the_folder(tmp_path: Path, clock: ManualClock) -> None:
    live = tmp_path / "bot.sqlite3"
    db = await _migrated(live)
    folder = tmp_path / "backups"
    await BackupSchedule(live, folder, keep=7, clock=clock).run_due(clock.now())
    clock.advance(timedelta(hours=5))
    restarted = BackupSchedule(live, folder, keep=7, clock=clock)  # a new process: no memory
    assert await restarted.next_due() == clock.now() + timedelta(hours=19)
    await restarted.run_due(clock.now())  # not due yet: nothing is written
    assert len(list_backups(folder)) == 1
    await db.close()


def test_fmg_bot_run_holds_the_lock_while_it_runs_and_releases_it(tmp_path: Path, monkeypatch) -> None:
    import dataclasses

    from bot import cli
    from bot.config import Settings

    live = tmp_path / "bot.sqlite3"
    settings = dataclasses.replace(
        Settings.from_env({}), database_path=live, discord_token="a.b.c"
    )
    seen: list[bool] = []

    async def fake_bot(*_: object) -> int:  # instead of connecting to Discord
        seen.append(is_locked(live))
        return 0

    monkeypatch.setattr(cli, "_run_bot", fake_bot)
    assert cli.cmd_run(settings, None) == 0  # type: ignore[arg-type]
    assert seen == [True]
    assert not is_locked(live)


def test_the_sandbox_holds_its_database_lock_too(tmp_path: Path) -> None:
    sandbox_db = tmp_path / "sandbox.sqlite3"
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    with hold_database_lock(sandbox_db):  # as a sandbox already running on that file would
        result = fmg_bot("sandbox", "--db", str(sandbox_db), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"fmg-bot: the database {sandbox_db} is in use by a running fmg-bot "
        f"(it holds {lock_path(sandbox_db)}): stop the bot first"
    ]


def test_a_starting_bot_waits_out_a_brief_probe(tmp_path: Path) -> None:
    import threading

    from bot.db.lock import DatabaseLock

    live = tmp_path / "bot.sqlite3"
    probe = DatabaseLock(live)
    probe.acquire()  # what is_locked does for an instant
    threading.Timer(0.3, probe.release).start()
    with pytest.raises(DatabaseInUse):
        DatabaseLock(live).acquire()  # restore does not wait
    with hold_database_lock(live, wait=3.0) as lock:
        assert lock.held
