"""Mentor matching: batch assignment (5,000 mentees x 1,000 mentors, capacity 1-5) against a
greedy baseline, and one `/mentor request` top-3 over 10,000 mentors.

Profiles are synthetic but shaped like the community: a few specialties and languages dominate
(Internal Medicine, English), zones cluster in South Asia, the Middle East and the US.
"""

from __future__ import annotations

import random
import time
from datetime import date

from benchmarks.figures import Figure, percentile
from bot.services.mentoring.assignment import greedy_assignment, optimal_assignment
from bot.services.mentoring.pool import MentorPool
from bot.services.mentoring.profiles import APPROVED, MenteeProfile, MentorProfile
from bot.services.mentoring.vocab import EXAM_STAGES, LANGUAGES, SPECIALTIES, VISA_ROUTES

ZONES = ["Asia/Kolkata", "Asia/Karachi", "Asia/Dhaka", "Asia/Kathmandu", "Asia/Dubai",
         "Africa/Cairo", "Africa/Lagos", "Asia/Manila", "Europe/London", "America/New_York",
         "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
         "Asia/Riyadh", "Asia/Tehran", "Europe/Kyiv", "Asia/Seoul", "Australia/Sydney"]
ON = date(2026, 3, 10)
# Internal Medicine first: the most common target among FMGs.
SPECS_BY_POPULARITY = ["internal_medicine", *(s for s in SPECIALTIES if s != "internal_medicine")]


def _weighted(rng: random.Random, keys: list[str], k: int) -> list[str]:
    weights = [1.0 / (i + 1) for i in range(len(keys))]  # Zipf-like popularity
    return list(dict.fromkeys(rng.choices(keys, weights, k=k)))


def mentors(n: int, rng: random.Random, *, max_capacity: int = 5) -> list[MentorProfile]:
    langs, stages = list(LANGUAGES), list(EXAM_STAGES)
    out = []
    for i in range(n):
        capacity = rng.randint(1, max_capacity)
        out.append(MentorProfile(
            id=i + 1, guild_id=1, user_id=10_000_000 + i,
            specialties=tuple(_weighted(rng, SPECS_BY_POPULARITY, rng.randint(1, 2))),
            visas=tuple(rng.sample(list(VISA_ROUTES), rng.randint(1, 2))),
            stage=rng.choice(stages[3:]), languages=tuple(["en", *_weighted(rng, langs[1:], 1)]),
            timezone=rng.choice(ZONES), capacity=capacity, active=rng.randint(0, capacity - 1),
            bio="", status=APPROVED, paused=rng.random() < 0.05, created_at=0,
        ))
    return out


def mentees(n: int, rng: random.Random) -> list[MenteeProfile]:
    langs, stages = list(LANGUAGES), list(EXAM_STAGES)
    out = []
    for i in range(n):
        spoken = _weighted(rng, langs, rng.randint(1, 2))
        out.append(MenteeProfile(
            id=i + 1, guild_id=1, user_id=20_000_000 + i,
            specialty=_weighted(rng, SPECS_BY_POPULARITY, 1)[0],
            visa=rng.choice(list(VISA_ROUTES)), stage=rng.choice(stages[:4]),
            languages=tuple(spoken), timezone=rng.choice(ZONES), goals="", created_at=0,
        ))
    return out


async def run(quick: bool) -> list[Figure]:
    rng = random.Random(6)
    n_mentees, n_mentors = (1500, 300) if quick else (5000, 1000)
    pool = MentorPool(mentors(n_mentors, rng))
    waiting = mentees(n_mentees, rng)

    started = time.perf_counter()
    base, feasible = pool.score_matrix(waiting, ON)
    best = optimal_assignment(base, feasible, pool.active, pool.capacity)
    batch_s = time.perf_counter() - started
    started = time.perf_counter()
    greedy = greedy_assignment(base, feasible, pool.active, pool.capacity)
    greedy_s = time.perf_counter() - started

    big = MentorPool(mentors(2000 if quick else 10_000, rng, max_capacity=10))
    askers = mentees(200, rng)
    for mentee in askers[:5]:  # warm the zone-overlap cache like a running bot
        big.top(mentee, ON)
    samples = []
    for mentee in askers * (1 if quick else 3):
        t = time.perf_counter()
        big.top(mentee, ON, excluded=[1, 2, 3])
        samples.append((time.perf_counter() - t) * 1000)
    p99 = percentile(samples, 99)
    size = f"{n_mentees}x{n_mentors}"
    return [
        Figure("match_batch_s", batch_s, "s", target=f"< 2 s ({size})", ok=batch_s < 2.0,
               baseline=greedy_s, baseline_label="greedy"),
        Figure("match_score_vs_greedy", best.total, "points", target=">= greedy",
               ok=best.total >= greedy.total, baseline=greedy.total, baseline_label="greedy"),
        Figure("match_request_p99_ms", p99, "ms", target=f"< 20 ms ({len(big)} mentors)",
               ok=p99 < 20.0),
    ]
