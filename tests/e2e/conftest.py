"""End-to-end fixtures: localdiscord plus the real bot from ``bot.factory.create_bot``.

    async def test_help(discord, alice):
        reply = await discord.invoke("help", user=alice)
        assert reply.ephemeral

- ``e2e``: the ``BotHarness`` (``.server``, ``.bot``, ``.world``, ``.restart_bot()``,
  ``.set_setting(key, value)``); the bot uses the ``settings`` (temp DB) and ``clock``
  (ManualClock) fixtures, and the server shares that clock.
- ``discord``: the driver (``invoke``, ``autocomplete``, ``click``, ``select``, ``submit_modal``,
  ``messages_in``, ``threads_in``, ``dms_of``, ``wait_for_message``).
- ``alice``, ``bob`` (members), ``mira`` (Moderators role, configured as the moderator role),
  ``ada`` (administrator, owner); ``channels`` (general, announcements, anonymous, mod_review,
  forum, voice); ``roles`` (moderators, admins, mentors).

Every request the bot makes is validated against Discord's OpenAPI spec and limits. A test
fails at teardown if any violation or unknown route was recorded; a test that provokes one on
purpose wraps it in ``with e2e.server.expect_violation("text"):`` (or asserts on
``e2e.server.violations`` and then calls ``e2e.server.clear_problems()``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from localdiscord.driver import Driver
from localdiscord.harness import BotHarness
from localdiscord.seed import User

#: The representative part of the e2e layer that also runs with the bot on PostgreSQL (the whole
#: layer runs on SQLite): each capability's main flows through the real bot.
ON_POSTGRESQL = {"test_foundation", "test_mentoring", "test_study_groups", "test_journey",
                 "test_notices", "test_anonymous", "test_due_work"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.module.__name__.rsplit(".", 1)[-1] in ON_POSTGRESQL \
            and "settings" in metafunc.fixturenames:
        metafunc.parametrize("engine", ["sqlite", "postgresql"])


@pytest.fixture
def engine() -> str:
    """The bot's database engine: SQLite, or both for the modules in ON_POSTGRESQL."""
    return "sqlite"


@pytest.fixture
async def settings(settings: Settings, engine: str, request: pytest.FixtureRequest) -> Settings:
    if engine == "sqlite":
        return settings
    server = request.getfixturevalue("pg_server")
    return dataclasses.replace(settings, database_url=await server.new_database(migrated=False))


@pytest.fixture
async def e2e(settings: Settings, clock: ManualClock) -> AsyncIterator[BotHarness]:
    harness = await BotHarness(settings, clock).start()
    try:
        yield harness
    finally:
        await harness.stop()
    problems = harness.problems()
    if problems:
        pytest.fail("localdiscord recorded requests Discord would refuse:\n" + "\n".join(problems))


@pytest.fixture
def discord(e2e: BotHarness) -> Driver:
    assert e2e.discord is not None
    return e2e.discord


def _member(e2e: BotHarness, name: str) -> User:
    assert e2e.world is not None
    return e2e.world.member(name)


@pytest.fixture
def alice(e2e: BotHarness) -> User:
    return _member(e2e, "alice")


@pytest.fixture
def bob(e2e: BotHarness) -> User:
    return _member(e2e, "bob")


@pytest.fixture
def mira(e2e: BotHarness) -> User:
    return _member(e2e, "mira")


@pytest.fixture
def ada(e2e: BotHarness) -> User:
    return _member(e2e, "ada")


@pytest.fixture
def channels(e2e: BotHarness) -> SimpleNamespace:
    assert e2e.world is not None
    return SimpleNamespace(**e2e.world.channels)


@pytest.fixture
def roles(e2e: BotHarness) -> SimpleNamespace:
    assert e2e.world is not None
    return SimpleNamespace(**e2e.world.roles)
