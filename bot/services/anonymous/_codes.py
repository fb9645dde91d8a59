"""Claim codes: the only link between an asker and their question.

A code is ``<question id>-<secret>``. The id only says which row to check; the secret is 100
random bits shown to the asker once. The database keeps ``scrypt(secret, per-question salt)``,
so a copy of the database does not let anyone act as the asker, and guessing is slow.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

# Crockford base32: no I, L, O, U, so codes survive being read aloud or retyped.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SECRET_LENGTH = 20  # 20 x 5 bits = 100 bits
SALT_BYTES = 16
HASH_BYTES = 32
# scrypt cost: N=2**14, r=8 -> 16 MiB and roughly 30-80 ms per check on one core.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_MAXMEM = 64 * 1024 * 1024

_CODE = re.compile(r"^\s*(\d{1,18})-([0-9A-Z-]{16,40})\s*$", re.IGNORECASE)
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})

# Checked when the question id does not exist, so an unknown id costs the same scrypt and
# compare as a known one: the response time does not reveal which questions exist.
_DUMMY_SALT = secrets.token_bytes(SALT_BYTES)
_DUMMY_HASH = secrets.token_bytes(HASH_BYTES)


@dataclass(frozen=True, slots=True)
class ParsedCode:
    question_id: int
    secret: str


@dataclass(frozen=True, slots=True)
class StoredCode:
    salt: bytes
    digest: bytes


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def format_code(question_id: int, secret: str) -> str:
    """``12-ABCDE-FGHJK-MNPQR-STVWX``: groups of five for reading."""
    groups = [secret[i : i + 5] for i in range(0, len(secret), 5)]
    return f"{question_id}-" + "-".join(groups)


def parse_code(code: str) -> ParsedCode | None:
    """Parse what a member typed; None when it cannot be a claim code at all."""
    match = _CODE.match(code)
    if match is None:
        return None
    secret = match.group(2).replace("-", "").upper().translate(_ALIASES)
    if len(secret) != SECRET_LENGTH or any(ch not in ALPHABET for ch in secret):
        return None
    return ParsedCode(int(match.group(1)), secret)


def hash_secret(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        secret.encode("ascii"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=_MAXMEM,
        dklen=HASH_BYTES,
    )


def new_stored_code(secret: str) -> StoredCode:
    salt = secrets.token_bytes(SALT_BYTES)
    return StoredCode(salt=salt, digest=hash_secret(secret, salt))


def verify_secret(secret: str, stored: StoredCode | None) -> bool:
    """Constant-time check. ``stored=None`` (no such question) does the same work and fails."""
    salt, digest = (
        (stored.salt, stored.digest) if stored is not None else (_DUMMY_SALT, _DUMMY_HASH)
    )
    candidate = hash_secret(secret, salt)
    matches = hmac.compare_digest(candidate, digest)
    return matches and stored is not None
