"""Match-all pairs the most mentees possible and says why the others are left out (issue 20)."""

from datetime import date

import numpy as np
import pytest

from bot.services.mentoring import MentoringService
from bot.services.mentoring.assignment import optimal_assignment, unpaired
from bot.services.mentoring.pool import MentorPool
from cogs.mentoring.batch_preview import unpaired_csv, unpaired_summary
from tests.unit.mentoring.factories import mentee, mentor
from tests.unit.mentoring.test_service import TIMEOUT, G, approved_mentor, mentee_input

ON = date(2026, 3, 10)


@pytest.fixture
def svc(db, clock) -> MentoringService:
    return MentoringService(db, clock, request_timeout=TIMEOUT)


def _portuguese_roster():
    """The issue's example, small: the one Portuguese-speaking mentor has one slot; a
    Spanish + Portuguese speaker fits it best but could have the Spanish-speaking mentor, and
    four Portuguese-only mentees have nobody else. A French-only mentee has no one at all."""
    mentors = [
        mentor(id=1, user_id=101, languages=("pt", "es"), capacity=1,
               specialties=("psychiatry",), visas=("h1b",)),
        mentor(id=2, user_id=102, languages=("es",), capacity=3,
               specialties=("pediatrics",), visas=("j1_waiver",)),
    ]
    mentees = [mentee(id=1, user_id=201, languages=("es", "pt"), specialty="psychiatry",
                      visa="h1b")]
    mentees += [mentee(id=i, user_id=200 + i, languages=("pt",), specialty="internal_medicine")
                for i in range(2, 6)]
    mentees.append(mentee(id=6, user_id=206, languages=("fr",)))
    return MentorPool(mentors), mentees


def test_the_only_portuguese_mentor_goes_to_a_portuguese_only_mentee() -> None:
    pool, mentees = _portuguese_roster()
    base, feasible = pool.score_matrix(mentees, ON)
    best = optimal_assignment(base, feasible, pool.active, pool.capacity)
    by_mentee = {mentees[r].user_id: pool.mentors[c].user_id for r, c in best.pairs}
    assert by_mentee[201] == 102  # the bilingual mentee takes the Spanish-speaking mentor
    assert list(by_mentee.values()).count(101) == 1
    assert len(best.pairs) == 2  # the old best-total plan paired only one
    left = {u.mentee.user_id: u.reason for u in unpaired(mentees, pool, feasible, best.pairs)}
    assert left == {**{u: "no_capacity" for u in {202, 203, 204, 205} - set(by_mentee)},
                    206: "no_language"}


def test_an_empty_pool_means_no_mentor_and_the_recruit_detail_is_right() -> None:
    empty = MentorPool([])
    lonely = [mentee(id=1, user_id=201)]
    assert [u.reason for u in unpaired(lonely, empty, np.zeros((1, 0), bool), [])] == [
        "no_mentor"]
    pool, mentees = _portuguese_roster()
    base, feasible = pool.score_matrix(mentees, ON)
    best = optimal_assignment(base, feasible, pool.active, pool.capacity)
    left = unpaired(mentees, pool, feasible, best.pairs)
    full = [u for u in left if u.reason == "no_capacity"]
    # Their open mentor (the Portuguese speaker) does psychiatry on an H-1B, not their IM/J-1.
    assert full and all(not u.specialty_served and not u.visa_served for u in full)
    text = unpaired_summary(left)
    assert text.splitlines() == [
        "Not paired: **4**",
        "· no mentor with a free slot speaks their language: **1** (French 1)",
        "· every mentor who speaks their language is full once the others are paired: **3** "
        "(Internal Medicine 3); no mentor in their specialty: 3 (Internal Medicine 3); "
        "no mentor on their visa route: 3 (J-1 3)",
    ]
    assert unpaired_csv(left).splitlines()[-1] == "206,no_language,internal_medicine,j1,fr"
    assert unpaired_summary([]) == ""


async def test_the_plan_reports_who_is_left_out_and_why(svc) -> None:
    await approved_mentor(svc, 10, capacity=1, languages=["en", "pt"])
    for user in (20, 21):
        await svc.set_mentee_profile(G, user, mentee_input(languages=["pt"]))
    await svc.set_mentee_profile(G, 22, mentee_input(languages=["es"]))
    plan = await svc.plan_match_all(G)
    assert len(plan.pairs) == 1
    assert sorted((u.mentee.user_id, u.reason) for u in plan.unpaired) == [
        (20 if plan.pairs[0].mentee.user_id == 21 else 21, "no_capacity"), (22, "no_language")]
