"""Search quality on questions as members type them (tests/data/search_questions.yaml).

That set was written apart from the tuning set; its every third query was held back while the
vocabulary and ranking were tuned, and the held-back part carries the targets (issue 17).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.bench_search import load_questions
from bot.services.resources import DEFAULT_CATALOG, ResourceService, read_catalog
from bot.services.resources._text import tokenize
from bot.services.resources._vocabulary import STOPWORDS

#: FTS5 search runs on SQLite only until the in-memory index serves PostgreSQL (issue 21)
SEARCHES = pytest.mark.sqlite_only

CRISIS_LINES = {"https://988lifeline.org"}


@pytest.fixture(scope="module")
def questions() -> list[dict[str, Any]]:
    """tests/data/search_questions.yaml, as the benchmark reads it."""
    return load_questions()


async def _first_rank(library: ResourceService, item: dict[str, Any]) -> tuple[int | None, int]:
    hits = (await library.search(item["q"], limit=10)).hits
    ranks = [i for i, h in enumerate(hits) if h.resource.url in item["expect"]]
    return (ranks[0] if ranks else None), len(hits)


def test_the_set_is_realistic_and_large_enough(questions: list[dict[str, Any]]) -> None:
    assert len(questions) >= 150
    assert sum(q["kind"] == "question" for q in questions) >= len(questions) / 3
    assert {"question", "keywords", "abbreviation", "typo", "multilingual", "place", "distress"} == {
        q["kind"] for q in questions
    }
    catalog = {e.url for e in read_catalog(DEFAULT_CATALOG)}
    assert all(set(q["expect"]) <= catalog for q in questions)


@SEARCHES
@pytest.mark.parametrize("split", ["holdout", "tune"])
async def test_recall_at_3_on_questions_members_type(
    library: ResourceService, questions: list[dict[str, Any]], split: str
) -> None:
    part = [q for q in questions if q["split"] == split]
    results = [(q, *await _first_rank(library, q)) for q in part]
    hit = [q for q, rank, _ in results if rank is not None and rank < 3]
    misses = [q["q"] for q, rank, _ in results if rank is None or rank >= 3]
    assert len(hit) / len(part) >= 0.97, misses
    asked = [(q, rank) for q, rank, _ in results if q["kind"] == "question"]
    assert sum(1 for _, r in asked if r is not None and r < 3) / len(asked) >= 0.95, misses
    assert all(count > 0 for _, _, count in results), "an empty reply on the set"


@SEARCHES
async def test_distress_puts_the_crisis_line_first_in_every_language(
    library: ResourceService, questions: list[dict[str, Any]]
) -> None:
    distress = [q for q in questions if q["kind"] == "distress"]
    assert len(distress) >= 6
    for item in distress:
        hits = (await library.search(item["q"])).hits
        assert hits[0].resource.url in CRISIS_LINES, item["q"]
    # Whatever else the query matches strongly.
    hits = (await library.search("usmle step 1 ecfmg fees, I want to end my life")).hits
    assert hits[0].resource.url in CRISIS_LINES


def _distinctive_title_words() -> list[tuple[str, str]]:
    """(entry url, a title word no other entry's text holds)."""
    entries = read_catalog(DEFAULT_CATALOG)
    texts = {
        e.url: set(tokenize(" ".join((e.title, e.organization, e.description, *e.tags)))) for e in entries
    }
    found = []
    for e in entries:
        for word in tokenize(e.title):
            others = sum(word in words for url, words in texts.items() if url != e.url)
            if others == 0 and word not in STOPWORDS and len(word) > 2 and word.isalpha():
                found.append((e.url, word))
    return found


DISTINCTIVE = _distinctive_title_words()
FILLER = ["how", "do", "i", "the", "new", "york", "cuanto", "kaise", "please", "visa", "residency",
          "program", "img", "medical", "step", "1", "zzkq", "what", "for", "my", "?", ",", "exam"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(DISTINCTIVE),
    before=st.lists(st.sampled_from(FILLER), max_size=8),
    after=st.lists(st.sampled_from(FILLER), max_size=8),
)
@SEARCHES
async def test_a_distinctive_title_word_always_finds_its_entry(
    library: ResourceService, target: tuple[str, str], before: list[str], after: list[str]
) -> None:
    url, word = target
    query = " ".join([*before, word, *after])
    hits = (await library.search(query, limit=50)).hits
    assert url in [h.resource.url for h in hits], query
