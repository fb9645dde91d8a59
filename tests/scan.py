"""Find a member's id anywhere in the database: every column of every table, as a value or
inside text (a mention, a CSV line). Used by the privacy tests, as the anonymity audit does."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def rows_holding(database: Path, user_id: int) -> list[tuple[str, str]]:
    """Every (table, column) holding ``user_id``, read from a separate read-only connection so
    it sees what is committed on disk (the write-ahead log included)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        hits = []
        for table in tables:
            for column in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]:
                found = conn.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}" = ? '
                    f'OR instr(CAST("{column}" AS TEXT), ?) > 0',
                    (user_id, str(user_id)),
                ).fetchone()[0]
                if found:
                    hits.append((table, column))
    finally:
        conn.close()
    return hits
