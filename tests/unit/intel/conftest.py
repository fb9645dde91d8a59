"""A started program-intel service on the migrated temp database, with the sample programs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.intel import IntelService, Program

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "data" / "programs-sample.csv"
GUILD_A, GUILD_B = 900000000000000001, 900000000000000002
#: Joined long before the tests' clock: old enough to report under any setting used here.
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
MONTEFIORE = "1403521287"


@pytest.fixture(autouse=True)
def key_beside_the_settings_file(db: Database, settings: Settings) -> None:
    """On PostgreSQL the bot passes the key file beside DATABASE_PATH (a server engine has no
    file); these tests build the service directly, so the database gets that anchor here."""
    if db.path is None:
        db.path = settings.database_path


async def started(db: Database, clock: ManualClock) -> IntelService:
    intel = IntelService(db, clock, GuildSettingsService(db, clock))
    await intel.start()
    await intel.programs.import_text(SAMPLE.read_text("utf-8"))
    return intel


@pytest.fixture
async def intel(db: Database, clock: ManualClock) -> AsyncIterator[IntelService]:
    yield await started(db, clock)


@pytest.fixture
async def program(intel: IntelService) -> Program:
    return await intel.programs.get(MONTEFIORE)
