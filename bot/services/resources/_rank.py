"""Scoring candidates: how much of the query an entry covers, then FTS5's bm25.

FTS5 finds the entries matching any group of the query with their bm25 (title and tags weigh
above organization and description). Here each candidate is scored by the share of the query it
covers: every group it matches counts its inverse document frequency (a rare word says more than
"program"), fully when the match is in the title, tags or organization, less when only the
description mentions it. bm25 orders entries that cover as much. So a question's every word
counts, and a word no entry holds (a city, a name, a typo beyond repair) only lowers all scores
alike instead of vetoing the words that match.
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

    def match(self, group: Group) -> float:
        """1 when the title, tags or organization hold the group, DESCRIPTION_ONLY when only
        the description does, else 0 (half of that for a loose alternative)."""
        best = 0.0
        for terms, strength in ((self.strong, 1.0), (self.weak, DESCRIPTION_ONLY)):
            if any(_holds(terms, phrase) for phrase in group.exact):
                return strength
            for phrase in group.prefixes:
                *head, start = phrase
                if _holds(terms, head) and any(t.startswith(start) for t in terms):
                    return strength
            if any(_holds(terms, phrase) for phrase in group.loose):
                best = max(best, strength * LOOSE)
        return best


def _holds(terms: frozenset[str], words: Sequence[str]) -> bool:
    return all(light_stem(w) in terms for w in words)


def _terms(text: str) -> frozenset[str]:
    tokens = tokenize(text)
    return frozenset([*(light_stem(t) for t in tokens), *VOCABULARY.annotate(tokens)])


def score(plan: QueryPlan, terms: EntryTerms, rank: float, entries: int) -> tuple[float, bool]:
    """Relevance in [0, 1), or in [1, 2) for a crisis line when the query signals distress, and
    whether the entry matched every group of the query.

    ``rank``: FTS5's bm25 (negative, lower is better); ``entries``: the catalog's size.
    """
    total = covered = 0.0
    complete = True
    for group in plan.groups:
        weight = math.log(1 + entries / (1 + group.frequency))
        matched = terms.match(group)
        complete = complete and matched > 0
        total += weight
        covered += weight * matched
    strength = max(0.0, -rank)
    value = COVERAGE_WEIGHT * (covered / total if total else 0.0)
    value += (1 - COVERAGE_WEIGHT) * strength / (1 + strength)
    if plan.distress and DISTRESS in terms.strong:
        value += CRISIS_FIRST
    return min(value, 1.999999), complete
