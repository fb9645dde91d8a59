"""A backup taken while another process writes is a consistent, openable copy."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.db.backup import backup_database
from bot.errors import FmgError

WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)")
print("ready", flush=True)
i = 0
while True:
    i += 1
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO ledger (a, b) VALUES (?, ?)", (i, -i))
    conn.execute("COMMIT")
"""


def test_backup_while_a_writer_is_active(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(source)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        copies = [backup_database(source, tmp_path / f"copy{i}.sqlite3") for i in range(3)]
        assert writer.poll() is None, "the writer must still be running during the backups"
    finally:
        writer.kill()
        writer.communicate()
    counts = []
    for copy in copies:
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Every row is whole: the writer's transactions are all-or-nothing in the copy.
        assert conn.execute("SELECT count(*) FROM ledger WHERE a + b != 0").fetchone()[0] == 0
        counts.append(conn.execute("SELECT count(*) FROM ledger").fetchone()[0])
        conn.close()
    assert counts[0] > 0
    assert counts == sorted(counts)
    assert not list(tmp_path.glob("*.partial"))


def test_a_failed_backup_leaves_no_partial_file(tmp_path: Path) -> None:
    source = tmp_path / "not-a-database.sqlite3"
    source.write_bytes(b"this is not an SQLite file" * 200)
    destination = tmp_path / "backups" / "copy.sqlite3"
    with pytest.raises(FmgError, match="could not back up") as caught:
        backup_database(source, destination)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert list(destination.parent.iterdir()) == []
