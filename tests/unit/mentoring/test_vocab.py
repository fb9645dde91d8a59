"""The exam-stage vocabulary covers the whole road, in the order of progress."""

from __future__ import annotations

from bot.services.mentoring.vocab import EXAM_STAGES, STAGE_RANK


def test_step3_and_residency_are_stages_in_order() -> None:
    order = ["step1", "step2ck", "ecfmg_certified", "step3", "matched", "resident", "attending"]
    ranks = [STAGE_RANK[key] for key in order]
    assert ranks == sorted(ranks)
    assert EXAM_STAGES["step3"] == "Step 3" and EXAM_STAGES["resident"] == "Resident"


def test_the_stage_menus_fit_discord() -> None:
    assert len(EXAM_STAGES) <= 25
    assert all(len(label) <= 100 for label in EXAM_STAGES.values())
