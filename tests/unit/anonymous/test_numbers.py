"""Question numbers per server, and the migration that introduced them (0008)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.db import database as database_module
from bot.errors import NotFound
from bot.services.anonymous import AnonymousLimits, AnonymousService
from bot.services.guild_settings import GuildSettingsService

GUILD_A = 900000000000000001
GUILD_B = 900000000000000002


async def _service(db: Database, clock: ManualClock) -> AnonymousService:
    settings = GuildSettingsService(db, clock)
    for guild in (GUILD_A, GUILD_B):
        await settings.set(guild, "anonymous_channel", guild + 10)
    return AnonymousService(db, settings, clock, AnonymousLimits(30, 180, 100))


async def test_existing_questions_keep_their_numbers_and_new_ones_count_per_server(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = database_module.load_migrations()
    before = [m for m in every if m.version < 8]
    monkeypatch.setattr(database_module, "load_migrations", lambda: before)
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await db.migrate()
        # Five questions under the old global sequence: ids 1, 3, 5 in A and 2, 4 in B.
        for n in range(1, 6):
            await db.execute(
                "INSERT INTO anon_questions (id, guild_id, title, body, code_salt, code_hash) "
                "VALUES (?, ?, 't', 'b', x'00', x'00')",
                (n, GUILD_A if n % 2 else GUILD_B),
            )
        await db.execute(
            "INSERT INTO outbox (kind, guild_id, ref_id, data, due_at, next_attempt_at, nonce) "
            "VALUES ('anon_followup', ?, 5, json_object('body', 'queued before the upgrade'), "
            "99, 99, 'n')",
            (GUILD_A,),
        )
        monkeypatch.setattr(database_module, "load_migrations", lambda: every)
        await db.migrate()
        rows = await db.fetchall("SELECT id, number FROM anon_questions ORDER BY id")
        assert [(r["id"], r["number"]) for r in rows] == [(n, n) for n in range(1, 6)]
        queued = await db.fetchall(
            "SELECT ref_id, kind, json_extract(data, '$.body'), state FROM outbox"
        )
        assert [tuple(r) for r in queued] == [
            (5, "anon_followup", "queued before the upgrade", "pending")
        ]
        assert await db.fetchval("PRAGMA foreign_key_check") is None

        anon = await _service(db, clock)
        assert (await anon.ask(GUILD_A, 1, "t", "b", None)).question_id == 6
        assert (await anon.ask(GUILD_B, 1, "t", "b", None)).question_id == 5
        assert (await anon.ask(GUILD_B, 1, "t", "b", None)).question_id == 6
    finally:
        await db.close()


async def test_a_server_sees_nothing_of_another_servers_questions(
    db: Database, clock: ManualClock
) -> None:
    anon = await _service(db, clock)
    first = await anon.ask(GUILD_A, 1, "t", "b", None)
    for _ in range(7):
        await anon.ask(GUILD_B, 2, "t", "b", None)
    second = await anon.ask(GUILD_A, 1, "t", "b", None)
    assert (first.question_id, second.question_id) == (1, 2)
    assert second.code.startswith("2-")
    # Server B's #2 is another question: A's code does not open it, A's number does not name it.
    with pytest.raises(NotFound):
        await anon.delete(GUILD_B, 3, second.code)
    b2 = await anon.remove(GUILD_B, 2)
    assert b2.guild_id == GUILD_B and b2.question_id == 2
    a2 = await db.fetchone(
        "SELECT state FROM anon_questions WHERE guild_id = ? AND number = 2", (GUILD_A,)
    )
    assert a2["state"] == "waiting"
