"""Rows <-> dataclasses, and keeping the FTS index in step with `resources` (inside a transaction)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from bot.db import Transaction
from bot.services.resources._models import Resource, Suggestion
from bot.services.resources._vocabulary import VOCABULARY, index_text


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
        last_verified=datetime.fromtimestamp(row["last_verified"], UTC),
        source=row["source"],
        edited_fields=frozenset(f for f in row["edited_fields"].split(",") if f),
    )


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
        created_at=datetime.fromtimestamp(row["created_at"], UTC),
        reviewed_by=row["reviewed_by"],
        resource_id=row["resource_id"],
    )


def join_tags(tags: Iterable[str]) -> str:
    return ",".join(t.strip() for t in tags if t.strip())


def split_tags(raw: str) -> tuple[str, ...]:
    return tuple(t for t in raw.split(",") if t)


def _fts_row(row: sqlite3.Row) -> tuple[int, str, str, str, str]:
    return (
        row["id"],
        index_text(row["title"]),
        index_text(row["tags"]),
        index_text(row["organization"]),
        index_text(row["description"]),
    )


_INSERT_FTS = (
    "INSERT INTO resources_fts (rowid, title, tags, organization, description) VALUES (?, ?, ?, ?, ?)"
)
_INDEXED = "SELECT id, title, tags, organization, description FROM resources WHERE removed = 0"


async def reindex(tx: Transaction, resource_id: int) -> None:
    """Rewrite the FTS row of one resource from its table row (none when it is removed)."""
    await tx.execute("DELETE FROM resources_fts WHERE rowid = ?", (resource_id,))
    row = await tx.fetchone(f"{_INDEXED} AND id = ?", (resource_id,))
    if row is not None:
        await tx.execute(_INSERT_FTS, _fts_row(row))


async def index_added(tx: Transaction, after_id: int) -> None:
    """Index the rows inserted after ``after_id`` (rowids only grow), in one batch."""
    rows = await tx.fetchall(f"{_INDEXED} AND id > ?", (after_id,))
    await tx.executemany(_INSERT_FTS, [_fts_row(r) for r in rows])


async def reindex_all(tx: Transaction) -> None:
    """Rebuild the whole FTS index, e.g. after the concept vocabulary changed."""
    await tx.execute("DELETE FROM resources_fts")
    await tx.executemany(_INSERT_FTS, [_fts_row(r) for r in await tx.fetchall(_INDEXED)])
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
