"""The interview question bank (data/interview_questions.yaml) and each pair's question set.

The file has four categories: ``general`` and ``behavioural`` lists, ``img`` (the questions an
international graduate is asked and US graduates are not: each of ``IMG_TOPICS`` once) and
``specialty`` (a list per specialty key of the mentoring vocabulary, and ``default`` for the
rest). Every question says what a strong answer covers. A pair's set: two general, two
behavioural, two for the interviewee's specialty and every IMG question, chosen by the pair's
id (the same pair always gets the same set).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation.mock._models import Question

PROJECT_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_QUESTIONS = PROJECT_ROOT / "data" / "interview_questions.yaml"
IMG_TOPICS = ("gaps", "yog", "visa", "why_us", "why_specialty")
PICKS = {"general": 2, "behavioural": 2, "specialty": 2}
#: Longest question and strong-answer texts (a set of eleven must fit one DM's embeds).
MAX_QUESTION, MAX_ANSWER = 200, 320


class QuestionBankError(ValueError):
    """The question file is malformed; the message names the entry."""


@dataclass(frozen=True)
class QuestionBank:
    general: tuple[Question, ...]
    behavioural: tuple[Question, ...]
    img: tuple[Question, ...]
    specialty: Mapping[str, tuple[Question, ...]]

    def for_specialty(self, specialty: str) -> tuple[Question, ...]:
        return self.specialty.get(specialty) or self.specialty["default"]

    def question_set(self, pair_id: int, specialty: str) -> tuple[Question, ...]:
        rng = random.Random(pair_id)
        chosen: list[Question] = []
        for pool, count in ((self.general, PICKS["general"]),
                            (self.behavioural, PICKS["behavioural"]),
                            (self.for_specialty(specialty), PICKS["specialty"])):
            chosen.extend(rng.sample(pool, min(count, len(pool))))
        return (*chosen, *self.img)


def read_questions(path: Path = DEFAULT_QUESTIONS) -> QuestionBank:
    with path.open(encoding="utf-8") as handle:
        return parse_questions(yaml.safe_load(handle))


def parse_questions(raw: Any) -> QuestionBank:
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise QuestionBankError("the question file must be a mapping with version: 1")
    general = _questions(raw.get("general"), "general")
    behavioural = _questions(raw.get("behavioural"), "behavioural")
    img = _questions(raw.get("img"), "img")
    if tuple(q.id for q in img) != IMG_TOPICS:
        raise QuestionBankError(f"img must hold exactly {', '.join(IMG_TOPICS)}, in that order")
    specialties = raw.get("specialty")
    if not isinstance(specialties, dict) or "default" not in specialties:
        raise QuestionBankError("specialty must be a mapping with a default list")
    by_specialty = {}
    for key, items in specialties.items():
        if key != "default" and key not in SPECIALTIES:
            raise QuestionBankError(f"specialty {key!r} is not a specialty key of the vocabulary")
        by_specialty[key] = _questions(items, f"specialty:{key}")
    for name, pool in (("general", general), ("behavioural", behavioural),
                       *((f"specialty:{k}", v) for k, v in by_specialty.items())):
        needed = PICKS["specialty" if name.startswith("specialty") else name]
        if len(pool) < needed:
            raise QuestionBankError(f"{name} needs at least {needed} questions")
    ids = [q.id for pool in (general, behavioural, img, *by_specialty.values()) for q in pool]
    if len(ids) != len(set(ids)):
        raise QuestionBankError("question ids must be unique across the file")
    return QuestionBank(general, behavioural, img, by_specialty)


def _questions(items: Any, category: str) -> tuple[Question, ...]:
    if not isinstance(items, list) or not items:
        raise QuestionBankError(f"{category} must be a non-empty list")
    out = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"id", "question", "strong_answer"}:
            raise QuestionBankError(f"{category}: each entry has exactly id, question, "
                                    f"strong_answer ({item!r:.80})")
        question, answer = str(item["question"]).strip(), " ".join(str(item["strong_answer"]).split())
        if not question or len(question) > MAX_QUESTION:
            raise QuestionBankError(f"{item['id']}: the question must be 1-{MAX_QUESTION} characters")
        if not answer or len(answer) > MAX_ANSWER:
            raise QuestionBankError(f"{item['id']}: the strong answer must be 1-{MAX_ANSWER} "
                                    "characters")
        out.append(Question(str(item["id"]), category.split(":")[0], question, answer))
    return tuple(out)
