"""The query planner: member text in, a safe FTS5 expression out."""

from collections import Counter

import pytest

from bot.services.resources._query import QueryPlanner
from bot.services.resources._text import tokenize
from bot.services.resources._vocabulary import VOCABULARY, index_text

CATALOG_WORDS = tokenize(
    "USMLE Step 2 CK Clinical Knowledge ECFMG certification observership externship "
    "J-1 waiver H-1B visa residency letters of recommendation Thalamus interview fees "
    "Conrad 30 program sponsor"
)


@pytest.fixture
def planner() -> QueryPlanner:
    return QueryPlanner(Counter(CATALOG_WORDS))


def concept(form: str) -> str:
    """The index token of the concept ``form`` belongs to."""
    (token,) = VOCABULARY.surfaces[tuple(tokenize(form))]
    return f'"{token}"'


def test_tokens_fold_case_and_accents_and_split_letters_from_digits() -> None:
    assert tokenize("Recomendación STEP2CK h-1b J1") == [
        "recomendacion", "step", "2", "ck", "h", "1", "b", "j", "1"
    ]


def test_index_text_carries_the_concepts_a_text_mentions() -> None:
    indexed = index_text("Letters of Recommendation for the USMLE Step 2 CK").split()
    assert indexed[:3] == ["letters", "of", "recommendation"]
    for form in ("lor", "step 2 ck", "usmle"):
        assert concept(form).strip('"') in indexed


@pytest.mark.parametrize(
    "variants",
    [
        ["step2ck", "Step 2 CK", "ck", "clinical knowledge", "STEP 2"],
        ["lor", "LORs", "letters of recommendation", "carta de recomendación", "lettre de recommandation",
         "cartas de recomendação"],
        ["ps", "personal statement"],
        ["img", "IMGs", "international medical graduate", "fmg", "foreign medical graduate"],
        ["cert", "certification", "certificação", "certificates"],
        ["residencia", "residency", "résidence"],
        ["fees", "costo", "kharcha", "how much", "price"],
    ],
)
def test_abbreviations_synonyms_and_other_languages_mean_the_same(
    planner: QueryPlanner, variants: list[str]
) -> None:
    expressions = {planner.plan(v).fts_all() for v in variants}
    assert len(expressions) == 1, expressions


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("j1 waiver", '"j 1" AND {waiver}'),
        ("h1b", '"h 1 b"'),
        ("conrad30", '"conrad 30"'),
        ('"step 1"', "{step 1}"),
        ("j1 waiver kaise milega", '"j 1" AND {waiver}'),
        ("visa para residencia", "{visa} AND {residency}"),
        ("how do I get a visa sponsor", "{visa} AND {sponsor}"),
    ],
)
def test_numbers_glue_to_words_and_filler_words_drop(
    planner: QueryPlanner, query: str, expected: str
) -> None:
    forms = {"waiver", "step 1", "visa", "residency", "sponsor"}
    assert planner.plan(query).fts_all() == expected.format(**{f: concept(f) for f in forms})


def test_typos_are_corrected_against_the_catalog_vocabulary(planner: QueryPlanner) -> None:
    plan = planner.plan("thalamos externshp")
    assert plan.corrections == {"thalamos": "thalamus", "externshp": "externship"}
    assert plan.corrected_text == "thalamus externship"
    # The typed word is kept as an alternative too, so a word the index does know still counts.
    assert plan.fts_all() == f'("thalamus" OR "thalamos") AND {concept("externship")}'


def test_known_words_short_words_and_stopwords_are_never_corrected(planner: QueryPlanner) -> None:
    assert planner.plan("visa kaise ck milega").corrections == {}
    assert planner.correct("xyzzyplugh") is None


def test_respell_offers_a_looser_guess(planner: QueryPlanner) -> None:
    assert planner.respell("thlmus") == "thalamus"
    assert planner.respell("visa") is None


@pytest.mark.parametrize(
    "query",
    ['"step 1"', "soap*", "(h-1b", "conrad NEAR waiver", "OET AND ecfmg", 'a"b', "NOT visa",
     "NEAR(visa waiver, 2)", "title:visa", "^visa", "visa OR", ")(", '"""', "* * *", "- + {x}"],
)
def test_fts_syntax_in_input_is_only_ever_words(planner: QueryPlanner, query: str) -> None:
    plan = planner.plan(query)
    for expr in (plan.fts_all(), plan.fts_most(max_frequency=10)):
        if expr is None:
            continue
        # Our own operators only, between double-quoted phrases made of letters and digits.
        outside = expr.split('"')[::2]
        inside = expr.split('"')[1::2]
        assert all(part.replace("AND", "").replace("OR", "").strip(" ()*") == "" for part in outside)
        assert all(p.replace(" ", "").isalnum() for p in inside)


def test_nothing_searchable_gives_no_expression(planner: QueryPlanner) -> None:
    assert planner.plan("").fts_all() is None
    assert planner.plan("!!! ??? ***").fts_all() is None
    assert planner.plan("how do i").fts_all() is None


def test_fallback_is_all_groups_but_one(planner: QueryPlanner) -> None:
    plan = planner.plan("thalamus zzz yyy")
    assert plan.fts_most(max_frequency=100) == (
        '("zzz" AND "yyy") OR ("thalamus" AND "yyy") OR ("thalamus" AND "zzz")'
    )
    assert planner.plan("thalamus").fts_most(max_frequency=100) is None


def test_two_group_fallback_leaves_out_very_common_words() -> None:
    planner = QueryPlanner(Counter({"common": 900, "rare": 3}))
    assert planner.plan("common rare").fts_most(max_frequency=50) == '"rare"'
    assert planner.plan("common rare").fts_most(max_frequency=1000) == '"common" OR "rare"'


def test_typing_makes_the_last_word_a_prefix(planner: QueryPlanner) -> None:
    assert planner.plan("obser", typing=True).fts_all() == '"obser"*'
    assert planner.plan("j1 wai", typing=True).fts_all() == '"j 1" AND "wai"*'
    # A finished word (followed by a space) is not a prefix, and is not corrected while typing.
    assert planner.plan("thalamus ", typing=True).fts_all() == '"thalamus"'
    assert planner.plan("thalamo", typing=True).corrections == {}
    # A one-letter tail adds nothing while other words are there.
    assert planner.plan("thalamus c", typing=True).fts_all() == '"thalamus"'


def test_long_input_is_bounded(planner: QueryPlanner) -> None:
    plan = planner.plan("visa waiver thalamus " * 500)
    assert len(plan.groups) <= 10
