"""Claim codes: random, shown once, stored only as a salted scrypt hash, checked in constant time."""

from __future__ import annotations

import hmac
import time

import pytest

from bot.services.anonymous import _codes
from bot.services.anonymous._codes import (
    ALPHABET,
    SECRET_LENGTH,
    format_code,
    new_secret,
    new_stored_code,
    parse_code,
    verify_secret,
)


def test_secrets_are_random_and_from_the_alphabet() -> None:
    many = {new_secret() for _ in range(200)}
    assert len(many) == 200
    assert all(len(s) == SECRET_LENGTH and set(s) <= set(ALPHABET) for s in many)


def test_format_and_parse_round_trip_and_forgive_case_and_lookalikes() -> None:
    secret = new_secret()
    code = format_code(42, secret)
    assert parse_code(code) == _codes.ParsedCode(42, secret)
    assert parse_code(f"  {code.lower()}  ") == _codes.ParsedCode(42, secret)
    assert parse_code("7-" + "O" * 5 + "I" * 5 + "L" * 5 + "0" * 5) == _codes.ParsedCode(
        7, "00000111111111100000"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abc",
        "12",
        "12-",
        "x-ABCDEABCDEABCDEABCDE",
        "12-ABCDE",
        "12-" + "A" * 21,
        "12-" + "!" * 20,
    ],
)
def test_garbage_is_not_a_code(bad: str) -> None:
    assert parse_code(bad) is None


def test_the_stored_form_holds_neither_the_code_nor_an_unsalted_hash() -> None:
    secret = new_secret()
    a = new_stored_code(secret)
    b = new_stored_code(secret)
    assert a.salt != b.salt and a.digest != b.digest  # per-question salt
    assert secret.encode() not in a.digest + a.salt
    assert verify_secret(secret, a) and verify_secret(secret, b)


def test_wrong_codes_and_unknown_questions_fail() -> None:
    stored = new_stored_code(new_secret())
    assert not verify_secret(new_secret(), stored)
    assert not verify_secret(new_secret(), None)


def test_verification_uses_compare_digest_even_for_unknown_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(_codes.hmac, "compare_digest", spy)
    stored = new_stored_code("A" * SECRET_LENGTH)
    verify_secret("B" * SECRET_LENGTH, stored)
    verify_secret("B" * SECRET_LENGTH, None)
    assert len(calls) == 2
    assert all(len(a) == len(b) == _codes.HASH_BYTES for a, b in calls)


def test_unknown_question_costs_about_the_same_as_a_known_one() -> None:
    stored = new_stored_code(new_secret())
    guess = new_secret()

    def best_of(n: int, target: _codes.StoredCode | None) -> float:
        best = float("inf")
        for _ in range(n):
            start = time.perf_counter()
            verify_secret(guess, target)
            best = min(best, time.perf_counter() - start)
        return best

    known, unknown = best_of(5, stored), best_of(5, None)
    # Both run one full scrypt; an early return for unknown ids would be ~1000x faster.
    assert unknown > known / 3
