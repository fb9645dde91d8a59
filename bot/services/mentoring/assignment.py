"""Batch assignment of waiting mentees to mentors under capacities.

Each mentor with ``s`` free slots becomes ``s`` columns ("capacity slots"). Slot ``k`` (0-based)
of mentor ``j`` is worth ``base[i, j] + load(active_j + k, capacity_j)``: the load part shrinks
with every mentee a mentor takes, so an optimal matching fills slots in order and spreads
mentees, exactly as the single-request score does.

``optimal_assignment`` pairs the MOST mentees possible and, among the assignments that pair
that many, finds the one with the highest total score. It is one ``linear_sum_assignment``
(scipy, dense; 5,000 x ~3,000 slots in well under a second) on a big-M matrix: a feasible slot
is worth ``M + score`` and an infeasible one 0, with ``M`` larger than any total score, so one
more pair always outweighs every score gain (the two-stage optimum in one solve). Infeasible
picks (forced when a row has no feasible slot) are dropped afterwards. ``greedy_assignment`` is
the baseline: best pair first.

``unpaired`` says why each mentee left out could not be paired, from the same hard constraints
as the scoring (an open mentor, a shared language) and from the plan's use of the slots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.services.mentoring.pool import MentorPool
from bot.services.mentoring.profiles import MenteeProfile
from bot.services.mentoring.scoring import WEIGHTS, Weights
from bot.services.mentoring.vocab import SPECIALTY_BIT, VISA_BIT


@dataclass(frozen=True)
class Assignment:
    """``pairs`` are (mentee row, mentor column) indexes; ``total`` sums their slot scores."""

    pairs: list[tuple[int, int]]
    total: float


def _slot_values(active: np.ndarray, capacity: np.ndarray,
                 w: Weights) -> tuple[np.ndarray, np.ndarray]:
    """(mentor column of each slot, load value of each slot)."""
    free = np.maximum(capacity - active, 0)
    cols = np.repeat(np.arange(capacity.size), free)
    starts = np.cumsum(free) - free
    k = np.arange(cols.size) - np.repeat(starts, free)
    load = w.load * (1.0 - (active[cols] + k) / capacity[cols])
    return cols, load


def total_score(pairs: list[tuple[int, int]], base: np.ndarray, active: np.ndarray,
                capacity: np.ndarray, w: Weights = WEIGHTS) -> float:
    """Score of an assignment: base scores plus the load of the slots it fills, in order."""
    taken = np.zeros(capacity.size, dtype=np.int64)
    total = 0.0
    for row, col in pairs:
        total += base[row, col] + w.load * (1.0 - (active[col] + taken[col]) / capacity[col])
        taken[col] += 1
    return float(total)


def optimal_assignment(base: np.ndarray, feasible: np.ndarray, active: np.ndarray,
                       capacity: np.ndarray, w: Weights = WEIGHTS) -> Assignment:
    """The most pairs possible, then the highest total among those (see the module doc)."""
    cols, load = _slot_values(active, capacity, w)
    n = base.shape[0]
    if n == 0 or cols.size == 0:
        return Assignment([], 0.0)
    # Only feasible values matter; scores are >= 0, so this bounds any assignment's total.
    top = float(base.max(initial=0.0, where=feasible)) + float(load.max(initial=0.0))
    big_m = top * min(n, cols.size) + 1.0
    if n <= cols.size:
        matrix = base[:, cols]
        matrix += load[None, :] + big_m
        matrix[~feasible[:, cols]] = 0.0
        rows, slots = linear_sum_assignment(matrix, maximize=True)
    else:
        # More mentees than slots: build it slot-major, the orientation scipy solves in
        # (it would otherwise make a transposed copy of a matrix that can be ~100 MB).
        matrix = base.T[cols]
        matrix += load[:, None] + big_m
        matrix[~feasible.T[cols]] = 0.0
        slots, rows = linear_sum_assignment(matrix, maximize=True)
        matrix = matrix.T
    keep = feasible[rows, cols[slots]]
    rows, slots = rows[keep], slots[keep]
    order = np.argsort(slots, kind="stable")  # fill each mentor's slots in order
    pairs = [(int(r), int(cols[s])) for r, s in zip(rows[order], slots[order], strict=True)]
    # The total from the scores themselves, not from the big-M matrix (no rounding from M).
    return Assignment(pairs, total_score(pairs, base, active, capacity, w))


def greedy_assignment(base: np.ndarray, feasible: np.ndarray, active: np.ndarray,
                      capacity: np.ndarray, w: Weights = WEIGHTS) -> Assignment:
    """Baseline: take feasible pairs by descending base score while mentee and slot are free."""
    rows, cols = np.nonzero(feasible)
    order = np.lexsort((cols, rows, -base[rows, cols]))
    left = np.maximum(capacity - active, 0).astype(np.int64)
    assigned = np.zeros(base.shape[0], dtype=bool)
    remaining_rows = base.shape[0]
    remaining_slots = int(left.sum())
    pairs: list[tuple[int, int]] = []
    for row, col in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if assigned[row] or left[col] == 0:
            continue
        assigned[row] = True
        left[col] -= 1
        pairs.append((row, col))
        remaining_rows -= 1
        remaining_slots -= 1
        if remaining_rows == 0 or remaining_slots == 0:
            break
    return Assignment(pairs, total_score(pairs, base, active, capacity, w))


# Why a waiting mentee is left out of a batch plan, most fundamental first.
UNPAIRED_REASONS: dict[str, str] = {
    "no_mentor": "no mentor has a free slot",
    "no_language": "no mentor with a free slot speaks their language",
    "no_capacity": "every mentor who speaks their language is full once the others are paired",
}


@dataclass(frozen=True)
class Unpaired:
    """A mentee the plan leaves out, why (a key of ``UNPAIRED_REASONS``), and whether an open
    mentor who speaks their language has their specialty / has lived their visa route (the
    "recruit whom" detail: no capacity in their specialty, no mentor on their visa route)."""

    mentee: MenteeProfile
    reason: str
    specialty_served: bool
    visa_served: bool


def unpaired(mentees: list[MenteeProfile], pool: MentorPool, feasible: np.ndarray,
             pairs: list[tuple[int, int]]) -> list[Unpaired]:
    """The mentees (rows of ``feasible``, over ``pool``'s open mentors) that ``pairs`` leaves
    out. The assignment pairs the most mentees possible, so a mentee with a feasible mentor
    left out means every such mentor's slots are needed by mentees with no better option."""
    paired = {r for r, _ in pairs}
    out = []
    for row, mentee in enumerate(mentees):
        if row in paired:
            continue
        fits = feasible[row]
        if fits.any():
            reason = "no_capacity"
        else:
            others = pool.open & (pool.user_ids != mentee.user_id)
            reason = "no_language" if others.any() else "no_mentor"
        out.append(Unpaired(
            mentee, reason,
            specialty_served=bool((pool.spec[fits] & SPECIALTY_BIT[mentee.specialty]).any()),
            visa_served=bool((pool.visa[fits] & VISA_BIT[mentee.visa]).any()),
        ))
    return out
