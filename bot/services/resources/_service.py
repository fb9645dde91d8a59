"""The resource library: catalog loading, search, suggestions, moderation and bookmarks.

Search reads an in-memory copy of the live catalog (id -> Resource, and the query planner's
vocabulary) and asks SQLite FTS5 only for the ranked ids, so a query is one indexed lookup.
The copy is rebuilt after every write to `resources` (and when another process committed);
writes are rare (catalog loads, moderator actions), reads are every keystroke of autocomplete.
Suggestions (`.suggestions`) and bookmarks (`.bookmarks`) live in their own modules.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bot.clock import Clock
from bot.db import Database
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.resources._bookmarks import Bookmarks
from bot.services.resources._catalog import dump_catalog, read_catalog
from bot.services.resources._models import (
    CATEGORIES,
    EDITABLE_FIELDS,
    MAX_DESCRIPTION,
    MAX_ORGANIZATION,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    TIERS,
    CatalogEntry,
    LoadReport,
    Resource,
    SearchHit,
    SearchResults,
    check_category,
    clean_text,
    day_start,
)
from bot.services.resources._query import QueryPlan, QueryPlanner
from bot.services.resources._store import (
    index_added,
    join_tags,
    reindex_all,
    to_resource,
    update_resource,
)
from bot.services.resources._suggestions import SuggestionQueue
from bot.services.resources._text import fold, tokenize
from bot.services.resources._urls import normalize_url, validate_url
from bot.services.resources._vocabulary import VOCABULARY

log = logging.getLogger(__name__)

MAX_RESULTS = 50
DID_YOU_MEAN_CUTOFF = 60.0
ENOUGH_FULL_MATCHES = 3
SHORT_PREFIX = 3  # autocomplete answers a lone word this short from memory
# In a two-word fallback, a word in more than 5% of the catalog (and 50+ entries) is left out.
COMMON_SHARE = 0.05
COMMON_MIN_ENTRIES = 50


@dataclass(frozen=True)
class _Snapshot:
    """The live catalog as search sees it."""

    by_id: dict[int, Resource]
    planner: QueryPlanner
    ordered: tuple[Resource, ...]  # browse order: category, official first, title
    short_prefixes: dict[str, list[int]]  # 1-3 letter start of a title/tag word -> ids, browse order


class ResourceService:
    def __init__(self, db: Database, clock: Clock, catalog_path: Path | None = None) -> None:
        self._db = db
        self._clock = clock
        self._catalog_path = catalog_path
        self._snapshot: _Snapshot | None = None
        self._data_version: int | None = None
        self.suggestions = SuggestionQueue(db, clock, self)
        self.bookmarks = Bookmarks(db, clock, self)

    # -- loading ------------------------------------------------------------------------------
    async def start(self) -> LoadReport | None:
        """Load the configured catalog file (idempotent) and build the search snapshot."""
        built_with = await self._db.fetchval("SELECT vocabulary FROM resources_index_state")
        if built_with != VOCABULARY.fingerprint:
            async with self._db.transaction() as tx:
                await reindex_all(tx)
            log.info("resource search index rebuilt for vocabulary %s", VOCABULARY.fingerprint)
        if self._catalog_path is None:
            await self.refresh()
            return None
        report = await self.load_entries(read_catalog(self._catalog_path))
        log.info(
            "resource catalog %s: %d added, %d updated, %d unchanged, %d moderator edits kept",
            self._catalog_path, report.added, report.updated, report.unchanged,
            report.kept_moderator_edits,
        )
        return report

    async def import_file(self, path: Path) -> LoadReport:
        return await self.load_entries(read_catalog(path))

    async def listing(self) -> list[Resource]:
        """Every live resource, in browse order."""
        return list((await self._snap()).ordered)

    async def export_text(self) -> tuple[str, int]:
        """Every live resource as a catalog file (moderators' edits included) and the count."""
        resources = (await self._snap()).ordered
        return dump_catalog(resources), len(resources)

    async def load_entries(self, entries: Iterable[CatalogEntry]) -> LoadReport:
        """Upsert catalog entries by normalized URL.

        A row is found by the key the catalog knew it by (so a moderator may change its link),
        else by its current link. Fields a moderator edited, and rows a moderator removed, are
        left alone. Loading the same entries twice writes nothing the second time.
        """
        now = self._now()
        updated = unchanged = kept = skipped = 0
        async with self._db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM resources")
            by_catalog = {r["catalog_key"]: r for r in rows if r["catalog_key"]}
            by_url = {r["url_key"]: r for r in rows}
            last_id = max((r["id"] for r in rows), default=0)
            new_rows: list[tuple[object, ...]] = []
            for entry in entries:
                key = normalize_url(entry.url)
                row = by_catalog.get(key) or by_url.get(key)
                values = _entry_values(entry)
                if row is None:
                    new_rows.append(
                        (entry.url, key, key, values["title"], values["organization"],
                         values["category"], values["tier"], values["tags"], values["description"],
                         values["last_verified"], now, now)
                    )
                    continue
                if row["removed"]:
                    skipped += 1
                    continue
                edited = {f for f in row["edited_fields"].split(",") if f}
                kept += len(edited & set(values))
                changes = {f: v for f, v in values.items() if f not in edited and row[f] != v}
                if "last_verified" in edited and values["last_verified"] > row["last_verified"]:
                    changes["last_verified"] = values["last_verified"]  # a newer check still counts
                if "url" in changes:
                    if _other(by_url.get(key), row):
                        changes.pop("url")  # another row has that link now: keep ours
                    else:
                        changes["url_key"] = key
                if row["catalog_key"] != key and not _other(by_catalog.get(key), row):
                    changes["catalog_key"] = key
                if not changes:
                    unchanged += 1
                    continue
                await update_resource(tx, row["id"], changes, now)
                updated += 1
            if new_rows:
                await tx.executemany(
                    "INSERT INTO resources (url, url_key, catalog_key, title, organization, "
                    "category, tier, tags, description, last_verified, source, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'catalog', ?, ?)",
                    new_rows,
                )
                await index_added(tx, last_id)
        await self.refresh()
        return LoadReport(len(new_rows), updated, unchanged, kept, skipped)

    # -- reading --------------------------------------------------------------------------------
    async def get(self, resource_id: int) -> Resource:
        resource = (await self._snap()).by_id.get(resource_id)
        if resource is None:
            raise NotFound("That resource is not in the library (it may have been removed).")
        return resource

    async def browse(self, category: str) -> list[Resource]:
        if category not in CATEGORIES:
            raise InvalidInput(f"There is no category called `{category}`.")
        return [r for r in (await self._snap()).ordered if r.category == category]

    async def live(self, ids: Iterable[int]) -> list[Resource]:
        """The resources of ``ids`` that are still in the library, in that order."""
        by_id = (await self._snap()).by_id
        return [by_id[i] for i in ids if i in by_id]

    async def count(self) -> int:
        return len((await self._snap()).by_id)

    async def stale(self) -> list[Resource]:
        """Resources nobody verified for a year, oldest first."""
        now = self._clock.now()
        found = [r for r in (await self._snap()).ordered if r.is_stale(now)]
        return sorted(found, key=lambda r: (r.last_verified, r.title))

    # -- search -----------------------------------------------------------------------------------
    async def search(self, query: str, *, limit: int = 10) -> SearchResults:
        """Best matches first. Never raises on member input: any text gives a (maybe empty) list."""
        snap = await self._snap()
        plan = snap.planner.plan(query)
        hits, full = await self._rank(snap, plan, max(1, min(limit, MAX_RESULTS)))
        did_you_mean = None
        if not full:
            did_you_mean = _closest_title(query, hits) if hits else snap.planner.respell(query)
        return SearchResults(query, hits, plan.corrected_text, did_you_mean)

    async def autocomplete(self, text: str, *, limit: int = 25) -> list[Resource]:
        """Matches for a query being typed (its last word may be incomplete)."""
        snap = await self._snap()
        if not text.strip():
            return list(snap.ordered[:limit])
        plan = snap.planner.plan(text, typing=True)
        lone = plan.lone_prefix()
        if lone is not None and len(lone) <= SHORT_PREFIX:
            # "re", "vis": thousands of matches to rank on a large catalog; answer from memory.
            return [snap.by_id[rid] for rid in snap.short_prefixes.get(lone, ())[:limit]]
        hits, _ = await self._rank(snap, plan, limit, relax=False)
        return [h.resource for h in hits]

    async def _rank(
        self, snap: _Snapshot, plan: QueryPlan, limit: int, *, relax: bool = True
    ) -> tuple[list[SearchHit], bool]:
        """Entries matching every group first; entries matching all but one only when few match
        all (on a large catalog the relaxed pass is the expensive one)."""
        hits: list[SearchHit] = []
        expr = plan.fts_all()
        if expr is None:
            return hits, False
        for rid, rank in await self._match(expr, limit):
            if rid in snap.by_id:
                hits.append(SearchHit(snap.by_id[rid], _score(1.0, rank)))
        full = bool(hits)
        common = max(COMMON_MIN_ENTRIES, int(len(snap.by_id) * COMMON_SHARE))
        relaxed = plan.fts_most(max_frequency=common) if relax else None
        if relaxed is not None and len(hits) < min(limit, ENOUGH_FULL_MATCHES):
            seen = {h.resource.id for h in hits}
            for rid, rank in await self._match(relaxed, limit + len(seen)):
                if rid in snap.by_id and rid not in seen:
                    hits.append(SearchHit(snap.by_id[rid], _score(0.5, rank)))
        return hits[:limit], full

    async def _match(self, expr: str, limit: int) -> list[tuple[int, float]]:
        try:
            rows = await self._db.fetchall(
                "SELECT rowid, rank FROM resources_fts WHERE resources_fts MATCH ? "
                "ORDER BY rank LIMIT ?",
                (expr, limit),
            )
        except sqlite3.OperationalError as exc:
            if "fts5" not in str(exc):
                raise
            # The planner only emits quoted phrases; reaching here is a bug, not member error.
            log.error("FTS rejected planned query %r: %s", expr, exc)
            return []
        return [(row[0], row[1]) for row in rows]

    # -- moderation -------------------------------------------------------------------------------
    async def edit(self, resource_id: int, changes: Mapping[str, object]) -> Resource:
        """Change fields of a resource; they are then protected from catalog reloads.

        ``changes`` keys: title, url, organization, category, tier, tags (comma separated text),
        description, and ``verified=True`` to record that a moderator checked the link today.
        """
        current = await self.get(resource_id)
        values = self._validate_changes(current, changes)
        if not values:
            raise InvalidInput("Nothing to change: give at least one field with a new value.")
        async with self._db.transaction() as tx:
            if "url" in values:
                key = normalize_url(str(values["url"]))
                clash = await tx.fetchval(
                    "SELECT title FROM resources WHERE url_key = ? AND id != ?", (key, resource_id)
                )
                if clash is not None:
                    raise Conflict(f"That link already belongs to **{clash}**.")
                values["url_key"] = key
            edited = set(current.edited_fields) | (set(values) & set(EDITABLE_FIELDS))
            values["edited_fields"] = ",".join(sorted(edited))
            await update_resource(tx, resource_id, values, self._now())
        await self.refresh()
        return await self.get(resource_id)

    def _validate_changes(self, current: Resource, changes: Mapping[str, object]) -> dict[str, object]:
        values: dict[str, object] = {}
        for name, raw in changes.items():
            if raw is None:
                continue
            if name == "verified":
                if raw:
                    values["last_verified"] = self._now()
            elif name in ("title", "organization", "description"):
                limit = {"title": MAX_TITLE, "organization": MAX_ORGANIZATION}.get(name, MAX_DESCRIPTION)
                values[name] = clean_text(str(raw), limit, name, required=name == "title")
            elif name == "url":
                url = validate_url(str(raw))
                if url != current.url:
                    values["url"] = url
            elif name == "category":
                values["category"] = check_category(str(raw))
            elif name == "tier":
                if raw not in TIERS:
                    raise InvalidInput("Tier must be `official` or `community`.")
                values["tier"] = raw
            elif name == "tags":
                tags = [t.strip() for t in str(raw).split(",") if t.strip()]
                if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
                    raise InvalidInput(f"At most {MAX_TAGS} tags of at most {MAX_TAG} characters each.")
                values["tags"] = join_tags(tags)
            else:
                raise InvalidInput(f"`{name}` is not a field you can edit.")
        return values

    async def remove(self, resource_id: int) -> Resource:
        """Hide a resource from search and lists; catalog reloads do not bring it back."""
        resource = await self.get(resource_id)
        async with self._db.transaction() as tx:
            await update_resource(tx, resource_id, {"removed": 1}, self._now())
        await self.refresh()
        return resource

    # -- privacy (registered with PrivacyService in bot/services/__init__.py) ------------------------
    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """A member's bookmarks (they follow the member across servers) and their suggestions here."""
        return {
            "bookmarks": await self.bookmarks.export_member(user_id),
            "suggestions": await self.suggestions.export_member(guild_id, user_id),
        }

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        """Forget a member: bookmarks, suggestions here, and their name on reviews here."""
        await self.bookmarks.delete_member(user_id)
        await self.suggestions.delete_member(guild_id, user_id)

    # -- internals ------------------------------------------------------------------------------------
    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    async def _snap(self) -> _Snapshot:
        # PRAGMA data_version moves when *another* connection commits (e.g. `fmg-bot resources
        # import` beside the running bot); our own writes refresh the snapshot themselves.
        if self._snapshot is None or await self._db.fetchval("PRAGMA data_version") != self._data_version:
            await self.refresh()
        assert self._snapshot is not None
        return self._snapshot

    async def refresh(self) -> None:
        """Rebuild the search snapshot; call after writing `resources`."""
        # Read the version first: a commit landing in between only causes one more refresh.
        self._data_version = await self._db.fetchval("PRAGMA data_version")
        rows = await self._db.fetchall("SELECT * FROM resources WHERE removed = 0")
        by_id = {row["id"]: to_resource(row) for row in rows}
        frequencies: Counter[str] = Counter()
        for r in by_id.values():
            tokens = tokenize(" ".join((r.title, r.organization, r.description, *r.tags)))
            frequencies.update(set(tokens) | set(VOCABULARY.annotate(tokens)))
        order = list(CATEGORIES)
        ordered = sorted(
            by_id.values(),
            key=lambda r: (order.index(r.category) if r.category in order else len(order),
                           r.tier != "official", r.title.casefold()),
        )
        short_prefixes: dict[str, list[int]] = {}
        for r in ordered:
            words = tokenize(" ".join((r.title, *r.tags)))
            starts = {w[:n] for w in words for n in range(1, SHORT_PREFIX + 1)}
            for start in starts:
                short_prefixes.setdefault(start, []).append(r.id)
        self._snapshot = _Snapshot(
            by_id=by_id,
            planner=QueryPlanner(frequencies),
            ordered=tuple(ordered),
            short_prefixes=short_prefixes,
        )


def _other(found: sqlite3.Row | None, row: sqlite3.Row) -> bool:
    return found is not None and found["id"] != row["id"]


def _entry_values(entry: CatalogEntry) -> dict[str, object]:
    return {
        "title": entry.title,
        "url": entry.url,
        "organization": entry.organization,
        "category": entry.category,
        "tier": entry.tier,
        "tags": join_tags(entry.tags),
        "description": entry.description,
        "last_verified": int(day_start(entry.last_verified).timestamp()),
    }


def _closest_title(query: str, hits: list[SearchHit]) -> str | None:
    """Of entries matching only some words, the one whose title looks most like the query."""
    titles = {h.resource.id: fold(h.resource.title) for h in hits}
    match = process.extractOne(fold(query), titles, scorer=fuzz.WRatio, score_cutoff=DID_YOU_MEAN_CUTOFF)
    return None if match is None else next(h.resource.title for h in hits if h.resource.id == match[2])


def _score(base: float, rank: float) -> float:
    """bm25 (negative, lower is better) squashed into [base, base + 0.5)."""
    strength = max(0.0, -rank)
    return base + 0.5 * strength / (1.0 + strength)
