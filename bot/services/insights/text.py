"""The figures as plain text: the lines under each chart (screen readers, images off) and what
`fmg-bot stats` prints. ``clean`` is applied to member text (group names, topic tags, search
text): the Discord adapter passes the sanitiser, the terminal leaves it as is."""

from __future__ import annotations

from collections.abc import Callable

from bot.services.insights._models import (
    AnonymousFigures,
    MentoringFigures,
    ResourceFigures,
    StudyFigures,
    Supply,
)
from bot.services.mentoring.scoring import NO_CANDIDATE

Clean = Callable[[str], str]
SHOWN = 10  # rows listed per breakdown (the charts and the JSON have them all)
SESSIONS_SHOWN = 15


def _keep(text: str) -> str:
    return text


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.0f}%)" if whole else str(part)


def _supply_lines(rows: list[Supply]) -> list[str]:
    lines = [f"• {s.label}: {s.waiting} waiting, {_n(s.free_slots, 'free slot')}" for s in rows[:SHOWN]]
    if len(rows) > SHOWN:
        lines.append(f"…and {len(rows) - SHOWN} more")
    return lines


def mentoring_lines(f: MentoringFigures) -> list[str]:
    lines = [f"Now: {_n(f.waiting, 'mentee')} waiting for a mentor, "
             f"{_n(f.free_slots, 'free mentor slot')}, {_n(f.active_pairings, 'active pairing')}."]
    if f.by_specialty:
        lines += ["By specialty (now):", *_supply_lines(f.by_specialty)]
    if f.by_visa:
        lines += ["By visa route (now):", *_supply_lines(f.by_visa)]
    median = ("-" if f.median_accept_hours is None else f"{f.median_accept_hours:.1f} h")
    lines.append(f"{f.period.label}: {_n(f.accepted, 'request')} accepted, median time to accept "
                 f"{median}; pairings started {f.started}, ended {f.ended}.")
    lines.append(f"Requests that ran out of candidates: {f.ran_out}")
    lines += [f"• {NO_CANDIDATE[k]} (as the roster stands now): {n}"
              for k, n in f.ran_out_reasons.items()]
    mean = "-" if f.mean_rating is None else f"{f.mean_rating:.2f}/5"
    spread = ", ".join(f"{i + 1}★ {n}" for i, n in enumerate(f.ratings))
    lines.append(f"Ratings of ended pairings: {sum(f.ratings)} (mean {mean}; {spread}).")
    return lines


def study_lines(f: StudyFigures, clean: Clean = _keep) -> list[str]:
    going, maybe, no = f.total("going"), f.total("maybe"), f.total("no")
    lines = [f"{f.period.label}: {_n(len(f.sessions), 'session')} held, {f.cancelled} cancelled; "
             f"RSVPs {going} going, {maybe} maybe, {no} not going."]
    if f.sessions:
        lines.append(f"Average per session: {going / len(f.sessions):.1f} going.")
        shown = f.sessions[-SESSIONS_SHOWN:]
        if len(f.sessions) > len(shown):
            lines.append(f"The latest {len(shown)} sessions:")
        lines += [f"• {s.starts_at:%Y-%m-%d %H:%M} UTC · {clean(s.group)}: {s.going} going, "
                  f"{s.maybe} maybe, {s.no} not" for s in shown]
    return lines


def anonymous_lines(f: AnonymousFigures, clean: Clean = _keep) -> list[str]:
    asked = f.total("asked")
    lines = [f"{f.period.label}: {_n(asked, 'question')} published; answered "
             f"{_share(f.total('answered'), asked)}, by a mentor {_share(f.total('by_mentor'), asked)}."]
    for t in f.topics[:SHOWN]:
        topic = "(no topic)" if t.topic is None else clean(t.topic)
        lines.append(f"• {topic}: {t.asked} asked, answered {_share(t.answered, t.asked)}, "
                     f"by a mentor {_share(t.by_mentor, t.asked)}")
    if len(f.topics) > SHOWN:
        lines.append(f"…and {len(f.topics) - SHOWN} more topics")
    return lines


def resource_lines(f: ResourceFigures, clean: Clean = _keep) -> list[str]:
    lines = [f"{f.period.label}: {_n(f.searches, 'search', 'searches')}, {_share(f.empty, f.searches)} found "
             "nothing."]
    if f.top:
        lines += ["Top searches:", *(f"• {clean(c.query)}: {c.searches}" for c in f.top)]
    if f.gaps:
        lines += ["Searches that found nothing:",
                  *(f"• {clean(c.query)}: {c.empty}" for c in f.gaps)]
    return lines


def lines(figures: MentoringFigures | StudyFigures | AnonymousFigures | ResourceFigures,
          clean: Clean = _keep) -> list[str]:
    """One topic's figures as text lines."""
    if isinstance(figures, MentoringFigures):
        return mentoring_lines(figures)
    if isinstance(figures, StudyFigures):
        return study_lines(figures, clean)
    if isinstance(figures, AnonymousFigures):
        return anonymous_lines(figures, clean)
    return resource_lines(figures, clean)
