from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.services.mentoring.pool import MentorPool
from bot.services.mentoring.profiles import APPROVED, PENDING, REJECTED, MenteeInput, MentorInput
from bot.services.mentoring.scoring import WEIGHTS, no_candidate_reason, score_pair, violations
from tests.unit.mentoring.factories import mentee, mentor

ON = date(2026, 1, 5)


def test_an_approved_mentor_with_room_and_a_shared_language_is_eligible() -> None:
    assert violations(mentor(), mentee()) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": PENDING}, "not_approved"),
        ({"status": REJECTED}, "not_approved"),
        ({"paused": True}, "paused"),
        ({"capacity": 2, "active": 2}, "full"),
        ({"user_id": 201}, "self"),
        ({"languages": ("es",)}, "no_language"),
    ],
)
def test_each_profile_constraint_excludes_the_mentor(changes: dict, code: str) -> None:
    assert violations(mentor(**changes), mentee()) == [code]
    assert not MentorPool([mentor(**changes)]).feasible(mentee()).any()
    assert MentorPool([mentor(**changes)]).top(mentee(), ON) == []


def test_already_paired_and_already_tried_mentors_are_excluded() -> None:
    m = mentor(id=7)
    assert violations(m, mentee(), paired={7}) == ["already_paired"]
    assert violations(m, mentee(), excluded={7}) == ["excluded"]
    pool = MentorPool([m, mentor(id=8, user_id=108)])
    assert [c.mentor.id for c in pool.top(mentee(), ON, excluded={7})] == [8]
    assert [c.mentor.id for c in pool.top(mentee(), ON, paired={7})] == [8]


def test_a_perfect_match_scores_the_maximum_and_says_why() -> None:
    score = score_pair(mentor(stage="attending"), mentee(stage="step1"), ON)
    assert score.total == WEIGHTS.maximum
    assert "Specialty: Internal Medicine" in score.reasons
    assert "Visa route: J-1" in score.reasons
    assert "Speaks English" in score.reasons


def test_each_soft_factor_moves_the_score() -> None:
    best = score_pair(mentor(stage="attending"), mentee(), ON).total
    assert score_pair(mentor(stage="attending", specialties=("pediatrics",)), mentee(), ON).total \
        == best - WEIGHTS.specialty
    assert score_pair(mentor(stage="attending", visas=("h1b",)), mentee(), ON).total \
        == best - WEIGHTS.visa
    # One step ahead earns half the stage weight; level or behind earns none.
    assert score_pair(mentor(stage="step2ck"), mentee(stage="step1"), ON).parts["stage"] \
        == WEIGHTS.stage / 2
    assert score_pair(mentor(stage="step1"), mentee(stage="step2ck"), ON).parts["stage"] == 0
    # London and New York share 11 waking hours in January (5 h apart): half of 8..14 h.
    near = score_pair(mentor(timezone="Europe/London"), mentee(), ON)
    assert near.parts["overlap"] == pytest.approx(WEIGHTS.overlap / 2)
    # Kolkata and New York are 10.5 h apart: only the minimum 8 h shared, worth nothing.
    assert score_pair(mentor(timezone="Asia/Kolkata"), mentee(), ON).parts["overlap"] == 0
    # A mentor with one of two slots taken earns half the load weight.
    assert score_pair(mentor(active=1), mentee(), ON).parts["load"] == WEIGHTS.load / 2


def test_vectorised_scores_agree_with_the_reference() -> None:
    mentors = [
        mentor(id=1, user_id=1),
        mentor(id=2, user_id=2, specialties=("pediatrics", "internal_medicine"), visas=("h1b",),
               stage="step2ck", timezone="Asia/Kolkata", capacity=5, active=3),
        mentor(id=3, user_id=3, specialties=("psychiatry",), stage="attending",
               timezone="Europe/London", languages=("en", "ur")),
    ]
    people = [mentee(), mentee(id=2, user_id=9, specialty="psychiatry", visa="h1b",
                              stage="not_started", timezone="Asia/Karachi")]
    pool = MentorPool(mentors)
    base, feasible = pool.score_matrix(people, ON)
    for row, person in enumerate(people):
        vector = pool.scores(person, ON)
        for col, m in enumerate(mentors):
            ref = score_pair(m, person, ON)
            assert vector[col] == pytest.approx(ref.total)
            assert base[row, col] == pytest.approx(ref.total - ref.parts["load"])
            assert feasible[row, col] == (not violations(m, person))


