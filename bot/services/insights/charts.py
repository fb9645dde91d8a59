"""PNG charts of the figures, rendered without a display (matplotlib's Agg canvas).

One chart per topic, WIDTH x HEIGHT pixels, labelled, with units and the period in the title.
A solid light-grey background with dark text and colour-blind-safe hues that contrast with it
keeps them readable in Discord's dark and light themes alike (the image carries its own
background).
Rendering takes tens of milliseconds: callers run it off the event loop (``asyncio.to_thread``).
Each call builds its own ``Figure`` (no pyplot state), so threads do not share one.
matplotlib is imported on first use: the bot does not pay for it until someone asks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.services.insights._models import (
    AnonymousFigures,
    MentoringFigures,
    ResourceFigures,
    StudyFigures,
    Supply,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 1200, 675, 100
BACKGROUND = "#EDEEF0"
INK = "#1F2124"
GRID = "#B8BBC0"
# Okabe-Ito hues (told apart with colour-blindness), darkened where needed so every bar has at
# least 3:1 contrast with the background (WCAG's minimum for graphics); the text has 13.9:1.
BLUE, ORANGE, GREEN, GREY, PURPLE = "#0072B2", "#B86E00", "#00805C", "#6E7378", "#A8508A"
SERIES = (BLUE, ORANGE, GREEN, GREY, PURPLE)
BARS_SHOWN = 10  # rows per bar chart; the text lists the same ones
SESSIONS_SHOWN = 40
LABEL_CHARS = 32


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _figure(title: str, panels: int = 1) -> tuple[Figure, list[Axes]]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor=BACKGROUND,
                 layout="constrained")
    axes = list(fig.subplots(1, panels, squeeze=False)[0])
    fig.suptitle(title, color=INK, fontsize=15, fontweight="bold")
    for ax in axes:
        ax.set_facecolor(BACKGROUND)
        ax.tick_params(colors=INK, labelsize=10)
        for spine in ax.spines.values():
            spine.set_color(GRID)
        ax.grid(True, color=GRID, linewidth=0.6, alpha=0.7)
        ax.set_axisbelow(True)
    return fig, axes


def _whole_numbers(axis: Axis) -> None:
    """Counts: ticks on whole numbers only."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND)
    return out.getvalue()


def _labels(ax: Axes, title: str, xlabel: str, ylabel: str = "") -> None:
    ax.set_title(title, color=INK, fontsize=12)
    ax.set_xlabel(xlabel, color=INK)
    ax.set_ylabel(ylabel, color=INK)


def _nothing(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, what, transform=ax.transAxes, ha="center", va="center", color=INK,
            fontsize=12)
    ax.set_xticks([])
    ax.set_yticks([])


def _hbars(ax: Axes, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int], str]],
           empty: str) -> None:
    """Grouped horizontal bars, first label on top."""
    if not labels:
        _nothing(ax, empty)
        return
    height = 0.8 / len(series)
    for i, (name, values, colour) in enumerate(series):
        ys = [n + i * height for n in range(len(labels))]
        ax.barh(ys, values, height=height, label=name, color=colour)
    ax.set_yticks([n + height * (len(series) - 1) / 2 for n in range(len(labels))],
                  [_short(label) for label in labels])
    ax.invert_yaxis()
    _whole_numbers(ax.xaxis)
    ax.legend(facecolor=BACKGROUND, edgecolor=GRID, labelcolor=INK, fontsize=9)


def _supply(ax: Axes, rows: list[Supply], title: str) -> None:
    shown = rows[:BARS_SHOWN]
    _hbars(ax, [s.label for s in shown],
           [("waiting mentees", [s.waiting for s in shown], ORANGE),
            ("free mentor slots", [s.free_slots for s in shown], BLUE)],
           "No mentees or mentor slots")
    _labels(ax, title, "mentees / slots (count)")


def mentoring_chart(f: MentoringFigures) -> bytes:
    fig, (spec, visa, ratings) = _figure(
        f"Mentoring · who waits and who can take them (now) · ratings, {f.period.label}", 3)
    _supply(spec, f.by_specialty, "By specialty")
    _supply(visa, f.by_visa, "By visa route")
    if sum(f.ratings):
        ratings.bar([str(n) for n in range(1, 6)], f.ratings, color=GREEN)
        _whole_numbers(ratings.yaxis)
    else:
        _nothing(ratings, "No ratings in this period")
    _labels(ratings, "Ratings of ended pairings", "rating (1-5 stars)", "pairings (count)")
    return _png(fig)


def study_chart(f: StudyFigures) -> bytes:
    fig, (ax,) = _figure(f"Study groups · RSVPs per session held · {f.period.label}")
    shown = f.sessions[-SESSIONS_SHOWN:]
    if shown:
        xs = list(range(len(shown)))
        going = [s.going for s in shown]
        maybe = [s.maybe for s in shown]
        ax.bar(xs, going, color=BLUE, label="going")
        ax.bar(xs, maybe, bottom=going, color=ORANGE, label="maybe")
        ax.bar(xs, [s.no for s in shown], bottom=[g + m for g, m in zip(going, maybe, strict=True)],
               color=GREY, label="not going")
        ax.set_xlim(-0.6, max(len(shown), 10) - 0.4)  # a few sessions: bars of a usual width
        step = max(1, len(shown) // 12)
        ax.set_xticks(xs[::step], [f"{s.starts_at:%b %d}" for s in shown][::step])
        _whole_numbers(ax.yaxis)
        ax.legend(facecolor=BACKGROUND, edgecolor=GRID, labelcolor=INK)
    else:
        _nothing(ax, "No sessions held in this period")
    latest = f" (latest {len(shown)})" if len(f.sessions) > len(shown) else ""
    _labels(ax, f"{len(f.sessions)} sessions held{latest}", "session start (UTC date)",
            "members (RSVPs)")
    return _png(fig)


def anonymous_chart(f: AnonymousFigures) -> bytes:
    fig, (ax,) = _figure(f"Anonymous questions · per topic · {f.period.label}")
    shown = f.topics[:BARS_SHOWN]
    _hbars(ax, ["(no topic)" if t.topic is None else t.topic for t in shown],
           [("asked", [t.asked for t in shown], GREY),
            ("answered (anyone)", [t.answered for t in shown], BLUE),
            ("answered by a mentor", [t.by_mentor for t in shown], GREEN)],
           "No questions published in this period")
    _labels(ax, f"{f.total('asked')} questions", "questions (count)")
    return _png(fig)


def resource_chart(f: ResourceFigures) -> bytes:
    fig, (top, gaps) = _figure(f"Resource searches · {f.period.label}", 2)
    _hbars(top, [c.query for c in f.top],
           [("searches", [c.searches for c in f.top], BLUE),
            ("found nothing", [c.empty for c in f.top], PURPLE)], "No searches in this period")
    _labels(top, f"Top searches ({f.searches} in all)", "searches (count)")
    _hbars(gaps, [c.query for c in f.gaps], [("found nothing", [c.empty for c in f.gaps], PURPLE)],
           "Every search found something")
    _labels(gaps, f"Searches that found nothing ({f.empty} in all)", "searches (count)")
    return _png(fig)


def chart(figures: Any) -> bytes:
    """The chart of one topic's figures."""
    if isinstance(figures, MentoringFigures):
        return mentoring_chart(figures)
    if isinstance(figures, StudyFigures):
        return study_chart(figures)
    if isinstance(figures, AnonymousFigures):
        return anonymous_chart(figures)
    if isinstance(figures, ResourceFigures):
        return resource_chart(figures)
    raise TypeError(f"no chart for {type(figures).__name__}")
