"""Search a database file (every table, plus the raw .sqlite3/-wal/-shm bytes) and a captured log
for a user id, the way the anonymity audit needs: as decimal text, as mention strings, and as
the 8-byte big-endian integer SQLite writes for a 64-bit INTEGER column value."""

from __future__ import annotations

import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Hit:
    where: str
    detail: str


def needles(user_id: int) -> dict[str, bytes]:
    text = str(user_id)
    return {
        "decimal": text.encode(),
        "mention": f"<@{text}>".encode(),
        "nick mention": f"<@!{text}>".encode(),
        "int64 big-endian": struct.pack(">q", user_id),
        "int64 little-endian": struct.pack("<q", user_id),
        "utf-16 decimal": text.encode("utf-16-le"),
    }


def scan_tables(db_file: Path, user_id: int) -> list[Hit]:
    """Every value of every row of every table (read through a separate read-only connection)."""
    hits: list[Hit] = []
    text = str(user_id)
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # names from sqlite_master
                for value in row:
                    if (
                        value == user_id
                        or (isinstance(value, str) and text in value)
                        or (
                            isinstance(value, bytes)
                            and any(n in value for n in needles(user_id).values())
                        )
                    ):
                        hits.append(Hit(f"table {table}", repr(row)[:200]))
    finally:
        conn.close()
    return hits


def scan_files(db_file: Path, user_id: int) -> list[Hit]:
    """The raw bytes of the database, its write-ahead log and shared-memory index."""
    hits: list[Hit] = []
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_file}{suffix}")
        if not path.exists():
            continue
        data = path.read_bytes()
        for name, needle in needles(user_id).items():
            if needle in data:
                hits.append(Hit(path.name, f"{name} at byte {data.index(needle)}"))
    return hits


def scan_log(text: str, user_id: int) -> list[Hit]:
    return [Hit("log", line[:300]) for line in text.splitlines() if str(user_id) in line]


def scan_everything(db_file: Path, log_text: str, user_id: int) -> list[Hit]:
    return (
        scan_tables(db_file, user_id) + scan_files(db_file, user_id) + scan_log(log_text, user_id)
    )


def existing_files(db_file: Path) -> list[str]:
    return [p.name for p in (Path(f"{db_file}{s}") for s in ("", "-wal", "-shm")) if p.exists()]


def raw_bytes(db_file: Path) -> bytes:
    """The database, WAL and shared-memory files concatenated, for ad-hoc searches."""
    return b"".join(
        Path(f"{db_file}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{db_file}{suffix}").exists()
    )
