"""Rows <-> dataclasses, the search index's rows, and the library's version: every
transaction that changes the library's rows bumps it (`library_changed`), so each process
knows when to rebuild its snapshot and search index (`_index`).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Mapping

from bot.clock import from_epoch
from bot.db import Transaction
from bot.services.resources._index import IndexSource
from bot.services.resources._models import EDITABLE_FIELDS, Resource, Suggestion

SHARED_GID = 0
#: the shared mark (bot/services/marks.py) holding the library's version
LIBRARY_MARK = "library"


def to_resource(row: sqlite3.Row) -> Resource:
    return Resource(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        organization=row["organization"],
        category=row["category"],
        tier=row["tier"],
        tags=split_tags(row["tags"]),
        description=row["description"],
        last_verified=from_epoch(row["last_verified"]),
        guild_id=row["guild_id"],
    )


def apply_override(shared: Resource, row: sqlite3.Row) -> Resource:
    """A shared entry as the override's server sees it. A moderator's check counts until the
    catalog records a later one: the shown verification date is the later of the two."""
    changes: dict[str, object] = {}
    for name in EDITABLE_FIELDS:
        value = row[name]
        if value is None:
            continue
        if name == "tags":
            changes[name] = split_tags(value)
        elif name == "last_verified":
            changes[name] = max(shared.last_verified, from_epoch(value))
        else:
            changes[name] = value
    return dataclasses.replace(shared, **changes, edited_fields=frozenset(changes))


def to_suggestion(row: sqlite3.Row) -> Suggestion:
    return Suggestion(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        title=row["title"],
        url=row["url"],
        category=row["category"],
        reason=row["reason"],
        status=row["status"],
        created_at=from_epoch(row["created_at"]),
        reviewed_by=row["reviewed_by"],
        resource_id=row["resource_id"],
    )



def join_tags(tags: Iterable[str]) -> str:
    return ",".join(t.strip() for t in tags if t.strip())


def split_tags(raw: str) -> tuple[str, ...]:
    return tuple(t for t in raw.split(",") if t)


def index_sources(rows: Iterable[sqlite3.Row],
                  overrides: Iterable[sqlite3.Row]) -> dict[int, IndexSource]:
    """The search index's rows (see `_index`) from the live rows of `resources` and the rows of
    `resource_overrides`: an override's own fields, else its shared entry's."""
    by_id = {r["id"]: r for r in rows}
    sources: dict[int, IndexSource] = {
        r["id"]: (r["guild_id"] or SHARED_GID, r["title"], r["tags"], r["organization"],
                  r["description"])
        for r in by_id.values() if not r["removed"]
    }
    for o in overrides:
        if o["removed"]:
            continue
        base = by_id[o["resource_id"]]
        sources[-o["id"]] = (o["guild_id"], *(base[f] if o[f] is None else o[f] for f in _TEXT))
    return sources


_TEXT = ("title", "tags", "organization", "description")


async def library_changed(tx: Transaction) -> None:
    """Bump the library's version in the transaction that changed its rows, so every process
    (this one included) rebuilds its snapshot and search index once it commits."""
    await tx.execute(
        f"INSERT INTO shared_marks (name, version) VALUES ('{LIBRARY_MARK}', 1) ON CONFLICT (name) "
        "DO UPDATE SET version = shared_marks.version + 1"
    )
    await tx.notify(LIBRARY_MARK)


async def update_resource(tx: Transaction, resource_id: int, values: Mapping[str, object], now: int) -> None:
    # Column names come from our own code (EDITABLE_FIELDS and bookkeeping), never from input.
    columns = ", ".join(f"{name} = ?" for name in values)
    await tx.execute(
        f"UPDATE resources SET {columns}, updated_at = ? WHERE id = ?",
        (*values.values(), now, resource_id),
    )
    await library_changed(tx)


async def write_override(
    tx: Transaction, guild_id: int, resource_id: int, values: Mapping[str, object], now: int
) -> None:
    """Create or change a server's override of a shared entry (only the given columns)."""
    # Column names come from our own code (EDITABLE_FIELDS, url_key, removed), never from input.
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    updates = ", ".join(f"{name} = excluded.{name}" for name in values)
    await tx.execute(
        f"INSERT INTO resource_overrides (guild_id, resource_id, {names}, created_at, updated_at) "
        f"VALUES (?, ?, {marks}, ?, ?) ON CONFLICT (guild_id, resource_id) "
        f"DO UPDATE SET {updates}, updated_at = excluded.updated_at",
        (guild_id, resource_id, *values.values(), now, now),
    )
    await library_changed(tx)
