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


def _needs_localdiscord(item: pytest.Item) -> bool:
    """Tests that run the bot against localdiscord, which validates against Discord's spec."""
    path = Path(str(item.fspath)).resolve()
    if path.is_relative_to(TESTS / "e2e") or path.is_relative_to(TESTS / "localdiscord"):
        return True
    return "localdiscord" in path.read_text("utf-8")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip, with the reason, what needs Discord's OpenAPI spec when ../shared is absent."""
    from localdiscord.spec import SpecMissing, spec_path

    try:
        spec_path()
    except SpecMissing as missing:
        skip = pytest.mark.skip(reason=str(missing))
        for item in items:
            if _needs_localdiscord(item):
                item.add_marker(skip)


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
