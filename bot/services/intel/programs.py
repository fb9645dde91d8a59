"""The programs members report on: imported from a CSV, found by name, city, state or id.

The CSV (``fmg-bot programs import FILE.csv``; data/programs-sample.csv is an example) has a
header row and the columns ``program_id`` (the ACGME program id, ten digits), ``name``,
``specialty``, ``city`` and ``state`` (two letters), in any order; other columns and lines
starting with ``#`` are ignored.
Importing adds new programs and updates known ones (by id); it never removes one, since
reports may name it.
"""

from __future__ import annotations

import csv
import re

from bot.errors import InvalidInput, NotFound
from bot.services.intel._models import ImportResult, Program
from bot.services.intel._store import IntelStore
from bot.services.text import sanitize_line

COLUMNS = ("program_id", "name", "specialty", "city", "state")
_PROGRAM_ID = re.compile(r"\d{10}")
_STATE = re.compile(r"[A-Z]{2}")
#: Discord shows at most 25 autocomplete choices.
MAX_CHOICES = 25
MAX_NAME = 200
#: A specialty is offered whole as an autocomplete choice (100 characters at most).
MAX_CHOICE = 100


def parse_programs(text: str) -> list[Program]:
    """The programs in a CSV text; `InvalidInput` naming the line of the first problem."""
    numbered = [(n, line) for n, line in enumerate(text.lstrip("\ufeff").splitlines(), 1)
                if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(line for _, line in numbered))
    if len(rows) != len(numbered):
        raise InvalidInput("a value runs over several lines: keep each program on one line")
    header = [name.strip() for name in rows[0]] if rows else []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"the CSV has no column {', '.join(missing)} (needs: {', '.join(COLUMNS)})")
    programs: dict[str, Program] = {}
    for (line, _), cells in zip(numbered[1:], rows[1:], strict=True):
        row = dict(zip(header, cells, strict=False))
        values = {c: sanitize_line(row.get(c) or "") for c in COLUMNS}
        if not _PROGRAM_ID.fullmatch(values["program_id"]):
            raise InvalidInput(f"line {line}: program_id must be the 10-digit ACGME id")
        values["state"] = values["state"].upper()
        if not _STATE.fullmatch(values["state"]):
            raise InvalidInput(f"line {line}: state must be two letters (NY, CA...)")
        for column, longest in (("name", MAX_NAME), ("specialty", MAX_CHOICE), ("city", MAX_CHOICE)):
            if not values[column]:
                raise InvalidInput(f"line {line}: {column} is empty")
            if len(values[column]) > longest:
                raise InvalidInput(f"line {line}: {column} is longer than {longest} characters")
        if values["program_id"] in programs:
            raise InvalidInput(f"line {line}: program {values['program_id']} appears twice")
        programs[values["program_id"]] = Program(**values)
    return list(programs.values())


class Programs:
    def __init__(self, store: IntelStore) -> None:
        self._store = store

    async def import_text(self, text: str) -> ImportResult:
        programs = parse_programs(text)
        async with self._store.db.transaction():
            known = await self._store.programs_by_id(p.program_id for p in programs)
            await self._store.upsert_programs(programs)
        added = sum(1 for p in programs if p.program_id not in known)
        unchanged = sum(1 for p in programs if known.get(p.program_id) == p)
        return ImportResult(added, len(programs) - added - unchanged, unchanged)

    async def search(self, query: str, limit: int = MAX_CHOICES) -> list[Program]:
        """Programs by name, city, state or id (every word must match), for autocomplete."""
        words = sanitize_line(query).split()[:5]
        return await self._store.search_programs(words, min(limit, MAX_CHOICES))

    async def get(self, query: str) -> Program:
        """The program a member named: its id (what autocomplete sends), or a text that
        matches exactly one program."""
        query = query.strip()
        if _PROGRAM_ID.fullmatch(query):
            found = await self._store.programs_by_id([query])
            if query in found:
                return found[query]
        matches = await self.search(query, limit=2) if query else []
        if len(matches) == 1:
            return matches[0]
        raise NotFound(
            "I do not know that program: start typing its name, city or ACGME id and pick it "
            "from the list." if not matches else
            "Several programs match that: pick one from the list as you type."
        )

    async def specialties(self) -> list[str]:
        return await self._store.specialties()
