"""What search reads: an in-memory copy of the shared catalog plus, per server, a small overlay
(its own entries and its overrides of shared ones), combined per query by `LibraryView`.

The shared part is built once per change of the library; a server's overlay holds only what
that server changed, so a query on a server costs the shared lookup plus the overlay's size.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from bot.services.resources._links import LinkCheck
from bot.services.resources._models import CATEGORIES, Resource
from bot.services.resources._query import QueryPlanner
from bot.services.resources._rank import EntryTerms
from bot.services.resources._store import SHARED_GID
from bot.services.resources._text import tokenize
from bot.services.resources._vocabulary import VOCABULARY

SHORT_PREFIX = 3  # autocomplete answers a lone word this short from memory
_CATEGORY_ORDER = {key: n for n, key in enumerate(CATEGORIES)}


def browse_key(r: Resource) -> tuple[int, bool, str, int]:
    """Browse order: category, official first, title."""
    return (_CATEGORY_ORDER.get(r.category, len(_CATEGORY_ORDER)), r.tier != "official",
            r.title.casefold(), r.id)


def index_tokens(r: Resource) -> set[str]:
    """The words and concept tokens an entry contributes to the planner's vocabulary."""
    tokens = tokenize(" ".join((r.title, r.organization, r.description, *r.tags)))
    return set(tokens) | set(VOCABULARY.annotate(tokens))


def short_prefixes(ordered: Iterable[Resource]) -> dict[str, list[int]]:
    """1-3 letter starts of a title/tag word -> entry ids, in the order given."""
    found: dict[str, list[int]] = {}
    for r in ordered:
        words = tokenize(" ".join((r.title, *r.tags)))
        for start in {w[:n] for w in words for n in range(1, SHORT_PREFIX + 1)}:
            found.setdefault(start, []).append(r.id)
    return found


@dataclass
class Overlay:
    """One server's own entries and its changes to shared ones."""

    entries: dict[int, Resource]
    """Entry id -> the entry as this server sees it (own entries, and shared ones it changed)."""
    fts_ids: dict[int, int]
    """FTS rowid -> entry id, for this server's FTS rows."""
    hidden: frozenset[int]
    """Shared ids whose shared version this server does not see (changed, removed, or
    replaced by an own entry with the same link)."""
    by_key: dict[str, int]
    """Normalized URL -> entry id, for ``entries``."""
    ordered: tuple[Resource, ...] = ()
    short_prefixes: dict[str, list[int]] = field(default_factory=dict)
    terms: dict[int, EntryTerms] = field(default_factory=dict)
    planner: QueryPlanner | None = None  # built on first search (see LibraryView.planner)

    def __post_init__(self) -> None:
        self.ordered = tuple(sorted(self.entries.values(), key=browse_key))
        self.short_prefixes = short_prefixes(self.ordered)
        self.terms = {rid: EntryTerms.of(r) for rid, r in self.entries.items()}


@dataclass(frozen=True)
class Snapshot:
    """The whole library as search sees it."""

    by_id: dict[int, Resource]  # the shared catalog
    by_key: dict[str, int]  # normalized URL -> shared id
    frequencies: Counter[str]  # index token -> shared entries containing it
    planner: QueryPlanner
    ordered: tuple[Resource, ...]  # shared entries, browse order
    short_prefixes: dict[str, list[int]]
    overlays: Mapping[int, Overlay]
    terms: dict[int, EntryTerms]  # shared id -> what ranking compares queries with
    links: Mapping[str, LinkCheck]  # link -> its latest check (every server's links)

    @classmethod
    def build(cls, shared: Iterable[Resource], url_keys: Mapping[int, str],
              overlays: Mapping[int, Overlay], links: Mapping[str, LinkCheck]) -> Snapshot:
        by_id = {r.id: r for r in shared}
        frequencies: Counter[str] = Counter()
        for r in by_id.values():
            frequencies.update(index_tokens(r))
        ordered = tuple(sorted(by_id.values(), key=browse_key))
        return cls(
            by_id=by_id,
            by_key={url_keys[rid]: rid for rid in by_id},
            frequencies=frequencies,
            planner=QueryPlanner(frequencies),
            ordered=ordered,
            short_prefixes=short_prefixes(ordered),
            overlays=overlays,
            terms={rid: EntryTerms.of(r) for rid, r in by_id.items()},
            links=links,
        )

    def view(self, guild_id: int | None) -> LibraryView:
        overlay = None if guild_id is None else self.overlays.get(guild_id)
        return LibraryView(self, overlay, guild_id)


