"""The running bot's claim on its database: an exclusive `flock` on `<DATABASE_PATH>.lock`.

`fmg-bot run` (and the sandbox) hold it for as long as the process lives; the kernel releases it
when the process exits, even after a crash, so a stale lock file never blocks anyone.
`fmg-bot db restore` tries it without waiting and refuses when someone holds it.
"""

from __future__ import annotations

import fcntl
import os
import time
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

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, trying for up to ``wait`` seconds, or raise `DatabaseInUse`."""
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
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


#: How long a starting bot waits for the lock: `is_locked` (a health check) holds it briefly.
STARTUP_WAIT_S = 3.0


@contextmanager
def hold_database_lock(database_path: Path, wait: float = 0.0) -> Iterator[DatabaseLock]:
    """Hold the lock for the duration of the block (raises `DatabaseInUse` if taken)."""
    lock = DatabaseLock(database_path)
    lock.acquire(wait)
    try:
        yield lock
    finally:
        lock.release()


def is_locked(database_path: Path) -> bool:
    """True when some process holds the lock right now.

    The probe takes the lock for an instant when it is free; a bot starting in that instant
    waits (`STARTUP_WAIT_S`) instead of failing."""
    lock = DatabaseLock(database_path)
    try:
        lock.acquire()
    except DatabaseInUse:
        return True
    lock.release()
    return False
