"""The `fmg-bot` command line, run as a newcomer would run it (a real subprocess)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fmg_bot(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    base = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_PATH"}}
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=base | (env or {}),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = fmg_bot("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "db"):
        assert f"    {command}" in result.stdout


def test_version() -> None:
    from bot import __version__

    assert fmg_bot("--version").stdout.strip() == f"fmg-bot {__version__}"


def test_run_without_a_token_explains_in_one_line(tmp_path: Path) -> None:
    result = fmg_bot("run", cwd=tmp_path, env={"DATABASE_PATH": str(tmp_path / "x.sqlite3")})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DISCORD_TOKEN" in lines[0] and "fmg-bot sandbox" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_malformed_setting_is_one_line_naming_it(tmp_path: Path) -> None:
    result = fmg_bot("db", "migrate", cwd=tmp_path, env={"DEV_GUILD_ID": "not-an-id"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "fmg-bot: configuration error: DEV_GUILD_ID: must be a Discord id (15-20 digits), not 'not-an-id'"
    ]


def test_db_migrate_then_backup(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    first = fmg_bot("db", "migrate", env=env, cwd=tmp_path)
    assert first.returncode == 0 and "migrated from 0" in first.stdout
    again = fmg_bot("db", "migrate", env=env, cwd=tmp_path)
    assert again.returncode == 0 and "up to date" in again.stdout
    backup = fmg_bot("db", "backup", str(tmp_path / "copy.sqlite3"), env=env, cwd=tmp_path)
    assert backup.returncode == 0, backup.stderr
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()


def test_db_backup_of_a_missing_database_is_one_line(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "missing.sqlite3")}
    result = fmg_bot("db", "backup", str(tmp_path / "b.sqlite3"), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("fmg-bot: no database at")


def test_db_backup_of_a_damaged_database_is_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not sqlite at all" * 300)
    result = fmg_bot("db", "backup", str(tmp_path / "b.sqlite3"),
                     env={"DATABASE_PATH": str(damaged)}, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("fmg-bot: could not back up")
