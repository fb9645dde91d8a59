"""`python -m benchmarks [--quick] [--json] [--only NAME ...]`: run the benchmarks, print one table."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import pkgutil
import platform
import sys
import time

import benchmarks
from benchmarks.figures import Figure, render_json, render_table


def _modules(only: list[str] | None) -> list[str]:
    names = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only or n in only]
    return names


async def _run_all(names: list[str], quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        figures.extend(await module.run(quick))
        print(f"# {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (< 2 min) with smaller sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks (e.g. search matching)")
    args = parser.parse_args(argv)
    figures = asyncio.run(_run_all(_modules(args.only), args.quick))
    if args.json:
        print(render_json(figures))
    else:
        print(f"machine: {platform.machine()}, {platform.python_implementation()} "
              f"{platform.python_version()}, {platform.system()}")
        print(render_table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
