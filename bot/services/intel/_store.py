"""Every SQL statement of program intel (the sub-features call these; no SQL elsewhere)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from bot.db import Database
from bot.services.intel._models import FIELD_KEYS, Answers, Program

_PROGRAM_COLUMNS = "program_id, name, specialty, city, state"
_ANSWER_COLUMNS = ", ".join(FIELD_KEYS)
#: SQLite's default limit on host parameters is 999 (32766 since 3.32): stay well under.
_CHUNK = 500


def _program(row: sqlite3.Row) -> Program:
    return Program(row["program_id"], row["name"], row["specialty"], row["city"], row["state"])


def _answers(row: sqlite3.Row) -> Answers:
    return {key: row[key] for key in FIELD_KEYS}


class IntelStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the key's fingerprint ------------------------------------------------------------
    async def key_fingerprint(self) -> str | None:
        return await self.db.fetchval("SELECT fingerprint FROM intel_key")

    async def save_key_fingerprint(self, fingerprint: str) -> None:
        await self.db.execute(
            "INSERT INTO intel_key (fingerprint) VALUES (?) ON CONFLICT (fingerprint) DO NOTHING",
            (fingerprint,),
        )

    # -- programs -------------------------------------------------------------------------
    async def programs_by_id(self, ids: Iterable[str]) -> dict[str, Program]:
        wanted = list(ids)
        found: dict[str, Program] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            rows = await self.db.fetchall(
                f"SELECT {_PROGRAM_COLUMNS} FROM programs WHERE program_id IN "
                f"({', '.join('?' * len(chunk))})", chunk,
            )
            found.update((r["program_id"], _program(r)) for r in rows)
        return found

    async def all_programs(self) -> list[Program]:
        rows = await self.db.fetchall(f"SELECT {_PROGRAM_COLUMNS} FROM programs ORDER BY name")
        return [_program(r) for r in rows]

    async def upsert_programs(self, programs: Sequence[Program]) -> None:
        await self.db.executemany(
            f"INSERT INTO programs ({_PROGRAM_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (program_id) DO UPDATE SET name = excluded.name, "
            "specialty = excluded.specialty, city = excluded.city, state = excluded.state",
            [(p.program_id, p.name, p.specialty, p.city, p.state) for p in programs],
        )

    async def specialties(self) -> list[str]:
        rows = await self.db.fetchall("SELECT DISTINCT specialty FROM programs ORDER BY specialty")
        return [r["specialty"] for r in rows]

    # -- reports --------------------------------------------------------------------------
    async def report(self, reporter: str) -> tuple[int, Answers] | None:
        """The report's server and answers."""
        row = await self.db.fetchone(
            f"SELECT guild_id, {_ANSWER_COLUMNS} FROM intel_reports WHERE reporter = ?", (reporter,)
        )
        return None if row is None else (row["guild_id"], _answers(row))

    async def save_report(self, reporter: str, guild_id: int, program_id: str, cycle: int,
                          answers: Answers) -> None:
        values = [answers.get(key) for key in FIELD_KEYS]
        updates = ", ".join(f"{key} = excluded.{key}" for key in FIELD_KEYS)
        await self.db.execute(
            f"INSERT INTO intel_reports (reporter, guild_id, program_id, cycle, {_ANSWER_COLUMNS}) "
            f"VALUES (?, ?, ?, ?, {', '.join('?' * len(FIELD_KEYS))}) "
            f"ON CONFLICT (reporter) DO UPDATE SET guild_id = excluded.guild_id, {updates}",
            (reporter, guild_id, program_id, cycle, *values),
        )

    async def delete_reports(self, reporters: Sequence[str], guild_id: int | None = None) -> int:
        """Delete these reports (only those counted in ``guild_id`` when given); how many went."""
        gone = 0
        for start in range(0, len(reporters), _CHUNK):
            chunk = list(reporters[start:start + _CHUNK])
            where = f"reporter IN ({', '.join('?' * len(chunk))})"
            params: list[object] = list(chunk)
            if guild_id is not None:
                where += " AND guild_id = ?"
                params.append(guild_id)
            rows = await self.db.fetchall(
                f"DELETE FROM intel_reports WHERE {where} RETURNING reporter", params
            )
            gone += len(rows)
        return gone

    async def answers_for(self, guild_id: int, program_id: str, cycle: int) -> list[Answers]:
        rows = await self.db.fetchall(
            f"SELECT {_ANSWER_COLUMNS} FROM intel_reports "
            "WHERE guild_id = ? AND program_id = ? AND cycle = ?", (guild_id, program_id, cycle),
        )
        return [_answers(r) for r in rows]

    async def answer_counts(self, guild_id: int, cycle: int, key: str) -> dict[str, dict[str, int]]:
        """Program -> answer -> how many reports in the server gave it, for one field."""
        if key not in FIELD_KEYS:
            raise ValueError(f"no field {key!r}")
        rows = await self.db.fetchall(
            f"SELECT program_id, {key} AS answer, COUNT(*) AS n FROM intel_reports "
            f"WHERE guild_id = ? AND cycle = ? AND {key} IS NOT NULL GROUP BY program_id, {key}",
            (guild_id, cycle),
        )
        found: dict[str, dict[str, int]] = {}
        for r in rows:
            found.setdefault(r["program_id"], {})[r["answer"]] = r["n"]
        return found

    async def reported_pairs(self, guild_id: int) -> list[tuple[str, int]]:
        """Every (program, cycle) with a report counted in the server."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT program_id, cycle FROM intel_reports WHERE guild_id = ?", (guild_id,)
        )
        return [(r["program_id"], r["cycle"]) for r in rows]

    async def reports_of(self, reporters: Sequence[str], guild_id: int
                         ) -> list[tuple[str, int, Answers]]:
        """(program, cycle, answers) of those of ``reporters`` counted in the server."""
        found = []
        for start in range(0, len(reporters), _CHUNK):
            chunk = list(reporters[start:start + _CHUNK])
            rows = await self.db.fetchall(
                f"SELECT program_id, cycle, {_ANSWER_COLUMNS} FROM intel_reports WHERE "
                f"guild_id = ? AND reporter IN ({', '.join('?' * len(chunk))})",
                [guild_id, *chunk],
            )
            found.extend((r["program_id"], r["cycle"], _answers(r)) for r in rows)
        return found

    async def void(self, guild_id: int, program_id: str, cycle: int) -> None:
        await self.db.execute(
            "DELETE FROM intel_reports WHERE guild_id = ? AND program_id = ? AND cycle = ?",
            (guild_id, program_id, cycle),
        )

    async def search_programs(self, words: Sequence[str], limit: int) -> list[Program]:
        """Programs whose name, city, state or id contains every word (case-insensitive),
        those whose name or id starts with the first word first."""
        where, params = [], []
        for word in words:
            like = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(lower(name) LIKE ? ESCAPE '\\' OR lower(city) LIKE ? ESCAPE '\\' "
                         "OR lower(state) LIKE ? ESCAPE '\\' OR program_id LIKE ? ESCAPE '\\')")
            params += [like] * 4
        first = (words[0].lower() if words else "").replace("\\", "\\\\").replace("%", "\\%")
        first = first.replace("_", "\\_") + "%"
        rows = await self.db.fetchall(
            f"SELECT {_PROGRAM_COLUMNS} FROM programs WHERE {' AND '.join(where) or '1 = 1'} "
            "ORDER BY CASE WHEN lower(name) LIKE ? ESCAPE '\\' OR program_id LIKE ? ESCAPE '\\' "
            "THEN 0 ELSE 1 END, name, program_id LIMIT ?",
            [*params, first, first, limit],
        )
        return [_program(r) for r in rows]

    async def programs_matching(self, specialty: str | None, state: str | None) -> list[Program]:
        where, params = [], []
        if specialty:
            where.append("lower(specialty) = ?")
            params.append(specialty.lower())
        if state:
            where.append("upper(state) = ?")
            params.append(state.upper())
        rows = await self.db.fetchall(
            f"SELECT {_PROGRAM_COLUMNS} FROM programs WHERE {' AND '.join(where) or '1 = 1'} "
            "ORDER BY name, program_id", params,
        )
        return [_program(r) for r in rows]
