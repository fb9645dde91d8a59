import pytest

from bot.errors import InvalidInput
from bot.services.resources import normalize_url, validate_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.ecfmg.org/certification/", "https://www.ecfmg.org/certification/"),
        ("https://apps.acgme.org/ads/Public/Programs/Search", "https://apps.acgme.org/ads/Public/Programs/Search"),
        ("  https://oet.com/ecfmg  ", "https://oet.com/ecfmg"),
        ("https://example.org:443/a?b=1", "https://example.org/a?b=1"),
        ("https://bücher.example/pfad", "https://xn--bcher-kva.example/pfad"),
        ("https://WWW.Example.ORG./ü", "https://www.example.org/%C3%BC"),
    ],
)
def test_accepts_public_https_links_in_canonical_form(url: str, canonical: str) -> None:
    assert validate_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "give a link"),
        ("http://www.ecfmg.org", "https://"),
        ("javascript:alert(1)", "https://"),
        ("ftp://example.org/file", "https://"),
        ("https://user:pass@example.org/", "password"),
        ("https://user@example.org/", "user name"),
        ("https://127.0.0.1/admin", "public website"),
        ("https://[::1]/", "public website"),
        ("https://localhost/", "public website"),
        ("https://intranet/", "public website"),
        ("https:///path-only", "no website"),
        ("https://example.org:8443/", "standard https port"),
        ("https://example.org:99999/", "valid link"),
        ("https://exa mple.org/", "spaces"),
        ("https://example.org/\x00", "control"),
        ("https://example.org/" + "a" * 600, "too long"),
    ],
)
def test_rejects_unsafe_or_malformed_links(url: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        validate_url(url)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.ecfmg.org/certification/", "https://ecfmg.org/certification"),
        ("https://WWW.ECFMG.ORG/fees/", "https://www.ecfmg.org/fees"),
        ("https://www.usmle.org/#top", "https://www.usmle.org"),
        ("https://www.usmle.org:443/step-exams", "https://www.usmle.org/step-exams/"),
        ("https://x.org/p?b=2&a=1", "https://x.org/p?a=1&b=2"),
        ("https://x.org/p?utm_source=discord&id=7&fbclid=z", "https://x.org/p?id=7"),
        ("http://x.org/p", "https://x.org/p"),
    ],
)
def test_same_page_same_key(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b)


def test_path_case_and_real_parameters_still_distinguish() -> None:
    assert normalize_url("https://x.org/Search") != normalize_url("https://x.org/search")
    assert normalize_url("https://x.org/p?id=1") != normalize_url("https://x.org/p?id=2")
