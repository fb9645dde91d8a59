"""The two engines' schemas after every migration are the same schema: tables, columns with
their mapped types, nullability and defaults, indexes (columns, uniqueness, partial), foreign
keys and constraints. A migration written for SQLite and translated for PostgreSQL (or a
`.postgresql.sql` override left behind) cannot drift unnoticed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import Database
from bot.db.dialect import PostgresDialect
from tests.pg_server import PgServer

#: SQLite's declared type -> what PostgreSQL reports for its translation
TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea"}
#: FTS5 keeps SQLite's search index: on PostgreSQL the same rows sit in a plain table
FTS_TABLES = {"resources_fts"}

Schema = dict[str, object]


@pytest.fixture
async def both(tmp_path: Path, pg_server: PgServer) -> AsyncIterator[tuple[Database, Database]]:
    lite = await Database.open(tmp_path / "parity.sqlite3")
    pg = await Database.open(await pg_server.new_database(migrated=False))
    try:
        assert await lite.migrate() == await pg.migrate()
        yield lite, pg
    finally:
        await lite.close()
        await pg.close()


def _default(value: object) -> str | None:
    """A column default as both engines can be compared: literal text, no casts or parens."""
    if value is None:
        return None
    text = re.sub(r"::[a-z ]+", "", str(value)).strip("()")
    return None if "nextval" in text else text


async def sqlite_schema(db: Database) -> Schema:
    out: Schema = {}
    for table in await db.tables():
        if table in FTS_TABLES:
            continue
        columns = {}
        for c in await db.fetchall(f'PRAGMA table_info("{table}")'):
            pk_alias = c["pk"] == 1 and c["type"] == "INTEGER"
            columns[c["name"]] = (TYPES[c["type"]], bool(c["notnull"] or c["pk"]),
                                  None if pk_alias else _default(c["dflt_value"]))
        out[f"{table} columns"] = columns
        indexes = set()
        for i in await db.fetchall(f'PRAGMA index_list("{table}")'):
            if i["origin"] != "c":
                continue
            cols = tuple(
                f"lower({r['name']})" if r["coll"] == "NOCASE" else r["name"]
                for r in await db.fetchall(f'PRAGMA index_xinfo("{i["name"]}")') if r["key"]
            )
            indexes.add((i["name"], bool(i["unique"]), cols, bool(i["partial"])))
        out[f"{table} indexes"] = indexes
        out[f"{table} unique constraints"] = sum(
            1 for i in await db.fetchall(f'PRAGMA index_list("{table}")') if i["origin"] == "u")
        out[f"{table} foreign keys"] = {
            (f["from"], f["table"], f["to"], f["on_delete"])
            for f in await db.fetchall(f'PRAGMA foreign_key_list("{table}")')
        }
        sql = await db.fetchval("SELECT sql FROM sqlite_master WHERE name = ?", (table,))
        out[f"{table} checks"] = len(re.findall(r"\bCHECK\s*\(", sql, re.IGNORECASE))
    return out


async def postgres_schema(db: Database) -> Schema:
    out: Schema = {}
    for table in await db.tables():
        if table in FTS_TABLES:
            continue
        columns = {}
        for c in await db.fetchall(
            "SELECT column_name, data_type, is_nullable, column_default FROM "
            "information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        ):
            columns[c["column_name"]] = (c["data_type"], c["is_nullable"] == "NO",
                                         _default(c["column_default"]))
        out[f"{table} columns"] = columns
        indexes = set()
        for i in await db.fetchall(
            "SELECT c.relname AS name, i.indisunique AS uniq, i.indpred IS NOT NULL AS partial, "
            "ARRAY(SELECT pg_get_indexdef(i.indexrelid, n, true) "
            "      FROM generate_series(1, i.indnatts) AS n) AS cols, "
            "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS is_constraint "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = CAST(? AS regclass)", (table,),
        ):
            if i["is_constraint"]:
                continue
            indexes.add((i["name"], i["uniq"], tuple(i["cols"]), i["partial"]))
        out[f"{table} indexes"] = indexes
        constraints = await db.fetchall(
            "SELECT CAST(contype AS TEXT) AS contype, pg_get_constraintdef(oid) AS def "
            "FROM pg_constraint "
            "WHERE conrelid = CAST(? AS regclass)", (table,))
        out[f"{table} unique constraints"] = sum(1 for k in constraints if k["contype"] == "u")
        foreign = set()
        for k in constraints:
            if k["contype"] != "f":
                continue
            m = re.match(r"FOREIGN KEY \((\w+)\) REFERENCES (\w+)\((\w+)\)(?: ON DELETE ([A-Z ]+))?",
                         k["def"])
            assert m is not None, k["def"]
            foreign.add((m[1], m[2], m[3], m[4] or "NO ACTION"))
        out[f"{table} foreign keys"] = foreign
        out[f"{table} checks"] = sum(1 for k in constraints if k["contype"] == "c")
    return out


async def test_both_engines_have_the_same_schema(both: tuple[Database, Database]) -> None:
    lite, pg = both
    assert await lite.tables() == await pg.tables()
    expected, actual = await sqlite_schema(lite), await postgres_schema(pg)
    assert expected.keys() == actual.keys()
    for key in expected:
        assert expected[key] == actual[key], key


def test_the_translation_of_sqlite_ddl() -> None:
    translate = PostgresDialect().migration
    assert translate(
        "CREATE TABLE t (\n  id INTEGER PRIMARY KEY, -- it's an id\n  x REAL, b BLOB,\n"
        "  p INTEGER PRIMARY KEY REFERENCES u (id)\n) WITHOUT ROWID;\n"
        "CREATE INDEX i ON t (g, name COLLATE NOCASE);\n"
        "INSERT INTO t SELECT max(a, coalesce(b, 1)), min(c, d), max(e) FROM o;"
    ) == (
        "CREATE TABLE t (\n  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \n"
        "  x DOUBLE PRECISION, b BYTEA,\n  p BIGINT PRIMARY KEY REFERENCES u (id)\n);\n"
        "CREATE INDEX i ON t (g, lower(name));\n"
        "INSERT INTO t SELECT greatest(a, coalesce(b, 1)), least(c, d), max(e) FROM o;"
    )


def test_placeholders_are_numbered_outside_string_literals() -> None:
    dialect = PostgresDialect()
    sql = "SELECT '?', 'it''s ?' FROM t WHERE a = ? AND b IN (?, ?)"
    assert dialect.sql(sql) == "SELECT '?', 'it''s ?' FROM t WHERE a = $1 AND b IN ($2, $3)"
    assert dialect.sql(sql) is dialect.sql(sql)  # translated once, then cached
    assert dialect.sql("SELECT ?2, ?1, ?2") == "SELECT $2, $1, $2"
