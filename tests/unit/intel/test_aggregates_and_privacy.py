"""What a summary shows above k (a majority or the most reported bands, a size band, never a
count), and what /privacy export and delete find with the key."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.intel import FIELD_BY_KEY, IntelService, Program, summarise
from tests.unit.intel.conftest import GUILD_A, GUILD_B, LONG_AGO

J1, STEP2 = FIELD_BY_KEY["j1"], FIELD_BY_KEY["step2"]


@pytest.mark.parametrize(("answers", "text"), [
    (["yes"] * 4 + [None] * 9, "not enough reports yet"),
    (["yes"] * 4 + ["no"] * 2, "Yes (5-9 reports)"),
    (["yes"] * 3 + ["no"] * 2, "Mixed (no clear majority) (5-9 reports)"),
    (["no"] * 10, "No (10-24 reports)"),
    (["yes"] * 25, "Yes (25 or more reports)"),
])
def test_yes_no_fields_show_a_verdict_and_a_size_band(answers: list, text: str) -> None:
    assert summarise(J1, answers, 5).text() == text


def test_bands_show_the_most_reported_ties_included() -> None:
    assert summarise(STEP2, ["240", "240", "250", "230", "240"], 5).text() == (
        "Most reported: 240-249 (5-9 reports)")
    assert summarise(STEP2, ["250", "240", "250", "240", "lt230"], 5).text() == (
        "Most reported: 240-249 / 250-259 (5-9 reports)")
    assert summarise(STEP2, ["250"] * 3, 3).size == "3-9"
    # No two reporters agree: naming "the most reported" would list every report's answer.
    assert summarise(STEP2, ["lt230", "240", "260"], 3).text() == (
        "Mixed: no answer given by two reporters (3-9 reports)")


async def test_export_lists_a_members_reports_and_delete_removes_them_here_only(
        intel: IntelService, program: Program, db: Database, clock: ManualClock) -> None:
    other = await intel.programs.get("1402331152")
    await intel.reports.submit(GUILD_A, 1, program, {"j1": "yes", "step2": "240"}, LONG_AGO)
    await intel.reports.submit(GUILD_B, 1, other, {"h1b": "no"}, LONG_AGO)
    await intel.reports.submit(GUILD_A, 2, program, {"j1": "no"}, LONG_AGO)

    exported = await intel.privacy.export_member(GUILD_A, 1)
    assert exported == {"reports": [{
        "program_id": program.program_id, "program": program.name, "cycle": 2026,
        "answers": {"Sponsored J-1 this cycle": "Yes", "Step 2 CK of invitees": "240-249"},
    }]}
    assert (await intel.privacy.export_member(GUILD_B, 1))["reports"][0]["program_id"] == (
        other.program_id)
    assert await intel.privacy.export_member(GUILD_A, 3) == {}

    await intel.privacy.delete_member(GUILD_A, 1)
    assert await intel.privacy.export_member(GUILD_A, 1) == {}
    assert await intel.reports.mine(1, program) is None
    assert await intel.reports.mine(1, other) is not None  # made in the other server: kept
    assert await intel.reports.mine(2, program) is not None  # someone else's: kept
    assert intel.privacy.contributor().name == "program_intel"
