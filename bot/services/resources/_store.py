"""Rows <-> dataclasses, and keeping the FTS index in step with the tables (inside a transaction).

FTS rows: every live entry of `resources` (rowid = its id, gid = its guild or 0 for the shared
catalog) and every live server override (rowid = minus the override's id, gid = its guild, the
override's effective text: its own fields, else the shared entry's).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Mapping

from bot.clock import from_epoch
from bot.db import Transaction
from bot.services.resources._models import EDITABLE_FIELDS, Resource, Suggestion
from bot.services.resources._vocabulary import VOCABULARY, index_text

SHARED_GID = 0


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


def _fts_row(row: sqlite3.Row) -> tuple[int, str, str, str, str, int]:
    return (
        row["fts_id"],
        index_text(row["title"]),
        index_text(row["tags"]),
        index_text(row["organization"]),
        index_text(row["description"]),
        row["gid"],
    )


_INSERT_FTS = (
    "INSERT INTO resources_fts (rowid, title, tags, organization, description, gid) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_ENTRIES = (
    f"SELECT id AS fts_id, coalesce(guild_id, {SHARED_GID}) AS gid, title, tags, organization, "
    "description FROM resources WHERE removed = 0"
)
_OVERRIDES = (
    "SELECT -o.id AS fts_id, o.guild_id AS gid, coalesce(o.title, r.title) AS title, "
    "coalesce(o.tags, r.tags) AS tags, coalesce(o.organization, r.organization) AS organization, "
    "coalesce(o.description, r.description) AS description "
    "FROM resource_overrides o JOIN resources r ON r.id = o.resource_id WHERE o.removed = 0"
)


async def reindex(tx: Transaction, resource_id: int) -> None:
    """Rewrite the FTS rows of one entry (none when it is removed) and of its overrides, whose
    effective text inherits from it."""
    await tx.execute("DELETE FROM resources_fts WHERE rowid = ?", (resource_id,))
    row = await tx.fetchone(f"{_ENTRIES} AND id = ?", (resource_id,))
    if row is not None:
        await tx.execute(_INSERT_FTS, _fts_row(row))
    for (override_id,) in await tx.fetchall(
        "SELECT id FROM resource_overrides WHERE resource_id = ?", (resource_id,)
    ):
        await reindex_override(tx, override_id)


async def reindex_override(tx: Transaction, override_id: int) -> None:
    await tx.execute("DELETE FROM resources_fts WHERE rowid = ?", (-override_id,))
    row = await tx.fetchone(f"{_OVERRIDES} AND o.id = ?", (override_id,))
    if row is not None:
        await tx.execute(_INSERT_FTS, _fts_row(row))


async def index_added(tx: Transaction, after_id: int) -> None:
    """Index the rows inserted after ``after_id`` (rowids only grow; new rows have no
    overrides yet), in one batch."""
    rows = await tx.fetchall(f"{_ENTRIES} AND id > ?", (after_id,))
    await tx.executemany(_INSERT_FTS, [_fts_row(r) for r in rows])


async def reindex_all(tx: Transaction) -> None:
    """Rebuild the whole FTS index, e.g. after the concept vocabulary changed."""
    await tx.execute("DELETE FROM resources_fts")
    for query in (_ENTRIES, _OVERRIDES):
        await tx.executemany(_INSERT_FTS, [_fts_row(r) for r in await tx.fetchall(query)])
    await tx.execute(
        "INSERT INTO resources_index_state (id, vocabulary) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET vocabulary = excluded.vocabulary",
        (VOCABULARY.fingerprint,),
    )


async def update_resource(tx: Transaction, resource_id: int, values: Mapping[str, object], now: int) -> None:
    # Column names come from our own code (EDITABLE_FIELDS and bookkeeping), never from input.
    columns = ", ".join(f"{name} = ?" for name in values)
    await tx.execute(
        f"UPDATE resources SET {columns}, updated_at = ? WHERE id = ?",
        (*values.values(), now, resource_id),
    )
    await reindex(tx, resource_id)


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
    override_id = await tx.fetchval(
        "SELECT id FROM resource_overrides WHERE guild_id = ? AND resource_id = ?",
        (guild_id, resource_id),
    )
    await reindex_override(tx, override_id)
