"""What a running bot holds against other processes on its database, and the SQLite side of it.

Three locks, on both engines (`Database.locks(target)` gives the engine's `ProcessLocks`):

- the database lock: every bot process holds it *shared* (several processes may run the bot,
  each for its own shards); `fmg-bot db restore` (and `db transfer`, on both of its ends) takes
  it exclusively without waiting, so it refuses while any bot runs, and a bot does not start
  during a restore;
- one exclusive lock per shard the process runs: two processes on overlapping shards would both
  act for the same servers, so the second refuses to start;
- the SHARD_COUNT lock, shared: every process must agree on SHARD_COUNT (shard 1 of 2 and
  shard 2 of 4 overlap), so a process refuses when one with another count holds its own.

SQLite (`FileLocks`, here): `flock`s beside `<DATABASE_PATH>` (`<db>.lock`,
`<db>.shard-N.lock`, `<db>.shard-count-N.lock`), one machine's locks as the file is one
machine's. The kernel releases them when the process exits, even after a crash, so a stale lock
file never blocks anyone. PostgreSQL (bot/db/_pg_locks.py): the same three as advisory locks of
the server, held by one connection per process, as its processes may run on several machines.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, ExitStack, asynccontextmanager, contextmanager
from pathlib import Path

from bot.errors import FmgError
from bot.shards import ShardScope


class DatabaseInUse(FmgError):
    """Another process (the running bot) holds the database lock."""


def lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".lock")


class ShardsInUse(FmgError):
    """Another bot process runs some of this process's shards (or another SHARD_COUNT)."""


class DatabaseLock:
    def __init__(self, database_path: Path, *, shared: bool = False) -> None:
        self.path = lock_path(database_path)
        self._shared = shared
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, trying for up to ``wait`` seconds, or raise `DatabaseInUse`."""
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = _flock(self.path, wait, shared=self._shared)
        if fd is None:
            raise DatabaseInUse(
                f"the database {self.path.with_suffix('')} is in use by a running fmg-bot "
                f"(it holds {self.path}): stop the bot first"
            )
        if not self._shared:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _flock(path: Path, wait: float, *, shared: bool = False) -> int | None:
    """An open descriptor of ``path`` holding its flock, or None when it stayed taken for
    ``wait`` seconds."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            os.close(fd)
            return None


def _hold(stack: ExitStack, fd: int) -> None:
    stack.callback(os.close, fd)  # closing the descriptor drops its lock


@contextmanager
def hold_shard_locks(database_path: Path, shards: ShardScope,
                     wait: float = 0.0) -> Iterator[None]:
    """What a running bot holds for its whole life (see the module docstring): the database
    lock shared, its SHARD_COUNT's file shared, and each of its shards exclusively. Raises
    `DatabaseInUse` during a restore, `ShardsInUse` when another process runs one of these
    shards or another SHARD_COUNT."""
    with ExitStack() as stack:
        database = DatabaseLock(database_path, shared=True)
        database.acquire(wait)
        stack.callback(database.release)
        name = database_path.name
        count_fd = _flock(database_path.with_name(f"{name}.shard-count-{shards.count}.lock"),
                          wait, shared=True)
        if count_fd is None:  # held exclusively: another SHARD_COUNT's probe, for an instant
            raise ShardsInUse(f"another fmg-bot with another SHARD_COUNT is starting on "
                              f"{database_path}: every process must use the same SHARD_COUNT")
        _hold(stack, count_fd)
        for other in database_path.parent.glob(f"{name}.shard-count-*.lock"):
            if other.name == f"{name}.shard-count-{shards.count}.lock":
                continue
            probe = _flock(other, 0.0)
            if probe is None:
                raise ShardsInUse(
                    f"another fmg-bot runs on {database_path} with a SHARD_COUNT other than "
                    f"{shards.count} (it holds {other}): every process must use the same "
                    "SHARD_COUNT; stop them all to change it"
                )
            os.close(probe)
        for shard in shards.ids:
            path = database_path.with_name(f"{name}.shard-{shard}.lock")
            fd = _flock(path, wait)
            if fd is None:
                raise ShardsInUse(
                    f"shard {shard} of {shards.count} already runs in another fmg-bot on "
                    f"{database_path} (it holds {path}): give each process different SHARD_IDS"
                )
            _hold(stack, fd)
        yield


_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
#: How often a waiter tries a named lock again (it waits for another process, not for us).
NAMED_POLL_S = 0.05


@asynccontextmanager
async def hold_named_lock(database_path: Path, name: str) -> AsyncIterator[None]:
    """`Database.exclusive` on SQLite: an exclusive flock on `<db>.<name>.lock`, waited for
    without blocking the loop (and cancellable); the kernel drops it if the holder dies."""
    if not _NAME.match(name):
        raise ValueError(f"lock names are short lower-case words with dashes, not {name!r}")
    path = database_path.with_name(f"{database_path.name}.{name}.lock")
    while True:  # the holder may be another process: nothing to wait on but the file
        fd = _flock(path, 0.0)  # a non-blocking try: microseconds
        if fd is not None:
            break
        await asyncio.sleep(NAMED_POLL_S)
    try:
        yield
    finally:
        os.close(fd)  # drops the lock


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


class ProcessLocks:
    """One engine's locks of the module docstring, for one database."""

    def hold_bot(self, shards: ShardScope,
                 wait: float = 0.0) -> AbstractAsyncContextManager[asyncio.Event]:
        """What a running bot holds for its whole life: the database lock shared, its
        SHARD_COUNT's shared, each of its shards exclusively (trying for up to ``wait``
        seconds). Raises `DatabaseInUse` during a restore, `ShardsInUse` when another process
        runs one of these shards or another SHARD_COUNT. Yields an event set when the locks
        are lost while held (never on SQLite): the bot must then stop."""
        raise NotImplementedError

    def hold_exclusive(self) -> AbstractAsyncContextManager[None]:
        """The database lock, exclusively and without waiting (`DatabaseInUse` if taken)."""
        raise NotImplementedError

    async def running(self) -> bool:
        """Whether some bot process holds the database lock right now."""
        raise NotImplementedError


class FileLocks(ProcessLocks):
    def __init__(self, database_path: Path) -> None:
        self.path = database_path

    @asynccontextmanager
    async def hold_bot(self, shards: ShardScope, wait: float = 0.0) -> AsyncIterator[asyncio.Event]:
        with hold_shard_locks(self.path, shards, wait):
            yield asyncio.Event()  # the kernel holds flocks as long as the process lives

    @asynccontextmanager
    async def hold_exclusive(self) -> AsyncIterator[None]:
        with hold_database_lock(self.path):
            yield

    async def running(self) -> bool:
        return is_locked(self.path)
