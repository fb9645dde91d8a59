"""The scheduler drives due work stored in rows, under a clock the test controls."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.clock import ManualClock
from bot.scheduler import Scheduler


class RowSource:
    """Due times kept in a list, standing in for rows: run_due removes what it handles."""

    def __init__(self, clock: ManualClock, due: list[datetime]) -> None:
        self.clock = clock
        self.due = sorted(due)
        self.handled: list[tuple[datetime, datetime]] = []
        self.fail_next = False

    async def next_due(self) -> datetime | None:
        return self.due[0] if self.due else None

    async def run_due(self, now: datetime) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("discord is down")
        while self.due and self.due[0] <= now:
            self.handled.append((self.due.pop(0), now))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


async def test_nothing_fires_until_the_clock_reaches_it(clock: ManualClock) -> None:
    scheduler = Scheduler(clock)
    scheduler.start()
    source = RowSource(clock, [clock.now() + timedelta(hours=1)])
    scheduler.register("rows", source)
    await settle()
    assert source.handled == []
    clock.advance(timedelta(hours=1))
    await scheduler.run_now()
    assert len(source.handled) == 1
    await scheduler.shutdown()


async def test_rows_already_due_at_registration_run_at_once(clock: ManualClock) -> None:
    """The restart path: work that fell due while the bot was down runs when the source registers."""
    scheduler = Scheduler(clock)
    scheduler.start()
    source = RowSource(clock, [clock.now() - timedelta(minutes=5), clock.now() - timedelta(minutes=1)])
    scheduler.register("rows", source)
    await settle()
    assert len(source.handled) == 2
    await scheduler.shutdown()


async def test_poke_rearms_after_new_rows(clock: ManualClock) -> None:
    scheduler = Scheduler(clock)
    scheduler.start()
    source = RowSource(clock, [])
    scheduler.register("rows", source)
    await settle()
    source.due.append(clock.now())
    scheduler.poke("rows")
    await settle()
    assert len(source.handled) == 1
    await scheduler.shutdown()


async def test_a_failed_run_is_retried_later_not_lost(clock: ManualClock) -> None:
    scheduler = Scheduler(clock)
    scheduler.start()
    source = RowSource(clock, [clock.now()])
    source.fail_next = True
    scheduler.register("rows", source)
    await settle()
    assert source.handled == [] and source.due
    clock.advance(timedelta(seconds=30))
    await scheduler.run_now("rows")
    assert len(source.handled) == 1
    await scheduler.shutdown()


async def test_real_timer_fires_with_the_system_clock() -> None:
    from bot.clock import SystemClock

    clock = SystemClock()
    scheduler = Scheduler(clock)
    scheduler.start()
    source = RowSource(clock, [clock.now() + timedelta(milliseconds=200)])  # type: ignore[arg-type]
    scheduler.register("rows", source)
    await asyncio.sleep(0.05)
    assert source.handled == []
    for _ in range(100):
        if source.handled:
            break
        await asyncio.sleep(0.05)
    due, ran = source.handled[0]
    assert timedelta(0) <= ran - due < timedelta(seconds=2)
    await scheduler.shutdown()


async def test_rows_added_during_a_run_are_run_next_not_backed_off(clock: ManualClock) -> None:
    """A poke while a run is under way must not be mistaken for rows the source cannot handle."""
    scheduler = Scheduler(clock)
    scheduler.start()
    release = asyncio.Event()

    class SlowSource(RowSource):
        async def run_due(self, now: datetime) -> None:
            await release.wait()
            # Handles only what was due when the run started, like a source that claimed first.
            while self.due and self.due[0] <= now - timedelta(seconds=1):
                self.handled.append((self.due.pop(0), now))

    source = SlowSource(clock, [clock.now() - timedelta(seconds=5)])
    scheduler.register("rows", source)
    await settle()
    source.due.append(clock.now())  # added while the run waits; too new for that run
    scheduler.poke("rows")
    clock.advance(timedelta(seconds=2))
    release.set()
    await settle()
    assert len(source.handled) == 2  # the second run came at once, not 30 s later
    await scheduler.shutdown()
