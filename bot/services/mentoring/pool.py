"""Vectorised matching over every mentor of a guild (numpy).

A ``MentorPool`` turns mentor profiles into arrays once (bit masks for specialties, visa
routes and languages; stage ranks; zone indexes; capacity and load), so one request scores
10,000 mentors in well under a millisecond and a batch builds its mentee x mentor matrix in
a few numpy operations. The formulas are those of ``scoring`` (tested to agree).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from bot.services.mentoring.overlap import waking_overlap_hours
from bot.services.mentoring.profiles import APPROVED, MenteeProfile, MentorProfile
from bot.services.mentoring.scoring import WEIGHTS, Score, Weights, score_pair
from bot.services.mentoring.vocab import LANGUAGE_BIT, SPECIALTY_BIT, STAGE_RANK, VISA_BIT, bits


def _overlap_points(hours: np.ndarray, w: Weights) -> np.ndarray:
    """Vectorised ``scoring.overlap_part``."""
    span = w.overlap_full_hours - w.overlap_zero_hours
    return w.overlap * np.clip(hours - w.overlap_zero_hours, 0.0, span) / span


@dataclass(frozen=True)
class Candidate:
    mentor: MentorProfile
    score: Score


class MentorPool:
    """Arrays over a list of mentor profiles (index i = ``mentors[i]``); ``open`` marks who can
    take a mentee now. ``patch`` updates one mentor in place."""

    def __init__(self, mentors: Sequence[MentorProfile]) -> None:
        self.mentors = list(mentors)
        n = len(self.mentors)
        self.ids = np.fromiter((m.id for m in self.mentors), np.int64, n)
        self.user_ids = np.fromiter((m.user_id for m in self.mentors), np.int64, n)
        self.spec = np.fromiter((bits(m.specialties, SPECIALTY_BIT) for m in self.mentors),
                                np.int64, n)
        self.visa = np.fromiter((bits(m.visas, VISA_BIT) for m in self.mentors), np.int64, n)
        self.lang = np.fromiter((bits(m.languages, LANGUAGE_BIT) for m in self.mentors),
                                np.int64, n)
        self.stage = np.fromiter((STAGE_RANK[m.stage] for m in self.mentors), np.int64, n)
        self.capacity = np.fromiter((m.capacity for m in self.mentors), np.int64, n)
        self.active = np.fromiter((m.active for m in self.mentors), np.int64, n)
        self.approved = np.fromiter((m.status == APPROVED for m in self.mentors), bool, n)
        self.paused = np.fromiter((m.paused for m in self.mentors), bool, n)
        self.open = self.approved & ~self.paused & (self.active < self.capacity)
        self.zones = sorted({m.timezone for m in self.mentors})
        self._zone_index = {z: i for i, z in enumerate(self.zones)}
        self.zone = np.fromiter((self._zone_index[m.timezone] for m in self.mentors), np.int64, n)
        self._index = {mid: i for i, mid in enumerate(self.ids.tolist())}

    def patch(self, mentor: MentorProfile) -> bool:
        """Update one mentor in place (load, pause, profile edits) without rebuilding.

        Returns False when the pool cannot absorb the change (a mentor it does not hold became
        approved, or moved to a zone it has no column for): the caller then rebuilds it."""
        i = self._index.get(mentor.id)
        if i is None:
            return mentor.status != APPROVED
        zone = self._zone_index.get(mentor.timezone)
        if zone is None:
            return False
        self.mentors[i] = mentor
        self.spec[i] = bits(mentor.specialties, SPECIALTY_BIT)
        self.visa[i] = bits(mentor.visas, VISA_BIT)
        self.lang[i] = bits(mentor.languages, LANGUAGE_BIT)
        self.stage[i] = STAGE_RANK[mentor.stage]
        self.capacity[i], self.active[i], self.zone[i] = mentor.capacity, mentor.active, zone
        self.approved[i], self.paused[i] = mentor.status == APPROVED, mentor.paused
        self.open[i] = (mentor.status == APPROVED and not mentor.paused
                        and mentor.active < mentor.capacity)
        return True

    def __len__(self) -> int:
        return len(self.mentors)

    def index_of(self, mentor_ids: Collection[int]) -> np.ndarray:
        return np.fromiter((self._index[m] for m in mentor_ids if m in self._index), np.int64)

    def zone_overlap(self, zone: str, on: date) -> np.ndarray:
        """Shared waking hours between ``zone`` and each of the pool's zones."""
        return np.array([waking_overlap_hours(zone, z, on) for z in self.zones], dtype=np.float64)

    def _base(self, mentee: MenteeProfile, on: date, w: Weights) -> np.ndarray:
        """Soft score without the load part, for every mentor."""
        score = np.where(self.spec & SPECIALTY_BIT[mentee.specialty], w.specialty, 0.0)
        score += np.where(self.visa & VISA_BIT[mentee.visa], w.visa, 0.0)
        ahead = np.clip(self.stage - STAGE_RANK[mentee.stage], 0, w.stage_full_steps)
        score += w.stage * ahead / w.stage_full_steps
        hours = self.zone_overlap(mentee.timezone, on)[self.zone] if len(self) else np.zeros(0)
        score += _overlap_points(hours, w)
        return score

    def feasible(self, mentee: MenteeProfile, *, excluded: Collection[int] = (),
                 paired: Collection[int] = ()) -> np.ndarray:
        """Boolean mask of mentors meeting every hard constraint for ``mentee``."""
        ok = self.open & (self.user_ids != mentee.user_id)
        ok &= (self.lang & bits(mentee.languages, LANGUAGE_BIT)) != 0
        blocked = self.index_of([*excluded, *paired])
        if blocked.size:
            ok[blocked] = False
        return ok

    def no_candidate_reason(self, mentee: MenteeProfile, *, excluded: Collection[int] = (),
                            paired: Collection[int] = ()) -> str:
        """Vectorised ``scoring.no_candidate_reason`` over every mentor of the pool (tested to
        agree): the first hard constraint that leaves nobody, in the same order."""
        left = self.approved & (self.user_ids != mentee.user_id)
        if not left.any():
            return "no_mentor"
        left &= (self.lang & bits(mentee.languages, LANGUAGE_BIT)) != 0
        if not left.any():
            return "no_language"
        blocked = self.index_of([*excluded, *paired])
        if blocked.size:
            left[blocked] = False
        if not left.any():
            return "all_tried"
        left &= ~self.paused
        if not left.any():
            return "paused"
        left &= self.active < self.capacity
        return "free_now" if left.any() else "no_capacity"

    def scores(self, mentee: MenteeProfile, on: date, w: Weights = WEIGHTS) -> np.ndarray:
        """Full soft score (with the current load) for every mentor."""
        load = w.load * np.maximum(0.0, 1.0 - self.active / self.capacity)
        return self._base(mentee, on, w) + load

    def top(self, mentee: MenteeProfile, on: date, k: int = 3, *,
            excluded: Collection[int] = (), paired: Collection[int] = (),
            w: Weights = WEIGHTS) -> list[Candidate]:
        """The ``k`` best eligible mentors, best first (ties: lower mentor id first)."""
        ok = self.feasible(mentee, excluded=excluded, paired=paired)
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            return []
        scores = self.scores(mentee, on, w)[idx]
        if idx.size > k:
            # Keep every mentor tied with the k-th best so the id tie-break is exact.
            kth = np.partition(scores, idx.size - k)[idx.size - k]
            keep = scores >= kth
            idx, scores = idx[keep], scores[keep]
        order = np.lexsort((self.ids[idx], -scores))[:k]
        return [Candidate(self.mentors[i], score_pair(self.mentors[i], mentee, on, w))
                for i in idx[order].tolist()]

    def score_matrix(self, mentees: Sequence[MenteeProfile], on: date, *,
                     excluded: dict[int, Collection[int]] | None = None,
                     w: Weights = WEIGHTS) -> tuple[np.ndarray, np.ndarray]:
        """(base scores without load, feasibility) as mentee x mentor matrices.

        ``excluded`` maps a mentee id to mentor ids that mentee must not get (declined,
        already paired). Everything is computed with broadcasting over attribute arrays;
        overlap hours come from a small zone x zone table.
        """
        n = len(mentees)
        m_spec = np.fromiter((SPECIALTY_BIT[e.specialty] for e in mentees), np.int64, n)
        m_visa = np.fromiter((VISA_BIT[e.visa] for e in mentees), np.int64, n)
        m_stage = np.fromiter((STAGE_RANK[e.stage] for e in mentees), np.int64, n)
        m_lang = np.fromiter((bits(e.languages, LANGUAGE_BIT) for e in mentees), np.int64, n)
        m_user = np.fromiter((e.user_id for e in mentees), np.int64, n)
        e_zones = sorted({e.timezone for e in mentees})
        e_zone_index = {z: i for i, z in enumerate(e_zones)}
        m_zone = np.fromiter((e_zone_index[e.timezone] for e in mentees), np.int64, n)
        table = np.array([self.zone_overlap(z, on) for z in e_zones], dtype=np.float64)
        table = _overlap_points(table, w)

        base = np.where((m_spec[:, None] & self.spec[None, :]) != 0, w.specialty, 0.0)
        base += np.where((m_visa[:, None] & self.visa[None, :]) != 0, w.visa, 0.0)
        ahead = np.clip(self.stage[None, :] - m_stage[:, None], 0, w.stage_full_steps)
        base += (w.stage / w.stage_full_steps) * ahead
        if len(self) and n:
            base += table[m_zone[:, None], self.zone[None, :]]

        feasible = (m_lang[:, None] & self.lang[None, :]) != 0
        feasible &= self.open[None, :]
        feasible &= m_user[:, None] != self.user_ids[None, :]
        if excluded:
            for row, mentee in enumerate(mentees):
                blocked = self.index_of(excluded.get(mentee.id, ()))
                if blocked.size:
                    feasible[row, blocked] = False
        return base, feasible
