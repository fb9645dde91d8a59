"""`fmg-bot sandbox`: scripted through stdin in a subprocess, and its prompt logic in-process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from localdiscord.render import Renderer, format_timestamp
from localdiscord.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]


def sandbox(stdin: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_PATH"}}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot", "sandbox", *args], input=stdin, env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=60)


def test_scripted_session_through_stdin(tmp_path: Path) -> None:
    script = "\n".join([
        "/help",
        "/settings view",
        "as ada",
        "/settings channel setting:Announcements channel channel:#announcements",
        "/settings view",
        "as nobody",
        "/settings nope",
    ]) + "\n"
    result = sandbox(script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "alice> /help" in out and "/help" in out.split("alice> /settings view")[0]
    assert "This is a moderator command" in out  # alice is refused
    assert "Announcements channel is now #announcements." in out
    assert "Announcements channel: #announcements" in out
    assert "no seeded member 'nobody'" in out
    assert "has no subcommand 'nope'" in out
    assert "Discord would refuse" not in out
    # Its own database, never DATABASE_PATH; a second session sees what the first stored.
    assert (tmp_path / "sandbox-data" / "sandbox.sqlite3").is_file()
    again = sandbox("as mira\n/settings view\n", cwd=tmp_path)
    assert "Announcements channel: #announcements" in again.stdout


def test_refuses_the_production_database(tmp_path: Path) -> None:
    env_db = tmp_path / "prod.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--db", str(env_db)], input="", text=True,
        capture_output=True, timeout=60, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(env_db)},
    )
    assert result.returncode == 2
    assert "refusing to use DATABASE_PATH" in result.stderr
    assert not env_db.exists()


async def test_modal_prompts_and_clicks(env) -> None:
    out = io.StringIO()
    box = Sandbox(SimpleNamespace(discord=env.discord, server=env.server), out, ZoneInfo("UTC"))
    answers = iter(["visa\n", "line one\\nline two\n"])

    async def read_line(prompt: str = "") -> str | None:
        answer = next(answers, None)
        out.write(f"{prompt}{answer}")
        return answer

    await box.run_line("/counter", read_line)
    await box.run_line("click add", read_line)
    await box.run_line("click Form", read_line)
    await box.run_line("select Red", read_line)  # the first menu offering Red: Colour
    await box.run_line("select size: Red", read_line)  # by placeholder
    await box.run_line("select Large", read_line)
    await box.run_line("/grp inner do name:two words times:2 flag:true who:@bob", read_line)
    await box.run_line("/write channel:#general forum:#questions", read_line)
    box.flush_unsolicited()  # what the bot posted on its own: channel messages, threads, DMs
    text = out.getvalue()
    bot_name = env.server.bot_user["username"]
    assert f"[#general] {bot_name}:\nhello @alice" in text
    assert f"[#talk] {bot_name}:\nin thread" in text
    assert f"[DM to alice] {bot_name}:\na DM" in text
    assert "[Add]  [Form]" in text and "count 1" in text
    assert "Topic (required, max 50): visa" in text
    # The sandbox marks no field optional: a bot's label may say so already ("Topic tag
    # (optional)" would read "(optional) (optional)").
    assert "Details (\\n for a new line): line one" in text
    assert "optional" not in text
    assert "got visa/line one\nline two" in text
    assert "size Red" in text and "picked red" in text and "size Large" in text
    assert "two wordstwo words True bob" in text


def test_timestamps_render_in_the_readers_zone() -> None:
    epoch = int(datetime(2026, 1, 5, 17, 0, tzinfo=UTC).timestamp())
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")
    assert format_timestamp(epoch, "F", new_york, now) == "Monday, January 5, 2026 12:00 PM EST"
    assert format_timestamp(epoch, "t", ZoneInfo("Asia/Kolkata"), now) == "10:30 PM IST"
    assert format_timestamp(epoch, "R", new_york, now) == "in 5 hours"
    server = SimpleNamespace(now=lambda: now.timestamp(), users={}, guilds={}, channels={})
    rendered = Renderer(server, new_york).message({"content": f"Session <t:{epoch}:F> (<t:{epoch}:R>)",
                                                   "embeds": [], "components": [], "flags": 64})
    assert rendered == "(only you can see this)\nSession Monday, January 5, 2026 12:00 PM EST (in 5 hours)"
