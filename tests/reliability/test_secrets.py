"""The bot token never reaches a log line or a member's screen.

The production CLI (`fmg-bot run`, via localdiscord.clibot) runs in a child process with a
canary DISCORD_TOKEN at LOG_LEVEL=DEBUG against localdiscord. A trigger makes a settings write
fail with an error whose text *contains* the token, so the unexpected-error path logs it with
its traceback. Then the whole log, every message and every request the bot sent are searched.
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import pytest

from localdiscord.clibot import start_real_bot
from localdiscord.driver import Driver
from localdiscord.seed import seed
from localdiscord.server import LocalDiscord


@pytest.mark.slow
async def test_a_canary_token_never_reaches_logs_or_replies(tmp_path: Path) -> None:
    canary = f"MTAwMDAwMDAwMDAwMDAwMDAw.canary.{secrets.token_urlsafe(27)}"
    database = tmp_path / "secrets.sqlite3"
    log_path = tmp_path / "bot.log"
    server = await LocalDiscord().start()
    world = seed(server)
    discord = Driver(server, world, timeout=10)
    with log_path.open("wb") as log:
        bot = await start_real_bot(server, discord, {
            "DISCORD_TOKEN": canary, "DATABASE_PATH": str(database), "LOG_LEVEL": "DEBUG",
        }, log=log)
        try:
            conn = sqlite3.connect(database)
            conn.execute("CREATE TRIGGER leak BEFORE INSERT ON guild_settings BEGIN "
                         f"SELECT RAISE(ABORT, 'token {canary} in an error'); END")
            conn.commit()
            conn.close()
            reply = await discord.invoke("settings channel", user="ada",
                                         setting="announcements_channel",
                                         options={"channel": world.channel("announcements")})
            normal = await discord.invoke("help", user="alice")
        finally:
            await bot.stop()
            await server.stop()
    text = log_path.read_text(errors="replace")
    assert reply.ephemeral and "reference `" in reply.text  # the unexpected-error apology
    reference = reply.text.split("reference `")[1].split("`")[0]
    assert f"ref={reference}" in text and "[redacted]" in text  # it was logged, token hidden
    assert "DEBUG" in text and "/help" in normal.text
    seen = [reply.text, normal.text, *(str(m) for m in server.messages.values()),
            *(str(r.body) for r in server.requests)]
    pieces = [canary, canary.split(".")[-1]]
    assert not [p for p in pieces if p in text], "the token reached the log"
    assert not [s for s in seen for p in pieces if p in s], "the token reached Discord"
    assert len(server.requests) > 3
