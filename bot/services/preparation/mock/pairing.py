"""Pairing a round's members, and the times proposed to a pair. Pure functions (no database).

Rules, in order of strength:
- hard: an interviewer may interview (role interviewer or both) and the interviewee may be
  interviewed (interviewee or both); nobody is in two pairs; two members are never paired again
  once they were (in any round, either way round); they share a language; and they share at
  least ``MIN_OVERLAP_HOURS`` of waking time a day on average over the session week;
- preferred: the same specialty (searched first), a mentor as a first-timer's interviewer,
  members who were left out last week, then the longer waking overlap.

Members are taken in priority order (left out last week first, then first-timers, then the
rest), each in an order shuffled by the round's seed, and each takes the best partner still
free: first within their specialty, then, for those left, across specialties (so a member never
takes another specialty's partner while one of their own is free). The result depends only on
the members, the history and the seed, never on the order they are given in. Because every
member searches everyone still free before being left out, no two members left out could have
been paired together.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from bot.services.mentoring.overlap import waking_intervals, waking_overlap_hours
from bot.services.preparation.mock._models import Pair, Pairing, Participant

#: Average waking hours a day two members must share (room for three one-hour sessions).
MIN_OVERLAP_HOURS = 2.0
WEEK = 7
SESSION = timedelta(hours=1)
#: The first proposed time is at least this long after the round closes.
LEAD = timedelta(hours=12)
TIMES = 3

# Preference weights: a same-specialty partner beats everything, then a mentor for a
# first-timer, then a member left out last week; the waking overlap (0-1) breaks the rest.
SAME_SPECIALTY, MENTOR_FOR_FIRST_TIMER, CARRIED, FIXED_ROLE = 100.0, 10.0, 2.0, 1.0


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class _Overlaps:
    """Average daily waking overlap of two zones over the session week (cached per zone pair)."""

    def __init__(self, week: date) -> None:
        self._days = [week + timedelta(days=i) for i in range(WEEK)]
        self._cache: dict[tuple[str, str], float] = {}

    def __call__(self, a: str, b: str) -> float:
        key = (a, b) if a <= b else (b, a)
        found = self._cache.get(key)
        if found is None:
            found = sum(waking_overlap_hours(a, b, d) for d in self._days) / WEEK
            self._cache[key] = found
        return found


def pair_round(participants: Iterable[Participant], past: Collection[tuple[int, int]],
               week: date, seed: int) -> Pairing:
    """Pair the members of one round. ``past``: every pair already made (``pair_key`` order);
    ``week``: the first UTC day of the sessions; ``seed``: the round's."""
    members = sorted(participants, key=lambda p: p.user_id)
    rng = random.Random(seed)
    rank = {p.user_id: i for i, p in enumerate(rng.sample(members, len(members)))}
    order = sorted(members, key=lambda p: (not p.carried, not p.first_timer, rank[p.user_id]))
    by_specialty: dict[str, list[Participant]] = {}
    for member in order:
        by_specialty.setdefault(member.specialty, []).append(member)
    overlaps = _Overlaps(week)
    past_pairs = set(past)
    taken: set[int] = set()
    pairs: list[Pair] = []
    unpaired: list[int] = []
    # First everyone within their specialty, then whoever is left across specialties.
    for across in (False, True):
        for seeker in order:
            if seeker.user_id in taken:
                continue
            taken.add(seeker.user_id)
            pool = order if across else by_specialty[seeker.specialty]
            other = _best(seeker, pool, taken, rank, overlaps, past_pairs)
            if other is None:
                if across:
                    unpaired.append(seeker.user_id)
                else:
                    taken.discard(seeker.user_id)
                continue
            taken.add(other.user_id)
            pairs.append(_pair(seeker, other, overlaps(seeker.zone, other.zone)))
    return Pairing(tuple(pairs), tuple(unpaired))


