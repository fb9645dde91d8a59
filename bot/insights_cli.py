"""`fmg-bot stats`: the figures of `/stats` from a terminal, as text or JSON, and the charts as
PNG files. Read-only, like `/stats` (it applies pending migrations first, as every command does)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import unicodedata
from datetime import timedelta
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.services.insights import TOPICS, Insights, InsightsService, as_json, lines
from bot.services.insights.charts import chart
from bot.services.mentoring import MentoringService

PERIODS = {"7": 7, "30": 30, "90": 90, "all": None}


async def _gather(settings: Settings, guild: int | None, days: int | None) -> list[Insights]:
    db = await Database.open(settings.database_path)
    try:
        await db.migrate()
        clock = SystemClock()
        mentoring = MentoringService(
            db, clock, request_timeout=timedelta(hours=settings.mentor_request_timeout_hours))
        insights = InsightsService(db, clock, mentoring)
        period = insights.period(days)
        guilds = [guild] if guild is not None else await insights.guild_ids()
        return [await insights.all(g, period) for g in guilds]
    finally:
        await db.close()


def _printable(text: str) -> str:
    """Member text on a terminal: no control characters (escape sequences), no invisible ones."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    found = asyncio.run(_gather(settings, args.guild, PERIODS[args.period]))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for insights in found:
            for topic in TOPICS:
                path = args.out / f"stats-{insights.guild_id}-{topic}.png"
                path.write_bytes(chart(getattr(insights, topic)))
                print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps([as_json(i) for i in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("No server has any data yet.")
    for insights in found:
        print(f"== server {insights.guild_id} · {insights.mentoring.period.label} ==")
        for topic, label in TOPICS.items():
            print(f"\n{label}")
            print("\n".join(lines(getattr(insights, topic), clean=_printable)))
        print()
    return 0


def _guild(raw: str) -> int:
    if not raw.isdigit():
        raise argparse.ArgumentTypeError("must be a server (guild) id, e.g. 123456789012345678")
    return int(raw)


def add_stats_command(commands: argparse._SubParsersAction) -> None:
    """Add `stats` to the `fmg-bot` parser."""
    stats = commands.add_parser(
        "stats", help="moderator insights: mentoring, study groups, questions and searches")
    stats.add_argument("--guild", type=_guild, default=None, metavar="ID",
                       help="one server (default: every server with data)")
    stats.add_argument("--period", choices=list(PERIODS), default="30",
                       help="the last 7, 30 or 90 days, or all time (default 30)")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    stats.add_argument("--out", type=Path, default=None, metavar="DIR",
                       help="also write each topic's chart as DIR/stats-SERVER-TOPIC.png")
    stats.set_defaults(handler=cmd_stats)
