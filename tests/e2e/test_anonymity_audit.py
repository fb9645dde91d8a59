"""THE ANONYMITY AUDIT: nobody, not the database, its WAL, or the log, can learn who asked
(on SQLite, and on PostgreSQL: its data directory, WAL and server log).

The whole flow runs through the real bot (discord.py, every cog) against localdiscord with the
bot's own logging set up at DEBUG: ask (with moderator pre-approval), approve, answer, follow-up,
a wrong code, close, a report (by the asker herself, the hardest case) and a removal. Then every
table, the raw .sqlite3/-wal/-shm bytes and the captured log are searched for the asker's id (as
decimal, <@id>, <@!id>, and the int64 SQLite stores), and the log for the claim code and every
interaction token. Zero hits. The same scan then finds the id
in a control row and a control log line, so a silent scanner cannot pass the test.

Only the "localdiscord" logger (the fake Discord server, which like Discord knows who clicked) is
left out of the capture; every logger of the bot, discord.py, aiosqlite, APScheduler and aiohttp is in.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.logs import setup_logging
from bot.outbox import SOURCE_NAME as OUTBOX
from localdiscord.harness import BotHarness
from tests.anonymity_scan import (
    existing_files,
    raw_bytes,
    scan_everything,
    scan_files,
    scan_log,
    scan_tables,
)
from tests.e2e.anon_env import Anon
from tests.pg_server import INSTALL_HINT, PgServer, find_bin

pytestmark = pytest.mark.e2e


class _NotTheFakeDiscord(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("localdiscord")


@pytest.fixture
def bot_debug_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    handler = setup_logging("DEBUG", stream=stream)  # the bot's own logging, as `LOG_LEVEL=DEBUG`
    handler.addFilter(_NotTheFakeDiscord())
    try:
        yield stream
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


_LOGGED_TOKEN = re.compile(r"/(?:interactions|webhooks)/\d+/([^/?\s'\"]+)")


async def _replay_logged_tokens(env: Anon, log_text: str) -> list[str]:
    """What a log reader gets from GET /webhooks/{app}/{token}/messages/@original."""
    found = {t for t in _LOGGED_TOKEN.findall(log_text) if t != "[redacted]"}
    stolen = []
    async with aiohttp.ClientSession() as session:
        for token in found:
            url = (f"{env.e2e.server.base_url}/api/v10/webhooks/{env.world.bot.id}/{token}"
                   "/messages/@original")
            async with session.get(url) as response:
                if response.status == 200:
                    stolen.append((await response.json())["content"])
    return stolen


@pytest.fixture
def env(bot_debug_log: io.StringIO, e2e: BotHarness, clock: ManualClock) -> Anon:
    """Logging is set up (``bot_debug_log``) before the harness starts the bot."""
    return Anon(e2e, clock)


async def _the_whole_flow(env: Anon) -> tuple[int, str]:
    """Ask, approve, answer, follow up, a wrong code, close, a report by the asker, a removal,
    a deletion: (the asker's id, the first claim code)."""
    asker = env.world.member("alice")
    await env.configure("anonymous", preapproval=True)

    code, _ = await env.ask(
        "Failed Step 1 once", f"Is it a red flag? I am {asker.mention}, sort of.", "usmle"
    )
    await env.publish_due()  # -> review channel
    [review] = env.discord.messages_in("mod_review")
    await env.discord.click(review, label="Approve", user="mira")
    await env.bot.scheduler.run_now(OUTBOX)  # -> published
    [post] = env.discord.messages_in("anonymous")
    [thread] = env.discord.threads_in("anonymous")
    env.discord.post(int(thread["id"]), "Not a red flag.", user="bob")

    form = await env.discord.invoke("ask followup", user="alice")
    await env.discord.submit_modal(form, {"Claim code": code, "Follow-up": "Thank you!"})
    await env.discord.invoke(
        "ask close", user="alice", code=code[:-1] + ("0" if code[-1] != "0" else "1")
    )
    await env.discord.invoke("ask close", user="alice", code=code)
    await env.publish_due()
    form = await env.discord.click(post, label="Report", user="alice")
    await env.discord.submit_modal(
        form, {"What is wrong? (optional)": "testing reports"}, user="alice"
    )
    report = env.discord.messages_in("mod_review")[-1]
    await env.discord.click(report, label="Remove question", user="mira")
    second_code, _ = await env.ask("Second", "To be deleted by its asker")
    await env.bot.services.anonymous.maintain()
    await env.bot.scheduler.run_now(OUTBOX)  # the second one is still waiting: nothing
    await env.discord.invoke("ask delete", user="alice", code=second_code)

    assert "removed by" in report.content and post.deleted
    return asker.id, code


async def test_the_asker_leaves_no_trace(env: Anon, bot_debug_log: io.StringIO) -> None:
    asker_id, code = await _the_whole_flow(env)
    # Everything really happened, and was logged at DEBUG (discord.py and aiosqlite included).
    log_text = bot_debug_log.getvalue()
    assert "discord.http" in log_text and "aiosqlite" in log_text and "DEBUG" in log_text
    db_file = env.e2e.settings.database_path
    assert {"fmg-bot.sqlite3", "fmg-bot.sqlite3-wal", "fmg-bot.sqlite3-shm"} <= set(
        existing_files(db_file)
    )

    assert scan_everything(db_file, log_text, asker_id) == []
    # Nor is the claim code (which would let a log reader act as the asker) anywhere, nor any
    # interaction token (with one, a log reader could fetch the asker's private thank-you, the
    # claim code in it and who it was for), though discord.py logged every callback URL.
    secret = code.split("-", 1)[1].replace("-", "")
    assert secret not in log_text and code not in log_text
    tokens = [i.token for i in env.e2e.server.interactions.values()]
    assert len(tokens) >= 10 and "/interactions/" in log_text and "/webhooks/" in log_text
    assert [t for t in tokens if t in log_text or t[15:] in log_text] == []
    # The attack itself: whatever sits where a token would be in the logged URLs, try it as a
    # log reader would, with no authorization, to read the private thank-you.
    assert await _replay_logged_tokens(env, log_text) == []
    assert secret.encode() not in raw_bytes(db_file)

    # After shutdown (the WAL is checkpointed into the main file) there is still nothing.
    await env.e2e.stop_bot()
    assert scan_tables(db_file, asker_id) + scan_files(db_file, asker_id) == []

    # Control: the same scan finds the id when it is there.
    import sqlite3

    conn = sqlite3.connect(db_file)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE audit_control (user_id INTEGER)")
    conn.execute("INSERT INTO audit_control VALUES (?)", (asker_id,))
    conn.commit()
    logging.getLogger("bot.audit_control").debug("control line <@%s>", asker_id)
    hits = scan_everything(db_file, bot_debug_log.getvalue(), asker_id)
    conn.close()
    places = {h.where for h in hits}
    assert {"table audit_control", "fmg-bot.sqlite3-wal", "log"} <= places, hits


@pytest.fixture
def pg_server() -> Iterator[PgServer]:
    """A server of this test's own: every byte in its files and log is this test's."""
    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip(INSTALL_HINT)
    server = PgServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("engine", ["postgresql"])
async def test_the_asker_leaves_no_trace_on_postgresql(
    env: Anon, bot_debug_log: io.StringIO, pg_server: PgServer
) -> None:
    """The same flow with the bot on PostgreSQL: the tables, every file of the server's data
    directory (its WAL included, after a checkpoint wrote the pages out) and the server's log."""
    assert env.e2e.settings.database_url is not None  # the bot runs on pg_server
    asker_id, code = await _the_whole_flow(env)
    await env.e2e.stop_bot()
    await pg_server.checkpoint()
    secret = code.split("-", 1)[1].replace("-", "").encode()
    assert pg_server.scan(asker_id) == [] and pg_server.scan_bytes(secret) == []
    assert scan_log(bot_debug_log.getvalue(), asker_id) == []

    # Control: the same scan finds the id when it is there (a row, hence a page and WAL).
    db = await Database.open(env.e2e.settings.database)
    try:
        await db.execute(db.dialect.migration("CREATE TABLE audit_control (user_id INTEGER)"))
        await db.execute("INSERT INTO audit_control VALUES (?)", (asker_id,))
    finally:
        await db.close()
    await pg_server.checkpoint()
    places = {h.where for h in pg_server.scan(asker_id)}
    assert any(p.startswith("data/pg_wal/") for p in places), places
    assert any(p.startswith("data/base/") for p in places), places
