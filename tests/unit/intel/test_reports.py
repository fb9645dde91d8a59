"""Reporting rules: fixed answers only, the account-age rule, one report per member (changed,
moved between servers, withdrawn), moderators voiding, the settings' floors, and the key."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import ConfigError, Forbidden, InvalidInput
from bot.services.guild_settings import GuildSettingsService
from bot.services.intel import IntelService, Program, cycle_of, key_path
from tests.unit.intel.conftest import GUILD_A, GUILD_B, LONG_AGO, SAMPLE, started

YES = {"j1": "yes"}


async def _reporters(db: Database) -> int:
    return await db.fetchval("SELECT COUNT(*) FROM intel_reports")


def test_cycles_are_named_by_their_match_year() -> None:
    assert cycle_of(datetime(2026, 5, 31, tzinfo=UTC)) == 2026
    assert cycle_of(datetime(2026, 6, 1, tzinfo=UTC)) == 2027
    assert cycle_of(datetime(2026, 12, 6, tzinfo=UTC)) == 2027


@pytest.mark.parametrize(("answers", "message"), [
    ({}, "at least one answer"),
    ({"j1": "unknown", "yog": None}, "at least one answer"),
    ({"j1": "maybe"}, "not an answer"),
    ({"free_text": "I am the one from Lagos"}, "no field"),
])
async def test_only_fixed_answers_are_taken(intel: IntelService, program: Program, db: Database,
                                            answers: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        await intel.reports.submit(GUILD_A, 1, program, answers, LONG_AGO)
    assert await _reporters(db) == 0


async def test_new_members_wait_the_servers_days(intel: IntelService, program: Program,
                                                 clock: ManualClock, db: Database) -> None:
    joined = clock.now() - timedelta(days=6, hours=23)
    with pytest.raises(Forbidden, match="in this server for 7 days"):
        await intel.reports.submit(GUILD_A, 1, program, YES, joined)
    with pytest.raises(Forbidden):
        await intel.reports.submit(GUILD_A, 1, program, YES, None)  # unknown: refused
    await intel.reports.submit(GUILD_A, 1, program, YES, clock.now() - timedelta(days=7))
    settings = GuildSettingsService(db, clock)
    await settings.set(GUILD_B, "intel_min_days", 30)
    intel_b = IntelService(db, clock, settings)
    await intel_b.start()
    with pytest.raises(Forbidden, match="30 days"):
        await intel_b.reports.submit(GUILD_B, 2, program, YES, clock.now() - timedelta(days=29))
    assert await _reporters(db) == 1


async def test_one_report_per_member_changed_moved_and_withdrawn(
        intel: IntelService, program: Program, db: Database) -> None:
    first = await intel.reports.submit(GUILD_A, 1, program, {"j1": "yes", "step2": "240"}, LONG_AGO)
    assert not first.moved
    changed = await intel.reports.submit(GUILD_A, 1, program, {"j1": "no"}, LONG_AGO)
    assert changed.answers["j1"] == "no" and changed.answers["step2"] is None
    assert await intel.reports.mine(1, program) == changed.answers
    moved = await intel.reports.submit(GUILD_B, 1, program, {"j1": "no"}, LONG_AGO)
    assert moved.moved and await _reporters(db) == 1
    assert await db.fetchval("SELECT guild_id FROM intel_reports") == GUILD_B
    assert await intel.reports.withdraw(1, program)
    assert not await intel.reports.withdraw(1, program)
    assert await _reporters(db) == 0 and await intel.reports.mine(1, program) is None


async def test_moderators_void_their_own_servers_reports_only(
        intel: IntelService, program: Program, db: Database, clock: ManualClock) -> None:
    for member in range(3):
        await intel.reports.submit(GUILD_A, member, program, YES, LONG_AGO)
    await intel.reports.submit(GUILD_B, 9, program, YES, LONG_AGO)
    assert await intel.reports.void(GUILD_A, program) == cycle_of(clock.now())
    assert await db.fetchval("SELECT guild_id FROM intel_reports") == GUILD_B
    with pytest.raises(InvalidInput, match="Choose a cycle"):
        await intel.reports.void(GUILD_A, program, cycle_of(clock.now()) + 1)
    # voided members may report again
    await intel.reports.submit(GUILD_A, 0, program, YES, LONG_AGO)
    assert await _reporters(db) == 2


async def test_k_has_a_floor_of_three(db: Database, clock: ManualClock) -> None:
    settings = GuildSettingsService(db, clock)
    with pytest.raises(InvalidInput, match="at least 3"):
        await settings.set(GUILD_A, "intel_min_reporters", 2)
    await settings.set(GUILD_A, "intel_min_reporters", 3)
    assert await IntelService(db, clock, settings).aggregates.min_reporters(GUILD_A) == 3
    assert await IntelService(db, clock, settings).aggregates.min_reporters(GUILD_B) == 5
    # A value written below the floor by other means is still raised to it.
    await db.execute("UPDATE guild_settings SET value = '1' WHERE key = 'intel_min_reporters'")
    assert await IntelService(db, clock, GuildSettingsService(db, clock)
                              ).aggregates.min_reporters(GUILD_A) == 3


@pytest.mark.sqlite_only  # it also reads the database file and its WAL for the key
async def test_the_key_is_made_once_private_and_never_swapped(db: Database,
                                                              clock: ManualClock) -> None:
    path = key_path(db.path)
    intel = await started(db, clock)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_bytes()) == 32
    program = await intel.programs.get("1403521287")
    await intel.reports.submit(GUILD_A, 1, program, YES, LONG_AGO)
    key = path.read_bytes()
    assert key not in (db.path.read_bytes() + (
        db.path.with_name(db.path.name + "-wal").read_bytes()))

    path.chmod(0o644)  # widened by hand: narrowed again at start
    again = await started(db, clock)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert await again.reports.mine(1, program) == {**dict.fromkeys(
        ("j1", "h1b", "non_us_img", "yog", "step2", "invites")), "j1": "yes"}

    path.unlink()  # lost: refused, and no new key is made in its place
    with pytest.raises(ConfigError, match="missing"):
        await started(db, clock)
    assert not path.exists()
    path.write_bytes(os.urandom(32))  # replaced by another key: refused
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="not the one"):
        await started(db, clock)
    path.write_bytes(key)
    assert await (await started(db, clock)).reports.mine(1, program) is not None


async def test_without_start_the_key_loads_on_first_use(db: Database, clock: ManualClock) -> None:
    intel = IntelService(db, clock, GuildSettingsService(db, clock))
    await intel.programs.import_text(SAMPLE.read_text("utf-8"))
    assert await intel.privacy.export_member(GUILD_A, 1) == {}  # no reports: no key needed
    assert not key_path(db.path).exists()
    program = await intel.programs.get("1403521287")
    await intel.reports.submit(GUILD_A, 1, program, YES, LONG_AGO)
    assert key_path(db.path).exists()
    # the key made on first use is the one start() accepts later
    assert await (await started(db, clock)).reports.mine(1, program) is not None
