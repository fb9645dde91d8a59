"""Several writers on one PostgreSQL server: racers in separate OS processes (each with its own
connections) hit the same capacity or state at the same instant, and the invariants hold: a
group never overfills, an accept racing a decline leaves test_crash's invariants true, and a
question approved twice at once is posted once."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.anonymous import AnonymousLimits, AnonymousService
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MentoringService
from bot.services.study_groups import StudyGroupService
from tests.pg_server import PgServer
from tests.reliability.test_crash import INVARIANTS
from tests.unit.anonymous.test_service import publish_all, sent_now
from tests.unit.mentoring.test_service import TIMEOUT, approved_mentor, mentee_input

ROOT = Path(__file__).resolve().parents[2]
GUILD = 1


@pytest.fixture
async def pg(pg_server: PgServer) -> AsyncIterator[Database]:
    db = await Database.open(await pg_server.new_database())
    try:
        yield db
    finally:
        await db.close()


def race(url: str, tmp_path: Path, shares: list[list[str]]) -> Counter[str]:
    """Start one process per share, wait until all are ready, let them go at once."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-m", "tests.reliability.pg_race_worker", url, str(go),
                          *share], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for share in shares
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    go.touch()
    outcomes: Counter[str] = Counter()
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        outcomes.update(out.split())
    return outcomes


async def test_forty_joins_on_a_group_of_ten_leave_exactly_ten(
    pg: Database, clock: ManualClock, tmp_path: Path
) -> None:
    service = StudyGroupService(pg, clock, GuildSettingsService(pg, clock), outbox=Outbox(pg, clock))
    group = await service.groups.create(GUILD, 500, "Step 1 sprint", "Step 1", capacity=10)
    users = [1000 + i for i in range(40)]
    shares = [["join", str(group.id), *map(str, users[i::4])] for i in range(4)]
    outcomes = race(pg.target, tmp_path, shares)
    assert outcomes == {"ok": 9, "Conflict": 31}  # the owner holds the tenth seat
    assert await pg.fetchval("SELECT count(*) FROM study_group_members WHERE group_id = ?",
                             (group.id,)) == 10


async def test_an_accept_racing_a_decline_keeps_the_mentoring_invariants(
    pg: Database, clock: ManualClock, tmp_path: Path
) -> None:
    svc = MentoringService(pg, clock, request_timeout=TIMEOUT)
    await approved_mentor(svc, 11)  # where a declined request moves on to
    for round_ in range(3):
        mentor, mentee = 100 + round_, 20 + round_
        asked = await approved_mentor(svc, mentor)
        await svc.set_mentee_profile(1, mentee, mentee_input())
        request = await svc.request(1, mentee, asked.id)
        (tmp_path / str(round_)).mkdir()
        outcomes = race(pg.target, tmp_path / str(round_),
                        [["accept", str(request.request_id), str(mentor)],
                         ["decline", str(request.request_id), str(mentor)]])
        # One wins; the other finds the offer already decided (or declines what is left).
        assert sum(outcomes.values()) == 2 and outcomes["ok"] >= 1, outcomes
        for label, sql in INVARIANTS:
            assert await pg.fetchall(sql) == [], label


async def test_a_double_approval_from_two_processes_posts_once(
    pg: Database, clock: ManualClock, tmp_path: Path
) -> None:
    settings = GuildSettingsService(pg, clock)
    await settings.set(GUILD, "anonymous_channel", 4241)
    await settings.set(GUILD, "anonymous_preapproval", True)
    await settings.set(GUILD, "anonymous_review_channel", 4242)
    anon = AnonymousService(pg, settings, clock, AnonymousLimits(30, 180, 3))
    asked = await anon.ask(GUILD, 777, "title", "body", None)
    assert [j.kind for j in await publish_all(anon, clock)] == ["review"]
    outcomes = race(pg.target, tmp_path, [["approve", str(asked.question_id)]] * 2)
    assert outcomes == {"ok": 1, "Conflict": 1}
    assert [j.kind for j in await sent_now(anon, clock)] == ["question"]
