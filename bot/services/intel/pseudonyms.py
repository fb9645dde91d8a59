"""Who reported, kept only as a pseudonym: HMAC-SHA256(key, member id, program, cycle).

The key lives in a file beside the database (``<database>.intel-key``), created on first start
with mode 0600 (readable by the bot's user only), and never in the database: someone holding
the database (or a backup of it) alone cannot tell whose a report is, while the bot can find a
member's own report again to edit, withdraw, export or delete it. The operator, who holds both,
can: reports are pseudonymous to the operator, not anonymous.

The pseudonym does not include the server: one member has one report per program and cycle
whichever server they report from, so they cannot count twice by reporting from two servers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

from bot.errors import ConfigError

log = logging.getLogger(__name__)

KEY_BYTES = 32
_FINGERPRINT_INPUT = b"fmg-bot intel key fingerprint"


def key_path(database: Path) -> Path:
    return Path(f"{database}.intel-key")


class Pseudonyms:
    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError("the intel key is too short")
        self._key = key

    def of(self, user_id: int, program_id: str, cycle: int) -> str:
        message = f"{user_id}\x1f{program_id}\x1f{cycle}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    @property
    def fingerprint(self) -> str:
        """Names the key (stored in the database) without revealing it."""
        return hmac.new(self._key, _FINGERPRINT_INPUT, hashlib.sha256).hexdigest()[:32]


def load_key(path: Path, *, may_create: bool) -> bytes:
    """The key in ``path``; a new one (mode 0600) when there is none and ``may_create``.

    A key file others may read is narrowed to 0600 (and logged). ``may_create`` is false once
    reports exist: a missing key then is an error to fix (restore the file from a backup), not
    a reason to start over with pseudonyms that would let every member report again.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600) if may_create else -1
    except FileExistsError:
        fd = -1
    if fd >= 0:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        log.info("created the program-intel key %s (back it up with the database)", path)
    if not path.is_file():
        raise ConfigError(
            f"the program-intel key {path} is missing, but the database holds reports made with "
            "it: restore it from your backup (see README, Backups). Without it members could "
            "report a second time."
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(0o600)
        log.warning("the program-intel key %s was readable by others: now mode 0600", path)
    key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise ConfigError(f"the program-intel key {path} is damaged (too short): restore it")
    return key
