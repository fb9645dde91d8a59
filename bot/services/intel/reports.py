"""Reporting: one report per member, program and cycle, made, changed or withdrawn by that
member; voided per program and cycle by a server's moderators.

Only members who have been in the server for the server's minimum days may report (new
accounts made to push an aggregate wait first). The report is kept under the member's
pseudonym (`pseudonyms`), counted in the server it was last made in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import Forbidden, InvalidInput
from bot.services.guild_settings import GuildSettingsService
from bot.services.intel._models import (
    DEFAULT_MIN_DAYS,
    FIELD_BY_KEY,
    FIELD_KEYS,
    Answers,
    MyReport,
    Program,
    cycle_of,
)
from bot.services.intel._store import IntelStore
from bot.services.intel.keys import KeyHolder


def clean_answers(answers: Mapping[str, str | None]) -> Answers:
    """Only the fixed fields with one of their answers; "unknown" and empty mean not said."""
    unknown = set(answers) - set(FIELD_KEYS)
    if unknown:
        raise InvalidInput(f"A report has no field {sorted(unknown)[0]!r}.")
    cleaned: Answers = {}
    for key in FIELD_KEYS:
        value = answers.get(key)
        if value in (None, "", "unknown"):
            cleaned[key] = None
        elif value in FIELD_BY_KEY[key].answers:
            cleaned[key] = value
        else:
            raise InvalidInput(f"{value!r} is not an answer to {FIELD_BY_KEY[key].label}.")
    if all(v is None for v in cleaned.values()):
        raise InvalidInput("Choose at least one answer you know: a report of only "
                           "\"I don't know\" says nothing.")
    return cleaned


class Reports:
    def __init__(self, store: IntelStore, clock: Clock, keys: KeyHolder,
                 guild_settings: GuildSettingsService) -> None:
        self._store = store
        self._clock = clock
        self._keys = keys
        self._settings = guild_settings

    async def _reporter(self, user_id: int, program: Program, cycle: int) -> str:
        return (await self._keys.get()).of(user_id, program.program_id, cycle)

    async def min_days(self, guild_id: int) -> int:
        value = (await self._settings.get(guild_id)).get("intel_min_days")
        return DEFAULT_MIN_DAYS if value is None else int(value)

    async def check_may_report(self, guild_id: int, joined_at: datetime | None) -> None:
        """Refuse a member who joined the server fewer than the server's minimum days ago."""
        days = await self.min_days(guild_id)
        if joined_at is None or self._clock.now() - joined_at < timedelta(days=days):
            raise Forbidden(f"You can report once you have been in this server for {days} days: "
                            "this keeps new accounts from swaying what everyone sees.")

    async def mine(self, user_id: int, program: Program) -> Answers | None:
        """The member's current answers for this cycle (to fill the form), if they reported."""
        reporter = await self._reporter(user_id, program, cycle_of(self._clock.now()))
        found = await self._store.report(reporter)
        return None if found is None else found[1]

    async def submit(self, guild_id: int, user_id: int, program: Program,
                     answers: Mapping[str, str | None], joined_at: datetime | None) -> MyReport:
        """Make or replace the member's report on ``program`` for the current cycle."""
        cleaned = clean_answers(answers)
        await self.check_may_report(guild_id, joined_at)
        cycle = cycle_of(self._clock.now())
        reporter = await self._reporter(user_id, program, cycle)
        async with self._store.db.transaction():
            before = await self._store.report(reporter)
            await self._store.save_report(reporter, guild_id, program.program_id, cycle, cleaned)
        return MyReport(program, cycle, cleaned, moved=before is not None and before[0] != guild_id)

    async def withdraw(self, user_id: int, program: Program) -> bool:
        """Remove the member's report on ``program`` for the current cycle (from whichever
        server it counts in); False when there was none."""
        reporter = await self._reporter(user_id, program, cycle_of(self._clock.now()))
        gone = await self._store.delete_reports([reporter])
        await self._store.db.truncate_wal()
        return gone > 0

    async def void(self, guild_id: int, program: Program, cycle: int | None = None) -> int:
        """Moderators: delete every report on ``program`` counted in this server for ``cycle``
        (default: the current one). The caller checks the moderator's rights. Returns the
        cycle voided; how many reports went is not said (it may be fewer than k)."""
        current = cycle_of(self._clock.now())
        cycle = current if cycle is None else cycle
        if not current - 5 <= cycle <= current:
            raise InvalidInput(f"Choose a cycle from {current - 5} to {current}.")
        await self._store.void(guild_id, program.program_id, cycle)
        await self._store.db.truncate_wal()
        return cycle
