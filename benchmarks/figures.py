"""The one shape every benchmark reports, and the table/JSON that prints them."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure.

    ``name`` is the JSON key (``search_p99_ms``); ``target`` is the human-readable goal and
    ``ok`` says whether this run met it (None when the figure has no target). ``baseline`` is
    the same measurement of the comparison point (LIKE scan, greedy matching, pong bot...)
    taken in the same run, so ``ratio`` is meaningful on a noisy shared machine. ``note`` is
    printed under the table and kept in the JSON details.
    """

    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    baseline: float | None = None
    baseline_label: str = ""
    note: str = ""  # what the figure covered, when that varies (e.g. which commands were mixed)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty sample."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def render_table(figures: Iterable[Figure]) -> str:
    """A fixed-width table: figure, value, target, baseline and ratio (then any notes)."""
    figures = list(figures)
    header = ("figure", "value", "target", "ok", "baseline", "ratio")
    rows = [header]
    for f in figures:
        baseline = "" if f.baseline is None else f"{_fmt(f.baseline)} {f.unit} ({f.baseline_label})"
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}x"
        ok = "" if f.ok is None else ("yes" if f.ok else "NO")
        rows.append((f.name, f"{_fmt(f.value)} {f.unit}", f.target, ok, baseline, ratio))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += [f"{f.name}: {f.note}" for f in figures if f.note]
    return "\n".join(lines)


def render_json(figures: Iterable[Figure]) -> str:
    """One JSON object: each figure's value under its name, and the details under ``_details``."""
    figs = list(figures)
    out: dict[str, object] = {f.name: f.value for f in figs}
    out["_details"] = {f.name: asdict(f) | {"ratio": f.ratio} for f in figs}
    return json.dumps(out, sort_keys=True)


def _fmt(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"
