"""The shipped interview question bank: well formed, every IMG topic, and any pair's set fits
one DM (Discord: 4096 characters an embed, 6000 in all)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation.mock import QuestionBankError, parse_questions, read_questions
from bot.services.preparation.mock.questions import IMG_TOPICS

SHIPPED = Path(__file__).resolve().parents[3] / "data" / "interview_questions.yaml"


def test_the_shipped_bank_has_every_category_and_img_topic() -> None:
    bank = read_questions(SHIPPED)
    assert tuple(q.id for q in bank.img) == IMG_TOPICS
    assert len(bank.general) >= 5 and len(bank.behavioural) >= 5
    assert {"internal_medicine", "family_medicine", "pediatrics", "psychiatry"} <= set(bank.specialty)
    for question in (*bank.general, *bank.behavioural, *bank.img):
        assert question.text.endswith("?") or question.text.endswith(".")
        assert len(question.strong_answer) > 80  # says what to listen for, not a slogan


@pytest.mark.parametrize("specialty", sorted(SPECIALTIES))
def test_every_specialtys_set_fits_one_dm(specialty: str) -> None:
    bank = read_questions(SHIPPED)
    for pair_id in range(1, 40):
        chosen = bank.question_set(pair_id, specialty)
        assert len(chosen) == 11 and len({q.id for q in chosen}) == 11
        # rendered as "**question**\nA strong answer: ..." separated by blank lines
        total = sum(len(q.text) + len(q.strong_answer) + 25 for q in chosen)
        assert total < 5500
    assert bank.question_set(7, specialty) == bank.question_set(7, specialty)


def test_a_malformed_bank_is_refused_with_the_entry_named() -> None:
    raw = yaml.safe_load(SHIPPED.read_text("utf-8"))
    broken = copy.deepcopy(raw)
    broken["img"] = broken["img"][:4]
    with pytest.raises(QuestionBankError, match="img must hold exactly"):
        parse_questions(broken)
    broken = copy.deepcopy(raw)
    broken["specialty"]["astrology"] = broken["specialty"]["default"]
    with pytest.raises(QuestionBankError, match="astrology"):
        parse_questions(broken)
    broken = copy.deepcopy(raw)
    broken["general"][0]["strong_answer"] = "x" * 400
    with pytest.raises(QuestionBankError, match="tell_me_about_yourself"):
        parse_questions(broken)
