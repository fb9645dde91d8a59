"""`fmg-bot programs import FILE.csv`, run as an operator would (a real subprocess)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.integration.test_resources_cli import ROOT, fmg_bot

SAMPLE = ROOT / "data" / "programs-sample.csv"


def test_import_loads_the_sample_then_updates_and_refuses_a_bad_file(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    env = {"DATABASE_PATH": str(database)}
    first = fmg_bot("programs", "import", str(SAMPLE), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "15 added, 0 updated, 0 unchanged" in first.stdout

    changed = tmp_path / "changed.csv"
    changed.write_text("name,program_id,specialty,city,state\n"
                       "Montefiore Program,1403521287,Internal Medicine,Bronx,ny\n", "utf-8")
    second = fmg_bot("programs", "import", str(changed), env=env, cwd=tmp_path)
    assert second.returncode == 0 and "0 added, 1 updated, 0 unchanged" in second.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("program_id,name,specialty,city,state\n"
                   "1403599999,New Program,Internal Medicine,Albany,NY\n"
                   "123,Broken,Internal Medicine,Albany,NY\n", "utf-8")
    refused = fmg_bot("programs", "import", str(bad), env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "line 3: program_id must be the 10-digit ACGME id; nothing was imported" in refused.stderr
    missing = fmg_bot("programs", "import", str(tmp_path / "nope.csv"), env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "cannot read" in missing.stderr

    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT COUNT(*), MAX(name = 'Montefiore Program') FROM programs").fetchone()
    assert rows == (15, 1)
    # Importing needs no key: none is made until the bot starts.
    assert not Path(f"{database}.intel-key").exists()
