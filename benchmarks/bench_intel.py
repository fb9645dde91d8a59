"""Program intel at scale: ACGME's ~13,000 programs and 20,000 reports in one server's cycle.

- autocomplete: `/intel report program:` suggestions while typing (a LIKE scan of name, city,
  state and id for every typed word, 25 choices), p99 over a mix of queries. Target < 50 ms.
- search: `/intel search h1b:yes` (answers counted by SQL, summarised per program with reports,
  k applied). Target < 100 ms: it runs on the event loop.
- export: `/privacy export`'s intel section for one member when the server has reports on
  1,000 programs (one pseudonym recomputed per program and cycle). Target < 100 ms.
Quick mode: 3,000 programs and 5,000 reports.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.figures import Figure, percentile
from bot.clock import ManualClock
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.intel import FIELD_KEYS, IntelService, Pseudonyms

GUILD = 920000000000000001
STATES = ("NY", "CA", "TX", "IL", "PA", "OH", "MI", "FL", "NJ", "MA")
QUERIES = ("uni", "program 12", "city39 ny", "1400001", "memorial", "zz")


async def run(quick: bool) -> list[Figure]:
    programs, reports = (3_000, 5_000) if quick else (13_000, 20_000)
    rng = random.Random(19)
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "intel.sqlite3")
        try:
            await db.migrate()
            clock = ManualClock(datetime(2026, 12, 6, 12, tzinfo=UTC))
            intel = IntelService(db, clock, GuildSettingsService(db, clock))
            await intel.start()
            await intel.programs.import_text("program_id,name,specialty,city,state\n" + "".join(
                f"14{n:08d},Program {n} of Memorial University Hospital,"
                f"{'Internal Medicine' if n % 3 else 'Family Medicine'},City{n % 400},"
                f"{STATES[n % 10]}\n" for n in range(programs)))
            reported = [f"14{n:08d}" for n in range(0, programs, programs // 1_000)][:1_000]
            # Reports written directly (the form's path is one upsert each): pseudonyms of
            # made-up members, spread over the reported programs.
            pseudonyms = Pseudonyms(b"k" * 32)
            async with db.transaction():
                await db.executemany(
                    f"INSERT INTO intel_reports (reporter, guild_id, program_id, cycle, "
                    f"{', '.join(FIELD_KEYS)}) VALUES (?, ?, ?, 2027, ?, ?, ?, ?, ?, ?)",
                    [(pseudonyms.of(10**17 + u, reported[u % len(reported)], 2027), GUILD,
                      reported[u % len(reported)], rng.choice(("yes", "no")),
                      rng.choice(("yes", "no", None)), None, None, rng.choice(("240", "250")),
                      None) for u in range(reports)],
                )
            samples = []
            for _ in range(10):
                for query in QUERIES:
                    started = time.perf_counter()
                    await intel.programs.search(query)
                    samples.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            found = await intel.aggregates.search(GUILD, wants={"h1b": "yes"})
            search_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            await intel.privacy.export_member(GUILD, 10**17 + 5)
            export_ms = (time.perf_counter() - started) * 1000
        finally:
            await db.close()
    size = f"{programs:,} programs, {reports:,} reports on {len(reported):,} of them"
    return [
        Figure("intel_autocomplete_p99_ms", percentile(samples, 99), "ms", "< 50 ms",
               percentile(samples, 99) < 50, note=f"{len(samples)} suggestions; {size}"),
        Figure("intel_search_ms", search_ms, "ms", "< 100 ms", search_ms < 100,
               note=f"h1b:yes matched {len(found.programs) + found.more}; {size}"),
        Figure("intel_export_ms", export_ms, "ms", "< 100 ms", export_ms < 100, note=size),
    ]
