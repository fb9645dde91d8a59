"""Search across processes: each process searches its own in-memory index, built from the
database's rows and rebuilt when the library's version moves, whoever changed the library."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.resources import DEFAULT_CATALOG, ResourceService
from bot.services.resources._index import SearchIndex

GUILD, OTHER = 111, 222
ALICE, MOD = 1001, 9001


@pytest.fixture
async def other_db(db: Database) -> AsyncIterator[Database]:
    """A second connection to the same database: what another bot process has."""
    second = await Database.open(db.target)
    try:
        yield second
    finally:
        await second.close()


async def _urls(library: ResourceService, query: str, guild_id: int) -> list[str]:
    return [h.resource.url for h in (await library.search(query, guild_id=guild_id)).hits]


async def test_a_change_in_one_process_is_searched_at_once_in_the_other(
    db: Database, other_db: Database, clock: ManualClock
) -> None:
    here = ResourceService(db, clock, DEFAULT_CATALOG)
    there = ResourceService(other_db, clock, DEFAULT_CATALOG)
    await here.start()
    await there.start()
    assert await _urls(there, "zanzibar quokka", GUILD) == []
    rid = (await here.listing())[0].id
    await here.edit(rid, {"description": "Zanzibar quokka notes."}, guild_id=GUILD)
    url = (await here.get(rid, guild_id=GUILD)).url
    assert await _urls(there, "zanzibar quokka", GUILD) == [url]
    assert await _urls(there, "zanzibar quokka", OTHER) == []  # still that server's change only
    # an approved suggestion in the other process: a new entry this one finds
    suggestion = await there.suggestions.suggest(
        guild_id=GUILD, user_id=ALICE, title="Kalorama Navigator", reason="",
        url="https://kalorama.example.org/", category="usmle")
    await there.suggestions.approve(suggestion.id, guild_id=GUILD, moderator_id=MOD)
    assert (await _urls(here, "kalorama navigator", GUILD))[0] == "https://kalorama.example.org/"
    assert "https://kalorama.example.org/" not in await _urls(here, "kalorama navigator", OTHER)


async def test_other_writes_to_the_database_do_not_rebuild_the_index(
    db: Database, other_db: Database, clock: ManualClock
) -> None:
    """Another process commits all the time (claims, RSVPs): only a library change rebuilds."""
    library = ResourceService(db, clock, DEFAULT_CATALOG)
    await library.start()
    snapshot = (await library.view(GUILD)).snap
    await GuildSettingsService(other_db, clock).set(GUILD, "moderator_role", 5)
    assert (await library.view(GUILD)).snap is snapshot
    library.changed_elsewhere()  # what a pushed notification (LISTEN/NOTIFY) calls
    assert (await library.view(GUILD)).snap is not snapshot


def test_the_index_rewrites_only_the_rows_whose_text_changed() -> None:
    index = SearchIndex()
    try:
        rows = {1: (0, "USMLE Step 1", "exam", "NBME", "The first step."),
                2: (0, "ERAS", "residency", "AAMC", "Applications."),
                -7: (GUILD, "ERAS tokens", "residency", "AAMC", "Edited here.")}
        assert index.sync(rows) == 3
        assert index.sync(rows) == 0
        assert index.sync({**rows, 2: (0, "ERAS", "residency", "AAMC", "Applications!")}) == 1
        assert index.sync({1: rows[1]}) == 2  # two removed
        assert len(index) == 1
        assert [r for r, _ in index.match('"step"', (0, GUILD), 5)] == [1]
        assert index.match('"eras"', (0, GUILD), 5) == []
    finally:
        index.close()


def test_every_process_corrects_a_typo_the_same_way() -> None:
    """Equally close known words: the planner's choice must not follow the process's string
    hashes (PYTHONHASHSEED differs per process), or two bot processes answer differently."""
    import os
    import subprocess
    import sys

    script = ("from bot.services.resources._query import QueryPlanner\n"
              "p = QueryPlanner({'silent': 1, 'listen': 1, 'enlist': 1, 'inlets': 1})\n"
              "print(p.correct('tinsle'), p.correct('slient'))")
    answers = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env=os.environ | {"PYTHONHASHSEED": str(seed)}).stdout
        for seed in range(1, 7)
    }
    assert answers == {"enlist enlist\n"}
