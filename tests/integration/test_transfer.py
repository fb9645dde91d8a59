"""`fmg-bot db transfer`: SQLite to PostgreSQL and back, every row kept, ids continuing after
the copied ones, a target with data refused unless --replace."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.db.lock import hold_database_lock
from bot.db.transfer import transfer
from bot.errors import FmgError
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MentoringService
from bot.services.study_groups import StudyGroupService
from tests.integration.test_cli import fmg_bot
from tests.pg_server import PgServer
from tests.unit.mentoring.test_service import TIMEOUT, approved_mentor, mentee_input

GUILD = 1


async def _fill(db: Database, clock: ManualClock) -> None:
    """Rows in many tables, with foreign keys between them, as the services write them."""
    groups = StudyGroupService(db, clock, GuildSettingsService(db, clock), outbox=Outbox(db, clock))
    group = await groups.groups.create(GUILD, 500, "Step 2 CK", "Step 2 CK", capacity=5)
    await groups.groups.join(GUILD, group.id, 501)
    mentoring = MentoringService(db, clock, request_timeout=TIMEOUT)
    mentor = await approved_mentor(mentoring, 10)
    await mentoring.set_mentee_profile(GUILD, 20, mentee_input())
    request = await mentoring.request(GUILD, 20, mentor.id)
    await mentoring.accept(request.request_id, 10)


async def test_sqlite_to_postgresql_and_back_keeps_every_row(
    tmp_path: Path, pg_server: PgServer, clock: ManualClock
) -> None:
    lite = await Database.open(tmp_path / "source.sqlite3")
    pg = await Database.open(await pg_server.new_database(migrated=False))
    back = await Database.open(tmp_path / "back.sqlite3")
    try:
        await lite.migrate()
        await _fill(lite, clock)
        copies = {c.table: c for c in await transfer(lite, pg)}
        assert copies["mentor_pairings"].rows == 1 and copies["study_group_members"].rows == 2
        for table, copy in copies.items():
            assert await pg.fetchval(f"SELECT count(*) FROM {table}") == copy.rows
        # Identities continue after the copied ids.
        last = await lite.fetchval("SELECT max(id) FROM outbox")
        assert await pg.fetchval(
            "INSERT INTO outbox (kind, due_at, next_attempt_at, nonce) "
            "VALUES ('x', 0, 0, 'n') RETURNING id") == last + 1
        await pg.execute("DELETE FROM outbox WHERE kind = 'x'")
        # A target with data is refused, then replaced on request.
        with pytest.raises(FmgError, match="--replace"):
            await transfer(lite, pg)
        assert {c.table: c for c in await transfer(lite, pg, replace=True)} == copies
        # And back: the same checksums.
        assert {c.table: c for c in await transfer(pg, back)} == copies
    finally:
        for db in (lite, pg, back):
            await db.close()


def test_the_command_copies_and_refuses_a_running_bot_or_a_filled_target(
    tmp_path: Path, pg_server: PgServer
) -> None:
    source = tmp_path / "bot.sqlite3"
    assert fmg_bot("db", "migrate", env={"DATABASE_PATH": str(source)}, cwd=tmp_path).returncode == 0
    with sqlite3.connect(source) as conn:
        conn.execute("INSERT INTO guild_settings VALUES (1, 'k', 'v', 0)")
    url = asyncio.run(pg_server.new_database(migrated=False))
    with hold_database_lock(source):  # the bot runs on the file
        busy = fmg_bot("db", "transfer", str(source), url, cwd=tmp_path)
    assert busy.returncode == 1 and "running" in busy.stderr
    done = fmg_bot("db", "transfer", str(source), url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "transferred" in done.stdout and "checksum" in done.stdout
    again = fmg_bot("db", "transfer", str(source), url, cwd=tmp_path)
    assert again.returncode == 1 and "--replace" in again.stderr
