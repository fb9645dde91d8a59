"""The query planner: member text in, a safe FTS5 expression (and ranking groups) out."""

from collections import Counter

import pytest

from bot.services.resources._query import QueryPlan, QueryPlanner
from bot.services.resources._text import tokenize
from bot.services.resources._vocabulary import VOCABULARY, index_text, light_stem

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


def any_of(plan: QueryPlan) -> str | None:
    return plan.fts_any(max_rows=10_000)


def concept_tokens(plan: QueryPlan) -> list[set[str]]:
    """Per group, the concept tokens it asks for (what abbreviations and languages share)."""
    return [{p[0] for p in g.exact if p[0].startswith("zc")} or {" ".join(g.exact[0])} for g in plan.groups]


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
    meanings = [concept_tokens(planner.plan(v)) for v in variants]
    assert all(m == meanings[0] for m in meanings), meanings


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("j1 waiver", ["j 1", "waiver"]),
        ("h1b", ["h 1 b"]),
        ("conrad30", ["conrad 30"]),
        ('"step 1"', ["step 1"]),
        ("j1 waiver kaise milega", ["j 1", "waiver"]),
        ("visa para residencia", ["visa", "residency"]),
        ("how do I get a visa sponsor", ["visa", "sponsor"]),
        ("who actually sponsors the J1 for residents, is it my hospital or ECFMG?",
         ["sponsor", "j 1", "residency", "program", "ecfmg"]),
        ("¿qué hago si no quedé en el match?", ["unmatched"]),
        ("comment obtenir la certification ECFMG ?", ["certification", "ecfmg"]),
        ("step 1 ka result pass fail hota hai kya", ["step 1", "result", "pass fail"]),
        ("ما هي متطلبات شهادة ECFMG؟", ["requirements", "certification", "ecfmg"]),
        ("p/f", ["pass fail"]),
        ("DS-2019", ["ds 2019"]),
    ],
)
def test_numbers_glue_to_words_and_question_words_and_filler_drop(
    planner: QueryPlanner, query: str, expected: list[str]
) -> None:
    def meaning(form: str) -> set[str]:
        tokens = tuple(light_stem(t) for t in tokenize(form))
        return set(VOCABULARY.surfaces[tokens]) if tokens in VOCABULARY.surfaces else {form}

    assert concept_tokens(planner.plan(query)) == [meaning(f) for f in expected]


def test_typos_are_corrected_against_the_catalog_vocabulary(planner: QueryPlanner) -> None:
    plan = planner.plan("thalamos externshp")
    assert plan.corrections == {"thalamos": "thalamus", "externshp": "externship"}
    assert plan.corrected_text == "thalamus externship"
    # The typed word is kept as an alternative too, so a word the index does know still counts.
    assert any_of(plan) == f'("thalamus" OR "thalamos") OR ({concept("externship")} OR "externship")'


def test_the_corrected_text_keeps_the_members_words_not_the_index_tokens(planner: QueryPlanner) -> None:
    plan = planner.plan("Thalamos for H-1B programs in New York?")
    assert plan.corrected_text == "thalamus for H-1B programs in New York?"


def test_another_form_of_a_word_is_not_a_typo_of_it() -> None:
    planner = QueryPlanner(Counter(tokenize("letter writers upload the tests ranking")))
    assert planner.plan("how do I write my test").corrections == {}
    assert planner.plan("writters").corrections == {"writters": "writers"}


def test_did_you_mean_is_not_a_far_fetched_guess() -> None:
    planner = QueryPlanner(Counter(tokenize("meeting read thalamus")))
    assert planner.respell("tired of everything") is None
    assert planner.respell("thlms") == "thalamus"


def test_place_names_are_never_corrected_into_catalog_words(planner: QueryPlanner) -> None:
    assert planner.plan("observership in new york").corrections == {}
    assert planner.plan("visa wait karachi texas ohio").corrections == {}
    assert planner.respell("observership in new york") is None


def test_misspelled_organisation_names_are_recognised() -> None:
    planner = QueryPlanner(Counter(tokenize("ECFMG NRMP ERAS USMLE FSMB Intealth")))
    for typed, meant in (("ecmfg", "ecfmg"), ("nrpm", "nrmp"), ("usmel", "usmle"), ("fsbm", "fsmb"),
                         ("intelth", "intealth"), ("ecfgm", "ecfmg")):
        assert concept_tokens(planner.plan(typed)) == concept_tokens(planner.plan(meant)), typed


