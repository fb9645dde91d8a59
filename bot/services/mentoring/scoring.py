"""How a mentor fits a mentee: hard constraints and the soft score.

This module is the ONE place the matching weights live. Both the single-request path
(``pool.MentorPool.top``) and the batch path (``pool.MentorPool.score_matrix``) use the same
weights and the same formulas; ``score_pair`` is the readable reference the vectorised code is
tested against.

Soft score (0..100 with the default weights):

    specialty  40  the mentee's target specialty is one of the mentor's specialties
    visa       25  the mentor has lived the mentee's visa route
    stage      15  the mentor is ahead in the exams: half per step ahead, full from 2 steps
    overlap    15  shared waking hours (zoneinfo, for the given date). Two people awake
                   07:00-23:00 always share at least 8 h (zones 12 h apart), so the part
                   grows linearly from 0 at 8 h to full at 14 h (zones <= 2 h apart)
    load        5  free share of the mentor's capacity: spreads mentees over mentors

Hard constraints (any one excludes the mentor): not approved, paused, no capacity left, the
mentee themself, already paired with this mentee, already tried for this request (declined,
timed out or withdrawn), no shared language.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from bot.services.mentoring.overlap import waking_overlap_hours
from bot.services.mentoring.profiles import APPROVED, MenteeProfile, MentorProfile
from bot.services.mentoring.vocab import (
    EXAM_STAGES,
    LANGUAGES,
    SPECIALTIES,
    STAGE_RANK,
    VISA_ROUTES,
)


@dataclass(frozen=True)
class Weights:
    specialty: float = 40.0
    visa: float = 25.0
    stage: float = 15.0
    overlap: float = 15.0
    load: float = 5.0
    stage_full_steps: int = 2  # steps ahead that earn the full stage weight
    overlap_zero_hours: float = 8.0  # shared waking hours worth nothing (the minimum)
    overlap_full_hours: float = 14.0  # shared waking hours that earn the full overlap weight

    @property
    def maximum(self) -> float:
        return self.specialty + self.visa + self.stage + self.overlap + self.load


WEIGHTS = Weights()

# Hard-constraint codes and what they mean to a moderator or in a test.
CONSTRAINTS: dict[str, str] = {
    "not_approved": "not approved by a moderator",
    "paused": "paused",
    "full": "no capacity left",
    "self": "is the mentee",
    "already_paired": "already paired with this mentee",
    "excluded": "already tried for this request",
    "no_language": "no shared language",
}


def violations(mentor: MentorProfile, mentee: MenteeProfile, *,
               excluded: Collection[int] = (), paired: Collection[int] = ()) -> list[str]:
    """Codes of the hard constraints ``mentor`` breaks for ``mentee`` (empty = eligible).

    ``excluded``: mentor ids already tried for this request; ``paired``: mentor ids with an
    open pairing with this mentee.
    """
    out = []
    if mentor.status != APPROVED:
        out.append("not_approved")
    if mentor.paused:
        out.append("paused")
    if mentor.active >= mentor.capacity:
        out.append("full")
    if mentor.user_id == mentee.user_id:
        out.append("self")
    if mentor.id in paired:
        out.append("already_paired")
    if mentor.id in excluded:
        out.append("excluded")
    if not set(mentor.languages) & set(mentee.languages):
        out.append("no_language")
    return out


# Why no mentor is left for a mentee: the hard constraints above, in the order in which they
# empty the list of mentors (the first that leaves nobody is the reason).
NO_CANDIDATE: dict[str, str] = {
    "no_mentor": "no approved mentor",
    "no_language": "no mentor speaks their language",
    "all_tried": "every mentor who speaks their language was asked",
    "paused": "the mentors left are paused",
    "no_capacity": "the mentors left have no free slot",
    "free_now": "a mentor could take them now",
}
_NARROWING: tuple[tuple[str, frozenset[str]], ...] = (
    ("no_mentor", frozenset({"not_approved", "self"})),
    ("no_language", frozenset({"no_language"})),
    ("all_tried", frozenset({"excluded", "already_paired"})),
    ("paused", frozenset({"paused"})),
    ("no_capacity", frozenset({"full"})),
)


def no_candidate_reason(mentee: MenteeProfile, mentors: Collection[MentorProfile], *,
                        excluded: Collection[int] = (), paired: Collection[int] = ()) -> str:
    """A key of ``NO_CANDIDATE``: why none of ``mentors`` can take ``mentee`` (``free_now``
    when one can)."""
    broken = [set(violations(m, mentee, excluded=excluded, paired=paired)) for m in mentors]
    for reason, codes in _NARROWING:
        broken = [b for b in broken if not b & codes]
        if not broken:
            return reason
    return "free_now"


def stage_part(mentor_stage: str, mentee_stage: str, w: Weights = WEIGHTS) -> float:
    ahead = STAGE_RANK[mentor_stage] - STAGE_RANK[mentee_stage]
    return w.stage * min(max(ahead, 0), w.stage_full_steps) / w.stage_full_steps


def overlap_part(hours: float, w: Weights = WEIGHTS) -> float:
    span = w.overlap_full_hours - w.overlap_zero_hours
    return w.overlap * min(max(hours - w.overlap_zero_hours, 0.0), span) / span


def load_part(active: int, capacity: int, w: Weights = WEIGHTS) -> float:
    return w.load * max(0.0, 1.0 - active / capacity)


@dataclass(frozen=True)
class Score:
    total: float
    parts: dict[str, float]
    reasons: tuple[str, ...]


def score_pair(mentor: MentorProfile, mentee: MenteeProfile, on: date,
               w: Weights = WEIGHTS) -> Score:
    """The soft score of a pair, its parts, and the reasons a member can read."""
    hours = waking_overlap_hours(mentor.timezone, mentee.timezone, on)
    parts = {
        "specialty": w.specialty if mentee.specialty in mentor.specialties else 0.0,
        "visa": w.visa if mentee.visa in mentor.visas else 0.0,
        "stage": stage_part(mentor.stage, mentee.stage, w),
        "overlap": overlap_part(hours, w),
        "load": load_part(mentor.active, mentor.capacity, w),
    }
    reasons = []
    if parts["specialty"]:
        reasons.append(f"Specialty: {SPECIALTIES[mentee.specialty]}")
    if parts["visa"]:
        reasons.append(f"Visa route: {VISA_ROUTES[mentee.visa]}")
    if parts["stage"]:
        reasons.append(f"Ahead of you: {EXAM_STAGES[mentor.stage]}")
    shared = [LANGUAGES[k] for k in mentor.languages if k in mentee.languages]
    reasons.append(f"Speaks {', '.join(shared)}" if shared else "No shared language")
    reasons.append(f"{hours:g} h of shared waking time")
    reasons.append(f"{mentor.slots_left} of {mentor.capacity} mentee slots free")
    return Score(total=sum(parts.values()), parts=parts, reasons=tuple(reasons))