def test_top_returns_the_best_three_best_first_with_id_tie_break() -> None:
    mentors = [mentor(id=i, user_id=1000 + i, specialties=("pediatrics",)) for i in range(1, 6)]
    mentors.append(mentor(id=9, user_id=1009))  # the only specialty match
    top = MentorPool(mentors).top(mentee(), ON)
    assert [c.mentor.id for c in top] == [9, 1, 2]
    assert top[0].score.total > top[1].score.total == top[2].score.total


def test_profile_input_is_validated() -> None:
    ok = dict(specialties=["pediatrics"], visas=["j1"], stage="matched", languages=["en"],
              timezone="Asia/Kolkata", capacity=3, bio="hi")
    assert MentorInput.validated(**ok).specialties == ("pediatrics",)
    for bad in ({"capacity": 0}, {"capacity": 11}, {"specialties": ["astrology"]},
                {"specialties": []}, {"stage": "step9"}, {"timezone": "Nowhere/Town"},
                {"bio": "x" * 501}, {"languages": []}):
        with pytest.raises(InvalidInput):
            MentorInput.validated(**(ok | bad))
    with pytest.raises(InvalidInput):
        MenteeInput.validated(specialty="pediatrics", visa="b2", stage="step1", languages=["en"],
                              timezone="UTC", goals="")


def test_no_candidate_reason_names_the_constraint_that_leaves_nobody() -> None:
    asker = mentee(user_id=201, languages=("pt",))
    assert no_candidate_reason(asker, []) == "no_mentor"
    assert no_candidate_reason(asker, [mentor(status="pending", languages=("pt",))]) == "no_mentor"
    english = mentor(id=1, languages=("en",))
    assert no_candidate_reason(asker, [english]) == "no_language"
    speaker = mentor(id=2, languages=("pt",))
    assert no_candidate_reason(asker, [english, speaker], excluded={2}) == "all_tried"
    paused = mentor(id=3, languages=("pt",), paused=True)
    assert no_candidate_reason(asker, [english, paused]) == "paused"
    full = mentor(id=4, languages=("pt",), active=2, capacity=2)
    assert no_candidate_reason(asker, [english, full, paused]) == "no_capacity"
    assert no_candidate_reason(asker, [english, speaker]) == "free_now"


@st.composite
def _rosters(draw: st.DrawFn):
    """A mentee and a few mentors of every status, paused or not, full or not, some speaking
    the mentee's language, one of them maybe the mentee themself."""
    langs = st.lists(st.sampled_from(["en", "pt", "es"]), min_size=1, max_size=2, unique=True)
    asker = mentee(user_id=201, languages=tuple(draw(langs)))
    roster = []
    for i in range(draw(st.integers(0, 5))):
        capacity = draw(st.integers(1, 3))
        roster.append(mentor(
            id=i + 1, user_id=draw(st.sampled_from([201, 100 + i])), languages=tuple(draw(langs)),
            status=draw(st.sampled_from([APPROVED, PENDING, REJECTED])),
            paused=draw(st.booleans()), capacity=capacity, active=draw(st.integers(0, capacity)),
        ))
    ids = [m.id for m in roster]
    excluded = draw(st.sets(st.sampled_from(ids))) if ids else set()
    paired = draw(st.sets(st.sampled_from(ids))) if ids else set()
    return asker, roster, excluded, paired


@settings(max_examples=300, deadline=None)
@given(_rosters())
def test_the_pool_names_the_same_reason_as_the_reference(case) -> None:
    asker, roster, excluded, paired = case
    expected = no_candidate_reason(asker, roster, excluded=excluded, paired=paired)
    assert MentorPool(roster).no_candidate_reason(
        asker, excluded=excluded, paired=paired) == expected
