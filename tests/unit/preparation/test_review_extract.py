"""A document's text from each kind of file, and every kind of bad file refused with its own
message (the service keeps nothing then: see test_review_service)."""

from __future__ import annotations

import pytest

from bot.services.preparation.review_extract import (
    MAX_BYTES,
    MAX_CHARACTERS,
    DocumentRefused,
    check_size,
    checked_text,
    extract,
)
from tests.review_files import damaged_pdf, docx, locked_docx, locked_pdf, pdf, scanned_pdf

LINES = ["I want to train in internal medicine.", "My first patient (Lagos) taught me."]


def test_each_kind_of_file_gives_its_text() -> None:
    assert extract("ps.txt", b"Plain text\r\nsecond line") == "Plain text\nsecond line"
    assert extract("ps.md", "\ufeff# Title\n\nBody".encode()) == "# Title\n\nBody"  # BOM dropped
    assert extract("PS.DOCX", docx(LINES)) == "\n".join(LINES)
    text = extract("ps.pdf", pdf(LINES))
    assert "internal medicine" in text and "(Lagos)" in text


@pytest.mark.parametrize(("name", "data", "says"), [
    ("ps.pdf", scanned_pdf(), "looks scanned"),
    ("ps.pdf", locked_pdf(LINES), "password-protected"),
    ("ps.docx", locked_docx(), "password-protected"),
    ("ps.pdf", damaged_pdf(), "not a valid PDF"),
    ("ps.docx", b"PK\x03\x04 not really a zip", "not a valid Word document"),
    ("ps.txt", b"", "empty"),
    ("ps.txt", b"  \n\t\n", "empty"),
    ("ps.txt", "caf\xe9".encode("latin-1"), "not UTF-8"),
    ("ps.txt", b"text\x00with a null", "not a valid text file"),
    ("ps.odt", b"anything", "I can read .txt, .md, .docx and .pdf"),
    ("ps.txt", b"x" * (MAX_BYTES + 1), "I take documents up to 2 MB"),
    ("ps.txt", b"word " * (MAX_CHARACTERS // 5 + 1), "a review takes up to 60,000"),
])
def test_bad_files_are_refused_with_what_to_do(name: str, data: bytes, says: str) -> None:
    with pytest.raises(DocumentRefused) as refused:
        extract(name, data)
    assert says in str(refused.value) and "Nothing was kept" in str(refused.value)


def test_size_and_name_are_refused_before_any_download() -> None:
    with pytest.raises(DocumentRefused, match="MB"):
        check_size("cv.pdf", MAX_BYTES + 1)
    with pytest.raises(DocumentRefused, match=r"\.txt, \.md"):
        check_size("cv.exe", 10)
    check_size("cv.pdf", MAX_BYTES)  # the limit itself is fine


def test_pasted_text() -> None:
    assert checked_text("a\r\nb\r") == "a\nb"
    with pytest.raises(DocumentRefused, match="empty"):
        checked_text("   ")


def test_an_empty_pdf_page_with_a_readable_one_is_not_a_scan() -> None:
    assert "internal medicine" in extract("ps.pdf", pdf(["", *LINES]))
