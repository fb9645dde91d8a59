"""Benchmarks: `python -m benchmarks` runs every `bench_*.py` module here and prints one table.

Each module defines ``async def run(quick: bool) -> list[Figure]``. Targets live here, never in
timed unit tests: baselines are measured side by side in the same run and compared as ratios.
"""
