"""`fmg-bot doctor --offline`, run as an operator would (a real subprocess)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.db.database import load_migrations
from tests.integration.test_cli import fmg_bot
from tests.pg_server import PgServer


def test_doctor_on_a_fresh_folder_says_what_to_do(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    result = fmg_bot("doctor", "--offline", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr  # warnings only
    assert "[WARN] DISCORD_TOKEN: not set" in result.stdout
    assert "does not exist yet" in result.stdout and "fmg-bot db migrate" in result.stdout
    assert "no scheduled backup yet" in result.stdout


def test_doctor_checks_integrity_schema_and_size(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    assert fmg_bot("db", "migrate", env=env, cwd=tmp_path).returncode == 0
    healthy = fmg_bot("doctor", "--offline", env=env, cwd=tmp_path)
    assert healthy.returncode == 0
    latest = load_migrations()[-1].version
    assert "[OK] integrity: PRAGMA integrity_check: ok" in healthy.stdout
    assert f"[OK] schema: version {latest} (up to date)" in healthy.stdout
    assert "[--] size:" in healthy.stdout and "[--] bot process: not running" in healthy.stdout

    conn = sqlite3.connect(tmp_path / "bot.sqlite3")
    conn.execute(f"PRAGMA user_version = {latest + 1}")
    conn.close()
    newer = fmg_bot("doctor", "--offline", env=env, cwd=tmp_path)
    assert newer.returncode == 1
    assert f"[FAIL] schema: version {latest + 1} is newer than this fmg-bot knows ({latest})" in newer.stdout


def test_doctor_checks_the_postgresql_server(tmp_path: Path, pg_server: PgServer) -> None:
    url = asyncio.run(pg_server.new_database(migrated=False))
    env = {"DATABASE_PATH": str(tmp_path / "unused.sqlite3"), "DATABASE_URL": url}
    latest = load_migrations()[-1].version
    empty = fmg_bot("doctor", "--offline", env=env, cwd=tmp_path)
    assert "[OK] PostgreSQL: connected, server version" in empty.stdout
    assert f"[WARN] schema: version 0, this fmg-bot ships {latest}" in empty.stdout
    assert fmg_bot("db", "migrate", env=env, cwd=tmp_path).returncode == 0
    healthy = fmg_bot("doctor", "--offline", env=env, cwd=tmp_path)
    assert f"[OK] schema: version {latest} (up to date)" in healthy.stdout
    assert "integrity" not in healthy.stdout  # no SQLite file was looked at

    gone = {**env, "DATABASE_URL": url.replace("host=", "host=/nonexistent")}
    down = fmg_bot("doctor", "--offline", env=gone, cwd=tmp_path)
    assert down.returncode == 1 and "[FAIL] PostgreSQL: cannot connect" in down.stdout


def test_doctor_expect_running_fails_when_the_bot_is_down(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    assert fmg_bot("db", "migrate", env=env, cwd=tmp_path).returncode == 0
    result = fmg_bot("doctor", "--offline", "--expect-running", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "[FAIL] bot process: not running" in result.stdout


def test_doctor_sees_a_running_bot_by_its_lock(tmp_path: Path) -> None:
    from bot.db.lock import hold_database_lock

    live = tmp_path / "bot.sqlite3"
    env = {"DATABASE_PATH": str(live)}
    assert fmg_bot("db", "migrate", env=env, cwd=tmp_path).returncode == 0
    with hold_database_lock(live):
        result = fmg_bot("doctor", "--offline", "--expect-running", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "[OK] bot process: running (it holds the database lock)" in result.stdout


def test_doctor_reports_an_unwritable_backup_folder(tmp_path: Path, monkeypatch) -> None:
    import dataclasses
    from datetime import UTC, datetime

    from bot import doctor
    from bot.config import Settings

    settings = dataclasses.replace(
        Settings.from_env({}), database_path=tmp_path / "bot.sqlite3", backup_dir=tmp_path / "b"
    )
    [writable] = doctor.offline_report(settings, now=datetime.now(UTC))[2].findings
    assert writable.message == "no scheduled backup yet"
    # Root writes anywhere, so the permission itself is simulated: the folder's nearest
    # existing parent (tmp_path) is what the check asks about.
    monkeypatch.setattr(doctor.os, "access", lambda path, mode: Path(path) != tmp_path)
    [finding] = doctor.offline_report(settings, now=datetime.now(UTC))[2].findings
    assert (finding.level, finding.message) == ("error", "cannot be written, so the daily backup fails")
    assert str(tmp_path) in finding.fix


def test_doctor_names_the_shards_of_this_process(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "SHARD_COUNT": "4", "SHARD_IDS": "2,3"}
    result = fmg_bot("doctor", "--offline", cwd=tmp_path, env=env)
    assert "SHARD_IDS: this process runs shards 2, 3 of 4; other processes must run the rest" \
        in result.stdout, result.stdout
    refused = fmg_bot("doctor", "--offline", cwd=tmp_path, env=env | {"SHARD_IDS": "4"})
    assert refused.returncode == 2
    assert refused.stderr.strip() == ("fmg-bot: configuration error: SHARD_IDS: shard 4 does not "
                                      "exist with SHARD_COUNT=4 (shards are numbered 0 to 3)")
