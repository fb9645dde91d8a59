"""Exam cohorts: `/cohort find` (study groups of members sitting the same exam within three
weeks of you, who share a language and waking hours) and `/cohort form` (moderators: members
with a date and no group for that exam, clustered into new study groups by date window,
language and waking-hours overlap; a preview first, then every group created in one
transaction, each offered a weekly slot and, if the moderator asks, a role the adapter makes).

Groups are study groups (`bot.services.study_groups`): joining and sessions work as for any
other. Waking hours are mentoring's (`overlap.waking_overlap_hours`, DST-correct); the weekly
slot a new cohort is offered is the study groups' `/session suggest` pick. A cohort's end (a
milestone call, then the archive unless its owner keeps it) is `cohort_closing`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.errors import InvalidInput, NotFound, UserError
from bot.outbox import Outbox
from bot.services.journey._models import EXAM_TOPICS, EXAMS, Candidate
from bot.services.journey._store import JourneyStore
from bot.services.journey.cohort_closing import NOTICE, notice_due
from bot.services.mentoring.overlap import waking_overlap_hours
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.models import Group
from bot.services.study_groups.suggest import suggest_slots

#: "Within three weeks of your date."
FIND_WINDOW = timedelta(weeks=3)
#: Hours of shared waking time (07:00-23:00 local) that make two members able to meet: any two
#: zones share at least 8 (mentoring's zero point); 11 means clocks at most ~5 hours apart.
MIN_OVERLAP_HOURS = 11.0
MIN_SIZE, MAX_SIZE = 2, 12
#: A new cohort group's description from its first and last exam dates and the weekly slot
#: suggested to it (None: no member has a zone). The adapter writes it: Discord shows it.
Describe = Callable[[date, date, datetime | None], str]


class CanMeet:
    """Whether two members share a language and enough waking hours on ``on`` (what nobody
    told us does not exclude). Zone pairs are computed once each: a server has a few dozen."""

    def __init__(self, on: date) -> None:
        self._zones = functools.cache(
            lambda a, b: waking_overlap_hours(a, b, on) >= MIN_OVERLAP_HOURS
        )

    def __call__(self, a: Candidate, b: Candidate) -> bool:
        if a.languages and b.languages and not a.languages & b.languages:
            return False
        return a.zone is None or b.zone is None or self._zones(a.zone, b.zone)


@dataclass(frozen=True, slots=True)
class CohortMatch:
    group: Group
    near: int
    """Members whose date for the exam is within three weeks of yours."""
    overlap_hours: float | None


@dataclass(frozen=True, slots=True)
class PlannedCohort:
    members: tuple[Candidate, ...]

    @property
    def window(self) -> tuple[date, date]:
        return self.members[0].day, self.members[-1].day


@dataclass(frozen=True, slots=True)
class CohortPlan:
    guild_id: int
    exam: str
    size: int
    cohorts: tuple[PlannedCohort, ...]
    unplaced: int


@dataclass(frozen=True, slots=True)
class FormedCohort:
    cohort_id: int
    group: Group
    member_ids: tuple[int, ...]
    slot: datetime | None
    """The weekly slot suggested to it (None: no member has a zone)."""


@dataclass(frozen=True, slots=True)
class FormResult:
    cohorts: tuple[FormedCohort, ...]
    skipped: int
    reasons: tuple[str, ...] = ()
    """Why cohorts were skipped (each reason once)."""

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(c.group for c in self.cohorts)


class Cohorts:
    def __init__(self, store: JourneyStore, clock: Clock, study_groups: StudyGroupService,
                 outbox: Outbox) -> None:
        self._store = store
        self._clock = clock
        self._study = study_groups
        self._outbox = outbox

    async def find(self, guild_id: int, user_id: int, exam: str, limit: int = 5) -> list[CohortMatch]:
        topic = _topic(exam)
        everyone = {c.user_id: c for c in await self._store.exam_candidates(guild_id, exam)}
        me = everyone.get(user_id)
        if me is None:
            raise NotFound(f"Set your {EXAMS[exam]} date first with `/exam set`: cohorts are "
                           "found by it.")
        today = self._clock.now().date()
        can_meet = CanMeet(today)
        matches = []
        for group in await self._study.groups.list(guild_id):
            if group.topic != topic:
                continue
            member_ids = {m.user_id for m in await self._study.groups.members(guild_id, group.id)}
            if user_id in member_ids or (group.capacity is not None
                                         and group.member_count >= group.capacity):
                continue
            dated = [everyone[m] for m in member_ids if m in everyone]
            near = [c for c in dated if abs(c.day - me.day) <= FIND_WINDOW]
            if not near or not any(can_meet(me, c) for c in near):
                continue
            zones = [c.zone for c in near if c.zone]
            overlap = None if me.zone is None or not zones else \
                sum(waking_overlap_hours(me.zone, z, today) for z in zones) / len(zones)
            matches.append(CohortMatch(group, len(near), overlap))
        matches.sort(key=lambda m: (-m.near, -(m.overlap_hours or 0.0), m.group.id))
        return matches[:limit]

    async def plan(self, guild_id: int, exam: str, size: int,
                   window: timedelta = FIND_WINDOW) -> CohortPlan:
        """Members with a date for ``exam`` and no group for it, in groups of ``size``."""
        _topic(exam)
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise InvalidInput(f"A cohort has {MIN_SIZE} to {MAX_SIZE} members.")
        now = self._clock.now()
        waiting = [c for c in await self._store.exam_candidates(guild_id, exam, without_group=True)
                   if c.day >= now.date()]
        groups = cluster(waiting, size, window, now.date())
        placed = sum(len(g) for g in groups)
        cohorts = tuple(PlannedCohort(tuple(g)) for g in groups)
        return CohortPlan(guild_id, exam, size, cohorts, len(waiting) - placed)

    async def form(self, plan: CohortPlan, moderator_id: int, describe: Describe, *,
                   role: bool = False) -> FormResult:
        """Create the planned cohorts' study groups in one transaction (all or none), each
        described by ``describe`` (the adapter's words) from its exam dates and suggested
        weekly slot. Members who found a group since the preview are left out; a cohort left
        with fewer than two members, or refused by the study groups' quotas, is skipped.
        ``role``: each cohort is marked as wanting a role, which the adapter creates after
        the commit and records with `role_created` or `role_failed`."""
        topic = EXAM_TOPICS[plan.exam]
        limits = await self._study.quotas.limits(plan.guild_id)
        taken = {g.name.casefold() for g in await self._study.groups.list(plan.guild_id)}
        created: list[FormedCohort] = []
        refused: list[str] = []
        now = self._clock.now()
        # Slots take a while for a big server: chosen before the transaction holds the database.
        slots = [_slot(_zones(c.members), now) for c in plan.cohorts]
        async with self._store.db.transaction() as tx:
            free = {c.user_id for c in await self._store.exam_candidates(
                plan.guild_id, plan.exam, without_group=True)}
            for number, cohort in enumerate(plan.cohorts, start=1):
                members = [c for c in cohort.members if c.user_id in free]
                if len(members) < MIN_SIZE:
                    refused.append("its members found groups since the preview")
                    continue
                first, last = members[0].day, members[-1].day
                name = _free_name(taken, f"{topic} cohort {first:%b %Y}", number)
                slot = slots[number - 1] if len(members) == len(cohort.members) else \
                    _slot(_zones(members), now)
                try:
                    group = await self._study.groups.create_in(
                        tx, limits, plan.guild_id, members[0].user_id, name, topic,
                        describe(first, last, slot), plan.size,
                        members=[m.user_id for m in members[1:]],
                    )
                except UserError as exc:  # a quota: checked before the group's first write
                    refused.append(str(exc))
                    continue
                cohort_id = await self._store.add_cohort(plan.guild_id, group.id, plan.exam,
                                                         first, last, moderator_id, now,
                                                         role_wanted=role)
                await self._outbox.enqueue(NOTICE, due=notice_due(last), guild_id=plan.guild_id,
                                           ref_id=cohort_id)
                taken.add(name.casefold())
                free -= {m.user_id for m in members}
                created.append(FormedCohort(cohort_id, group,
                                            tuple(m.user_id for m in members), slot))
        return FormResult(tuple(created), len(refused), tuple(dict.fromkeys(refused)))

    async def role_created(self, cohort_id: int, role_id: int, moderator_id: int) -> None:
        """The adapter made the cohort's role: its study group pings it (the moderator who
        formed the cohort chose it, so it is trusted as theirs)."""
        cohort = await self._store.cohort(cohort_id)
        if cohort is None:
            raise NotFound("That cohort no longer exists.")
        await self._study.groups.edit(cohort["guild_id"], cohort["group_id"], moderator_id, True,
                                      role_id=role_id, role_trusted=True)
        await self._store.set_role_error(cohort_id, None)

    async def role_failed(self, cohort_id: int, reason: str) -> None:
        """Discord refused the cohort's role: why is kept on the cohort (and the adapter tells
        the moderator)."""
        await self._store.set_role_error(cohort_id, reason[:200])


def _zones(members: Sequence[Candidate]) -> tuple[str, ...]:
    return tuple(sorted(m.zone for m in members if m.zone))


def _free_name(taken: set[str], base: str, number: int) -> str:
    n = number
    while f"{base} #{n}".casefold() in taken:
        n += 1
    return f"{base} #{n}"


def cluster(members: Sequence[Candidate], size: int, window: timedelta,
            on: date) -> list[list[Candidate]]:
    """Greedy by date: the earliest waiting member seeds a cohort and takes, in date order,
    the next members within ``window`` of their date who are compatible with everyone taken
    so far, up to ``size``. A seed nobody fits stays unplaced."""
    ordered = sorted(members, key=lambda c: (c.day, c.user_id))
    fits = CanMeet(on)
    taken = [False] * len(ordered)
    groups: list[list[Candidate]] = []
    for i, seed in enumerate(ordered):
        if taken[i]:
            continue
        picked = [i]
        for j in range(i + 1, len(ordered)):
            other = ordered[j]
            if other.day - seed.day > window:
                break
            if taken[j] or not all(fits(ordered[k], other) for k in picked):
                continue
            picked.append(j)
            if len(picked) == size:
                break
        if len(picked) >= MIN_SIZE:
            for k in picked:
                taken[k] = True
            groups.append([ordered[k] for k in picked])
    return groups


@functools.lru_cache(maxsize=256)
def _slot(zones: tuple[str, ...], now: datetime) -> datetime | None:
    """The study groups' best weekly slot for these zones (cohorts share zone mixes: cached)."""
    if not zones:
        return None
    return suggest_slots(dict(enumerate(zones)), now, count=1)[0].start


def _topic(exam: str) -> str:
    if exam not in EXAM_TOPICS:
        raise InvalidInput("Pick the exam from the list.")
    return EXAM_TOPICS[exam]
