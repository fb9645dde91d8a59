"""Rows <-> dataclasses, and keeping the FTS index in step with `resources` (inside a transaction)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.db import Transaction
from bot.services.resources._models import Resource, Suggestion
from bot.services.resources._text import index_text


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


async def reindex(tx: Transaction, resource_id: int) -> None:
    """Rewrite the FTS row of one resource from its table row (none when it is removed)."""
    await tx.execute("DELETE FROM resources_fts WHERE rowid = ?", (resource_id,))
    row = await tx.fetchone(
        "SELECT title, tags, organization, description FROM resources WHERE id = ? AND removed = 0",
        (resource_id,),
    )
    if row is not None:
        await tx.execute(
            "INSERT INTO resources_fts (rowid, title, tags, organization, description) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                resource_id,
                index_text(row["title"]),
                index_text(row["tags"]),
                index_text(row["organization"]),
                index_text(row["description"]),
            ),
        )
