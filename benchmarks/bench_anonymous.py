"""Anonymous questions: the cost of a claim-code check (deliberately slow), of cleaning a
4,000-character question, and of finding the next due post in a large outbox."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, median, percentile
from bot.db import Database
from bot.services.anonymous import _codes
from bot.services.anonymous._service import question_chunks
from bot.services.anonymous._text import sanitize

# What the one outbox asks (bot/outbox/_engine.py, next_due) when anonymous posts are its kinds.
_KINDS = "('anon_review', 'anon_question', 'anon_followup', 'anon_close')"
NEXT_DUE = f"SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending' AND kind IN {_KINDS}"
NEXT_DUE_SCAN = (
    "SELECT MIN(next_attempt_at) FROM outbox NOT INDEXED WHERE state = 'pending' "
    f"AND kind IN {_KINDS}"
)


def _timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _code_check(quick: bool) -> Figure:
    secret = _codes.new_secret()
    stored = _codes.new_stored_code(secret)
    guess = _codes.new_secret()
    scrypt_ms = median(_timed(lambda: _codes.verify_secret(guess, stored), 5 if quick else 20))
    salt = secrets.token_bytes(16)
    digest = hashlib.sha256(salt + secret.encode()).digest()
    sha_ms = median(
        _timed(
            lambda: hmac.compare_digest(hashlib.sha256(salt + guess.encode()).digest(), digest), 200
        )
    )
    return Figure(
        "anon_code_check_ms",
        scrypt_ms,
        "ms",
        target="10-250 ms (slow on purpose)",
        ok=10 <= scrypt_ms <= 250,
        baseline=sha_ms,
        baseline_label="salted SHA-256",
    )


def _sanitize(quick: bool) -> Figure:
    words = [
        "Failed",
        "Step 1",
        "<@123456789012345678>",
        "@everyone",
        "discord.gg/abc",
        "**bold**",
        "\u200b",
        "visa",
        "J-1",
        "\n",
    ]
    text = " ".join(secrets.choice(words) for _ in range(1200))[:4000]
    samples = _timed(
        lambda: question_chunks(1, "Title", sanitize(text), "Step 1"), 50 if quick else 300
    )
    p99 = percentile(samples, 99)
    return Figure("anon_clean_4000_chars_p99_ms", p99, "ms", target="< 5 ms", ok=p99 < 5)


async def _next_due(quick: bool) -> Figure:
    rows = 20_000 if quick else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        try:
            await db.migrate()
            qid = await db.fetchval(
                "INSERT INTO anon_questions (guild_id, title, body, code_salt, code_hash) "
                "VALUES (1, 't', 'b', x'00', x'00') RETURNING id"
            )
            await db.executemany(
                "INSERT INTO outbox (kind, guild_id, ref_id, due_at, next_attempt_at, state, "
                "nonce) VALUES ('anon_question', 1, ?, ?, ?, ?, 'n')",
                (
                    (qid, 1_700_000_000 + i, 1_700_000_000 + i,
                     "pending" if i % 1000 == 0 else "sent")
                    for i in range(rows)
                ),
            )
            indexed, scanned = [], []
            for _ in range(20 if quick else 100):
                start = time.perf_counter()
                await db.fetchval(NEXT_DUE)
                indexed.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                await db.fetchval(NEXT_DUE_SCAN)
                scanned.append((time.perf_counter() - start) * 1000)
        finally:
            await db.close()
    p99 = percentile(indexed, 99)
    return Figure(
        f"anon_next_due_p99_ms_{rows // 1000}k_rows",
        p99,
        "ms",
        target="< 2 ms",
        ok=p99 < 2,
        baseline=percentile(scanned, 99),
        baseline_label="full scan",
    )


async def run(quick: bool) -> list[Figure]:
    return [_code_check(quick), _sanitize(quick), await _next_due(quick)]
