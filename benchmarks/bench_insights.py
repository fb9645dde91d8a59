"""Moderator insights (`/stats`) on a large server: every topic's figures over all time, and
the four charts.

The server: 1,000 mentors, 10,000 mentees, 10,000 requests (half accepted, half ran out of
candidates after 3 offers each), 5,000 pairings (half ended with a rating), 2,000 study
sessions with 30 RSVPs each, 10,000 anonymous questions over 30 topics, and a year of searches
(300 distinct texts a day). `--quick` uses a fifth of it.

- figures: `InsightsService.topic` for the four topics, all time (the SQL runs on the event
  loop; the hard-constraint checks behind "why it ran out" in a thread). Baseline: one
  `count(*)` per table the figures read, the floor of any query over them. Target < 2 s.
- charts: rendering each of the four PNGs (matplotlib Agg, in a thread in the bot), after a
  first chart that pays matplotlib's import: the slowest. Target < 1 s.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.bench_matching import mentees, mentors
from benchmarks.figures import Figure
from bot.clock import ManualClock, to_epoch
from bot.db import Database
from bot.services.insights import TOPICS, InsightsService
from bot.services.insights.charts import chart
from bot.services.mentoring import MentoringService

G = 1
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
TABLES = ("mentors", "mentees", "mentor_requests", "mentor_offers", "mentor_pairings",
          "study_occurrences", "study_rsvps", "anon_questions", "resource_search_days")


async def _seed(db: Database, scale: float, rng: random.Random) -> None:
    now = to_epoch(NOW)
    n_mentors, n_mentees = int(1000 * scale), int(10_000 * scale)
    await db.executemany(
        "INSERT INTO mentors (id, guild_id, user_id, specialties, visas, stage, languages, "
        "timezone, capacity, active, bio, status, paused, created_at, updated_at) "
        "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, '', 'approved', ?, 0, 0)",
        [(m.id, m.user_id, ",".join(m.specialties), ",".join(m.visas), m.stage,
          ",".join(m.languages), m.timezone, m.capacity, m.active, int(m.paused))
         for m in mentors(n_mentors, rng)])
    await db.executemany(
        "INSERT INTO mentees (id, guild_id, user_id, specialty, visa, stage, languages, "
        "timezone, goals, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, '', 0, 0)",
        [(e.id, e.user_id, e.specialty, e.visa, e.stage, ",".join(e.languages), e.timezone)
         for e in mentees(n_mentees, rng)])
    requests, offers, pairings = [], [], []
    for rid in range(1, n_mentees + 1):
        created = now - rng.randint(3600, 365 * 86_400)
        status = "accepted" if rid % 2 else "exhausted"
        requests.append((rid, rid, status, created, created + rng.randint(60, 3 * 86_400)))
        tried = rng.sample(range(1, n_mentors + 1), 3)
        offers += [(rid, mid, "declined") for mid in tried]
        if status == "accepted":
            ended = rid % 4 == 1
            pairings.append((tried[0], rid, rid, "ended" if ended else "active", created,
                             created + 86_400 if ended else None,
                             rng.randint(1, 5) if ended else None))
    await db.executemany("INSERT INTO mentor_requests (id, guild_id, mentee_id, status, "
                         "created_at, closed_at) VALUES (?, 1, ?, ?, ?, ?)", requests)
    await db.executemany("INSERT INTO mentor_offers (request_id, mentor_id, status, offered_at, "
                         "expires_at) VALUES (?, ?, ?, 0, 0)", offers)
    await db.executemany("INSERT INTO mentor_pairings (guild_id, mentor_id, mentee_id, "
                         "request_id, status, started_at, ended_at, rating) "
                         "VALUES (1, ?, ?, ?, ?, ?, ?, ?)", pairings)
    await db.execute("INSERT INTO study_groups (id, guild_id, name, topic, owner_id, created_at) "
                     "VALUES (1, 1, 'Step 2 crew', 'step2ck', 1, 0)")
    await db.execute("INSERT INTO study_series (id, group_id, title, zone, first_local, "
                     "duration_minutes, created_by, created_at, materialized_until) "
                     "VALUES (1, 1, 'Weekly', 'UTC', '2025-01-01T19:00', 60, 1, 0, 0)")
    n_sessions = int(2000 * scale)
    await db.executemany("INSERT INTO study_occurrences (id, series_id, starts_at, ends_at) "
                         "VALUES (?, 1, ?, ?)",
                         [(i, now - i * 3600 * 4, now - i * 3600 * 4 + 3600)
                          for i in range(1, n_sessions + 1)])
    await db.executemany("INSERT INTO study_rsvps (occurrence_id, user_id, choice, updated_at) "
                         "VALUES (?, ?, ?, 0)",
                         [(i, u, rng.choice(("going", "maybe", "no")))
                          for i in range(1, n_sessions + 1) for u in range(30)])
    await db.executemany(
        "INSERT INTO anon_questions (guild_id, number, title, body, tag, code_salt, code_hash, "
        "state, closed, mentor_answer_message_id, published_at) "
        "VALUES (1, ?, 't', 'b', ?, x'00', x'00', 'published', ?, ?, ?)",
        [(n, f"topic {n % 30}", n % 3 == 0, n if n % 5 == 0 else None,
          now - rng.randint(0, 365 * 86_400)) for n in range(1, int(10_000 * scale) + 1)])
    today = now // 86_400
    await db.executemany(
        "INSERT INTO resource_search_days (guild_id, day, query, searches, empty) "
        "VALUES (1, ?, ?, ?, ?)",
        [(today - d, f"query {q}", 1 + q % 7, q % 2) for d in range(int(365 * scale))
         for q in range(300)])


async def run(quick: bool) -> list[Figure]:
    rng = random.Random(20)
    scale = 0.2 if quick else 1.0
    clock = ManualClock(NOW)
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        try:
            await db.migrate()
            await _seed(db, scale, rng)
            mentoring = MentoringService(db, clock, request_timeout=timedelta(hours=72))
            insights = InsightsService(db, clock, mentoring)
            period = insights.period(None)
            started = time.perf_counter()
            for table in TABLES:
                await db.fetchval(f"SELECT count(*) FROM {table}")  # fixed names
            floor_s = time.perf_counter() - started
            started = time.perf_counter()
            figures = [await insights.topic(t, G, period) for t in TOPICS]
            figures_s = time.perf_counter() - started
        finally:
            await db.close()
    chart(figures[0])  # matplotlib's import and font cache: once per process
    seconds = []
    for found in figures:
        started = time.perf_counter()
        chart(found)
        seconds.append(time.perf_counter() - started)
    slowest = max(seconds)
    size = "1/5 server" if quick else "10,000 mentees"
    return [
        Figure("stats_figures_s", figures_s, "s", target=f"< 2 s ({size})", ok=figures_s < 2.0,
               baseline=floor_s, baseline_label="count(*) of each table"),
        Figure("stats_chart_max_s", slowest, "s", target="< 1 s (slowest of 4)", ok=slowest < 1.0,
               note="charts: " + ", ".join(f"{t} {s:.2f} s" for t, s in zip(TOPICS, seconds,
                                                                              strict=True))),
    ]
