"""Mock interview pairing (pure): property tests of its rules, and the preferences it keeps."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.mentoring.overlap import SLEEP_HOUR, WAKE_HOUR
from bot.services.preparation.mock import Participant, pair_round, session_times
from bot.services.preparation.mock.pairing import MIN_OVERLAP_HOURS, pair_key

WEEK = date(2027, 3, 8)  # spans the US DST switch (14 March)
ZONES = ("Asia/Kolkata", "America/Chicago", "Africa/Lagos", "Asia/Manila", "Europe/London",
         "Pacific/Auckland", "America/New_York")
SPECIALTIES = ("internal_medicine", "pediatrics", "psychiatry")
LANGS = (frozenset({"en"}), frozenset({"en", "hi"}), frozenset({"es"}), frozenset({"ar", "en"}))

participants = st.lists(
    st.builds(
        Participant,
        user_id=st.integers(1, 400),
        role=st.sampled_from(("interviewer", "interviewee", "both")),
        specialty=st.sampled_from(SPECIALTIES),
        languages=st.sampled_from(LANGS),
        zone=st.sampled_from(ZONES),
        mentor=st.booleans(),
        first_timer=st.booleans(),
        carried=st.booleans(),
    ),
    max_size=40, unique_by=lambda p: p.user_id,
)


def _check_round(members: list[Participant], past: set[tuple[int, int]], seed: int):
    result = pair_round(members, past, WEEK, seed)
    by_id = {m.user_id: m for m in members}
    seen: list[int] = []
    for pair in result.pairs:
        interviewer, interviewee = by_id[pair.interviewer], by_id[pair.interviewee]
        assert interviewer.interviews and interviewee.is_interviewed  # roles respected
        assert pair_key(pair.interviewer, pair.interviewee) not in past  # never repeated
        assert not interviewer.languages.isdisjoint(interviewee.languages)
        assert pair.overlap_hours >= MIN_OVERLAP_HOURS
        assert pair.specialty == interviewee.specialty
        seen += [pair.interviewer, pair.interviewee]
    # capacity: nobody is in two pairs; everyone is paired or told they are not, once
    assert len(seen) == len(set(seen))
    assert sorted(seen + list(result.unpaired)) == sorted(by_id)
    return result


@settings(max_examples=150, deadline=None)
@given(participants, st.integers(0, 2**31), st.integers(1, 4))
def test_no_pair_repeats_across_rounds_and_roles_and_capacity_hold(members, seed, rounds):
    past: set[tuple[int, int]] = set()
    for number in range(rounds):
        result = _check_round(members, past, seed + number)
        made = {pair_key(p.interviewer, p.interviewee) for p in result.pairs}
        assert not made & past
        past |= made


@settings(max_examples=100, deadline=None)
@given(participants, st.integers(0, 2**31), st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_pairs_in_any_input_order(members, seed, shuffler):
    past = {pair_key(a.user_id, b.user_id) for a, b in zip(members[::2], members[1::3], strict=False)
            if a.user_id != b.user_id}
    first = pair_round(members, past, WEEK, seed)
    shuffled = list(members)
    shuffler.shuffle(shuffled)
    assert pair_round(shuffled, past, WEEK, seed) == first


@settings(max_examples=100, deadline=None)
@given(participants, st.integers(0, 2**31))
def test_no_two_members_left_out_could_have_been_paired(members, seed):
    result = pair_round(members, set(), WEEK, seed)
    left = [m for m in members if m.user_id in set(result.unpaired)]
    for i, a in enumerate(left):
        for b in left[i + 1:]:
            assert pair_round([a, b], set(), WEEK, seed).pairs == ()


def _member(user_id: int, role: str = "both", *, specialty: str = "internal_medicine",
            zone: str = "Asia/Kolkata", **flags: bool) -> Participant:
    return Participant(user_id, role, specialty, frozenset({"en"}), zone, **flags)


def test_a_first_timer_gets_the_mentor_as_interviewer() -> None:
    members = [_member(1, "interviewee", first_timer=True), _member(2, "interviewer"),
               _member(3, "interviewer", mentor=True), _member(4, "interviewee")]
    for seed in range(20):
        pairs = pair_round(members, set(), WEEK, seed).pairs
        assert any(p.interviewer == 3 and p.interviewee == 1 for p in pairs)


def test_last_weeks_odd_one_out_is_never_left_out_twice_when_a_partner_is_free() -> None:
    members = [_member(1), _member(2), _member(3, carried=True)]
    for seed in range(30):
        assert 3 not in pair_round(members, set(), WEEK, seed).unpaired


def test_the_same_specialty_comes_first_and_last_weeks_odd_one_out_is_paired() -> None:
    members = [_member(1, carried=True), _member(2, specialty="pediatrics"), _member(3)]
    for seed in range(20):
        result = pair_round(members, set(), WEEK, seed)
        assert result.unpaired == (2,)
        assert {result.pairs[0].interviewer, result.pairs[0].interviewee} == {1, 3}


def test_the_longer_waking_overlap_wins_and_no_shared_language_is_no_pair() -> None:
    members = [_member(1, "interviewee", carried=True), _member(2, "interviewer",
                                                                zone="America/Chicago"),
               _member(3, "interviewer", zone="Asia/Dubai")]
    for seed in range(10):
        [pair] = pair_round(members, set(), WEEK, seed).pairs
        assert (pair.interviewer, pair.interviewee) == (3, 1)
    other = Participant(4, "both", "internal_medicine", frozenset({"es"}), "Asia/Kolkata")
    assert pair_round([_member(3), other], set(), WEEK, 1).pairs == ()


def test_three_times_in_both_members_waking_hours_spread_over_the_week() -> None:
    closed = datetime(2027, 3, 8, 18, 0, tzinfo=UTC)
    times = session_times("Asia/Kolkata", "America/Chicago", closed)
    assert len(times) == 3 and list(times) == sorted(times)
    assert all(b - a >= timedelta(days=2) for a, b in itertools.pairwise(times))
    assert times[0] >= closed + timedelta(hours=12) and times[-1] <= closed + timedelta(days=8)
    for at in times:
        for zone in ("Asia/Kolkata", "America/Chicago"):
            start = at.astimezone(ZoneInfo(zone))
            end = (at + timedelta(hours=1)).astimezone(ZoneInfo(zone))
            assert WAKE_HOUR <= start.hour and (end.hour, end.minute) <= (SLEEP_HOUR, 0)
        assert at.minute in (0, 30) and at.second == 0


def test_pairing_two_thousand_members_is_repeatable() -> None:
    rng = random.Random(3)
    members = [Participant(i, rng.choice(("interviewer", "interviewee", "both")),
                           rng.choice(SPECIALTIES), rng.choice(LANGS), rng.choice(ZONES))
               for i in range(2000)]
    first = pair_round(members, set(), WEEK, 9)
    assert first == pair_round(list(reversed(members)), set(), WEEK, 9)
    assert len(first.pairs) > 800
