"""The figures of each topic, computed from the store's rows and the mentoring service's own
public functions (its roster, its profiles, its hard constraints)."""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping

from bot.clock import from_epoch, to_epoch
from bot.services.insights._models import (
    AnonymousFigures,
    MentoringFigures,
    Period,
    ResourceFigures,
    SearchCount,
    SessionRsvps,
    StudyFigures,
    Supply,
    TopicAnswers,
)
from bot.services.insights._store import InsightsStore
from bot.services.mentoring import MentoringService
from bot.services.mentoring.pool import MentorPool
from bot.services.mentoring.profiles import APPROVED
from bot.services.mentoring.scoring import NO_CANDIDATE
from bot.services.mentoring.vocab import SPECIALTIES, VISA_ROUTES

TOP_SEARCHES = 10
DAY_S = 86_400


def _epochs(period: Period) -> tuple[int | None, int]:
    start = period.start
    return (None if start is None else to_epoch(start)), to_epoch(period.end)


def _supply(waiting: Counter[str], free: Counter[str], labels: Mapping[str, str]) -> list[Supply]:
    keys = sorted(set(waiting) | set(free), key=lambda k: (-waiting[k], -free[k], labels[k]))
    return [Supply(k, labels[k], waiting[k], free[k]) for k in keys]


async def mentoring_figures(store: InsightsStore, mentoring: MentoringService, guild_id: int,
                            period: Period) -> MentoringFigures:
    start, end = _epochs(period)
    waiting_rows = await store.waiting_mentees(guild_id)
    mentors = await mentoring.roster(guild_id)
    free_by_spec: Counter[str] = Counter()
    free_by_visa: Counter[str] = Counter()
    for m in mentors:
        if m.status == APPROVED and not m.paused and m.slots_left > 0:
            free_by_spec.update(dict.fromkeys(m.specialties, m.slots_left))
            free_by_visa.update(dict.fromkeys(m.visas, m.slots_left))
    seconds = await store.accept_seconds(guild_id, start, end)
    ran_out = []
    for user_id, tried, paired in await store.ran_out(guild_id, start, end):
        mentee = await mentoring.get_mentee(guild_id, user_id)
        if mentee is not None:  # a profile deleted since takes its requests with it
            ran_out.append((mentee, tried, paired))
    pool = MentorPool(mentors)  # every mentor, whatever their status: the reasons need them
    # requests x mentors checks of the hard constraints (numpy): off the event loop
    reasons = await asyncio.to_thread(lambda: Counter(
        pool.no_candidate_reason(mentee, excluded=tried, paired=paired)
        for mentee, tried, paired in ran_out))
    active, started, ended = await store.pairing_counts(guild_id, start, end)
    ratings = await store.ratings(guild_id, start, end)
    return MentoringFigures(
        period=period,
        waiting=len(waiting_rows),
        free_slots=sum(m.slots_left for m in mentors if m.status == APPROVED and not m.paused),
        by_specialty=_supply(Counter(r["specialty"] for r in waiting_rows), free_by_spec,
                             SPECIALTIES),
        by_visa=_supply(Counter(r["visa"] for r in waiting_rows), free_by_visa, VISA_ROUTES),
        accepted=len(seconds),
        median_accept_hours=statistics.median(seconds) / 3600 if seconds else None,
        ran_out=sum(reasons.values()),
        ran_out_reasons={k: reasons[k] for k in NO_CANDIDATE if reasons[k]},
        active_pairings=active, started=started, ended=ended,
        ratings=(ratings.get(1, 0), ratings.get(2, 0), ratings.get(3, 0), ratings.get(4, 0),
                 ratings.get(5, 0)),
    )


async def study_figures(store: InsightsStore, guild_id: int, period: Period) -> StudyFigures:
    start, end = _epochs(period)
    rsvps = await store.rsvp_counts(guild_id, start, end)
    rows = await store.sessions(guild_id, start, end)
    held = [SessionRsvps(from_epoch(r["starts_at"]), r["name"], rsvps[r["id"]].get("going", 0),
                         rsvps[r["id"]].get("maybe", 0), rsvps[r["id"]].get("no", 0))
            for r in rows if not r["cancelled"]]
    return StudyFigures(period, held, sum(1 for r in rows if r["cancelled"]))


async def anonymous_figures(store: InsightsStore, guild_id: int,
                            period: Period) -> AnonymousFigures:
    start, end = _epochs(period)
    topics = [TopicAnswers(r["tag"], r["asked"], r["answered"], r["by_mentor"])
              for r in await store.question_counts(guild_id, start, end)]
    topics.sort(key=lambda t: (-t.asked, t.topic is None, (t.topic or "").casefold()))
    return AnonymousFigures(period, topics)


def _ranked(counts: Iterable[SearchCount], key: str) -> list[SearchCount]:
    chosen = [c for c in counts if getattr(c, key)]
    chosen.sort(key=lambda c: (-getattr(c, key), c.query))
    return chosen[:TOP_SEARCHES]


async def resource_figures(store: InsightsStore, guild_id: int,
                           period: Period) -> ResourceFigures:
    start, end = _epochs(period)
    rows = await store.search_counts(guild_id, None if start is None else start // DAY_S,
                                     end // DAY_S)
    counts = [SearchCount(r["query"], r["searches"], r["empty"]) for r in rows]
    return ResourceFigures(period, sum(c.searches for c in counts), sum(c.empty for c in counts),
                           _ranked(counts, "searches"), _ranked(counts, "empty"))
