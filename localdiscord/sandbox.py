"""`fmg-bot sandbox`: try the real bot with no Discord account.

One process runs localdiscord (a seeded guild: alice and bob are members, mira a moderator, ada
the admin) and the real bot on its own database file (default ``sandbox-data/sandbox.sqlite3``,
never DATABASE_PATH). Logs go to ``sandbox.log`` beside it, not over the prompt. A prompt reads
stdin line by line:

    /resources search query:visa waiver     run a slash command (values run to the next option;
    /settings channel setting:announcements_channel channel:#announcements    quotes work too)
    complete /resources search query:vis     what autocomplete suggests for the last option
    click Accept                             press a button on the latest message that has it
    select Neurology, Pediatrics             choose option(s) in select menus (by placeholder:
    select Visa: none                        ``select Visa: J-1``; ``none`` clears a menu)
    app Mark mentor answer                   a message command on the newest member message here
    as bob                                   act as another member
    show #announcements                      the last messages in a channel, a forum's posts
    threads / open THREAD / reply TEXT       threads you can see; go into one; post there
    files / open FILE                        files you can see; print one (.ics as its events)
    wait 10m / time                          move the sandbox clock (announcements, reminders)
    dms / who / help / quit

Slash commands run in the open channel or thread (``#general`` at first). Modals are asked field
by field. Times are shown in the current member's zone (``/timezone set``), or ``--tz``. It exits
cleanly at end of input, so ``printf '/help\\n' | fmg-bot sandbox`` works in scripts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from bot.config import Settings

DEFAULT_DB = Path("sandbox-data") / "sandbox.sqlite3"
SAMPLE_PROGRAMS = Path(__file__).resolve().parent.parent / "data" / "programs-sample.csv"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"the sandbox's own database file (default: {DEFAULT_DB})")
    parser.add_argument("--as", dest="as_user", default="alice",
                        help="who you are at first: alice, bob, mira (moderator) or ada (admin)")
    parser.add_argument("--tz", default=None,
                        help="show times in this IANA zone (default: each member's own zone)")


def log_to_file(path: Path, level: int) -> None:
    """Every log line (the bot's, discord.py's, localdiscord's) to ``path``, none on the terminal,
    so nothing prints over the prompt."""
    from bot.logs import RedactingFormatter

    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter([]))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # `wait` re-arms the scheduler's timers every sandbox minute; one line each is noise.
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))


async def run_sandbox(settings: Settings, *, db_path: Path = DEFAULT_DB, as_user: str = "alice",
                      tz: str | None = None, stdin: TextIO | None = None,
                      stdout: TextIO | None = None) -> int:
    """Run the prompt until ``quit`` or end of input; returns the exit status."""
    # Imported here: `fmg-bot --help` and the other commands need none of discord.py.
    from localdiscord.driver import DriverError
    from localdiscord.harness import BotHarness
    from localdiscord.sandbox_prompt import Sandbox, SandboxClock, SandboxError
    from localdiscord.spec import spec_available, spec_status

    source: TextIO = stdin or sys.stdin
    out = stdout or sys.stdout
    db_path = db_path.expanduser()
    if db_path.resolve() == Path(settings.database_path).expanduser().resolve():
        print("fmg-bot sandbox: refusing to use DATABASE_PATH; pass --db another file", file=sys.stderr)
        return 2
    try:
        zone = ZoneInfo(tz) if tz else None
    except (ValueError, ZoneInfoNotFoundError):
        print(f"fmg-bot sandbox: unknown time zone {tz!r} (try America/New_York)", file=sys.stderr)
        return 2
    log_path = db_path.parent / "sandbox.log"
    log_to_file(log_path, settings.log_level_number)
    print(f"fmg-bot sandbox: the log is in {log_path}", file=out, flush=True)
    if not spec_available():
        print(f"fmg-bot sandbox: {spec_status()}", file=sys.stderr)
    sandbox_settings = dataclasses.replace(settings, database_path=db_path, discord_token=None,
                                           dev_guild_id=None)
    clock = SandboxClock()
    harness = BotHarness(sandbox_settings, clock, stable_ids=True)
    await harness.start()
    assert harness.bot is not None
    if SAMPLE_PROGRAMS.is_file():  # programs to try /intel on (an upsert: idempotent)
        await harness.bot.services.intel.programs.import_text(SAMPLE_PROGRAMS.read_text("utf-8"))
    interactive = source.isatty()

    async def zone_of(user_id: int) -> str | None:
        assert harness.bot is not None
        return await harness.bot.services.study_groups.timezones.get(user_id)

    sandbox = Sandbox(harness, out, zone, clock=clock, zone_of=zone_of)
    sandbox.user = harness.world.member(as_user) if harness.world else sandbox.user
    loop = asyncio.get_running_loop()

    if interactive and source is sys.stdin:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()

    async def read_line(prompt: str = "") -> str | None:
        """One line; interactive: input() with the prompt; scripted: the line is echoed after
        the prompt so the transcript reads like a session."""
        if interactive and source is sys.stdin:
            try:
                return await loop.run_in_executor(None, input, prompt)
            except EOFError:
                return None
        if interactive:
            print(prompt, end="", file=out, flush=True)
        line = await loop.run_in_executor(None, source.readline)
        if not line:
            return None
        if not interactive and (line.strip() or not prompt.endswith("> ")):
            sandbox.say(prompt + line.rstrip("\n"))
        return line

    if interactive:
        sandbox.say("fmg-bot sandbox: a local Discord server with the real bot (no account needed).")
        sandbox.say(f"You are {sandbox.user.name}. Type help for commands, quit to leave.")
    try:
        while True:
            sandbox.flush_unsolicited()
            line = await read_line(sandbox.prompt)
            if line is None:
                break
            try:
                if not await sandbox.run_line(line, read_line):
                    break
            except (SandboxError, DriverError, KeyError, ValueError, OSError) as exc:
                sandbox.say(f"! {exc.args[0] if exc.args else exc}")
            sandbox.report_violations()
        await asyncio.sleep(0.2)  # let last followups and announcements arrive
        sandbox.flush_unsolicited()
    finally:
        await harness.stop()
    return 0
