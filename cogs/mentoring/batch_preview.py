"""What `/mentor match-all`'s preview says about the mentees it leaves out: how many, why, and
whom to recruit (their languages, specialties and visa routes), plus a CSV of each of them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bot.services.mentoring.assignment import UNPAIRED_REASONS, Unpaired
from bot.services.mentoring.vocab import LANGUAGES, SPECIALTIES, VISA_ROUTES

TOP = 3  # labels shown per breakdown; the CSV has every mentee


def _top(labels: Iterable[str]) -> str:
    counts = Counter(labels).most_common()
    shown = ", ".join(f"{label} {n}" for label, n in counts[:TOP])
    return shown + (", …" if len(counts) > TOP else "")


def _languages(item: Unpaired) -> str:
    return "/".join(LANGUAGES[k] for k in item.mentee.languages)


def unpaired_summary(left_out: list[Unpaired]) -> str:
    """One line per reason, most fundamental first, with the breakdown that says whom to
    recruit; empty when everyone is paired."""
    if not left_out:
        return ""
    lines = [f"Not paired: **{len(left_out)}**"]
    for reason, text in UNPAIRED_REASONS.items():
        items = [u for u in left_out if u.reason == reason]
        if not items:
            continue
        line = f"· {text}: **{len(items)}**"
        if reason == "no_language":
            line += f" ({_top(_languages(u) for u in items)})"
        elif reason == "no_capacity":
            line += f" ({_top(SPECIALTIES[u.mentee.specialty] for u in items)})"
            no_spec = [u for u in items if not u.specialty_served]
            no_visa = [u for u in items if not u.visa_served]
            if no_spec:
                line += (f"; no mentor in their specialty: {len(no_spec)} "
                         f"({_top(SPECIALTIES[u.mentee.specialty] for u in no_spec)})")
            if no_visa:
                line += (f"; no mentor on their visa route: {len(no_visa)} "
                         f"({_top(VISA_ROUTES[u.mentee.visa] for u in no_visa)})")
        lines.append(line)
    return "\n".join(lines)


def unpaired_csv(left_out: list[Unpaired]) -> str:
    return "mentee_user_id,reason,specialty,visa,languages\n" + "".join(
        f"{u.mentee.user_id},{u.reason},{u.mentee.specialty},{u.mentee.visa},"
        f"{' '.join(u.mentee.languages)}\n" for u in left_out)