def _best(seeker: Participant, pool: Iterable[Participant], taken: set[int],
          rank: dict[int, int], overlaps: _Overlaps,
          past: set[tuple[int, int]]) -> Participant | None:
    """The free member of ``pool`` who makes the best pair with ``seeker`` (the hot loop of
    pairing: the rules are inlined, `_pair` only builds the chosen one)."""
    me, langs, zone, specialty = seeker.user_id, seeker.languages, seeker.zone, seeker.specialty
    i_interview, i_am_interviewed = seeker.interviews, seeker.is_interviewed
    new_interviewee = seeker.first_timer and i_am_interviewed
    found: Participant | None = None
    found_key = (-1.0, 0)
    for other in pool:
        them = other.user_id
        if them in taken or langs.isdisjoint(other.languages):
            continue
        they_interview, they_are_interviewed = other.interviews, other.is_interviewed
        if not ((i_am_interviewed and they_interview) or (they_are_interviewed and i_interview)):
            continue
        if (me, them) in past or (them, me) in past:
            continue
        hours = overlaps(zone, other.zone)
        if hours < MIN_OVERLAP_HOURS:
            continue
        score = hours / 24
        if other.specialty == specialty:
            score += SAME_SPECIALTY
        if (new_interviewee and other.mentor and they_interview) or (
                other.first_timer and they_are_interviewed and seeker.mentor and i_interview):
            score += MENTOR_FOR_FIRST_TIMER
        if other.carried:
            score += CARRIED
        if other.role != "both":
            score += FIXED_ROLE  # keep the flexible members for those who need one
        key = (score, -rank[them])
        if key > found_key:
            found, found_key = other, key
    return found


def _pair(seeker: Participant, other: Participant, hours: float) -> Pair:
    """Who interviews whom in a pair `_best` chose."""
    seeker_interviewed = seeker.is_interviewed and other.interviews
    if seeker_interviewed and other.is_interviewed and seeker.interviews:
        # Either way round works: a first-timer is interviewed, a mentor interviews; else the
        # seeker (taken first: left out last week, or new) gets the practice.
        if other.first_timer and not seeker.first_timer:
            seeker_interviewed = False
        elif seeker.mentor and not other.mentor and not seeker.first_timer:
            seeker_interviewed = False
    interviewee, interviewer = (seeker, other) if seeker_interviewed else (other, seeker)
    return Pair(interviewer.user_id, interviewee.user_id, interviewee.specialty, hours)


# -- times -------------------------------------------------------------------------------------
def session_times(zone_a: str, zone_b: str, after: datetime, count: int = TIMES) -> tuple[datetime, ...]:
    """``count`` one-hour session starts within both members' waking hours during the week
    after ``after`` (each at least ``LEAD`` later), on days spread over the week, each in the
    middle of that day's longest shared window, on the half hour."""
    earliest = after + LEAD
    per_day: list[datetime] = []
    start_day = after.astimezone(UTC).date()
    for offset in range(WEEK + 1):
        day = start_day + timedelta(days=offset)
        slot = _day_slot(zone_a, zone_b, day, earliest)
        if slot is not None:
            per_day.append(slot)
    return _spread(per_day, count)


def _day_slot(zone_a: str, zone_b: str, day: date, earliest: datetime) -> datetime | None:
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    lo = (earliest - midnight).total_seconds()
    windows = [(max(s, lo), e) for s, e in _shared(waking_intervals(zone_a, day),
                                                  waking_intervals(zone_b, day))]
    windows = [(s, e) for s, e in windows if e - s >= SESSION.total_seconds()]
    if not windows:
        return None
    s, e = max(windows, key=lambda w: (w[1] - w[0], -w[0]))
    middle = s + (e - s - SESSION.total_seconds()) / 2
    half_hour = 1800.0
    start = (middle // half_hour) * half_hour
    if start < s:
        start += half_hour
    if start + SESSION.total_seconds() > e:
        return None
    return midnight + timedelta(seconds=start)


def _shared(a: Sequence[tuple[float, float]],
            b: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    for sa, ea in a:
        for sb, eb in b:
            lo, hi = max(sa, sb), min(ea, eb)
            if hi > lo:
                out.append((lo, hi))
    return out


def _spread(slots: list[datetime], count: int) -> tuple[datetime, ...]:
    """``count`` of the slots (one a day, in order), at least two days apart where they can be."""
    chosen: list[datetime] = []
    for slot in slots:
        if not chosen or slot - chosen[-1] >= timedelta(days=2):
            chosen.append(slot)
    for slot in slots:
        if len(chosen) >= count:
            break
        if slot not in chosen:
            chosen.append(slot)
    return tuple(sorted(chosen[:count]))
