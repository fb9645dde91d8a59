"""The servers a process acts for: Discord's shard formula, in Python and in SQL."""

from __future__ import annotations

import sqlite3

import pytest

from bot.shards import ShardScope

GUILDS = [0, 1 << 22, 2 << 22, 3 << 22, 4 << 22, 1_100_000_000_000_000_000,
          1_200_000_000_000_000_001, 9_223_372_036_854_775_807]


def test_a_guild_belongs_to_the_shard_discord_routes_it_to() -> None:
    scope = ShardScope(4, (1, 3))
    assert [scope.holds(g) for g in GUILDS[:5]] == [False, True, False, True, False]
    assert scope.shard_of(GUILDS[5]) == (GUILDS[5] >> 22) % 4
    # global rows (guild 0) belong to whoever holds shard 0
    assert ShardScope(4, (0,)).holds(0) and not scope.global_work


@pytest.mark.parametrize("ids", [(0,), (1, 2), (3,), (0, 1, 2, 3)])
def test_the_sql_condition_selects_the_same_guilds_as_python(ids: tuple[int, ...]) -> None:
    scope = ShardScope(4, ids)
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE t (guild_id INTEGER NOT NULL)")
        conn.executemany("INSERT INTO t VALUES (?)", [(g,) for g in GUILDS])
        got = sorted(r[0] for r in conn.execute(f"SELECT guild_id FROM t WHERE {scope.where()}"))
    assert got == sorted(g for g in GUILDS if scope.holds(g))
    assert got  # every choice above holds at least one of the sample guilds


@pytest.mark.parametrize(("count", "ids"), [(4, (4,)), (4, (1, 1)), (0, (0,)), (2, ())])
def test_shards_that_cannot_exist_are_refused(count: int, ids: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        ShardScope(count, ids)
