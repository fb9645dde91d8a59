"""`fmg-bot stats`, run as a moderator would from a terminal (a real subprocess)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from bot.clock import to_epoch
from bot.db import Database
from bot.services.insights import TOPICS
from bot.services.insights.charts import HEIGHT, WIDTH
from tests.integration.test_resources_cli import fmg_bot
from tests.unit.insights.seed import OTHER, G, seed


async def _seeded(path: Path) -> None:
    db = await Database.open(path)
    try:
        await db.migrate()
        now = datetime.now(UTC)
        await seed(db, now)
        await db.execute(
            "INSERT INTO resource_search_days (guild_id, day, query, searches, empty) "
            "VALUES (?, ?, ?, 1, 1)", (G, to_epoch(now) // 86_400, "clear\x1b[2Jscreen"),
        )
    finally:
        await db.close()


def test_stats_prints_json_and_writes_the_charts(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    asyncio.run(_seeded(database))
    env = {"DATABASE_PATH": str(database)}
    out = tmp_path / "charts"
    result = fmg_bot("stats", "--guild", str(G), "--json", "--out", str(out), env=env,
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [server] = json.loads(result.stdout)
    assert server["guild_id"] == G
    assert (server["mentoring"]["waiting"], server["mentoring"]["free_slots"]) == (4, 2)
    assert server["mentoring"]["ran_out_reasons"] == {"no_language": 1, "paused": 1}
    assert server["anonymous"]["topics"][0] == {"topic": "visa", "asked": 3, "answered": 2,
                                                "by_mentor": 1}
    assert server["resources"]["searches"] == 11
    for topic in TOPICS:
        with Image.open(out / f"stats-{G}-{topic}.png") as image:
            assert image.size == (WIDTH, HEIGHT)

    text = fmg_bot("stats", "--period", "all", env=env, cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert f"== server {G} · all time ==" in text.stdout
    assert f"== server {OTHER} · all time ==" in text.stdout  # every server with data
    assert "Resource searches" in text.stdout and "• clear[2Jscreen: 1" in text.stdout
    assert "\x1b" not in text.stdout  # member text cannot drive the terminal
    refused = fmg_bot("stats", "--period", "14", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "invalid choice" in refused.stderr
