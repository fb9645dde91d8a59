"""Whether the outbox worker holding a claim is still there (bot/outbox/_engine.py takes a
gone worker's claims back). `Database.worker_lease(worker_id)` gives the engine's lease:

- SQLite (`FileLease`): each worker holds an exclusive `flock` on its own small file beside
  the database for as long as it lives. The kernel drops it when the process dies, even by
  SIGKILL, so "gone" is exact and immediate for every worker on the file's machine, which is
  every worker an SQLite file can have.
- PostgreSQL (bot/db/_pg_lease.py): workers may run on several machines, so a worker beats a
  heartbeat row instead, timed by the server's clock, and is gone once its beat is stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from datetime import timedelta
from pathlib import Path


class WorkerLease:
    """One worker's lease. ``hold`` before claiming (idempotent), ``release`` on a clean stop
    (its claims are then taken back at once), ``alive`` for the holder of a claim."""

    worker_id: str
    #: how soon a worker looks again at a claim whose holder is alive, in case it stops being
    #: (None: a holder's death is exact and immediate, seen by whoever looks next)
    recheck: timedelta | None = None

    async def hold(self) -> None:
        raise NotImplementedError

    async def release(self) -> None:
        raise NotImplementedError

    async def alive(self, worker_id: str | None) -> bool:
        """Whether ``worker_id`` still holds its lease (another worker's, or ours)."""
        raise NotImplementedError


class FileLease(WorkerLease):
    def __init__(self, database_path: Path, worker_id: str) -> None:
        self._dir = database_path.parent
        self._stem = database_path.name
        self.worker_id = worker_id
        self._fd: int | None = None

    def _path(self, worker_id: str) -> Path:
        return self._dir / f"{self._stem}.worker-{worker_id}.lock"

    async def hold(self) -> None:
        if self._fd is not None:
            return
        fd = os.open(self._path(self.worker_id), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fd = fd

    async def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self._path(self.worker_id).unlink()
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    async def alive(self, worker_id: str | None) -> bool:
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
