"""The one outbox at scale with study-group announcements: 10,000 sessions / 30,000 rows.

- start-up rebuild: open the database and compute when the outbox is next due, which is all
  `scheduler.register` does (the timers live in the rows). Baseline, same run: the naive
  design of one APScheduler job per outbox row, rebuilt from the same rows.
- lateness under a burst: 500 announcements fall due in the same second; the real Scheduler
  (APScheduler, system clock) fires, the outbox claims and sends them through a sender that
  takes 5 ms like a fast Discord round trip. Lateness = time the send completed - due time.
- memory: resident-set growth of the rebuild, ours vs the job-per-row baseline.

Scheduled events are left out (no Discord here); they are one more query per run.
"""

from __future__ import annotations

import asyncio
import gc
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from benchmarks.figures import Figure, percentile
from bot.clock import SystemClock
from bot.db import Database
from bot.outbox import SOURCE_NAME, DueItem, Outbox, Receipt
from bot.scheduler import Scheduler
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups import KINDS, StudyGroupService
from bot.services.study_groups.models import OutgoingMessage
from bot.services.study_groups.outbox import ANNOUNCE, lead_sql

GUILD, CHANNEL, OWNER = 900000000000000001, 900000000000000002, 4242
ZONE = "America/New_York"
LEADS = (86400, 900, 0)
BURST = 500
SEND_LATENCY = 0.005


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _populate(path: Path, sessions: int) -> list[int]:
    """One group with ``sessions`` one-off sessions over the next month, 3 outbox rows each.
    Returns the ids of BURST rows (one per session) that the burst will make due."""
    db = await Database.open(path)
    try:
        await db.migrate()
        now = int(time.time())
        zone = ZoneInfo(ZONE)
        first = now + 2 * 86400  # every row is comfortably in the future
        spacing = max(1, 30 * 86400 // sessions)
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO guild_settings (guild_id, key, value, updated_at) VALUES (?, ?, ?, ?)",
                (GUILD, "announcements_channel", str(CHANNEL), now),
            )
            group_id = await tx.fetchval(
                "INSERT INTO study_groups (guild_id, name, topic, owner_id, created_at) "
                "VALUES (?, 'Bench', 'Other', ?, ?) RETURNING id",
                (GUILD, OWNER, now),
            )
            starts = [first + i * spacing for i in range(sessions)]
            walls = [
                datetime.fromtimestamp(s, UTC).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
                for s in starts
            ]
            await tx.executemany(
                "INSERT INTO study_series (id, group_id, title, zone, first_local, duration_minutes, "
                "created_by, created_at, materialized_until, exhausted) "
                "VALUES (?, ?, ?, ?, ?, 60, ?, ?, ?, 1)",
                [(i + 1, group_id, f"Session {i}", ZONE, walls[i], OWNER, now, s + 1)
                 for i, s in enumerate(starts)],
            )
            await tx.executemany(
                "INSERT INTO study_occurrences (id, series_id, starts_at, ends_at) VALUES (?, ?, ?, ?)",
                [(i + 1, i + 1, s, s + 3600) for i, s in enumerate(starts)],
            )
            await tx.executemany(
                "INSERT INTO outbox (kind, guild_id, ref_id, data, due_at, next_attempt_at, "
                "nonce, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(ANNOUNCE, GUILD, i + 1, json.dumps({"lead": lead}), s - lead, s - lead,
                  f"bench{i}-{lead}", f"{i + 1}:0:{lead}")
                 for i, s in enumerate(starts) for lead in LEADS],
            )
        rows = await db.fetchall(
            f"SELECT id FROM outbox WHERE {lead_sql(db.dialect)} = 900 ORDER BY id LIMIT ?", (BURST,)
        )
        return [r["id"] for r in rows]
    finally:
        await db.close()


class _Sender:
    def __init__(self, expected: int) -> None:
        self.done: dict[int, float] = {}
        self.expected = expected
        self.finished = asyncio.Event()

    async def send(self, item: DueItem, message: OutgoingMessage) -> Receipt:
        await asyncio.sleep(SEND_LATENCY)
        self.done[message.outbox_id] = time.time()
        if len(self.done) >= self.expected:
            self.finished.set()
        return Receipt(message.outbox_id, channel_id=message.channel_id)


