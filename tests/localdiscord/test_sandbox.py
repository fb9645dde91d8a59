"""`fmg-bot sandbox`: scripted through stdin in a subprocess, and its prompt logic in-process."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from localdiscord.render import Renderer, format_timestamp
from localdiscord.sandbox_prompt import Sandbox, SandboxError
from localdiscord.sandbox_views import file_text, parse_duration

ROOT = Path(__file__).resolve().parents[2]


def sandbox(stdin: str, *args: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_PATH"}}
    env["PYTHONPATH"] = str(ROOT)
    env.update(settings)
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
    assert f"[#general > talk] {bot_name}:\nin thread" in text
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
    embed = {"title": "Export", "timestamp": "2026-01-05T17:00:00+00:00"}
    assert Renderer(server, new_york).message({"embeds": [embed], "flags": 0, "attachments": [
        {"filename": "crew.ics", "size": 605}]}) == (
        "| == Export ==\n| -- January 5, 2026 12:00 PM EST\n"
        "[file: crew.ics, 605 bytes; open crew.ics to read it]")


# ----------------------------------------------------------------- places, threads and replies
def _box(env, tz: str = "UTC") -> tuple[Sandbox, io.StringIO]:
    out = io.StringIO()
    return Sandbox(SimpleNamespace(discord=env.discord, server=env.server), out, ZoneInfo(tz)), out


async def _no_input(prompt: str = "") -> str | None:
    return None


async def test_forums_threads_open_and_reply(env) -> None:
    box, out = _box(env)
    await box.run_line("/write channel:#general forum:#questions", _no_input)
    out.truncate(0)
    await box.run_line("show #questions", _no_input)
    assert "#questions is a forum: 1 post" in out.getvalue()
    assert "1. #questions > a post [visa] (forum post, 1 message)" in out.getvalue()
    await box.run_line("show #general", _no_input)
    assert "(thread 'talk' with 1 message: open talk)" in out.getvalue()
    await box.run_line("threads", _no_input)
    assert "#general > talk (thread, 1 message, archived, locked)" in out.getvalue()
    await box.run_line("open a post", _no_input)
    assert box.prompt == "alice in #questions > a post> "
    await box.run_line("reply Is it hard?", _no_input)
    assert "[#questions > a post] alice:\nIs it hard?" in out.getvalue()
    post = env.discord.messages_in(box.where)
    assert [(m.content, m.author_id) for m in post][-1] == ("Is it hard?", env.world.member("alice").id)
    await box.run_line("open talk", _no_input)
    with pytest.raises(SandboxError, match="is locked"):
        await box.run_line("reply hello", _no_input)
    await box.run_line("open #general", _no_input)
    assert box.prompt == "alice> "
    with pytest.raises(KeyError, match="the server has #general, #announcements, #anonymous-questions"):
        await box.run_line("open #nowhere", _no_input)


async def test_private_threads_are_listed_only_for_their_members_and_thread_managers(env) -> None:
    server, world = env.server, env.world
    general = server.channels[world.channel("general").id]
    thread = server.add_channel(world.guild_id, "Mentoring: Bob & Alice", 12,
                                parent_id=general["id"], thread_metadata={"archived": False})
    server.thread_members[int(thread["id"])] = {world.member("bob").id: server.now()}
    box, out = _box(env)
    await box.run_line("threads", _no_input)
    assert "(no threads you can see)" in out.getvalue()
    for name in ("bob", "mira"):  # a member of the thread; a moderator (Manage Threads)
        await box.run_line(f"as {name}", _no_input)
        await box.run_line("threads", _no_input)
        assert out.getvalue().count("#general > Mentoring: Bob & Alice (private thread") == (
            1 if name == "bob" else 2)
    await box.run_line("open 1", _no_input)
    with pytest.raises(SandboxError, match="mira is not in this private thread"):
        await box.run_line("reply hi", _no_input)


# ----------------------------------------------------------------- menus
async def test_select_echoes_the_choice_and_clears(env) -> None:
    box, out = _box(env)
    await box.run_line("/counter", _no_input)
    await box.run_line("select size: Large", _no_input)
    assert "<Size: Small | Large | Red>\n  chosen: Large" in out.getvalue()
    assert "(ok, the message is unchanged)" not in out.getvalue()
    with pytest.raises(SandboxError, match="Size needs at least 1 choice"):
        await box.run_line("select size: none", _no_input)
    with pytest.raises(SandboxError, match="say which menu to clear"):
        await box.run_line("select none", _no_input)
    with pytest.raises(SandboxError, match="offers Purple"):
        await box.run_line("select Purple", _no_input)


async def test_other_members_private_replies_are_not_targets(env) -> None:
    from localdiscord.driver import Message

    box, _ = _box(env)
    general = env.world.channel("general").id
    record = env.server.new_interaction(type=2, user_id=env.world.member("alice").id,
                                        channel_id=general, data={"name": "x"}, dispatch=False)
    button = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Add", "custom_id": "a"}]}
    private = env.server.create_message(general, {"content": "yours", "components": [button]},
                                        interaction=record, ephemeral=True)
    box.show(Message(env.server, int(private["id"])))
    assert box._targets()[0].id == int(private["id"])
    await box.run_line("as bob", _no_input)
    assert box._targets() == []
    with pytest.raises(SandboxError, match="no button 'Add'"):
        await box.run_line("click Add", _no_input)


def test_menus_show_the_bots_defaults_as_chosen() -> None:
    server = SimpleNamespace(now=lambda: 0, users={}, guilds={}, channels={})
    menu = {"type": 3, "custom_id": "v", "placeholder": "Visa", "options": [
        {"label": "J-1", "value": "j1", "default": True}, {"label": "H-1B", "value": "h1b"}]}
    row = {"type": 1, "components": [menu]}
    message = {"content": "", "embeds": [], "components": [row], "flags": 0}
    assert Renderer(server).message(message) == "<Visa: J-1 | H-1B>\n  chosen: J-1"
    assert Renderer(server).message(message, chosen={"v": []}) == "<Visa: J-1 | H-1B>"


# ----------------------------------------------------------------- files
def test_files_are_printed_text_json_pretty_and_ics_as_events() -> None:
    assert file_text("notes.txt", "héllo\n".encode(), None) == "héllo\n"
    assert file_text("data.json", b'{"a": [1, {"b": "c"}]}', None) == (
        '{\n  "a": [\n    1,\n    {\n      "b": "c"\n    }\n  ]\n}')
    assert file_text("x.bin", b"\xff\xfe", None) == "(a binary file of 2 bytes)"
    calendar = Calendar()
    calendar.add("x-wr-calname", "Step 2 crew")
    event = Event()
    event.add("summary", "Cardiology")
    chicago = ZoneInfo("America/Chicago")
    event.add("dtstart", datetime(2026, 12, 3, 19, 0, tzinfo=chicago))
    event.add("duration", timedelta(minutes=90))
    event.add("rrule", {"FREQ": "WEEKLY", "BYDAY": ["TH", "MO"], "COUNT": 4})
    event.add("exdate", [datetime(2026, 12, 7, 19, 0, tzinfo=chicago)])
    calendar.add_component(event)
    assert file_text("crew.ics", calendar.to_ical(), ZoneInfo("Asia/Kolkata")) == (
        "Calendar Step 2 crew\n"
        "  - Cardiology: Fri 04 Dec 2026 06:30 IST, 1 h 30 min, weekly on Thu, Mon, 4 times\n"
        "    cancelled: Tue 08 Dec 2026 06:30 IST")


async def test_files_lists_what_the_member_may_open(env) -> None:
    box, out = _box(env)
    dm = env.server.dm_channel(env.world.member("bob").id)
    env.server.create_message(dm, {"content": "for bob"}, [("files[0]", "bob.txt", b"secret", "text/plain")])
    env.server.create_message(env.world.channel("general").id, {"content": "hi"},
                              [("files[0]", "notes.txt", b"for all", "text/plain")])
    await box.run_line("files", _no_input)
    assert "1. notes.txt, 7 bytes, in #general" in out.getvalue() and "bob.txt" not in out.getvalue()
    await box.run_line("open 1", _no_input)
    assert "== notes.txt ==\nfor all" in out.getvalue()
    await box.run_line("as bob", _no_input)
    await box.run_line("files", _no_input)
    assert "1. bob.txt, 6 bytes, in DM to bob" in out.getvalue()
    await box.run_line("open notes.txt", _no_input)
    assert out.getvalue().count("== notes.txt ==") == 2


# ----------------------------------------------------------------- time
def test_wait_reads_durations() -> None:
    assert parse_duration("10m") == timedelta(minutes=10)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("1d 2h") == timedelta(hours=26)
    for bad in ("10", "10x", "m", "0m", "1h and 2m"):
        with pytest.raises(ValueError):
            parse_duration(bad)


async def test_wait_needs_the_sandbox_clock(env) -> None:
    box, _ = _box(env)
    with pytest.raises(SandboxError, match="clock cannot move"):
        await box.run_line("wait 10m", _no_input)


def test_what_fell_due_while_the_sandbox_was_closed_shows_at_the_next_start(tmp_path: Path) -> None:
    delay = {"ANON_PUBLISH_DELAY_MIN_S": "3", "ANON_PUBLISH_DELAY_MAX_S": "3"}
    script = ("as ada\n/settings channel setting:Anonymous questions channel channel:#questions\n"
              "as alice\n/ask question\nWhile you were away\nIs this posted later?\n\n")
    first = sandbox(script, cwd=tmp_path, **delay)
    assert "will be posted anonymously" in first.stdout
    assert "[#questions > While you were away]" not in first.stdout  # quit before it was due
    time.sleep(3)  # the sandbox is closed while the question falls due
    second = sandbox("", cwd=tmp_path, **delay)
    assert "[#questions > While you were away] fmg-bot:\nWhile you were away" in second.stdout


# ----------------------------------------------------------------- a whole day, from the README
def _readme_day() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("**One day on the server.**", 1)[1]
    return section.split("```text\n", 1)[1].split("```", 1)[0]


def test_the_readmes_day_on_the_server_runs_as_written(tmp_path: Path) -> None:
    result = sandbox(_readme_day(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # Every line ran: no refusal, no error, nothing Discord would refuse, no log over the prompt.
    assert [line for line in out.splitlines() if line.startswith("!")] == []
    assert out.splitlines()[0] == "fmg-bot sandbox: the log is in sandbox-data/sandbox.log"
    assert "WARNING" not in result.stderr and "INFO" not in result.stderr
    assert "applied migration" in (tmp_path / "sandbox-data" / "sandbox.log").read_text()
    # Times in each member's own zone.
    assert "for alice (times in Asia/Kolkata)" in out
    assert re.search(r"Please answer by \w+day, .* (CST|CDT) \(in 2 days\)", out)
    # Menus echo their choice; the split specialty menus both take one.
    assert out.count("chosen: Internal Medicine") >= 1 and "chosen: Pediatrics" in out
    # The private mentoring thread, the anonymous question's forum post, replies in both.
    assert "1. #general > Mentoring: Bob & Alice · #1 (private thread, 1 message)" in out
    assert "[#general > Mentoring: Bob & Alice · #1] alice:\nI take Step 2 CK in March." in out
    assert "1. #questions > Is a J-1 waiver hard to get? [visa] (forum post, 1 message)" in out
    assert "✅ Answered by a mentor" in out
    # Files: the calendar summarised, the export pretty-printed.
    assert "Calendar Step 2 crew study sessions\n  - Step 2 crew: Cardiology review:" in out
    assert '\n    "study_groups": {\n      "time_zone": "Asia/Kolkata",' in out
    # The clock moved a day; the session's announcement arrived in #announcements on time.
    assert "wait has moved the clock 1 d" in out
    assert re.search(r"-- .* --\n\[#announcements\] fmg-bot:\nStep 2 crew: Cardiology review", out)
