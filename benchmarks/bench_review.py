"""Document review: the automatic checks of a 30,000-character personal statement.

The text is the shipped sample statement (smart quotes, a tab, an emoji, another specialty and
two institutions in it) repeated to 30,000 characters, so every check has findings to place
by line and paragraph. ``review_checks_p99_ms``: p99 of `run_checks` over repeated runs (what
`/review request` runs, in a worker thread, before it answers). Target < 50 ms.
"""

from __future__ import annotations

import time

from benchmarks.figures import Figure, percentile
from bot.config import PROJECT_ROOT
from bot.services.preparation import read_limits, run_checks

CHARACTERS = 30_000
SAMPLE = PROJECT_ROOT / "tests" / "data" / "review" / "personal_statement.txt"


def document() -> str:
    sample = SAMPLE.read_text("utf-8").strip("\n") + "\n\n"
    return (sample * (CHARACTERS // len(sample) + 1))[:CHARACTERS]


async def run(quick: bool) -> list[Figure]:
    text, limits = document(), read_limits()
    runs = 20 if quick else 100
    run_checks("personal_statement", "internal_medicine", text, limits)  # warm the regexes
    samples = []
    findings = 0
    for _ in range(runs):
        started = time.perf_counter()
        findings = len(run_checks("personal_statement", "internal_medicine", text, limits))
        samples.append((time.perf_counter() - started) * 1000)
    p99 = percentile(samples, 99)
    return [Figure("review_checks_p99_ms", p99, "ms", target="< 50 ms", ok=p99 < 50.0,
                   note=f"{len(text):,} characters, {findings} findings, {runs} runs; "
                        f"p50 {percentile(samples, 50):.1f} ms")]