def test_distress_is_recognised_in_every_supported_language(planner: QueryPlanner) -> None:
    for query in ("i want to kill myself", "I don't want to live anymore", "me quiero morir",
                  "quero morrer", "je pense au suicide", "mujhe jeena nahi hai", "khudkushi",
                  "أفكر في الانتحار"):
        assert planner.plan(query).distress, query
    assert not planner.plan("visa para residencia").distress


def test_known_words_short_words_and_stopwords_are_never_corrected(planner: QueryPlanner) -> None:
    assert planner.plan("visa kaise ck milega").corrections == {}
    assert planner.correct("xyzzyplugh") is None


def test_respell_offers_a_looser_guess_and_keeps_the_other_words(planner: QueryPlanner) -> None:
    assert planner.respell("thlmus") == "thalamus"
    assert planner.respell("Thlmus in Boston!") == "thalamus in Boston!"
    assert planner.respell("visa") is None


@pytest.mark.parametrize(
    "query",
    ['"step 1"', "soap*", "(h-1b", "conrad NEAR waiver", "OET AND ecfmg", 'a"b', "NOT visa",
     "NEAR(visa waiver, 2)", "title:visa", "^visa", "visa OR", ")(", '"""', "* * *", "- + {x}"],
)
def test_fts_syntax_in_input_is_only_ever_words(planner: QueryPlanner, query: str) -> None:
    plan = planner.plan(query)
    for expr in (any_of(plan), plan.fts_any(max_rows=0)):
        if expr is None:
            continue
        # Our own operators only, between double-quoted phrases made of letters and digits.
        outside = expr.split('"')[::2]
        inside = expr.split('"')[1::2]
        assert all(part.replace("AND", "").replace("OR", "").strip(" ()*") == "" for part in outside)
        assert all(p.replace(" ", "").isalnum() for p in inside)


def test_nothing_searchable_gives_no_expression(planner: QueryPlanner) -> None:
    assert any_of(planner.plan("")) is None
    assert any_of(planner.plan("!!! ??? ***")) is None
    assert any_of(planner.plan("how do i")) is None
    assert any_of(planner.plan("what do I do if I get")) is None


def test_any_word_selects_candidates_not_every_word(planner: QueryPlanner) -> None:
    assert any_of(planner.plan("thalamus zzz yyy")) == '"thalamus" OR "zzz" OR "yyy"'


def test_the_rarest_words_select_candidates_within_a_row_budget() -> None:
    planner = QueryPlanner(Counter({"common": 900, "middling": 60, "rare": 3}))
    plan = planner.plan("common middling rare")
    assert plan.fts_any(max_rows=50) == '"rare"'
    assert plan.fts_any(max_rows=100) == '"middling" OR "rare"'
    assert plan.fts_any(max_rows=1000) == '"common" OR "middling" OR "rare"'
    assert len(plan.groups) == 3  # every word still counts in ranking
    assert planner.plan("common").fts_any(max_rows=50) == '"common"'  # the rarest always selects


def test_typing_makes_the_last_word_a_prefix(planner: QueryPlanner) -> None:
    assert any_of(planner.plan("obser", typing=True)) == '"obser"*'
    # The word being typed selects no candidates beside a finished word (it still ranks).
    assert any_of(planner.plan("j1 waive", typing=True)) == '"j 1"'
    assert planner.plan("j1 waive", typing=True).groups[-1].prefixes == (("waive",),)
    # A finished word (followed by a space) is not a prefix, and is not corrected while typing.
    assert any_of(planner.plan("thalamus ", typing=True)) == '"thalamus"'
    assert planner.plan("thalamo", typing=True).corrections == {}
    # A one-letter tail adds nothing while other words are there.
    assert any_of(planner.plan("thalamus c", typing=True)) == '"thalamus"'


def test_long_input_is_bounded(planner: QueryPlanner) -> None:
    plan = planner.plan("visa waiver thalamus " * 500)
    assert len(plan.groups) <= 10
