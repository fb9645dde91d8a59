"""`fmg-bot programs import FILE.csv`: load residency programs for program intel.

The CSV's columns are documented in `bot.services.intel.programs` and README (Program intel).
It opens the configured database and applies pending migrations first (as the bot does on
start), so it works on a fresh checkout and beside a running bot.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.errors import FmgError
from bot.services.guild_settings import GuildSettingsService
from bot.services.intel import COLUMNS, ImportResult, IntelService, key_path


async def _import(settings: Settings, text: str) -> ImportResult:
    db = await Database.open(settings.database)
    try:
        await db.migrate()
        clock = SystemClock()
        intel = IntelService(db, clock, GuildSettingsService(db, clock),
                             key_path(settings.database_path))
        return await intel.programs.import_text(text)
    finally:
        await db.close()


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FmgError(f"cannot read {path}: {exc}") from None
    try:
        result = asyncio.run(_import(settings, text))
    except FmgError as exc:
        raise FmgError(f"{path}: {exc}; nothing was imported") from None
    print(f"{path}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged "
          "(programs not in the file are kept)")
    return 0


def add_programs_commands(commands: argparse._SubParsersAction) -> None:
    """Add `programs import` to the `fmg-bot` parser."""
    programs = commands.add_parser("programs", help="load residency programs for /intel")
    sub = programs.add_subparsers(title="programs commands", metavar="PROGRAMS_COMMAND",
                                  required=True)
    load = sub.add_parser("import", help="add or update programs from a CSV file (by ACGME id)")
    load.add_argument("file", help=f"a CSV with a header row: {', '.join(COLUMNS)} "
                                   "(see data/programs-sample.csv)")
    load.set_defaults(handler=cmd_import)
