"""The query planner: member text in, a safe FTS5 expression out."""

import pytest

from bot.services.resources._query import QueryPlanner
from bot.services.resources._text import index_text, tokenize

CATALOG_WORDS = tokenize(
    "USMLE Step 2 CK Clinical Knowledge ECFMG certification observership externship "
    "J-1 waiver H-1B visa residency letters of recommendation Thalamus interview fees "
    "Conrad 30 program sponsor"
)


@pytest.fixture
def planner() -> QueryPlanner:
    return QueryPlanner(CATALOG_WORDS)


def test_tokens_fold_case_and_accents_and_split_letters_from_digits() -> None:
    assert tokenize("Recomendación STEP2CK h-1b J1") == [
        "recomendacion", "step", "2", "ck", "h", "1", "b", "j", "1"
    ]
    assert index_text("ECFMG\u2019s J-1 (Visa)") == "ecfmg s j 1 visa"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("step2ck", '("step 2 ck" OR "clinical knowledge")'),
        ("j1 waiver", '"j 1" AND "waiver"'),
        ("h1b", '"h 1 b"'),
        ("conrad30", '"conrad 30"'),
        ("ecfmg cert", '("ecfmg" OR "educational commission for foreign medical graduates") AND '
                       '("certification" OR "certificate" OR "certified")'),
        ("lor", '("letter of recommendation" OR "recommendation letter" OR "lor")'),
    ],
)
def test_abbreviations_become_phrases_and_synonyms(planner: QueryPlanner, query: str, expected: str) -> None:
    assert planner.plan(query).fts("AND") == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("visa para residencia", '"visa" AND "residency"'),
        ("carta de recomendación", '("letter of recommendation" OR "recommendation letter" OR "lor")'),
        ("j1 waiver kaise milega", '"j 1" AND "waiver"'),
        ("how do I get a visa sponsor", '"visa" AND ("sponsor" OR "sponsorship")'),
    ],
)
def test_other_languages_and_filler_words(planner: QueryPlanner, query: str, expected: str) -> None:
    assert planner.plan(query).fts("AND") == expected


def test_typos_are_corrected_against_the_catalog_vocabulary(planner: QueryPlanner) -> None:
    plan = planner.plan("obsevership thalamos")
    assert plan.corrections == {"obsevership": "observership", "thalamos": "thalamus"}
    assert plan.corrected_text == "observership thalamus"
    # The typed word is kept as an alternative too, so a word the index does know still counts.
    assert '"thalamos"' in (plan.fts("AND") or "")


def test_known_words_short_words_and_stopwords_are_never_corrected(planner: QueryPlanner) -> None:
    assert planner.plan("visa kaise ck").corrections == {}
    assert planner.correct("xyzzyplugh") is None


@pytest.mark.parametrize(
    "query",
    ['"step 1"', "soap*", "(h-1b", "conrad NEAR waiver", "OET AND ecfmg", 'a"b', "NOT visa",
     "NEAR(visa waiver, 2)", "title:visa", "^visa", "visa OR", ")(", '"""', "* * *"],
)
def test_fts_syntax_in_input_is_only_ever_words(planner: QueryPlanner, query: str) -> None:
    expr = planner.plan(query).fts("OR")
    if expr is not None:
        # Our own operators only, between double-quoted phrases made of letters and digits.
        stripped = expr
        for token in (" AND ", " OR ", "(", ")", "*"):
            stripped = stripped.replace(token, " ")
        for part in stripped.split('"'):
            assert part.strip() == "" or all(ch.isalnum() or ch == " " for ch in part)
        assert "NEAR" not in expr and "NOT" not in expr and ":" not in expr and "^" not in expr


def test_nothing_searchable_gives_no_expression(planner: QueryPlanner) -> None:
    assert planner.plan("").fts("AND") is None
    assert planner.plan("!!! ??? ***").fts("AND") is None
    assert planner.plan("how do i").fts("AND") is None


def test_typing_makes_the_last_word_a_prefix(planner: QueryPlanner) -> None:
    assert planner.plan("obser", typing=True).fts("AND") == '"obser"*'
    assert planner.plan("j1 wai", typing=True).fts("AND") == '"j 1" AND "wai"*'
    # A finished word (followed by a space) is not a prefix, and is not corrected while typing.
    assert planner.plan("visa ", typing=True).fts("AND") == '"visa"'
    assert planner.plan("obsev", typing=True).corrections == {}
    # A one-letter tail adds nothing while other words are there.
    assert planner.plan("ecfmg c", typing=True).fts("AND") == (
        '("ecfmg" OR "educational commission for foreign medical graduates")'
    )


def test_long_input_is_bounded(planner: QueryPlanner) -> None:
    plan = planner.plan("visa waiver " * 500)
    assert len(plan.groups) <= 10
