"""Property tests: whatever the order of reports, edits, withdrawals and servers,

- below k distinct reporters nothing about a field is revealed (no answer, no size, and a
  search on it matches nothing);
- each member counts once: the aggregates equal those of each member's latest report alone,
  so reporting twice, from two servers or by editing cannot move an aggregate further than
  one report can;
- withdrawing a report that brought a field to k hides the field again.

Each example runs on a fresh copy of one migrated database (with the sample programs), with
its own key.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import InvalidInput
from bot.services.guild_settings import GuildSettingsService
from bot.services.intel import FIELDS, Answers, FieldSummary, IntelService, summarise
from tests.unit.intel.conftest import GUILD_A, GUILD_B, LONG_AGO, MONTEFIORE, SAMPLE

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
GUILDS = (GUILD_A, GUILD_B)
MEMBERS = range(100, 108)  # 8 members: around k for k in 3..6


@dataclass(frozen=True)
class Op:
    member: int
    guild: int
    answers: Answers | None  # None: withdraw


answers_st = st.fixed_dictionaries({
    f.key: st.sampled_from([None, "unknown", *f.answers]) for f in FIELDS
})
ops_st = st.lists(st.builds(Op, st.sampled_from(MEMBERS), st.sampled_from(GUILDS),
                            st.one_of(st.none(), answers_st)), max_size=40)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the sample programs (no key yet: each copy makes its own)."""
    path = tmp_path_factory.mktemp("intel-template") / "template.sqlite3"

    async def build() -> None:
        db = await Database.open(path)
        await db.migrate()
        clock = ManualClock(NOW)
        await IntelService(db, clock, GuildSettingsService(db, clock)).programs.import_text(
            SAMPLE.read_text("utf-8"))
        await db.close()  # checkpoints the WAL into the file

    asyncio.run(build())
    return path


_copies = iter(range(10**9))


@pytest.fixture(scope="module")
def fresh(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    folder = tmp_path_factory.mktemp("intel-examples")

    def copy() -> Path:
        path = folder / f"example-{next(_copies)}.sqlite3"
        shutil.copyfile(template, path)
        return path
    yield copy


def _normalised(answers: Answers) -> Answers:
    return {k: None if v == "unknown" else v for k, v in answers.items()}


class Model:
    """Each member's latest report and the server it counts in: what aggregates must equal."""

    def __init__(self) -> None:
        self.latest: dict[int, tuple[int, Answers]] = {}

    def apply(self, op: Op) -> None:
        if op.answers is None:
            self.latest.pop(op.member, None)
        elif any(v is not None for v in _normalised(op.answers).values()):
            self.latest[op.member] = (op.guild, _normalised(op.answers))

    def answers(self, guild: int) -> list[Answers]:
        return [a for g, a in self.latest.values() if g == guild]


def _hidden(summary: FieldSummary) -> bool:
    return (not summary.revealed and summary.top == () and summary.size == ""
            and summary.text() == "not enough reports yet")


async def _run(path: Path, ops: list[Op], k_a: int, k_b: int) -> None:
    db = await Database.open(path)
    try:
        clock = ManualClock(NOW)
        guild_settings = GuildSettingsService(db, clock)
        await guild_settings.set(GUILD_A, "intel_min_reporters", k_a)
        await guild_settings.set(GUILD_B, "intel_min_reporters", k_b)
        intel = IntelService(db, clock, guild_settings)
        await intel.start()
        program = await intel.programs.get(MONTEFIORE)
        model = Model()
        for op in ops:
            if op.answers is None:
                await intel.reports.withdraw(op.member, program)
            else:
                try:
                    await intel.reports.submit(op.guild, op.member, program, op.answers, LONG_AGO)
                except InvalidInput:
                    assert all(v is None for v in _normalised(op.answers).values())
            model.apply(op)
            # One row per member, whatever they did and wherever.
            assert await db.fetchval("SELECT COUNT(*) FROM intel_reports") == len(model.latest)
            for guild, k in ((GUILD_A, k_a), (GUILD_B, k_b)):
                shown = await intel.aggregates.program(guild, program)
                expected = model.answers(guild)
                for field, summary in zip(FIELDS, shown.current.fields, strict=True):
                    reporters = sum(1 for a in expected if a[field.key] is not None)
                    if reporters < k:
                        assert _hidden(summary), (field.key, reporters, summary)
                    # Exactly what each member's latest report alone gives.
                    assert summary == summarise(field, (a[field.key] for a in expected), k)
                for key in ("j1", "h1b", "non_us_img"):
                    for wanted in ("yes", "no"):
                        found = await intel.aggregates.search(guild, wants={key: wanted})
                        listed = MONTEFIORE in {p.program_id for p in found.programs}
                        field_summary = shown.current.fields[[f.key for f in FIELDS].index(key)]
                        assert listed == (field_summary.revealed
                                          and field_summary.top == (wanted,))
    finally:
        await db.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops_st, k_a=st.integers(3, 6), k_b=st.integers(3, 6))
def test_aggregates_follow_each_members_latest_report_and_hide_below_k(
        fresh, ops: list[Op], k_a: int, k_b: int) -> None:
    asyncio.run(_run(fresh(), ops, k_a, k_b))


async def _withdrawal_hides(path: Path, k: int, others: list[Answers], extra: int) -> None:
    db = await Database.open(path)
    try:
        clock = ManualClock(NOW)
        guild_settings = GuildSettingsService(db, clock)
        await guild_settings.set(GUILD_A, "intel_min_reporters", k)
        intel = IntelService(db, clock, guild_settings)
        await intel.start()
        program = await intel.programs.get(MONTEFIORE)
        for member, answers in enumerate(others):  # k - 1 reporters of j1
            await intel.reports.submit(GUILD_A, member, program, {**answers, "j1": "yes"}, LONG_AGO)
        assert not (await intel.aggregates.program(GUILD_A, program)).current.fields[0].revealed
        # the k-th reporter, reporting again and again, from the other server too
        for _ in range(extra):
            await intel.reports.submit(GUILD_B, 999, program, {"j1": "no"}, LONG_AGO)
            await intel.reports.submit(GUILD_A, 999, program, {"j1": "no"}, LONG_AGO)
        j1 = (await intel.aggregates.program(GUILD_A, program)).current.fields[0]
        assert j1.revealed and j1.size == f"{k}-9"
        await intel.reports.withdraw(999, program)
        assert _hidden((await intel.aggregates.program(GUILD_A, program)).current.fields[0])
        assert (await intel.aggregates.search(GUILD_A, wants={"j1": "yes"})).programs == ()
    finally:
        await db.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(3, 8), data=st.data(), extra=st.integers(1, 3))
def test_withdrawing_drops_below_k_and_hides_again(fresh, k: int, data: st.DataObject,
                                                   extra: int) -> None:
    others = data.draw(st.lists(answers_st, min_size=k - 1, max_size=k - 1))
    asyncio.run(_withdrawal_hides(fresh(), k, others, extra))
