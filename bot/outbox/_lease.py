"""Whether the worker holding a claim is still alive: each worker holds an exclusive `flock`
on its own small file beside the database for as long as it lives. The kernel drops the lock
when the process dies, even by SIGKILL, so "its holder is gone" is exact and immediate, for
any number of workers (in one process or several) on one database file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class WorkerLease:
    def __init__(self, database_path: Path, worker_id: str) -> None:
        self._dir = database_path.parent
        self._stem = database_path.name
        self.worker_id = worker_id
        self._fd: int | None = None

    def _path(self, worker_id: str) -> Path:
        return self._dir / f"{self._stem}.worker-{worker_id}.lock"

    def hold(self) -> None:
        """Take this worker's lock (idempotent)."""
        if self._fd is not None:
            return
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # PostgreSQL's is in /tmp
        fd = os.open(self._path(self.worker_id), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fd = fd

    def release(self) -> None:
        """Give the lock up (a clean stop; a crash gives it up by itself)."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self._path(self.worker_id).unlink()
        if not (self._dir / self._stem).exists():  # no database file: a folder of locks only
            with contextlib.suppress(OSError):  # (PostgreSQL's, in /tmp): gone once empty
                self._dir.rmdir()
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def alive(self, worker_id: str | None) -> bool:
        """Whether ``worker_id`` still holds its lock (another worker's, or ours)."""
        if worker_id is None:
            return False
        if worker_id == self.worker_id:
            return self._fd is not None
        path = self._path(worker_id)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops the probe's lock, if it got one
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a dead worker's file: tidy up
        return False
