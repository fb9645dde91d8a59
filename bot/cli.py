"""`fmg-bot`: run the bot, manage its database (and, from the capabilities, more)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import discord

from bot import __version__
from bot.config import Settings
from bot.db import Database
from bot.db.backup import backup_database, restore_database
from bot.db.deploy import open_migrated
from bot.db.lock import STARTUP_WAIT_S, hold_database_lock, hold_shard_locks
from bot.db.transfer import TableCopy, transfer
from bot.errors import ConfigError, FmgError
from bot.insights_cli import add_stats_command
from bot.logs import setup_logging
from bot.programs_cli import add_programs_commands
from bot.resources_cli import add_resources_commands
from bot.shards import ALL

log = logging.getLogger("bot.cli")

NO_TOKEN = (
    "DISCORD_TOKEN is not set: create a bot at https://discord.com/developers/applications, "
    "put its token in .env (see .env.example), or try the bot offline with `fmg-bot sandbox`."
)


T = TypeVar("T")


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop when it is installed (the `speed` extra), else the stdlib loop. (Imported
    by name: a type checker then passes with and without the extra installed.)"""
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


BAD_TOKEN = "Discord rejected DISCORD_TOKEN: check it in the developer portal."
NO_MEMBERS_INTENT = (
    "MEMBERS_INTENT is on but Discord did not grant the Server Members intent: enable it in the "
    "developer portal (Bot -> Privileged Gateway Intents) or set MEMBERS_INTENT=off."
)


# -- run ------------------------------------------------------------------------------------
#: the exit status of a bot that stopped because it lost its database locks (PostgreSQL)
LOST_LOCKS = 3


async def _run_locked(settings: Settings) -> int:
    # Held until the bot stops: `fmg-bot db restore` refuses while they are taken, and so
    # does another process for the same shards (bot/db/lock.py).
    locks = Database.locks(settings.database)
    async with locks.hold_bot(settings.shards, wait=STARTUP_WAIT_S) as lost:
        return await _run_bot(settings, lost)


async def _run_bot(settings: Settings, lost: asyncio.Event) -> int:
    from bot.factory import create_bot

    assert settings.discord_token is not None
    bot = create_bot(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(settings.discord_token))
        stoppers = {asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())}
        done, _ = await asyncio.wait({runner, *stoppers}, return_when=asyncio.FIRST_COMPLETED)
        for stopper in stoppers:
            stopper.cancel()
        if runner in done:
            runner.result()
            return 0
        # Without its locks another process may take its shards: stop rather than act twice.
        log.info("shutting down")
        await bot.close()
        await runner
    return LOST_LOCKS if lost.is_set() else 0


