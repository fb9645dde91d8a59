"""THE PROGRAM-INTEL AUDIT: the database and its write-ahead log hold no reporter's member id.

A reporter (alice) goes through everything through the real bot, with the bot's logging at
DEBUG: report, change her report, view, search, withdraw, report again, report on a second
program, export her data (which finds her reports with the key), and delete it; four others
report too, so fields are revealed. Then every table and the raw .sqlite3/-wal/-shm bytes are
searched for her id (decimal, mentions, both int64 byte orders), and the log of everything
before /privacy too. Zero hits,
while the bot runs and after it stops. The key is in a file of its own (mode 0600), never in the
database. A control row then proves the scan finds the id when it is there.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import stat
from collections.abc import Iterator

import pytest

from bot.clock import ManualClock
from bot.logs import setup_logging
from bot.services.intel import key_path
from localdiscord.driver import Driver
from localdiscord.harness import BotHarness
from localdiscord.seed import User
from tests.anonymity_scan import existing_files, raw_bytes, scan_everything, scan_files, scan_tables
from tests.e2e.intel_env import MONTEFIORE, NORTON, add_members, age_members, load_programs, report

pytestmark = pytest.mark.e2e


class _NotTheFakeDiscord(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("localdiscord")


@pytest.fixture
def bot_debug_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    handler = setup_logging("DEBUG", stream=stream)
    handler.addFilter(_NotTheFakeDiscord())
    try:
        yield stream
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


@pytest.fixture
def logged_e2e(bot_debug_log: io.StringIO, e2e: BotHarness) -> BotHarness:
    """Logging is set up (``bot_debug_log``) before the harness starts the bot."""
    return e2e


async def test_the_reporter_leaves_no_trace(
    logged_e2e: BotHarness, discord: Driver, clock: ManualClock, alice: User, bob: User,
    mira: User, bot_debug_log: io.StringIO,
) -> None:
    e2e = logged_e2e
    await load_programs(e2e)
    others = [bob, mira, *add_members(e2e, "carol", "dan")]
    age_members(clock)

    await report(discord, alice, MONTEFIORE, j1="yes", h1b="yes", step2="240", invites="oct")
    await report(discord, alice, MONTEFIORE, j1="yes", h1b="no", step2="250", invites="sep")
    for member in others:
        await report(discord, member, MONTEFIORE, j1="yes", step2="250")
    shown = await discord.invoke("intel program", user=alice, program=MONTEFIORE)
    assert shown.embeds[0]["fields"][0]["value"] == "Yes (5-9 reports)"
    assert "Montefiore" in (await discord.invoke("intel search", user=alice, j1="yes")).text
    await discord.invoke("intel withdraw", user=alice, program=MONTEFIORE)
    await report(discord, alice, MONTEFIORE, j1="no", step2="250")
    await report(discord, alice, NORTON, non_us_img="yes", yog="le5")

    # Everything program intel did is logged by now: not her id (aiosqlite logs every
    # statement's parameters at DEBUG, and intel's name the pseudonym only). /privacy delete,
    # next, logs the id in other capabilities' statements by design: it erases by member id.
    intel_log = bot_debug_log.getvalue()
    exported = await discord.invoke("privacy export", user=alice)
    data = json.loads(exported.attachments[0].data)["data"]["program_intel"]
    assert sorted(r["program_id"] for r in data["reports"]) == [MONTEFIORE, NORTON]
    asked = await discord.invoke("privacy delete", user=alice)
    assert "Program intel: the program reports you made" in asked.text
    await discord.click(asked, label="Delete my data", user=alice)
    assert e2e.bot is not None
    intel = e2e.bot.services.intel
    assert await intel.reports.mine(alice.id, await intel.programs.get(NORTON)) is None
    await report(discord, alice, NORTON, non_us_img="no")  # and a report that stays

    assert "discord.http" in intel_log and "intel_reports" in intel_log
    db_file = e2e.settings.database_path
    assert {"fmg-bot.sqlite3", "fmg-bot.sqlite3-wal"} <= set(existing_files(db_file))
    assert scan_everything(db_file, intel_log, alice.id) == []

    key = key_path(db_file)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes() not in raw_bytes(db_file)

    await e2e.stop_bot()  # the WAL is checkpointed into the main file
    assert scan_tables(db_file, alice.id) + scan_files(db_file, alice.id) == []

    # Control: the same scan finds the id when it is there.
    conn = sqlite3.connect(db_file)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE audit_control (user_id INTEGER)")
    conn.execute("INSERT INTO audit_control VALUES (?)", (alice.id,))
    conn.commit()
    hits = scan_tables(db_file, alice.id) + scan_files(db_file, alice.id)
    conn.close()
    assert {"table audit_control", "fmg-bot.sqlite3-wal"} <= {h.where for h in hits}, hits
