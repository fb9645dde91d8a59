"""`python -m benchmarks --quick --json` prints one JSON object: every figure's value under its
name, and its details (unit, target, ok, same-run baseline, ratio) under ``_details``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DETAIL_FIELDS = {"name", "value", "unit", "target", "ok", "baseline", "baseline_label", "ratio", "note"}


@pytest.mark.slow
def test_quick_json_is_one_object_with_every_figure() -> None:
    """(Not the load and processes benchmarks: real bots and a PostgreSQL server, ~20 s each;
    tests/reliability/test_processes.py runs the same three shard processes on both engines.)"""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json",
         "--only", "matching", "ops", "scheduler", "anonymous"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=300, check=True,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout  # progress goes to stderr, the object alone to stdout
    figures = json.loads(lines[0])
    details = figures.pop("_details")
    assert {"match_batch_s", "match_score_vs_greedy", "match_request_p99_ms",
            "bot_rss_1_guild_mb", "scheduler_p99_lateness_s"} <= set(figures)
    assert set(details) == set(figures)
    for name, value in figures.items():
        assert isinstance(value, int | float) and value == value, (name, value)  # a number, not NaN
        detail = details[name]
        assert set(detail) == DETAIL_FIELDS and detail["name"] == name and detail["value"] == value
        assert detail["ok"] in (True, False, None)
        if detail["baseline"] not in (None, 0):
            assert detail["ratio"] == pytest.approx(value / detail["baseline"])
    assert "# bench_matching" in done.stderr and "# bench_ops" in done.stderr
