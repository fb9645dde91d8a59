"""Timers for due work that lives in the database.

The scheduler's memory is never the source of truth: each registered source can say when its
next row falls due (`next_due`) and can run what is due (`run_due`). The scheduler keeps one
APScheduler job per source at that instant, re-reads it after every run and whenever a service
adds rows (`poke`, which services reach through `waker` and call after their commit: callers
never poke by hand). Rebuilding timers after a restart is therefore just registering the sources.
Delays are computed with the injected clock, so under a ManualClock nothing fires by itself:
tests advance the clock and call `run_now`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock

log = logging.getLogger(__name__)

#: After a failed run, try again this long later (the rows are still due).
RETRY_AFTER = timedelta(seconds=30)


class DueWorkSource(Protocol):
    async def next_due(self) -> datetime | None:
        """When the earliest pending row falls due, or None when nothing is pending."""
        ...

    async def run_due(self, now: datetime) -> object:
        """Handle every row due at ``now`` (claiming each so it runs at most once); what it
        returns (a report, say) is the source's own business."""
        ...


class Scheduler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._sources: dict[str, DueWorkSource] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._pending: set[asyncio.Task[None]] = set()
        self._poked_during_run: set[str] = set()
        self._rearm_queued: set[str] = set()

    def start(self) -> None:
        if not self._aps.running:
            self._aps.start()

    async def shutdown(self, grace: float = 5.0) -> None:
        """Stop the timers; give running work ``grace`` seconds to finish, then cancel it.

        Cancelled work is safe: sources claim rows before sending and retry unconfirmed ones.
        """
        if self._aps.running:
            self._aps.shutdown(wait=False)
        self._sources.clear()
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=grace)
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)

    def register(self, name: str, source: DueWorkSource) -> None:
        """Add a source and arm its timer from its rows (this is the restart rebuild)."""
        self._sources[name] = source
        self._locks.setdefault(name, asyncio.Lock())
        self.poke(name)

    def unregister(self, name: str) -> None:
        self._sources.pop(name, None)
        if self._aps.get_job(name):
            self._aps.remove_job(name)

    def waker(self, name: str) -> Callable[[], None]:
        """What a service calls (after its commit) when it changed ``name``'s rows."""
        return lambda: self.poke(name)

    def poke(self, name: str) -> None:
        """Re-read ``name``'s next due instant (call after adding or changing its rows)."""
        lock = self._locks.get(name)
        if lock is not None and lock.locked():
            # A run is under way: rows added now may look "still due" when it ends; remember
            # that they are new, so the run is followed by another instead of a back-off.
            self._poked_during_run.add(name)
        if name in self._rearm_queued:
            return  # a re-read is already on its way and will see these rows too
        self._rearm_queued.add(name)
        self._spawn(self._rearm(name))

    async def run_now(self, name: str | None = None) -> None:
        """Run due work immediately (all sources, or one) and re-arm the timers."""
        for source_name in [name] if name else list(self._sources):
            await self._run(source_name)

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _rearm(self, name: str) -> None:
        self._rearm_queued.discard(name)
        source = self._sources.get(name)
        if source is None:
            return
        try:
            due = await source.next_due()
        except Exception:
            log.exception("could not read when %s is next due; retrying", name)
            due = self._clock.now() + RETRY_AFTER
        self._arm(name, due)

    def _arm(self, name: str, due: datetime | None) -> None:
        if name not in self._sources:
            return
        if due is None:
            if self._aps.get_job(name):
                self._aps.remove_job(name)
            return
        delay = max(timedelta(0), due - self._clock.now())
        run_at = datetime.now(UTC) + delay
        self._aps.add_job(
            self._fire,
            DateTrigger(run_date=run_at, timezone=UTC),
            args=[name],
            id=name,
            replace_existing=True,
            misfire_grace_time=None,  # late is better than never: the rows decide what to do
            coalesce=True,
        )

    async def _fire(self, name: str) -> None:
        # Hand the run to a task of our own, so shutdown can wait for it (APScheduler won't).
        self._spawn(self._run(name))

    async def _run(self, name: str) -> None:
        source = self._sources.get(name)
        if source is None:
            return
        async with self._locks[name]:
            self._poked_during_run.discard(name)
            now = self._clock.now()
            try:
                await source.run_due(now)
                due = await source.next_due()
            except Exception:
                log.exception("due work %s failed; retrying in %s", name, RETRY_AFTER)
                self._arm(name, self._clock.now() + RETRY_AFTER)
                return
        if name in self._poked_during_run:
            self._poked_during_run.discard(name)
        elif due is not None and due <= now:
            # Still due after a run that saw it due: the source could not handle it yet
            # (a missing channel, Discord down). Back off instead of spinning.
            log.warning("due work %s left rows due at %s; retrying in %s", name, due, RETRY_AFTER)
            due = self._clock.now() + RETRY_AFTER
        self._arm(name, due)
