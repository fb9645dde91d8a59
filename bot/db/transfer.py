"""`fmg-bot db transfer SRC DST`: a whole database from one engine to the other (either way),
with the bot stopped.

The source must pass its integrity check and be at this fmg-bot's schema version; the target
is migrated to it and must hold no rows (unless ``replace``: then its rows are deleted first).
Tables are copied parent before child (foreign-key order) in one target transaction; on
PostgreSQL the identity columns then continue after the copied ids. Finally every table's row
count and checksum (SHA-256 over its rows, sorted) are compared on both sides. The search
index (FTS5) is not copied: the resource service rebuilds it on its next start.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import Any

from bot.db.database import Database, load_migrations
from bot.errors import FmgError

BATCH = 1000


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str


async def transfer(source: Database, target: Database, *, replace: bool = False) -> list[TableCopy]:
    """Copy ``source`` into ``target``; returns each table's rows and checksum (equal on both)."""
    latest = load_migrations()[-1].version
    if await source.schema_version() != latest:
        raise FmgError(f"{source.label} is not at schema version {latest}: "
                       "run `fmg-bot db migrate` on it first")
    problems = await source.integrity_problems()
    if problems:
        raise FmgError(f"{source.label} fails its integrity check: {problems[0]}")
    await target.migrate()
    # (The search index is in each process's memory, built from these rows: nothing to skip.)
    tables = await source.tables()
    if sorted(tables) != sorted(await target.tables()):
        raise FmgError("the two databases do not have the same tables")
    order = await _parents_first(source, tables)
    filled = [t for t in tables if await target.fetchval(f"SELECT count(*) FROM {t}")]
    if filled and not replace:
        raise FmgError(f"{target.label} already holds data (in {', '.join(filled)}): "
                       "pass --replace to delete it first")
    async with target.transaction() as tx:
        for table in reversed(order):
            await tx.execute(f"DELETE FROM {table}")
        for table in order:
            columns = await source.columns(table)
            names = ", ".join(columns)
            marks = ", ".join("?" * len(columns))
            rows = [tuple(r) for r in await source.fetchall(f"SELECT {names} FROM {table}")]
            for start in range(0, len(rows), BATCH):
                await tx.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                                     rows[start:start + BATCH])
    await target.reset_identities()
    copies = []
    for table in order:
        want, got = await _digest(source, table), await _digest(target, table)
        if want != got:
            raise FmgError(f"{table}: the copy differs from the source ({got} != {want})")
        copies.append(TableCopy(table, *want))
    return copies


async def _parents_first(db: Database, tables: list[str]) -> list[str]:
    graph = {t: {p for p in (await db.references()).get(t, set()) if p != t and p in tables}
             for t in tables}
    return list(TopologicalSorter(graph).static_order())


def _value(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


async def _digest(db: Database, table: str) -> tuple[int, str]:
    """(rows, SHA-256 of the rows sorted), the same for the same data on either engine."""
    columns = ", ".join(await db.columns(table))
    rows = sorted(repr(tuple(_value(v) for v in r))
                  for r in await db.fetchall(f"SELECT {columns} FROM {table}"))
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.encode())
        digest.update(b"\n")
    return len(rows), digest.hexdigest()[:16]