async def _job_per_row_baseline(path: Path) -> tuple[float, float, int]:
    """Rebuild the naive way: one APScheduler job per pending row. (seconds, RSS MiB, jobs)"""
    gc.collect()
    rss_before = _rss_mib()
    started = time.perf_counter()
    db = await Database.open(path)
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start(paused=True)
    try:
        rows = await db.fetchall(
            "SELECT id, next_attempt_at FROM outbox WHERE state = 'pending'"
        )
        for row in rows:
            scheduler.add_job(
                _noop, DateTrigger(run_date=datetime.fromtimestamp(row[1], UTC), timezone=UTC),
                id=f"outbox-{row[0]}", misfire_grace_time=None,
            )
        elapsed = time.perf_counter() - started
        rss = _rss_mib() - rss_before
        return elapsed, rss, len(rows)
    finally:
        scheduler.shutdown(wait=False)
        await db.close()


def _noop() -> None:
    """The baseline's jobs never run."""


async def run(quick: bool) -> list[Figure]:
    sessions = 2000 if quick else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        burst_ids = await _populate(path, sessions)
        clock = SystemClock()

        gc.collect()
        rss_before = _rss_mib()
        started = time.perf_counter()
        db = await Database.open(path)
        await db.migrate()
        outbox = Outbox(db, clock)
        StudyGroupService(db, clock, GuildSettingsService(db, clock), outbox=outbox)
        sender = _Sender(len(burst_ids))
        for kind in KINDS:
            outbox.attach_sender(kind, sender)
        first_due = await outbox.next_due()
        rebuild_s = time.perf_counter() - started
        rebuild_rss = _rss_mib() - rss_before
        assert first_due is not None
        rows = await db.fetchval("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        baseline_s, baseline_rss, baseline_jobs = await _job_per_row_baseline(path)

        scheduler = Scheduler(clock)
        scheduler.start()
        try:
            outbox.start(scheduler.waker(SOURCE_NAME))
            scheduler.register(SOURCE_NAME, outbox)
            due_at = int(time.time()) + 2
            marks = ",".join("?" * len(burst_ids))
            async with db.transaction():
                await db.execute(
                    f"UPDATE outbox SET due_at = ?, next_attempt_at = ? WHERE id IN ({marks})",
                    (due_at, due_at, *burst_ids),
                )
                outbox.wake_after_commit()
            await asyncio.wait_for(sender.finished.wait(), timeout=60)
            lateness = [sender.done[i] - due_at for i in burst_ids]
            sent = await db.fetchval("SELECT COUNT(*) FROM outbox WHERE state = 'sent'")
        finally:
            await scheduler.shutdown()
            await outbox.stop()
            await db.close()

    assert sent == len(burst_ids), f"{sent} sent of {len(burst_ids)}"
    assert baseline_jobs == rows
    p99 = percentile(lateness, 99)
    label = f"{sessions:,} sessions / {rows:,} rows"
    return [
        Figure("scheduler_rebuild_ms", rebuild_s * 1000, "ms", target="< 500 ms",
               ok=rebuild_s < 0.5, baseline=baseline_s * 1000,
               baseline_label=f"one APScheduler job per row, {label}"),
        Figure("scheduler_p99_lateness_s", p99, "s", target="< 1 s", ok=p99 < 1.0),
        Figure("scheduler_p50_lateness_s", percentile(lateness, 50), "s"),
        Figure("scheduler_max_lateness_s", max(lateness), "s"),
        Figure("scheduler_rebuild_rss_mib", rebuild_rss, "MiB", baseline=baseline_rss,
               baseline_label="one APScheduler job per row"),
        Figure("scheduler_outbox_rows", float(rows), "rows"),
    ]


if __name__ == "__main__":
    for figure in asyncio.run(run(quick=False)):
        print(figure)
