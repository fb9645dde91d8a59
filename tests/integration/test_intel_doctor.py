"""`fmg-bot doctor` reports the program-intel key (kept apart from the database backups)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.config import Settings
from bot.doctor import offline_report
from bot.services.intel import key_path


def _key_line(settings: Settings) -> tuple[str, str]:
    [section] = [s for s in offline_report(settings) if s.title == "Program-intel key"]
    [finding] = section.findings
    assert finding.subject.endswith(".intel-key")
    return finding.level, finding.message


def test_doctor_reports_the_intel_key(tmp_path: Path) -> None:
    settings = dataclasses.replace(Settings.from_env({}), database_path=tmp_path / "db.sqlite3")
    assert _key_line(settings) == ("info", "not made yet (the bot makes it on its first start)")
    path = key_path(settings.database_path)
    path.write_bytes(b"k" * 32)
    path.chmod(0o644)
    level, detail = _key_line(settings)
    assert level == "warning" and "readable by other users" in detail
    path.chmod(0o600)
    assert _key_line(settings)[0] == "ok"
