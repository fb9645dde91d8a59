"""Scoring candidates: how much of the query an entry covers, then FTS5's bm25.

FTS5 finds the entries matching any group of the query (and those matching every group) with
their bm25 (title and tags weigh above organization and description). Here each candidate is
scored mostly (COVERAGE_WEIGHT) by the share of the query it covers: every group it matches
counts its inverse document frequency (a rare word says more than "program"), fully when the
match is in the title, tags or organization, less when only the description mentions it; bm25
makes the rest, so it orders entries that cover as much. So a question's every word counts,
and a word no entry holds (a city, a name, a typo beyond repair) only lowers all scores alike
instead of vetoing the words that match.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.resources._models import Resource
from bot.services.resources._query import Group, QueryPlan
from bot.services.resources._text import tokenize
from bot.services.resources._vocabulary import DISTRESS, VOCABULARY, light_stem

COVERAGE_WEIGHT = 0.8
DESCRIPTION_ONLY = 0.5  # a group only the description mentions counts this much
LOOSE = 0.5  # a group's loose alternative counts this much of a match
CRISIS_FIRST = 1.0  # added to crisis lines' scores when a query signals distress


@dataclass(frozen=True)
class EntryTerms:
    """An entry's words (light stems) and concept tokens: ``strong`` from its title, tags and
    organization, ``weak`` from its description."""

    strong: frozenset[str]
    weak: frozenset[str]

    @classmethod
    def of(cls, r: Resource) -> EntryTerms:
        return cls(_terms(" ".join((r.title, r.organization, *r.tags))), _terms(r.description))


def _terms(text: str) -> frozenset[str]:
    tokens = tokenize(text)
    return frozenset([*(light_stem(t) for t in tokens), *VOCABULARY.annotate(tokens)])


class _Alternatives:
    """Phrases as light stems, split so the common case (one word) is one set operation."""

    def __init__(self, phrases: Sequence[Sequence[str]]) -> None:
        stems = [tuple(light_stem(w) for w in p) for p in phrases]
        self.words = frozenset(p[0] for p in stems if len(p) == 1)
        self.phrases = [p for p in stems if len(p) > 1]

    def held_by(self, terms: frozenset[str]) -> bool:
        return not self.words.isdisjoint(terms) or any(all(w in terms for w in p) for p in self.phrases)


class _Prepared:
    def __init__(self, group: Group, entries: int) -> None:
        self.weight = math.log(1 + entries / (1 + group.frequency))
        self.exact = _Alternatives(group.exact)
        self.loose = _Alternatives(group.loose)
        # (the words before the one being typed, if any; the word being typed)
        self.prefixes = [(_Alternatives([p[:-1]]) if p[:-1] else None, p[-1]) for p in group.prefixes]

    def match(self, terms: EntryTerms) -> float:
        """1 when the title, tags or organization hold the group, DESCRIPTION_ONLY when only
        the description does, else 0 (LOOSE of that for a loose alternative)."""
        best = 0.0
        for held, strength in ((terms.strong, 1.0), (terms.weak, DESCRIPTION_ONLY)):
            if self.exact.held_by(held):
                return strength
            for head, start in self.prefixes:
                if (head is None or head.held_by(held)) and any(t.startswith(start) for t in held):
                    return strength
            if best == 0.0 and self.loose.held_by(held):
                best = strength * LOOSE
        return best


class Ranking:
    """One query's scoring, prepared once for all its candidates."""

    def __init__(self, plan: QueryPlan, entries: int) -> None:
        """``entries``: the catalog's size (for inverse document frequencies)."""
        self._groups = [_Prepared(g, entries) for g in plan.groups]
        self._total = sum(g.weight for g in self._groups)
        self._distress = plan.distress

    def score(self, terms: EntryTerms, rank: float) -> tuple[float, bool]:
        """Relevance in [0, 1), or in [1, 2) for a crisis line when the query signals distress,
        and whether the entry matched every group of the query. ``rank``: FTS5's bm25
        (negative, lower is better)."""
        covered = 0.0
        complete = True
        for group in self._groups:
            matched = group.match(terms)
            complete = complete and matched > 0
            covered += group.weight * matched
        strength = max(0.0, -rank)
        value = COVERAGE_WEIGHT * (covered / self._total if self._total else 0.0)
        value += (1 - COVERAGE_WEIGHT) * strength / (1 + strength)
        if self._distress and DISTRESS in terms.strong:
            value += CRISIS_FIRST
        return min(value, 1.999999), complete
