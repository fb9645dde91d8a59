"""The automatic checks: each says what it found and where, on the shipped samples and on
small texts; the limits file names its official sources and when they were checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import yaml

from bot.services.preparation import DEFAULT_LIMITS, DOCUMENT_KINDS, read_limits, run_checks
from tests.review_files import sample

LIMITS = read_limits()


def _by_check(found) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for f in found:
        grouped.setdefault(f.check, []).append(f)
    return grouped


def test_the_limits_file_has_a_source_and_a_date_for_every_kind() -> None:
    raw = yaml.safe_load(DEFAULT_LIMITS.read_text("utf-8"))
    assert datetime.now(UTC).date() - raw["checked"] < timedelta(days=366)  # checked within a year
    assert set(LIMITS.fields) == set(DOCUMENT_KINDS)
    for field in LIMITS.fields.values():
        url = urlparse(field.source)
        assert url.scheme == "https" and url.hostname == "students-residents.aamc.org"
        assert field.limit is not None or field.note  # no number: it says why
    assert (LIMITS.fields["personal_statement"].limit, LIMITS.fields["experience"].limit,
            LIMITS.fields["meaningful"].limit) == (28000, 750, 300)


def test_the_sample_personal_statement() -> None:
    found = _by_check(run_checks("personal_statement", "internal_medicine",
                                 sample("personal_statement.txt"), LIMITS))
    assert "length" not in found  # well under 28,000
    chars = {f.what.split(" (")[0]: f.where for f in found["characters"]}
    assert chars == {"Smart quotes": "line 1", "Long dashes": "line 7", "Tabs": "line 5",
                     "Emoji and symbols": "line 5"}
    [specialty] = found["specialty"]
    assert "**Family Medicine**, not Internal Medicine" in specialty.what
    assert specialty.where == "paragraph 3, line 5"
    programs = {f.what.split("**")[1]: f.where for f in found["program"]}
    assert programs == {"Lagos University Teaching Hospital": "paragraph 2, line 3",
                        "Riverside Internal Medicine Residency Program": "paragraph 4, line 7"}


def test_the_sample_cv() -> None:
    found = _by_check(run_checks("cv", "internal_medicine", sample("cv.md"), LIMITS))
    [undated] = found["dates"]  # the observership; languages need no dates
    assert undated.where == "paragraph 5, line 16"
    [length] = found["length"]  # no official limit: said so, with the source
    assert "No official page gives a length" in length.what
    assert "characters" not in found and "specialty" not in found  # not a statement


def test_a_cv_without_any_date() -> None:
    found = run_checks("cv", "pediatrics", "EDUCATION\nMBBS, Somewhere\n\nWORK\nDoctor", LIMITS)
    [dates] = _by_check(found)["dates"]
    assert "No dates anywhere" in dates.what and dates.where == ""


def test_length_over_the_field_limit_says_by_how_much_and_the_source() -> None:
    [found] = run_checks("meaningful", "pediatrics", "a" * 301, LIMITS)
    assert "1 over the ERAS limit of 300" in found.what
    assert "students-residents.aamc.org" in found.what and "checked 2026-12-06" in found.what
    assert run_checks("meaningful", "pediatrics", "a" * 300, LIMITS) == []


def test_many_places_are_listed_then_counted() -> None:
    text = "\n".join(["\u201cquoted\u201d"] * 8)
    [found] = run_checks("experience", "pediatrics", text, LIMITS)
    assert found.what.startswith("Smart quotes (16)")
    assert found.where == "line 1, line 2, line 3, line 4, line 5 and 3 more"


def test_other_alphabets_are_a_warning_of_their_own() -> None:
    [found] = run_checks("experience", "pediatrics", "Worked in M\u00fcnchen", LIMITS)
    assert "accents" in found.what and found.where == "line 1"


def test_a_specialty_inside_another_is_not_the_wrong_specialty() -> None:
    text = "Child neurology is my calling."
    assert run_checks("personal_statement", "child_neurology", text, LIMITS) == []
    [found] = run_checks("personal_statement", "pediatrics", text, LIMITS)
    assert "Child Neurology" in found.what


def test_a_program_name_cannot_format_the_reply() -> None:
    [found] = run_checks("personal_statement", "pediatrics", "I love Saint_Jude Hospital.", LIMITS)
    assert "**Saint\\_Jude Hospital**" in found.what
