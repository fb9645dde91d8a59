"""Resource search: latency (search and autocomplete) and quality, against a LIKE scan.

Two catalogs: the shipped one (data/resources.yaml) and a synthetic 10,000-entry catalog
(the shipped entries plus generated ones mixing the real vocabulary with made-up words), so
the figures say how search holds up as the library grows. On the 10,000-entry catalog the
same queries are also timed as a server that curated its own library sees it (`_server`:
100 own entries, 100 edited and 100 removed shared entries in its overlay). Latency is measured through the
service (what a command pays: planning, the SQLite query, FTS5, building results) with its memo
of recent answers off: a repeated query is answered from memory in the bot, but what is timed
here is the search itself. The baseline is what a naive implementation does: `LIKE '%query%'`
over title, tags, description.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from benchmarks.figures import Figure, percentile
from bot.clock import ManualClock
from bot.db import Database
from bot.services.resources import (
    CATEGORIES,
    DEFAULT_CATALOG,
    CatalogEntry,
    ResourceService,
    normalize_url,
    read_catalog,
)
from bot.services.resources import _service as resources_service
from bot.services.resources._store import library_changed, write_override
from bot.services.resources._text import tokenize

QUERY_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_queries.yaml"
QUESTION_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_questions.yaml"
QUESTION_KINDS = ("question", "keywords", "abbreviation", "typo", "multilingual", "place", "distress")
SYNTHETIC_SIZE = 10_000
SERVER = 4242
SERVER_CHANGES = 100  # own entries, edited shared entries and removed shared entries, each
NOW = datetime(2026, 11, 25, tzinfo=UTC)


@dataclass(frozen=True)
class Quality:
    recall_at_3: float
    mrr_at_10: float
    empty: int = 0


def load_questions() -> list[dict[str, Any]]:
    """The held-out question set: `expect` as URLs, and `split` (every third query was held
    back while tuning; see the file's header)."""
    data = yaml.safe_load(QUESTION_SET.read_text("utf-8"))
    return [
        {**q, "expect": [data["pages"][e] for e in q["expect"]],
         "split": "holdout" if i % 3 == 2 else "tune"}
        for i, q in enumerate(data["queries"])
    ]


async def run(quick: bool) -> list[Figure]:
    # Time the search, not the memo of recent answers (see the module docstring).
    memo, resources_service.RECENT_ANSWERS = resources_service.RECENT_ANSWERS, 0
    try:
        return await _run(quick)
    finally:
        resources_service.RECENT_ANSWERS = memo


async def _run(quick: bool) -> list[Figure]:
    queries = yaml.safe_load(QUERY_SET.read_text("utf-8"))["queries"]
    questions = load_questions()
    shipped = read_catalog(DEFAULT_CATALOG)
    rounds = 5 if quick else 25
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, entries in (("", shipped), ("_10k", shipped + synthetic(shipped, SYNTHETIC_SIZE))):
            db = await Database.open(Path(tmp) / f"bench{label}.sqlite3")
            try:
                await db.migrate()
                library = ResourceService(db, ManualClock(NOW), None)
                await library.load_entries(entries)
                figures += await _measure(db, library, queries, questions, label, rounds)
                if label:
                    await _curate(db, library, entries)
                    figures += await _measure_server(library, queries, questions, label, rounds)
            finally:
                await db.close()
    return figures


async def _measure(
    db: Database, library: ResourceService, queries: list[dict[str, Any]],
    questions: list[dict[str, Any]], label: str, rounds: int,
) -> list[Figure]:
    texts, typed = _inputs(queries, questions)
    await library.search("warm up")

    async def fts_search(q: str) -> list[str]:
        return [h.resource.url for h in (await library.search(q, limit=10)).hits]

    async def fts_autocomplete(q: str) -> list[str]:
        return [r.url for r in await library.autocomplete(q, limit=25)]

    async def like(q: str, limit: int = 10) -> list[str]:
        pattern = f"%{q.strip()}%"
        rows = await db.fetchall(
            "SELECT url FROM resources WHERE removed = 0 AND "
            "(title LIKE ? OR tags LIKE ? OR description LIKE ?) LIMIT ?",
            (pattern, pattern, pattern, limit),
        )
        return [r[0] for r in rows]

    async def like_autocomplete(q: str) -> list[str]:
        return await like(q, 25)

    # The LIKE baseline is slow on 10k entries: time it on an evenly spread sample of inputs.
    search_ms = await _latencies(fts_search, texts, rounds)
    like_ms = await _latencies(like, texts[:: max(1, len(texts) // 40)], 1)
    auto_ms = await _latencies(fts_autocomplete, typed, max(1, rounds // 5))
    like_auto_ms = await _latencies(like_autocomplete, typed[:: max(1, len(typed) // 100)], 1)
    fts_quality = await _quality(fts_search, queries)
    like_quality = await _quality(like, queries)
    size = f"{await library.count():,} entries"
    return [
        Figure(f"search_p99_ms{label}", percentile(search_ms, 99), "ms", "< 2 ms",
               percentile(search_ms, 99) < 2, percentile(like_ms, 99), f"LIKE scan, {size}"),
        Figure(f"autocomplete_p99_ms{label}", percentile(auto_ms, 99), "ms", "< 5 ms",
               percentile(auto_ms, 99) < 5, percentile(like_auto_ms, 99), f"LIKE scan, {size}"),
        # The quality target is for the shipped catalog; on the synthetic one (random real words
        # sprinkled into 10,000 decoys) the figure shows how ranking holds up against noise.
        Figure(f"search_recall_at_3{label}", fts_quality.recall_at_3, "",
               "" if label else ">= 0.95", None if label else fts_quality.recall_at_3 >= 0.95,
               like_quality.recall_at_3, f"LIKE scan, {size}"),
        Figure(f"search_mrr_at_10{label}", fts_quality.mrr_at_10, "", "",
               None, like_quality.mrr_at_10, f"LIKE scan, {size}"),
        *await _question_figures(fts_search, like, questions, label, size),
    ]


async def _question_figures(
    fts: Callable[[str], Awaitable[list[str]]], like: Callable[[str], Awaitable[list[str]]],
    questions: list[dict[str, Any]], label: str, size: str,
) -> list[Figure]:
    """Quality on the question set: the held-back part (the figure that counts, with the
    targets), the tuned part, and per kind. On the synthetic catalog only the held-back part."""
    parts: list[tuple[str, list[dict[str, Any]]]] = [
        ("holdout", [q for q in questions if q["split"] == "holdout"]),
    ]
    if not label:
        parts.append(("tune", [q for q in questions if q["split"] == "tune"]))
        parts += [(kind, [q for q in questions if q["kind"] == kind]) for kind in QUESTION_KINDS]
    figures: list[Figure] = []
    for part, items in parts:
        mine, naive = await _quality(fts, items), await _quality(like, items)
        target = "" if label else {"holdout": ">= 0.97", "question": ">= 0.95"}.get(part, "")
        ok = None if not target else mine.recall_at_3 >= float(target.split()[-1])
        base = f"LIKE scan, {size}, {len(items)} queries"
        figures += [
            Figure(f"questions_recall_at_3_{part}{label}", mine.recall_at_3, "", target, ok,
                   naive.recall_at_3, base),
            Figure(f"questions_mrr_at_10_{part}{label}", mine.mrr_at_10, "", "", None,
                   naive.mrr_at_10, base),
        ]
    if not label:
        mine, naive = await _quality(fts, questions), await _quality(like, questions)
        figures.append(Figure("questions_empty_replies", mine.empty, "", "0", mine.empty == 0,
                              naive.empty, f"LIKE scan, {size}, {len(questions)} queries"))
    return figures


def _inputs(queries: list[dict[str, Any]], questions: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """What latency is timed on: searches of both sets (the members' questions are the longer
    queries), and autocomplete on every prefix of what a member types, one keystroke at a time
    (of the short set and every third question: every keystroke of every question takes minutes)."""
    texts = [q["q"] for q in queries + questions]
    typed = [q[:n] for q in texts[: len(queries)] + texts[len(queries) :: 3] for n in range(1, len(q) + 1)]
    return texts, typed


async def _curate(db: Database, library: ResourceService, shared: Sequence[CatalogEntry]) -> None:
    """Give SERVER its own curation (written in one transaction: setup, not what is measured)."""
    now = int(NOW.timestamp())
    rng = random.Random(11)
    changed = rng.sample([r.id for r in await library.listing()], 2 * SERVER_CHANGES)
    own = [
        dataclasses.replace(e, url=f"https://server.example.org/{i}")
        for i, e in enumerate(synthetic(shared, SERVER_CHANGES, seed=11))
    ]
    async with db.transaction() as tx:
        for rid in changed[:SERVER_CHANGES]:
            await write_override(tx, SERVER, rid, {"description": "Edited by this server's moderators."}, now)
        for rid in changed[SERVER_CHANGES:]:
            await write_override(tx, SERVER, rid, {"removed": 1}, now)
        for e in own:
            rid = await tx.fetchval(
                "INSERT INTO resources (guild_id, url, url_key, title, organization, category, tier, "
                "tags, description, last_verified, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (SERVER, e.url, normalize_url(e.url), e.title, e.organization, e.category, e.tier,
                 ",".join(e.tags), e.description, now, now, now),
            )
        await library_changed(tx)
    await library.refresh()


async def _measure_server(
    library: ResourceService, queries: list[dict[str, Any]], questions: list[dict[str, Any]],
    label: str, rounds: int,
) -> list[Figure]:
    texts, typed = _inputs(queries, questions)

    async def search(q: str) -> list[str]:
        return [h.resource.url for h in (await library.search(q, guild_id=SERVER, limit=10)).hits]

    async def autocomplete(q: str) -> list[str]:
        return [r.url for r in await library.autocomplete(q, guild_id=SERVER, limit=25)]

    await search("warm up")  # builds the server's query planner once
    search_ms = await _latencies(search, texts, rounds)
    auto_ms = await _latencies(autocomplete, typed, max(1, rounds // 5))
    size = f"{await library.count(guild_id=SERVER):,} entries as one curated server sees them"
    return [
        Figure(f"search_p99_ms{label}_server", percentile(search_ms, 99), "ms", "< 2 ms",
               percentile(search_ms, 99) < 2, None, size),
        Figure(f"autocomplete_p99_ms{label}_server", percentile(auto_ms, 99), "ms", "< 5 ms",
               percentile(auto_ms, 99) < 5, None, size),
    ]


async def _latencies(
    fn: Callable[[str], Awaitable[list[str]]], inputs: Sequence[str], rounds: int
) -> list[float]:
    samples: list[float] = []
    gc.disable()  # as timeit does: a collection pause is not the code under test
    try:
        for _ in range(rounds):
            for text in inputs:
                started = time.perf_counter()
                await fn(text)
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        gc.enable()
    return samples


async def _quality(fn: Callable[[str], Awaitable[list[str]]], queries: list[dict[str, Any]]) -> Quality:
    hits = reciprocal = 0.0
    empty = 0
    for item in queries:
        urls = await fn(item["q"])
        empty += not urls
        ranks = [i for i, url in enumerate(urls[:10]) if url in item["expect"]]
        if ranks:
            reciprocal += 1 / (ranks[0] + 1)
            hits += ranks[0] < 3
    return Quality(hits / len(queries), reciprocal / len(queries), empty)


def synthetic(shipped: Sequence[CatalogEntry], size: int, seed: int = 7) -> list[CatalogEntry]:
    """Generated entries: made-up words (Zipf-like frequencies) mixed with the catalog's words."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "to", "sa", "vi", "dor", "pe", "lan", "zu", "mar", "qui", "ne"]
    made_up = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6000)})
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(made_up))))
    real = sorted({w for e in shipped for w in tokenize(f"{e.title} {e.description}") if len(w) > 3})
    categories = list(CATEGORIES)

    def words(n: int, real_share: float) -> str:
        return " ".join(
            rng.choice(real) if rng.random() < real_share
            else rng.choices(made_up, cum_weights=cumulative)[0]
            for _ in range(n)
        )

    return [
        CatalogEntry(
            title=words(rng.randint(3, 7), 0.3).capitalize(),
            url=f"https://synthetic{i}.example.org/page/{i}",
            organization=words(2, 0.1).title(),
            category=rng.choice(categories),
            tier="community",
            tags=tuple(words(rng.randint(1, 2), 0.3) for _ in range(rng.randint(2, 5))),
            description=words(rng.randint(15, 35), 0.2),
            last_verified=date(2026, 1, 1),
        )
        for i in range(size)
    ]
