"""The running bot's claim on its database: an exclusive `flock` on `<DATABASE_PATH>.lock`.

`fmg-bot run` (and the sandbox) hold it for as long as the process lives; the kernel releases it
when the process exits, even after a crash, so a stale lock file never blocks anyone.
`fmg-bot db restore` tries it without waiting and refuses when someone holds it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import FmgError


class DatabaseInUse(FmgError):
    """Another process (the running bot) holds the database lock."""


def lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".lock")


class DatabaseLock:
    def __init__(self, database_path: Path) -> None:
        self.path = lock_path(database_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock now or raise `DatabaseInUse` (never waits)."""
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseInUse(
                f"the database {self.path.with_suffix('')} is in use by a running fmg-bot "
                f"(it holds {self.path}): stop the bot first"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@contextmanager
def hold_database_lock(database_path: Path) -> Iterator[DatabaseLock]:
    """Hold the lock for the duration of the block (raises `DatabaseInUse` if taken)."""
    lock = DatabaseLock(database_path)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def is_locked(database_path: Path) -> bool:
    """True when some process holds the lock right now (probes without keeping it)."""
    lock = DatabaseLock(database_path)
    try:
        lock.acquire()
    except DatabaseInUse:
        return True
    lock.release()
    return False
