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
from typing import Final

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
    """Average daily waking overlap of two zones over the session week, as one dict per zone
    (the hot loop looks a partner's zone up in the seeker's row)."""

    def __init__(self, week: date) -> None:
        self._days = [week + timedelta(days=i) for i in range(WEEK)]
        self._rows: dict[str, _Row] = {}

    def row(self, zone: str) -> _Row:
        found = self._rows.get(zone)
        if found is None:
            found = self._rows[zone] = _Row(zone, self._days)
        return found

    def __call__(self, a: str, b: str) -> float:
        return self.row(a)[b]


class _Row(dict[str, float]):
    """One zone's overlaps with the zones asked so far (computed on first use)."""

    def __init__(self, zone: str, days: list[date]) -> None:
        super().__init__()
        self._zone, self._days = zone, days

    def __missing__(self, other: str) -> float:
        hours = self[other] = sum(waking_overlap_hours(self._zone, other, d)
                                  for d in self._days) / WEEK
        return hours


# A member as the search reads them (a tuple: the search runs n^2/4 times for one specialty).
_ID: Final = 0
_LANGS: Final = 1
_INTERVIEWS: Final = 2
_INTERVIEWED: Final = 3
_ZONE: Final = 4
_SPECIALTY: Final = 5
_MENTOR: Final = 6
_NEW: Final = 7
_BONUS: Final = 8
_RANK: Final = 9
_Candidate = tuple[int, frozenset[str], bool, bool, str, str, bool, bool, float, int]


def _candidate(p: Participant, rank: int) -> _Candidate:
    bonus = (CARRIED if p.carried else 0.0) + (FIXED_ROLE if p.role != "both" else 0.0)
    return (p.user_id, p.languages, p.interviews, p.is_interviewed, p.zone, p.specialty,
            p.mentor, p.first_timer, bonus, rank)


def pair_round(participants: Iterable[Participant], past: Collection[tuple[int, int]],
               week: date, seed: int) -> Pairing:
    """Pair the members of one round. ``past``: every pair already made (``pair_key`` order);
    ``week``: the first UTC day of the sessions; ``seed``: the round's."""
    members = sorted(participants, key=lambda p: p.user_id)
    rng = random.Random(seed)
    rank = {p.user_id: i for i, p in enumerate(rng.sample(members, len(members)))}
    order = sorted(members, key=lambda p: (not p.carried, not p.first_timer, rank[p.user_id]))
    by_id = {p.user_id: p for p in members}
    # The members still free: everyone, and by specialty (a taken member leaves both).
    free: dict[int, _Candidate] = {p.user_id: _candidate(p, rank[p.user_id]) for p in order}
    free_in: dict[str, dict[int, _Candidate]] = {}
    for user_id, candidate in free.items():
        free_in.setdefault(candidate[_SPECIALTY], {})[user_id] = candidate
    past_of: dict[int, set[int]] = {}
    for a, b in past:
        past_of.setdefault(a, set()).add(b)
        past_of.setdefault(b, set()).add(a)
    overlaps = _Overlaps(week)
    pairs: list[Pair] = []
    unpaired: list[int] = []

    def take(user_id: int) -> _Candidate:
        candidate = free.pop(user_id)
        del free_in[candidate[_SPECIALTY]][user_id]
        return candidate

    # First everyone within their specialty, then whoever is left across specialties.
    for across in (False, True):
        for seeker in order:
            if seeker.user_id not in free:
                continue
            me = take(seeker.user_id)
            found = _best(me, free if across else free_in[seeker.specialty],
                          past_of.get(seeker.user_id, set()), overlaps.row(seeker.zone))
            if found is None:
                if across:
                    unpaired.append(seeker.user_id)
                else:
                    free[me[_ID]] = free_in[me[_SPECIALTY]][me[_ID]] = me
                continue
            take(found)
            other = by_id[found]
            pairs.append(_pair(seeker, other, overlaps(seeker.zone, other.zone)))
    return Pairing(tuple(pairs), tuple(unpaired))


def _best(me: _Candidate, pool: dict[int, _Candidate], my_past: set[int],
          hours_to: _Row) -> int | None:
    """The free member of ``pool`` who makes the best pair with ``me``: the hot loop of
    pairing, with the rules inlined (`_pair` then builds the chosen pair)."""
    langs, specialty, i_interview, i_am_interviewed = (me[_LANGS], me[_SPECIALTY],
                                                       me[_INTERVIEWS], me[_INTERVIEWED])
    mentor_for_me = me[_NEW] and i_am_interviewed
    i_mentor = me[_MENTOR] and i_interview
    found: int | None = None
    best = (-1.0, 0)
    for them, other in pool.items():
        if langs.isdisjoint(other[_LANGS]) or them in my_past:
            continue
        they_interview, they_are_interviewed = other[_INTERVIEWS], other[_INTERVIEWED]
        if not ((i_am_interviewed and they_interview) or (they_are_interviewed and i_interview)):
            continue
        hours = hours_to[other[_ZONE]]
        if hours < MIN_OVERLAP_HOURS:
            continue
        score = hours / 24 + other[_BONUS]
        if other[_SPECIALTY] == specialty:
            score += SAME_SPECIALTY
        if (mentor_for_me and other[_MENTOR] and they_interview) or (
                i_mentor and other[_NEW] and they_are_interviewed):
            score += MENTOR_FOR_FIRST_TIMER
        key = (score, -other[_RANK])
        if key > best:
            found, best = them, key
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
