"""`fmg-bot resources search|import|export|check`, run as a curator would (a real subprocess; the
link check in-process, so that its HTTP part can be replaced)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.clock import SystemClock
from bot.db import Database
from bot.services.resources import LinkChecker, ResourceService
from bot.services.resources._links import Probe

ROOT = Path(__file__).resolve().parents[2]


def fmg_bot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_PATH"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=base | {"PYTHONPATH": str(ROOT)} | env,
        cwd=cwd, capture_output=True, text=True, timeout=60,
    )


def test_search_prints_json_best_first(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    result = fmg_bot("resources", "search", "j1 waiver kaise milega", "--limit", "3", "--json",
                     env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert 1 <= len(hits) <= 3
    assert {"title", "url", "category", "score"} <= set(hits[0])
    assert hits[0]["category"] == "visa" and "waiver" in hits[0]["title"].lower()
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)

    nothing = fmg_bot("resources", "search", '"NEAR( *', "--json", env=env, cwd=tmp_path)
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == []
    bad_limit = fmg_bot("resources", "search", "visa", "--limit", "0", env=env, cwd=tmp_path)
    assert bad_limit.returncode == 2 and "between 1 and 50" in bad_limit.stderr


def test_export_edit_import_round_trip(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    exported = tmp_path / "catalog.yaml"
    result = fmg_bot("resources", "export", str(exported), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(exported.read_text("utf-8"))
    count = len(data["resources"])
    assert f"wrote {count} shared catalog resources" in result.stdout
    data["resources"].append({
        "title": "Curated IMG Guide", "url": "https://img-guide.example.org/", "organization": "Curators",
        "category": "community", "tier": "community", "tags": ["guide"],
        "description": "A guide the curators added.", "last_verified": date(2026, 11, 1),
    })
    exported.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    imported = fmg_bot("resources", "import", str(exported), env=env, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert f"1 added, 0 updated, {count} unchanged" in imported.stdout
    found = fmg_bot("resources", "search", "curated img guide", "--json", env=env, cwd=tmp_path)
    assert json.loads(found.stdout)[0]["url"] == "https://img-guide.example.org/"


def test_a_broken_catalog_file_is_one_line(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nresources:\n  - title: X\n    url: http://x.org\n", "utf-8")
    result = fmg_bot("resources", "import", str(broken), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "entry 1" in result.stderr and "Traceback" not in result.stderr


def test_search_sees_the_shared_catalog_or_one_servers_library(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    assert fmg_bot("resources", "export", "-", env=env, cwd=tmp_path).returncode == 0

    async def approve_in_server(guild_id: int) -> None:
        db = await Database.open(tmp_path / "db.sqlite3")
        try:
            library = ResourceService(db, SystemClock(), None)
            s = await library.suggestions.suggest(guild_id=guild_id, user_id=1, title="Kalorama Navigator",
                                                  url="https://kalorama.example.org", reason="",
                                                  category="community")
            await library.suggestions.approve(s.id, guild_id=guild_id, moderator_id=2)
        finally:
            await db.close()

    asyncio.run(approve_in_server(111))
    there = fmg_bot("resources", "search", "kalorama", "--guild", "111", "--json", env=env, cwd=tmp_path)
    assert there.returncode == 0, there.stderr
    assert [h["url"] for h in json.loads(there.stdout)] == ["https://kalorama.example.org"]
    for elsewhere in (["--guild", "222"], []):
        other = fmg_bot("resources", "search", "kalorama", *elsewhere, "--json", env=env, cwd=tmp_path)
        assert "kalorama" not in other.stdout
    bad = fmg_bot("resources", "search", "visa", "--guild", "abc", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "server (guild) id" in bad.stderr


def test_check_stores_every_links_state_and_prints_what_needs_a_curator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process, with the HTTP part replaced: the checker itself is tested against a local
    # server (tests/unit/resources/test_res_links.py); nothing here may reach the internet.
    async def probe(self: LinkChecker, url: str) -> Probe:
        if url == "https://www.nrmp.org":
            return Probe("dead", 404, detail="HTTP 404")
        if url == "https://thalamusgme.com":
            return Probe("moved", 200, moved_to="https://thalamusgme.com/home", title="Thalamus")
        return Probe("ok", 200, title="A page")

    monkeypatch.setattr(LinkChecker, "probe", probe)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["resources", "check", "--per-host", "0"]) == 0
    out, err = capsys.readouterr()
    assert "69/69 links" in err and "[" + "#" * 30 + "]" in err
    assert "69 links checked: 67 ok, 1 dead, 1 moved, 0 unknown; 0 changed since verified" in out
    assert "dead     https://www.nrmp.org (HTTP 404)" in out
    assert "moved    https://thalamusgme.com -> https://thalamusgme.com/home" in out

    async def stored() -> dict[str, str]:
        db = await Database.open(tmp_path / "db.sqlite3")
        try:
            rows = await db.fetchall("SELECT url, status FROM resource_links")
            return {r["url"]: r["status"] for r in rows}
        finally:
            await db.close()

    rows = asyncio.run(stored())
    assert len(rows) == 69 and rows["https://www.nrmp.org"] == "dead"
    bad = fmg_bot("resources", "check", "--timeout", "-1", env={"DATABASE_PATH": str(tmp_path / "x")},
                  cwd=tmp_path)
    assert bad.returncode == 2 and "between 0 and 600" in bad.stderr
