"""Fixtures shared by every test layer: a manual clock, settings and a migrated temp database."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database
from tests.pg_server import INSTALL_HINT, PgServer, find_bin

CLOCK_START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TESTS = Path(__file__).resolve().parent


ENGINES = ("sqlite", "postgresql")


def pytest_report_header() -> list[str]:
    """Whether localdiscord adds the spec check (it needs Discord's OpenAPI spec beside us), and
    whether the PostgreSQL tests can start a server."""
    from localdiscord.spec import spec_status

    bin_dir = find_bin()
    return [f"localdiscord: {spec_status()}",
            f"postgresql: {bin_dir if bin_dir else 'skipped: ' + INSTALL_HINT}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `sqlite_only` (it checks SQLite itself: PRAGMAs, its files) runs only with
    the SQLite `db`, one marked `postgresql_only` (what only a server does: LISTEN/NOTIFY) only
    with the PostgreSQL one: the other variant is deselected, not skipped."""
    keep, drop = [], []
    for item in items:
        engine = getattr(getattr(item, "callspec", None), "params", {}).get("db")
        other = {"sqlite": "postgresql_only", "postgresql": "sqlite_only"}.get(engine or "")
        (drop if other and item.get_closest_marker(other) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the session (see tests/pg_server.py)."""
    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip(INSTALL_HINT)
    server = PgServer(bin_dir)
    try:
        server.start()
        server.prepare_template()
        yield server
    finally:
        server.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(CLOCK_START)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return dataclasses.replace(Settings.from_env({}), database_path=tmp_path / "fmg-bot.sqlite3")


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Database]:
    """A migrated database on each engine: SQLite (settings' file) and PostgreSQL (a fresh
    database on the session's server)."""
    server: PgServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        database = await Database.open(await server.checkout())
    else:
        database = await Database.open(settings.database_path)
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()
        if server is not None:
            await server.give_back(database.target)
