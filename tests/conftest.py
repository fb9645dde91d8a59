"""Fixtures shared by every test layer: a manual clock, settings and a migrated temp database."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database

CLOCK_START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TESTS = Path(__file__).resolve().parent


def pytest_report_header() -> str:
    """Whether localdiscord adds the spec check (it needs Discord's OpenAPI spec beside us)."""
    from localdiscord.spec import spec_status

    return f"localdiscord: {spec_status()}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(CLOCK_START)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return dataclasses.replace(Settings.from_env({}), database_path=tmp_path / "fmg-bot.sqlite3")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await Database.open(settings.database_path)
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()
