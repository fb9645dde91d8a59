"""The resource library: catalog loading, search, per-server curation, suggestions, bookmarks.

Curation is per server. The catalog file's entries are shared by every server and written only
by catalog loads (`fmg-bot resources import`, and the load on start). A moderator's edit or
removal of a shared entry is an override for their server only, and an approved suggestion
becomes an entry of that server only; catalog loads never touch either.

Search reads an in-memory copy of the library (`_views.Snapshot`: the shared catalog plus a
small overlay per server that changed something) and asks FTS5, in an in-memory index of this
process (`_index`), only for ranked ids of the shared catalog and the asking server's rows, so
a query is one indexed lookup. Both are rebuilt from the database's rows when the library's
version (a shared mark every change bumps in its own transaction) moves: after our writes and
after another process's (several bot processes, `fmg-bot resources import`). Writes are rare
(catalog loads, moderator actions), reads are every keystroke of autocomplete.
Suggestions (`.suggestions`) and bookmarks (`.bookmarks`) live in their own modules.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from bot.clock import Clock
from bot.db import Database
from bot.db.database import Following
from bot.errors import Conflict, InvalidInput, NotFound
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.notices import MemberNotices
from bot.services.resources._bookmarks import Bookmarks
from bot.services.resources._catalog import dump_catalog, read_catalog
from bot.services.resources._gaps import SearchGaps
from bot.services.resources._health import LinkHealth, to_link_check
from bot.services.resources._index import SearchIndex
from bot.services.resources._models import (
    CATEGORIES,
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
from bot.services.resources._query import QueryPlan
from bot.services.resources._rank import Ranking
from bot.services.resources._store import (
    LIBRARY_MARK,
    SHARED_GID,
    apply_override,
    index_sources,
    join_tags,
    library_changed,
    to_resource,
    update_resource,
    write_override,
)
from bot.services.resources._suggestions import SuggestionQueue
from bot.services.resources._urls import normalize_url, validate_url
from bot.services.resources._views import SHORT_PREFIX, LibraryView, Overlay, Snapshot
from bot.services.resources._vocabulary import DISTRESS

log = logging.getLogger(__name__)

MAX_RESULTS = 50
CANDIDATES = 25  # entries FTS5 hands to ranking (by bm25) for one query
CRISIS_LINES = 5
CANDIDATE_ROWS = 600  # FTS5 rows (estimated) one query may rank by bm25; see QueryPlan.fts_any
HIDDEN_SLACK = 10  # extra FTS rows fetched first for a server that hides shared entries
LIBRARY_VERSION = f"SELECT version FROM shared_marks WHERE name = '{LIBRARY_MARK}'"
# Answers of the current snapshot, reused until the next refresh: members search the same few
# things, autocomplete asks again on every keystroke, and a snapshot never changes (a write,
# ours or another process's, builds a new one and empties this).
RECENT_ANSWERS = 1024
_Answer = TypeVar("_Answer")


class ResourceService:
    def __init__(self, db: Database, clock: Clock, catalog_path: Path | None = None, *,
                 notices: MemberNotices | None = None) -> None:
        self._db = db
        self._clock = clock
        self._catalog_path = catalog_path
        self._snapshot: Snapshot | None = None
        self._index = SearchIndex()
        self._version: int | None = None
        #: the engine pushing the library's changes (`follow_changes`); None: poll its version
        self._following: Following | None = None
        self._stale = True
        self._recent: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.suggestions = SuggestionQueue(
            db, clock, self,
            notices or MemberNotices(Outbox(db, clock), db, clock, GuildSettingsService(db, clock)),
        )
        self.bookmarks = Bookmarks(db, clock, self)
        self.links = LinkHealth(db, clock, self)
        self.gaps = SearchGaps(db, clock)

    # -- loading ------------------------------------------------------------------------------
    async def start(self) -> LoadReport | None:
        """Load the configured catalog file (idempotent), follow the library's changes and
        build the search snapshot."""
        if self._following is None:
            await self.follow_changes()
        if self._catalog_path is None:
            await self.refresh()
            return None
        report = await self.load_entries(read_catalog(self._catalog_path))
        log.info(
            "resource catalog %s: %d added, %d updated, %d unchanged",
            self._catalog_path, report.added, report.updated, report.unchanged,
        )
        return report

    async def import_file(self, path: Path) -> LoadReport:
        return await self.load_entries(read_catalog(path))

    async def export_text(self) -> tuple[str, int]:
        """The shared catalog as a catalog file (what curators edit) and its entry count."""
        resources = (await self._snap()).ordered
        return dump_catalog(resources), len(resources)

    async def load_entries(self, entries: Iterable[CatalogEntry]) -> LoadReport:
        """Upsert shared catalog entries by normalized URL. Servers' overrides and own entries
        are other rows, so a load never changes what a server's moderators decided; fields a
        server did not override follow the catalog. Loading the same entries twice writes
        nothing the second time."""
        now = self._now()
        updated = unchanged = 0
        async with self._db.transaction() as tx:
            rows = await tx.fetchall("SELECT * FROM resources WHERE guild_id IS NULL")
            by_url = {r["url_key"]: r for r in rows}
            new_rows: list[tuple[object, ...]] = []
            for entry in entries:
                key = normalize_url(entry.url)
                row = by_url.get(key)
                values = _entry_values(entry)
                if row is None:
                    new_rows.append(
                        (entry.url, key, values["title"], values["organization"], values["category"],
                         values["tier"], values["tags"], values["description"],
                         values["last_verified"], now, now)
                    )
                    continue
                changes = {f: v for f, v in values.items() if row[f] != v}
                if not changes:
                    unchanged += 1
                    continue
                await update_resource(tx, row["id"], changes, now)
                updated += 1
            if new_rows:
                await tx.executemany(
                    "INSERT INTO resources (url, url_key, title, organization, category, tier, "
                    "tags, description, last_verified, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    new_rows,
                )
            if new_rows or updated:
                await library_changed(tx)
        await self.refresh()
        return LoadReport(len(new_rows), updated, unchanged)

    # -- reading (guild_id None: no server, e.g. the terminal; sees the shared catalog) ----------
    async def view(self, guild_id: int | None) -> LibraryView:
        return (await self._snap()).view(guild_id)

    async def get(self, resource_id: int, *, guild_id: int | None = None) -> Resource:
        resource = (await self.view(guild_id)).get(resource_id)
        if resource is None:
            raise NotFound("That resource is not in the library (it may have been removed).")
        return resource

    async def pick(self, value: str, *, guild_id: int | None = None) -> int:
        """The resource a member named: an autocomplete choice (its id) or its exact title
        typed out (case and spacing aside), as members do when they do not wait for the list."""
        value = value.strip()
        if value.isdigit():
            return int(value)
        wanted = " ".join(value.casefold().split())
        found = [r.id for r in (await self.view(guild_id)).ordered()
                 if " ".join(r.title.casefold().split()) == wanted]
        if len(found) == 1:
            return found[0]
        raise InvalidInput("Several resources have that title: pick one from the suggestions that "
                           "appear as you type." if found else
                           "No resource has that title: pick one from the suggestions that appear "
                           "as you type.")

    async def listing(self, *, guild_id: int | None = None) -> list[Resource]:
        """Every entry seen on a server, in browse order."""
        return list((await self.view(guild_id)).ordered())

    async def browse(self, category: str, *, guild_id: int | None = None) -> list[Resource]:
        if category not in CATEGORIES:
            raise InvalidInput(f"There is no category called `{category}`.")
        return [r for r in (await self.view(guild_id)).ordered() if r.category == category]

    async def live(self, ids: Iterable[int], *, guild_id: int | None = None) -> list[Resource]:
        """The resources of ``ids`` that a server sees, in that order."""
        view = await self.view(guild_id)
        return [r for r in map(view.get, ids) if r is not None]

    async def count(self, *, guild_id: int | None = None) -> int:
        return (await self.view(guild_id)).size()

    async def stale(self, *, guild_id: int | None = None) -> list[Resource]:
        """Resources a server sees that need a curator: a dead link or a page changed since it
        was verified (first), or nobody verified them for a year (oldest first)."""
        now = self._clock.now()
        view = await self.view(guild_id)
        found = []
        for r in view.ordered():
            link = view.link(r.url)
            if r.is_stale(now) or (link is not None and link.needs_attention):
                found.append((link is None or not link.needs_attention, r.last_verified, r.title, r))
        return [r for *_, r in sorted(found, key=lambda f: f[:3])]

    # -- search -----------------------------------------------------------------------------------
    async def search(self, query: str, *, guild_id: int | None = None, limit: int = 10) -> SearchResults:
        """Best matches first. Never raises on member input: any text gives a (maybe empty) list.

        Ranked, not filtered: an entry matching any meaningful word of the query is a candidate,
        so a question is answered whenever the catalog shares a word or concept with it."""
        view = await self.view(guild_id)
        key = ("search", view.fts_gid, query, limit)
        if (recalled := self._recall(key)) is not None:
            return recalled
        planner = view.planner
        plan = planner.plan(query)
        hits = await self._rank(view, plan, max(1, min(limit, MAX_RESULTS)))
        did_you_mean = None
        if not hits and (respelled := planner.respell(query)) is not None:
            # Offer only a re-spelling that finds something.
            if await self._rank(view, planner.plan(respelled), 1):
                did_you_mean = respelled
        return self._remember(key, SearchResults(query, hits, plan.corrected_text, did_you_mean))

    async def autocomplete(
        self, text: str, *, guild_id: int | None = None, limit: int = 25
    ) -> list[Resource]:
        """Matches for a query being typed (its last word may be incomplete)."""
        view = await self.view(guild_id)
        if not text.strip():
            return list(itertools.islice(view.ordered(), limit))
        key = ("autocomplete", view.fts_gid, text, limit)
        if (recalled := self._recall(key)) is not None:
            return list(recalled)
        plan = view.planner.plan(text, typing=True)
        lone = plan.lone_prefix()
        if lone is not None and len(lone) <= SHORT_PREFIX:
            # "re", "vis": thousands of matches to rank on a large catalog; answer from memory.
            return list(itertools.islice(view.prefixed(lone), limit))
        hits = await self._rank(view, plan, limit)
        return list(self._remember(key, tuple(h.resource for h in hits)))

    def _recall(self, key: tuple[Any, ...]) -> Any | None:
        found = self._recent.get(key)
        if found is not None:
            self._recent.move_to_end(key)
        return found

    def _remember(self, key: tuple[Any, ...], answer: _Answer) -> _Answer:
        self._recent[key] = answer
        if len(self._recent) > RECENT_ANSWERS:
            self._recent.popitem(last=False)
        return answer

    async def _rank(self, view: LibraryView, plan: QueryPlan, limit: int) -> list[SearchHit]:
        """FTS5 picks the best CANDIDATES entries matching any group (by bm25) and those
        matching every group; `Ranking` orders them by how much of the query each covers. A
        query signalling distress also fetches the crisis lines, whatever else it matches."""
        entries = len(view.snap.by_id)
        expr = plan.fts_any(max_rows=CANDIDATE_ROWS)
        if expr is None:
            return []
        found = await self._visible(view, expr, max(limit, CANDIDATES))
        if (every := plan.fts_all()) is not None:
            # Entries with every word: on a large catalog bm25 alone may leave them out.
            found += await self._visible(view, every, max(limit, CANDIDATES))
        if plan.distress:
            found += await self._visible(view, f'"{DISTRESS}"', CRISIS_LINES)
        ranking = Ranking(plan, entries)
        best: dict[int, SearchHit] = {}
        for resource, rank in found:
            hit = SearchHit(resource, *ranking.score(view.terms(resource.id), rank),
                            link=view.link(resource.url))
            if resource.id not in best or hit.score > best[resource.id].score:
                best[resource.id] = hit
        return sorted(best.values(), key=lambda h: -h.score)[:limit]

    async def _visible(self, view: LibraryView, expr: str, limit: int) -> list[tuple[Resource, float]]:
        """The best ``limit`` matches this server sees. FTS also ranks the shared rows the
        server hides (changed or removed ones): fetch a few more than wanted, and only when
        those were not enough, as many more as it hides."""
        hidden = view.extra_fetch
        for want in dict.fromkeys((limit + min(hidden, HIDDEN_SLACK), limit + hidden)):
            rows = await self._match(expr, want, view.fts_gid)
            found: list[tuple[Resource, float]] = []
            for rowid, rank in rows:
                resource = view.resolve(rowid)
                if resource is not None:
                    found.append((resource, rank))
            if len(found) >= limit or len(rows) < want:
                break
        return found[:limit]

    async def _match(self, expr: str, limit: int, gid: int) -> list[tuple[int, float]]:
        """Ranked FTS rows of the shared catalog and of server ``gid``."""
        try:
            return self._index.match(expr, (SHARED_GID, gid), limit)
        except sqlite3.OperationalError as exc:
            if "fts5" not in str(exc):
                raise
            # The planner only emits quoted phrases; reaching here is a bug, not member error.
            log.error("FTS rejected planned query %r: %s", expr, exc)
            return []

    # -- moderation (per server) ----------------------------------------------------------------
    async def edit(self, resource_id: int, changes: Mapping[str, object], *, guild_id: int) -> Resource:
        """Change an entry as server ``guild_id`` sees it. A shared entry gets (or updates) this
        server's override, which catalog reloads never touch; other servers see no change.

        ``changes`` keys: title, url, organization, category, tier, tags (comma separated text),
        description, and ``verified=True`` to record that a moderator checked the link today.
        """
        view = await self.view(guild_id)
        current = view.get(resource_id)
        if current is None:
            raise NotFound("That resource is not in the library (it may have been removed).")
        values = self._validate_changes(current, changes)
        if not values:
            raise InvalidInput("Nothing to change: give at least one field with a new value.")
        if "url" in values:
            key = normalize_url(str(values["url"]))
            clash = view.find_url(key)
            if clash is not None and clash.id != resource_id:
                raise Conflict(f"That link already belongs to **{clash.title}**.")
            values["url_key"] = key
        async with self._db.transaction() as tx:
            if current.guild_id is None:
                await write_override(tx, guild_id, resource_id, values, self._now())
            else:
                await update_resource(tx, resource_id, values, self._now())
        await self.refresh()
        return await self.get(resource_id, guild_id=guild_id)

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

    async def remove(self, resource_id: int, *, guild_id: int) -> Resource:
        """Hide an entry from server ``guild_id``'s search and lists (other servers keep it;
        catalog reloads do not bring it back)."""
        resource = await self.get(resource_id, guild_id=guild_id)
        async with self._db.transaction() as tx:
            if resource.guild_id is None:
                await write_override(tx, guild_id, resource_id, {"removed": 1}, self._now())
            else:
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

    async def _snap(self) -> Snapshot:
        # The library's version moves with every change, ours or another process's (another
        # bot process, `fmg-bot resources import`). SQLite: asked on every use, one primary-key
        # SELECT on the loop's thread, a few microseconds (see bot/db/database.py). PostgreSQL
        # pushes the change instead (`follow_changes`), sparing a round trip per search; while
        # its listening session is down, the version is asked as on SQLite.
        polls = self._following is None or not self._following.live
        if polls and await self._db.fetchval(LIBRARY_VERSION) != self._version:
            self._stale = True
        if self._snapshot is None or self._stale:
            await self.refresh()
        assert self._snapshot is not None
        return self._snapshot

    async def follow_changes(self) -> None:
        """Let the engine push the library's changes, when it can (PostgreSQL: LISTEN on the
        channel every change's transaction NOTIFYs, see `library_changed`)."""
        self._following = await self._db.follow(LIBRARY_MARK, self._changed_elsewhere)

    def _changed_elsewhere(self) -> None:
        """The next read rebuilds the snapshot and the index."""
        self._stale = True

    async def refresh(self) -> None:
        """Rebuild the search snapshot and bring the search index in step with the rows."""
        # Read the version first: a commit landing in between only causes one more refresh.
        self._version = await self._db.fetchval(LIBRARY_VERSION)
        self._stale = False
        rows = await self._db.fetchall(
            "SELECT * FROM resources WHERE guild_id IS NULL OR removed = 0"
        )
        overrides = await self._db.fetchall("SELECT * FROM resource_overrides ORDER BY id")
        shared = {r["id"]: to_resource(r) for r in rows if r["guild_id"] is None}
        shared_keys = {r["id"]: r["url_key"] for r in rows if r["guild_id"] is None}
        by_key = {key: rid for rid, key in shared_keys.items()}
        parts: dict[int, tuple[dict[int, Resource], dict[int, int], set[int], dict[str, int]]] = {}

        def part(guild_id: int) -> tuple[dict[int, Resource], dict[int, int], set[int], dict[str, int]]:
            return parts.setdefault(guild_id, ({}, {}, set(), {}))

        for o in overrides:
            entries, fts_ids, hidden, keys = part(o["guild_id"])
            hidden.add(o["resource_id"])
            if not o["removed"]:
                entries[o["resource_id"]] = apply_override(shared[o["resource_id"]], o)
                fts_ids[-o["id"]] = o["resource_id"]
                keys[o["url_key"] or shared_keys[o["resource_id"]]] = o["resource_id"]
        for r in rows:
            if r["guild_id"] is None:
                continue
            entries, fts_ids, hidden, keys = part(r["guild_id"])
            entries[r["id"]] = to_resource(r)
            fts_ids[r["id"]] = r["id"]
            keys[r["url_key"]] = r["id"]
            if r["url_key"] in by_key:  # the catalog gained this server's link later
                hidden.add(by_key[r["url_key"]])
        overlays = {
            gid: Overlay(entries=e, fts_ids=f, hidden=frozenset(h), by_key=k)
            for gid, (e, f, h, k) in parts.items()
        }
        links = {r["url"]: to_link_check(r) for r in await self._db.fetchall("SELECT * FROM resource_links")}
        self._index.sync(index_sources(rows, overrides))
        self._snapshot = Snapshot.build(shared.values(), shared_keys, overlays, links)
        self._recent.clear()


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