def cmd_run(settings: Settings, _: argparse.Namespace) -> int:
    if not settings.discord_token:
        print(f"fmg-bot: {NO_TOKEN}", file=sys.stderr)
        return 2
    try:
        return run_async(_run_locked(settings))
    except discord.LoginFailure:
        print(f"fmg-bot: {BAD_TOKEN}", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(f"fmg-bot: {NO_MEMBERS_INTENT}", file=sys.stderr)
        return 1


# -- doctor -------------------------------------------------------------------------------------
def cmd_doctor(settings: Settings, args: argparse.Namespace) -> int:
    from bot import doctor
    from bot.app import bot_intents

    sections = doctor.offline_report(settings, expect_running=args.expect_running)
    if not args.offline:
        try:
            sections += run_async(doctor.online_report(settings, bot_intents(settings.members_intent)))
        except discord.LoginFailure:
            print(f"fmg-bot: {BAD_TOKEN}", file=sys.stderr)
            return 1
        except discord.PrivilegedIntentsRequired:
            print(f"fmg-bot: {NO_MEMBERS_INTENT}", file=sys.stderr)
            return 1
    print(doctor.render(sections))
    return 1 if doctor.has_errors(sections) else 0


# -- db -----------------------------------------------------------------------------------------
async def _migrate(target: Path | str) -> int:
    db, before, after = await open_migrated(target)  # not while a starting bot migrates
    label = db.label
    await db.close()
    state = "up to date" if after == before else f"migrated from {before}"
    print(f"{label}: schema version {after} ({state})")
    return 0


def cmd_db_migrate(settings: Settings, _: argparse.Namespace) -> int:
    return asyncio.run(_migrate(settings.database))


def cmd_db_backup(settings: Settings, args: argparse.Namespace) -> int:
    written = backup_database(settings.database, Path(args.path))
    where = "the PostgreSQL database" if settings.database_url else settings.database_path
    print(f"backed up {where} to {written}")
    return 0


async def _transfer(source: str, target: str, replace: bool) -> list[TableCopy]:
    # Both ends exclusively: refused while a bot runs on either, and no bot starts meanwhile.
    async with Database.locks(source).hold_exclusive(), Database.locks(target).hold_exclusive():
        src = await Database.open(source)
        try:
            dst = await Database.open(target)
            try:
                return await transfer(src, dst, replace=replace)
            finally:
                await dst.close()
        finally:
            await src.close()


def cmd_db_transfer(_: Settings, args: argparse.Namespace) -> int:
    copies = asyncio.run(_transfer(args.source, args.target, args.replace))
    for copy in copies:
        print(f"{copy.table}: {copy.rows} rows, checksum {copy.checksum} (equal on both)")
    print(f"transferred {len(copies)} tables; the search index is rebuilt on the bot's next start")
    return 0


def cmd_db_restore(settings: Settings, args: argparse.Namespace) -> int:
    if settings.database_url:
        raise FmgError("on PostgreSQL, restore a dump with pg_restore (README: Scaling); "
                       "`fmg-bot db restore` restores SQLite files")
    backup = Path(args.path)
    with hold_database_lock(settings.database_path):
        kept = restore_database(backup, settings.database_path)
    print(f"restored {settings.database_path} from {backup}")
    if kept is not None:
        print(f"the previous database is kept as {kept}")
    return 0


# -- sandbox (localdiscord/sandbox.py) -----------------------------------------------------------
def cmd_sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from localdiscord.sandbox import run_sandbox

    # The sandbox's bot holds its database like `fmg-bot run` does (restore refuses meanwhile).
    with hold_shard_locks(args.db.expanduser(), ALL, wait=STARTUP_WAIT_S):
        return run_async(run_sandbox(settings, db_path=args.db, as_user=args.as_user, tz=args.tz))


# -- parser -------------------------------------------------------------------------------------
Handler = Callable[[Settings, argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fmg-bot",
        description="A Discord community bot for foreign medical graduates. "
        "Configuration comes from the environment and .env (see .env.example).",
    )
    parser.add_argument("--version", action="version", version=f"fmg-bot {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="connect to Discord with DISCORD_TOKEN")
    run.set_defaults(handler=cmd_run)

    db = commands.add_parser("db", help="manage the database (DATABASE_PATH)")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND", required=True)
    migrate = db_commands.add_parser("migrate", help="apply pending schema migrations")
    migrate.set_defaults(handler=cmd_db_migrate)
    backup = db_commands.add_parser(
        "backup", help="write a consistent copy of the database, safe while the bot runs"
    )
    backup.add_argument("path", help="the backup file to write")
    backup.set_defaults(handler=cmd_db_backup)
    restore = db_commands.add_parser(
        "restore",
        help="replace the database with a backup (the bot must be stopped); "
        "the old file is kept as .before-restore",
    )
    restore.add_argument("path", help="the backup file to restore")
    restore.set_defaults(handler=cmd_db_restore)
    transfer = db_commands.add_parser(
        "transfer", help="copy a whole database to another engine, e.g. SQLite to PostgreSQL "
        "(the bot must be stopped)",
    )
    transfer.add_argument("source", help="an SQLite file or a postgresql:// URL")
    transfer.add_argument("target", help="an SQLite file or a postgresql:// URL")
    transfer.add_argument("--replace", action="store_true",
                          help="delete what the target holds first (refused otherwise)")
    transfer.set_defaults(handler=cmd_db_transfer)

    doctor = commands.add_parser(
        "doctor", help="check the configuration, the database and each server's setup"
    )
    doctor.add_argument(
        "--offline", action="store_true", help="skip connecting to Discord (config, database, backups)"
    )
    doctor.add_argument(
        "--expect-running", action="store_true",
        help="fail when the bot is not running (for container health checks)",
    )
    doctor.set_defaults(handler=cmd_doctor)

    from localdiscord.sandbox import add_arguments as sandbox_arguments

    sandbox = commands.add_parser(
        "sandbox", help="try the bot offline: a local Discord server, seeded members and a prompt"
    )
    sandbox_arguments(sandbox)
    sandbox.set_defaults(handler=cmd_sandbox)

    add_resources_commands(commands)
    add_programs_commands(commands)
    add_stats_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env()
        setup_logging(settings.log_level, secrets=[settings.discord_token or ""])
        return handler(settings, args)
    except ConfigError as exc:
        print(f"fmg-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    except FmgError as exc:
        print(f"fmg-bot: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
