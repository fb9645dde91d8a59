"""The anonymity audit at the service layer: the whole flow with a known asker id at DEBUG log
level (aiosqlite then logs each statement sent to its thread with its parameters; those run on
the loop's thread are logged by nobody, see bot/db/database.py), then every table, the
.sqlite3/-wal/-shm bytes and the log are searched for the id. The end-to-end version with the
real bot and discord.py's own logs is tests/e2e/test_anonymity_audit.py."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database
from bot.errors import NotFound
from bot.outbox import DueItem, Receipt
from bot.services.anonymous import KINDS, AnonymousService, OutboxJob
from bot.services.guild_settings import GuildSettingsService
from tests.anonymity_scan import existing_files, scan_everything

ASKER = 345678901234567890
REPORTER = 456789012345678901
GUILD = 900000000000000001


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.mark.sqlite_only
async def test_no_trace_of_the_asker_anywhere(
    db: Database, clock: ManualClock, settings: Settings, debug_log: io.StringIO
) -> None:
    guild_settings = GuildSettingsService(db, clock)
    await guild_settings.set(GUILD, "anonymous_channel", 900000000000000010)
    await guild_settings.set(GUILD, "anonymous_review_channel", 900000000000000011)
    await guild_settings.set(GUILD, "anonymous_preapproval", True)
    anon = AnonymousService(db, guild_settings, clock)

    class Adapter:
        posted = 0

        async def send(self, item: DueItem, job: OutboxJob) -> Receipt:
            self.posted += 1
            return Receipt(910000000000000000 + self.posted,
                           channel_id=job.target_channel_id or 0,
                           thread_id=920000000000000000 + self.posted)

    adapter = Adapter()
    for kind in KINDS:
        anon.outbox.attach_sender(kind, adapter)

    async def play_adapter() -> None:
        clock.advance(timedelta(minutes=4))
        await anon.outbox.run_due(clock.now())

    receipt = await anon.ask(
        GUILD, ASKER, f"My id is not {ASKER - 1}", "Failed Step 1 once?", "step 1"
    )
    await play_adapter()  # -> review channel
    await anon.approve(GUILD, receipt.question_id)
    await play_adapter()  # -> published
    await anon.followup(GUILD, ASKER, receipt.code, "More detail.")
    with pytest.raises(NotFound, match="does not match"):
        wrong = receipt.code[:-1] + ("0" if receipt.code[-1] != "0" else "1")
        await anon.followup(GUILD, ASKER, wrong, "wrong code")
    await anon.close(GUILD, ASKER, receipt.code)
    await play_adapter()
    await anon.report(GUILD, REPORTER, receipt.question_id, "reported by someone")
    await anon.maintain()

    db_file = settings.database_path
    assert "fmg-bot.sqlite3-wal" in existing_files(db_file)  # the WAL is there to be searched
    log_text = debug_log.getvalue()
    # DEBUG really captured statements and their parameters (an autocommitted write's, here).
    assert "INSERT INTO guild_settings" in log_text and "'anonymous_preapproval'" in log_text
    assert scan_everything(db_file, log_text, ASKER) == []
    assert scan_everything(db_file, log_text, REPORTER) == []

    # The same scan finds the id when it is there: a control row and a control log line.
    await db.execute("CREATE TABLE audit_control (user_id INTEGER, note TEXT)")
    await db.execute("INSERT INTO audit_control VALUES (?, ?)", (ASKER, f"<@{ASKER}>"))
    logging.getLogger("audit.control").debug("control line for %s", ASKER)
    hits = scan_everything(db_file, debug_log.getvalue(), ASKER)
    places = {h.where for h in hits}
    assert "table audit_control" in places
    assert "fmg-bot.sqlite3-wal" in places
    assert "log" in places
    assert any("int64 big-endian" in h.detail for h in hits)  # the INTEGER column, as stored
