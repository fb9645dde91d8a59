"""Batch assignment of waiting mentees to mentors under capacities.

Each mentor with ``s`` free slots becomes ``s`` columns ("capacity slots"). Slot ``k`` (0-based)
of mentor ``j`` is worth ``base[i, j] + load(active_j + k, capacity_j)``: the load part shrinks
with every mentee a mentor takes, so an optimal matching fills slots in order and spreads
mentees, exactly as the single-request score does.

``optimal_assignment`` maximises the total over a matching of mentees to slots with scipy's
``linear_sum_assignment`` (dense; 5,000 x ~3,000 slots solves in about a second).
Infeasible pairs are worth 0 so that being forced onto one equals staying unassigned; every
feasible slot is worth more than 0 whenever the load weight is positive, and infeasible picks
are dropped afterwards. ``greedy_assignment`` is the baseline: best pair first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.services.mentoring.scoring import WEIGHTS, Weights


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
    """A maximum-total matching of mentees (rows) to mentor slots (see the module doc)."""
    cols, load = _slot_values(active, capacity, w)
    if base.shape[0] == 0 or cols.size == 0:
        return Assignment([], 0.0)
    if base.shape[0] <= cols.size:
        matrix = base[:, cols]
        matrix += load[None, :]
        matrix[~feasible[:, cols]] = 0.0
        rows, slots = linear_sum_assignment(matrix, maximize=True)
    else:
        # More mentees than slots: build it slot-major, the orientation scipy solves in
        # (it would otherwise make a transposed copy of a matrix that can be ~100 MB).
        matrix = base.T[cols]
        matrix += load[:, None]
        matrix[~feasible.T[cols]] = 0.0
        slots, rows = linear_sum_assignment(matrix, maximize=True)
        matrix = matrix.T
    keep = feasible[rows, cols[slots]]
    rows, slots = rows[keep], slots[keep]
    order = np.argsort(slots, kind="stable")  # fill each mentor's slots in order
    pairs = [(int(r), int(cols[s])) for r, s in zip(rows[order], slots[order], strict=True)]
    return Assignment(pairs, float(matrix[rows, slots].sum()))


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
