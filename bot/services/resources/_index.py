"""The full-text index search asks: FTS5 in an in-memory SQLite database of this process.

Each process builds it from the library's rows (whatever engine holds them) and brings it in
step when the library's version moves (`ResourceService._snap`). Rows are the same as the
database's index had: every live entry of `resources` (rowid = its id, gid = its guild or 0 for
the shared catalog) and every live server override (rowid = minus the override's id, gid = its
guild, the override's effective text). Only rows whose text changed are re-tokenized, so a
moderator's edit costs one row, and only the first build costs the whole catalog.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from bot.services.resources._vocabulary import index_text

#: (gid, title, tags, organization, description): an index row's source text
IndexSource = tuple[int, str, str, str, str]

_SCHEMA = """
CREATE VIRTUAL TABLE resources_fts USING fts5(
    title, tags, organization, description, gid UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
-- bm25 column weights for ORDER BY rank: title 10, tags 6, organization 3, description 1
-- (gid is unindexed: it never matches).
INSERT INTO resources_fts (resources_fts, rank) VALUES ('rank', 'bm25(10.0, 6.0, 3.0, 1.0, 0.0)');
"""


class SearchIndex:
    def __init__(self) -> None:
        # Used from the event loop's thread only: a query is an in-memory lookup, microseconds.
        self._conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._conn.executescript(_SCHEMA)
        self._sources: dict[int, IndexSource] = {}

    def __len__(self) -> int:
        return len(self._sources)

    def sync(self, sources: Mapping[int, IndexSource]) -> int:
        """Make the index hold exactly ``sources`` (rowid -> source text); returns how many
        rows were written or deleted."""
        gone = [rowid for rowid in self._sources if rowid not in sources]
        changed = {rowid: s for rowid, s in sources.items() if self._sources.get(rowid) != s}
        stale = [(rowid,) for rowid in [*gone, *changed] if rowid in self._sources]
        conn = self._conn
        conn.execute("BEGIN")
        try:
            conn.executemany("DELETE FROM resources_fts WHERE rowid = ?", stale)
            conn.executemany(
                "INSERT INTO resources_fts (rowid, title, tags, organization, description, gid) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(rowid, index_text(title), index_text(tags), index_text(organization),
                  index_text(description), gid)
                 for rowid, (gid, title, tags, organization, description) in changed.items()],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for rowid in gone:
            del self._sources[rowid]
        self._sources.update(changed)
        return len(gone) + len(changed)

    def match(self, expr: str, gids: tuple[int, int], limit: int) -> list[tuple[int, float]]:
        """Ranked rows (rowid, bm25 rank) of the two gids matching the FTS5 expression."""
        rows = self._conn.execute(
            "SELECT rowid, rank FROM resources_fts WHERE resources_fts MATCH ? "
            "AND gid IN (?, ?) ORDER BY rank LIMIT ?",
            (expr, *gids, limit),
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def close(self) -> None:
        self._conn.close()
