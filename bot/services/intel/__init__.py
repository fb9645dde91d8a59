"""Program intel: what members saw of residency programs this cycle (visa sponsorship, whether
non-US IMGs were interviewed, cutoffs, score bands, invite months), shared as aggregates that
show nothing about a field until enough distinct members reported it.

`IntelService` bundles the parts; the cog talks to them through it. The cog awaits `start()`,
which loads the pseudonym key (see `pseudonyms`) so that a missing or wrong key stops the bot
from starting; any other caller gets the key loaded on first use.
Aggregates are per server: a report counts in the server it was made in, so each server's
moderators answer for the reports they see (their account-age rule, their voiding), and one
member's report, being one row whichever server it came from, counts once.
"""

from __future__ import annotations

from pathlib import Path

from bot.clock import Clock
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.intel._models import (
    FIELD_BY_KEY,
    FIELD_KEYS,
    FIELDS,
    Answers,
    FieldSummary,
    ImportResult,
    MyReport,
    Program,
    ProgramIntel,
    SearchResult,
    cycle_of,
)
from bot.services.intel._store import IntelStore
from bot.services.intel.aggregates import Aggregates, summarise
from bot.services.intel.keys import KeyHolder
from bot.services.intel.privacy import IntelPrivacy
from bot.services.intel.programs import COLUMNS, Programs, parse_programs
from bot.services.intel.pseudonyms import Pseudonyms, key_path
from bot.services.intel.reports import Reports

__all__ = [
    "COLUMNS",
    "FIELDS",
    "FIELD_BY_KEY",
    "FIELD_KEYS",
    "Answers",
    "FieldSummary",
    "ImportResult",
    "IntelService",
    "MyReport",
    "Program",
    "ProgramIntel",
    "Pseudonyms",
    "SearchResult",
    "cycle_of",
    "key_path",
    "parse_programs",
    "summarise",
]


class IntelService:
    def __init__(self, db: Database, clock: Clock, guild_settings: GuildSettingsService,
                 key_file: Path | None = None) -> None:
        """``key_file``: where the pseudonym key lives (default: beside the SQLite file; a
        server engine has no file, so the bot passes one beside DATABASE_PATH)."""
        store = IntelStore(db)
        self._keys = KeyHolder(store, key_file)
        self.programs = Programs(store)
        self.reports = Reports(store, clock, self._keys, guild_settings)
        self.aggregates = Aggregates(store, clock, guild_settings)
        self.privacy = IntelPrivacy(store, self._keys)

    async def start(self) -> None:
        """Load the pseudonym key (created beside the database on first start)."""
        await self._keys.load()
