"""Searches that found nothing, counted per server (text only) for /resources gaps."""

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.resources import _gaps
from bot.services.resources._gaps import SearchGaps


async def test_gaps_are_counted_per_server_most_searched_first(db: Database, clock: ManualClock) -> None:
    gaps = SearchGaps(db, clock)
    for text in ("Observership  in Boise", "observership in boise", "Zzqx", "   "):
        await gaps.note(text, guild_id=1)
        clock.advance(timedelta(minutes=1))
    await gaps.note("zzqx", guild_id=2)
    top = await gaps.top(guild_id=1)
    assert [(g.query, g.searches) for g in top] == [("observership in boise", 2), ("zzqx", 1)]
    assert [g.query for g in await gaps.top(guild_id=2)] == ["zzqx"]
    columns = set(await db.columns("resource_search_gaps"))
    assert columns == {"guild_id", "query", "searches", "last_at"}  # never who searched


async def test_a_server_keeps_at_most_max_gaps_the_least_recent_make_room(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_gaps, "MAX_GAPS", 3)
    gaps = SearchGaps(db, clock)
    for n in range(5):
        await gaps.note(f"gap {n}", guild_id=1)
        clock.advance(timedelta(seconds=1))
    assert sorted(g.query for g in await gaps.top(guild_id=1)) == ["gap 2", "gap 3", "gap 4"]


async def test_every_search_is_counted_per_day_text_only_for_a_year(
    db: Database, clock: ManualClock
) -> None:
    gaps = SearchGaps(db, clock)
    await gaps.note("ECFMG  certification", guild_id=1, found=True)
    await gaps.note("ecfmg certification", guild_id=1, found=True)
    await gaps.note("zzqx", guild_id=1)
    await gaps.note("   ", guild_id=1, found=True)
    await gaps.flush()
    rows = await db.fetchall("SELECT query, searches, empty FROM resource_search_days "
                             "WHERE guild_id = 1 ORDER BY query")
    assert [tuple(r) for r in rows] == [("ecfmg certification", 2, 0), ("zzqx", 1, 1)]
    assert [g.query for g in await gaps.top(guild_id=1)] == ["zzqx"]  # found: no gap
    columns = set(await db.columns("resource_search_days"))
    assert columns == {"guild_id", "day", "query", "searches", "empty"}  # never who searched
    clock.advance(timedelta(days=_gaps.KEEP_DAYS + 1))
    await gaps.note("visa", guild_id=1, found=True)
    left = await db.fetchall("SELECT query FROM resource_search_days WHERE guild_id = 1")
    assert [r["query"] for r in left] == ["visa"]


async def _days(db: Database) -> list[tuple[str, int, int]]:
    rows = await db.fetchall("SELECT query, searches, empty FROM resource_search_days "
                             "ORDER BY query")
    return [tuple(r) for r in rows]


async def test_counts_are_gathered_and_written_together(db: Database, clock: ManualClock) -> None:
    """A write transaction per search held the one writer for a statistic: searches within
    FLUSH_EVERY are written in one, the next search after it (or a read of the gaps)."""
    gaps = SearchGaps(db, clock)
    for _ in range(3):
        await gaps.note("visa", guild_id=1, found=True)
        await gaps.note("zzqx", guild_id=1)
    assert await _days(db) == []
    clock.advance(_gaps.FLUSH_EVERY)
    await gaps.note("visa", guild_id=1, found=True)
    assert await _days(db) == [("visa", 4, 0), ("zzqx", 3, 3)]
    await gaps.note("zzqx", guild_id=1)
    assert [(g.query, g.searches) for g in await gaps.top(guild_id=1)] == [("zzqx", 4)]


async def test_many_distinct_searches_are_written_without_waiting(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_gaps, "MAX_PENDING", 3)
    gaps = SearchGaps(db, clock)
    for text in ("one", "two", "three"):
        await gaps.note(text, guild_id=1, found=True)
    assert len(await _days(db)) == 3


async def test_counts_a_failed_write_missed_are_written_next_time(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    gaps = SearchGaps(db, clock)
    await gaps.note("visa", guild_id=1)
    real = gaps._write

    async def refused(pending: object) -> None:
        raise OSError("database unreachable")

    monkeypatch.setattr(gaps, "_write", refused)
    with pytest.raises(OSError):
        await gaps.flush()
    monkeypatch.setattr(gaps, "_write", real)
    await gaps.note("visa", guild_id=1)
    await gaps.flush()
    assert await _days(db) == [("visa", 2, 2)]
