"""What members run every day must not read a table from end to end: requests, offers,
pairings, sessions and RSVPs grow with every month the bot serves, and a query that scans one
of them gets slower for everybody while no test notices (`/mentor status` once looked for a
member's latest request by scanning every request ever made).

The statements are caught as SQLite runs them (its trace hook gives each with its values) and
each is explained: a plan that SCANs a table, rather than SEARCHing it through an index, fails
the test, unless the table is one read whole on purpose (the resource catalogue, loaded into
memory for search).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MenteeInput, MentoringService, MentorInput
from bot.services.resources import DEFAULT_CATALOG, ResourceService
from bot.services.study_groups import StudyGroupService

pytestmark = pytest.mark.sqlite_only

G = 1
MENTOR, MENTEE, OWNER = 10, 20, 30
#: read whole on purpose: the catalogue is loaded into memory once per change
READ_WHOLE = {"resources", "resource_overrides", "resource_links"}
_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_]+)(?:\s+(?:AS\s+)?(?!WHERE|JOIN|ON|ORDER|GROUP|"
                    r"LIMIT|LEFT|INNER|USING)([a-z_]+))?", re.IGNORECASE)


def scans(raw: sqlite3.Connection, sql: str) -> set[str]:
    """The tables ``sql``'s plan reads from end to end."""
    aliases = {}
    for table, alias in _ALIAS.findall(sql):
        aliases[table] = table
        if alias:
            aliases[alias] = table
    found = set()
    for row in raw.execute("EXPLAIN QUERY PLAN " + sql):
        detail = row[3]
        match = re.match(r"SCAN (\w+)", detail)
        if match and "INDEX" not in detail:
            found.add(aliases.get(match.group(1), match.group(1)))
    return found


@contextmanager
def traced(db: Database) -> Iterator[list[str]]:
    """The SELECTs ``db`` runs in the block, with their values."""
    raw: sqlite3.Connection = db._raw  # type: ignore[attr-defined]
    statements: list[str] = []

    def keep(sql: str) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(sql)

    raw.set_trace_callback(keep)
    try:
        yield statements
    finally:
        raw.set_trace_callback(None)


def test_the_check_finds_a_scan() -> None:
    raw = sqlite3.connect(":memory:")
    raw.execute("CREATE TABLE requests (id INTEGER PRIMARY KEY, mentee_id INTEGER)")
    assert scans(raw, "SELECT r.id FROM requests r WHERE r.mentee_id = 5 "
                      "ORDER BY r.id DESC LIMIT 1") == {"requests"}
    raw.execute("CREATE INDEX requests_by_mentee ON requests (mentee_id)")
    assert scans(raw, "SELECT r.id FROM requests r WHERE r.mentee_id = 5 "
                      "ORDER BY r.id DESC LIMIT 1") == set()


async def test_members_everyday_commands_search_by_index(db: Database,
                                                         clock: ManualClock) -> None:
    settings = GuildSettingsService(db, clock)
    mentoring = MentoringService(db, clock, request_timeout=timedelta(hours=72),
                                 guild_settings=settings)
    studies = StudyGroupService(db, clock, settings)
    library = ResourceService(db, clock, DEFAULT_CATALOG)
    await library.start()
    await mentoring.register_mentor(G, MENTOR, MentorInput.validated(
        specialties=["internal_medicine"], visas=["j1"], stage="matched", languages=["en"],
        timezone="America/New_York", capacity=2, bio="Happy to help"))
    await mentoring.moderate(G, MENTOR, "approve")
    await mentoring.set_mentee_profile(G, MENTEE, MenteeInput.validated(
        specialty="internal_medicine", visa="j1", stage="step1", languages=["en"],
        timezone="America/New_York", goals="Match in IM"))
    group = await studies.groups.create(G, OWNER, "Step 1 sprint", "Step 1")
    await studies.groups.join(G, group.id, MENTEE)
    await studies.sessions.schedule(G, group.id, OWNER, False, title="Weekly", start="18:00",
                                    weekdays="mon,thu")
    mentor_id = (await mentoring.get_mentor(G, MENTOR)).id  # type: ignore[union-attr]

    commands: dict[str, Callable[[], Awaitable[object]]] = {
        "/mentor request": lambda: mentoring.request(G, MENTEE, mentor_id),
        "/mentor status": lambda: mentoring.status(G, MENTEE),
        "/mentor withdraw": lambda: mentoring.withdraw(G, MENTEE),
        "/mentor find": lambda: mentoring.candidates(G, MENTEE),
        "/mentor pairings": lambda: mentoring.pairings_of(G, MENTEE),
        "/session upcoming": lambda: studies.sessions.upcoming(G),
        "/session upcoming mine": lambda: studies.sessions.upcoming(G, member_id=MENTEE),
        "/session upcoming count": lambda: studies.sessions.count_upcoming(G, group_id=group.id),
        "/resources search": lambda: library.search("ecfmg certification", guild_id=G),
    }
    raw: sqlite3.Connection = db._raw  # type: ignore[attr-defined]
    found: dict[str, set[str]] = {}
    for name, command in commands.items():
        with traced(db) as statements:
            await command()
        assert statements, f"{name} ran no SELECT: the check would prove nothing"
        for sql in statements:
            scanned = scans(raw, sql) - READ_WHOLE
            if scanned:
                found.setdefault(name, set()).update(f"{t} in {sql}" for t in scanned)
    assert found == {}, f"these commands read whole tables that grow with history: {found}"