class LibraryView:
    """The library as one server (or, with no server, anyone) sees it."""

    def __init__(self, snap: Snapshot, overlay: Overlay | None, guild_id: int | None) -> None:
        self.snap = snap
        self.overlay = overlay
        self.guild_id = guild_id

    @property
    def fts_gid(self) -> int:
        """The other `gid` an FTS query accepts besides the shared catalog's."""
        return SHARED_GID if self.overlay is None or self.guild_id is None else self.guild_id

    @property
    def extra_fetch(self) -> int:
        """How many more FTS rows to fetch than wanted: shared rows this server hides."""
        return 0 if self.overlay is None else len(self.overlay.hidden)

    @property
    def planner(self) -> QueryPlanner:
        """The shared planner, or one that also knows this server's own words (so they are not
        "corrected" away, and no server is offered another server's words)."""
        overlay = self.overlay
        if overlay is None:
            return self.snap.planner
        if overlay.planner is None:
            frequencies = Counter(self.snap.frequencies)
            for r in overlay.entries.values():
                frequencies.update(index_tokens(r))
            overlay.planner = QueryPlanner(frequencies)
        return overlay.planner

    def size(self) -> int:
        if self.overlay is None:
            return len(self.snap.by_id)
        return len(self.snap.by_id) - len(self.overlay.hidden) + len(self.overlay.entries)

    def get(self, entry_id: int) -> Resource | None:
        overlay = self.overlay
        if overlay is not None:
            if entry_id in overlay.entries:
                return overlay.entries[entry_id]
            if entry_id in overlay.hidden:
                return None
        return self.snap.by_id.get(entry_id)

    def link(self, url: str) -> LinkCheck | None:
        """The latest check of a link, if it was checked."""
        return self.snap.links.get(url)

    def terms(self, entry_id: int) -> EntryTerms:
        """What ranking compares a query with, for an entry seen here."""
        overlay = self.overlay
        if overlay is not None and entry_id in overlay.terms:
            return overlay.terms[entry_id]
        return self.snap.terms[entry_id]

    def resolve(self, fts_rowid: int) -> Resource | None:
        """The entry an FTS row stands for here, or None when this server does not see it."""
        overlay = self.overlay
        if overlay is not None:
            if fts_rowid in overlay.fts_ids:
                return overlay.entries[overlay.fts_ids[fts_rowid]]
            if fts_rowid in overlay.hidden:
                return None
        return self.snap.by_id.get(fts_rowid)

    def find_url(self, url_key: str) -> Resource | None:
        """The entry seen here with that normalized link, if any."""
        overlay = self.overlay
        if overlay is not None and url_key in overlay.by_key:
            return overlay.entries[overlay.by_key[url_key]]
        rid = self.snap.by_key.get(url_key)
        return None if rid is None else self.get(rid)

    def ordered(self) -> Iterator[Resource]:
        """Every entry seen here, in browse order."""
        return self._merge(self.snap.ordered, () if self.overlay is None else self.overlay.ordered)

    def prefixed(self, start: str) -> Iterator[Resource]:
        """Entries with a title/tag word starting with ``start`` (1-3 letters), browse order."""
        shared = (self.snap.by_id[i] for i in self.snap.short_prefixes.get(start, ()))
        if self.overlay is None:
            return shared
        own = (self.overlay.entries[i] for i in self.overlay.short_prefixes.get(start, ()))
        return self._merge(shared, own)

    def _merge(self, shared: Iterable[Resource], own: Iterable[Resource]) -> Iterator[Resource]:
        if self.overlay is None:
            return iter(shared)
        hidden = self.overlay.hidden
        visible = (r for r in shared if r.id not in hidden)
        return heapq.merge(visible, own, key=browse_key)
