"""Deleted member text leaves the database files, whatever SQLite's built-in default.

This machine's SQLite may be built with SQLITE_SECURE_DELETE, which would hide the defect: every
connection here starts with ``secure_delete`` OFF (as on a default build), the bot then opens its
database through its own code, and the raw bytes of the database and its write-ahead log are
searched while the bot still runs (the WAL is not checkpointed by a shutdown yet).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from localdiscord.harness import BotHarness
from tests.anonymity_scan import raw_bytes, scan_files
from tests.e2e.anon_env import Anon

pytestmark = pytest.mark.e2e

QUESTION = "Zanzibar-quokka: my program director shouts at me"
FOLLOWUP = "Xylophone-narwhal: it happens every Tuesday"


@pytest.fixture
def default_off(monkeypatch: pytest.MonkeyPatch) -> Callable[..., sqlite3.Connection]:
    """Every sqlite3 connection opened during the test starts with secure_delete OFF."""
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    return real


@pytest.fixture
def env(default_off: Any, e2e: BotHarness, clock: ManualClock) -> Anon:
    return Anon(e2e, clock)


def _wal_size(db_file: Path) -> int:
    return Path(f"{db_file}-wal").stat().st_size


def _control_keeps_deleted_text(path: Path) -> bytes:
    """What a connection left at the default does with the same kind of deletion."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (body TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (QUESTION,))
    conn.commit()
    conn.execute("DELETE FROM t")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = raw_bytes(path)
    conn.close()
    return data


async def test_an_asker_deletion_erases_the_text_from_the_files(env: Anon, tmp_path: Path) -> None:
    # Control: under this test, the default really is off, and it leaves deleted text behind.
    assert QUESTION.encode() in _control_keeps_deleted_text(tmp_path / "control.sqlite3")
    assert await env.bot.db.fetchval("PRAGMA secure_delete") == 1  # the bot's own connection

    await env.configure("anonymous")
    db_file = env.e2e.settings.database_path
    code, _ = await env.ask("Shouting", QUESTION)
    await env.publish_due()
    form = await env.discord.invoke("ask followup", user="alice")
    await env.discord.submit_modal(form, {"Claim code": code, "Follow-up": FOLLOWUP})
    await env.publish_due()
    assert QUESTION.encode() in raw_bytes(db_file)  # the scan sees the text while it is live

    await env.discord.invoke("ask delete", user="alice", code=code)
    await env.publish_due()  # deletion happens after its own random delay
    assert env.discord.threads_in("anonymous") == []
    data = raw_bytes(db_file)
    assert QUESTION.encode() not in data and FOLLOWUP.encode() not in data
    assert _wal_size(db_file) == 0


async def test_privacy_delete_erases_suggestions_and_ids_from_the_files(env: Anon) -> None:
    alice = env.world.member("alice")
    db_file = env.e2e.settings.database_path
    opened = await env.discord.invoke("resources suggest", user="alice")
    await env.discord.submit_modal(
        opened, {"Title": QUESTION, "Link (https)": "https://quokka-zanzibar.example.org"}
    )
    assert QUESTION.encode() in raw_bytes(db_file) and scan_files(db_file, alice.id)

    warning = await env.discord.invoke("privacy delete", user="alice")
    await env.discord.click(warning, label="Delete my data", user="alice")
    data = raw_bytes(db_file)
    assert QUESTION.encode() not in data and b"quokka-zanzibar" not in data
    assert scan_files(db_file, alice.id) == []
