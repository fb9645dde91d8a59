"""Search across processes: each process searches its own in-memory index, built from the
database's rows and rebuilt when the library's version moves, whoever changed the library."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.db._postgres import Follower
from bot.services.guild_settings import GuildSettingsService
from bot.services.resources import DEFAULT_CATALOG, ResourceService
from bot.services.resources._index import SearchIndex
from bot.services.resources._service import LIBRARY_VERSION

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
    there = ResourceService(other_db, clock)
    await there.start()
    await there.edit((await there.listing())[0].id, {"description": "Edited."}, guild_id=GUILD)
    await _pushed(db)
    assert (await library.view(GUILD)).snap is not snapshot


async def _pushed(db: Database) -> None:
    """On PostgreSQL a NOTIFY reaches the listening session a moment after the COMMIT: wait
    for it as a member's next command would (a round trip on the listening side suffices)."""
    if db.dialect.name == "postgresql":
        await asyncio.sleep(0.2)


class _CountingVersionReads:
    """Counts the library-version SELECTs a database answers."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads = 0
        original = db.fetchval

        async def fetchval(sql: str, params: Sequence[object] = ()) -> object:
            self.reads += sql == LIBRARY_VERSION
            return await original(sql, params)

        monkeypatch.setattr(db, "fetchval", fetchval)


@pytest.mark.postgresql_only
async def test_postgresql_pushes_changes_so_searches_do_not_ask_for_the_version(
    db: Database, other_db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = ResourceService(db, clock, DEFAULT_CATALOG)
    there = ResourceService(other_db, clock)
    await here.start()
    await there.start()
    await _urls(here, "usmle", GUILD)
    counting = _CountingVersionReads(db, monkeypatch)
    for _ in range(5):
        await _urls(here, "usmle", GUILD)
    assert counting.reads == 0
    rid = (await there.listing())[0].id
    await there.edit(rid, {"description": "Wombat ledger."}, guild_id=GUILD)
    await _pushed(db)
    assert await _urls(here, "wombat ledger", GUILD) == [(await here.get(rid, guild_id=GUILD)).url]


@pytest.mark.postgresql_only
async def test_while_the_listening_session_is_lost_searches_poll_and_then_follow_again(
    db: Database, other_db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notices sent while nobody listens are lost: the library must not trust its snapshot
    then (it asks for the version), and must listen again once the server lets it."""
    monkeypatch.setattr(Follower, "RETRY_S", 0.5)
    here = ResourceService(db, clock, DEFAULT_CATALOG)
    there = ResourceService(other_db, clock)
    await here.start()
    await there.start()
    counting = _CountingVersionReads(db, monkeypatch)
    killed = await other_db.fetchval(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' "
        "AND datname = current_database()")
    assert killed >= 1
    for _ in range(100):  # the session's end reaches the client a moment later
        await asyncio.sleep(0.01)
        await _urls(here, "usmle", GUILD)
        if counting.reads:
            break
    assert counting.reads >= 1  # polling while deaf
    rid = (await there.listing())[0].id
    await there.edit(rid, {"description": "Quokka abacus."}, guild_id=GUILD)
    url = (await here.get(rid, guild_id=GUILD)).url
    assert await _urls(here, "quokka abacus", GUILD) == [url]  # seen by the poll
    for _ in range(300):  # listening again after RETRY_S
        await asyncio.sleep(0.01)
        if counting.reads and await _listening_again(here):
            break
    await _urls(here, "quokka abacus", GUILD)  # one rebuild: notices may have been missed
    reads = counting.reads
    for _ in range(3):
        await _urls(here, "quokka abacus", GUILD)
    assert counting.reads == reads  # pushed again, not polled
    await there.edit(rid, {"description": "Narwhal rota."}, guild_id=GUILD)
    await _pushed(db)
    assert await _urls(here, "narwhal rota", GUILD) == [url]


async def _listening_again(library: ResourceService) -> bool:
    following = library._following
    return following is not None and following.live


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
