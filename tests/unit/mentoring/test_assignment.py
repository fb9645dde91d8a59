import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.mentoring.assignment import (
    greedy_assignment,
    optimal_assignment,
    total_score,
)


@st.composite
def instances(draw: st.DrawFn, max_mentees: int = 12, max_mentors: int = 6):
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(0, max_mentors))
    capacity = np.array(draw(st.lists(st.integers(1, 5), min_size=m, max_size=m)), dtype=np.int64)
    active = np.array([draw(st.integers(0, int(c))) for c in capacity], dtype=np.int64)
    # Scores on the real grid (multiples of 2.5 up to 95) so ties are common.
    cells = st.integers(0, 38).map(lambda v: v * 2.5)
    base = np.array(draw(st.lists(cells, min_size=n * m, max_size=n * m)),
                    dtype=np.float64).reshape(n, m)
    feasible = np.array(draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m)),
                        dtype=bool).reshape(n, m)
    return base, feasible, active, capacity


def _check_valid(pairs, feasible, active, capacity) -> None:
    rows = [r for r, _ in pairs]
    assert len(rows) == len(set(rows)), "a mentee was assigned twice"
    taken = np.bincount([c for _, c in pairs], minlength=capacity.size)
    assert (active + taken <= capacity).all(), "a mentor got more mentees than capacity"
    assert all(feasible[r, c] for r, c in pairs), "an infeasible pair was assigned"


@settings(max_examples=300, deadline=None)
@given(instances())
def test_no_assignment_ever_exceeds_capacity_and_optimal_pairs_the_most(inst) -> None:
    base, feasible, active, capacity = inst
    best = optimal_assignment(base, feasible, active, capacity)
    greedy = greedy_assignment(base, feasible, active, capacity)
    _check_valid(best.pairs, feasible, active, capacity)
    _check_valid(greedy.pairs, feasible, active, capacity)
    assert best.total == pytest.approx(total_score(best.pairs, base, active, capacity))
    assert len(best.pairs) == _max_flow(feasible, active, capacity)
    assert len(best.pairs) >= len(greedy.pairs)
    if len(best.pairs) == len(greedy.pairs):
        assert best.total >= greedy.total - 1e-9


def _max_flow(feasible, active, capacity) -> int:
    """Independent maximum number of pairs: augmenting paths (Kuhn's algorithm) from each
    mentee to a mentor with room, re-homing mentees along the path."""
    n, m = feasible.shape
    room = [int(c - a) for a, c in zip(active, capacity, strict=True)]
    holders: list[list[int]] = [[] for _ in range(m)]

    def augment(row: int, seen: set[int]) -> bool:
        for col in range(m):
            if not feasible[row, col] or col in seen:
                continue
            seen.add(col)
            if len(holders[col]) < room[col]:
                holders[col].append(row)
                return True
            for other in list(holders[col]):
                if augment(other, seen):
                    holders[col].remove(other)
                    holders[col].append(row)
                    return True
        return False

    return sum(augment(row, set()) for row in range(n))


def _brute_force(base, feasible, active, capacity) -> tuple[int, float]:
    """(most pairs, best total among the assignments with that many) by trying every mentor
    (or none) for every mentee."""
    n, m = base.shape
    best = (0, 0.0)
    for choice in itertools.product([-1, *range(m)], repeat=n):
        pairs = [(r, c) for r, c in enumerate(choice) if c >= 0]
        if any(not feasible[r, c] for r, c in pairs):
            continue
        taken = np.bincount([c for _, c in pairs], minlength=m)
        if (active + taken > capacity).any():
            continue
        best = max(best, (len(pairs), total_score(pairs, base, active, capacity)))
    return best


@settings(max_examples=150, deadline=None)
@given(instances(max_mentees=4, max_mentors=3))
def test_optimal_matches_brute_force_on_small_instances(inst) -> None:
    base, feasible, active, capacity = inst
    best = optimal_assignment(base, feasible, active, capacity)
    count, total = _brute_force(base, feasible, active, capacity)
    assert len(best.pairs) == count
    assert best.total == pytest.approx(total)


@settings(max_examples=100, deadline=None)
@given(instances(max_mentees=40, max_mentors=12))
def test_the_count_equals_an_independent_max_flow_on_larger_rosters(inst) -> None:
    base, feasible, active, capacity = inst
    best = optimal_assignment(base, feasible, active, capacity)
    assert len(best.pairs) == _max_flow(feasible, active, capacity)


def test_greedy_is_beaten_when_the_best_pair_blocks_two_good_ones() -> None:
    # Mentee 0 fits both mentors; mentee 1 only fits mentor 0. Greedy gives mentor 0 to
    # mentee 0 (90 > 80) and leaves mentee 1 alone; optimal pairs 0-1 and 1-0.
    base = np.array([[90.0, 85.0], [80.0, 0.0]])
    feasible = np.array([[True, True], [True, False]])
    active, capacity = np.array([0, 0]), np.array([1, 1])
    greedy = greedy_assignment(base, feasible, active, capacity)
    best = optimal_assignment(base, feasible, active, capacity)
    assert greedy.pairs == [(0, 0)]
    assert sorted(best.pairs) == [(0, 1), (1, 0)]
    assert best.total > greedy.total


def test_a_second_pair_outweighs_any_score_gain() -> None:
    # Mentee 0 scores 95 with mentor 0 and 0 with mentor 1; mentee 1 fits only mentor 0.
    # The best total alone (95 + load) leaves mentee 1 out; two pairs are possible.
    base = np.array([[95.0, 0.0], [0.0, 0.0]])
    feasible = np.array([[True, True], [True, False]])
    best = optimal_assignment(base, feasible, np.array([0, 0]), np.array([1, 1]))
    assert sorted(best.pairs) == [(0, 1), (1, 0)]


def test_load_spreads_mentees_over_mentors() -> None:
    # Two equally good mentors with two free slots each: two mentees go one each.
    base = np.full((2, 2), 50.0)
    feasible = np.ones((2, 2), dtype=bool)
    best = optimal_assignment(base, feasible, np.array([0, 0]), np.array([2, 2]))
    assert sorted(c for _, c in best.pairs) == [0, 1]
