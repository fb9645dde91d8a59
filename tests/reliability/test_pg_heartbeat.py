"""Outbox workers on PostgreSQL tell the living from the gone by heartbeat rows timed by the
server's clock: a worker hung while holding a claim (SIGSTOP: not dead, its connections open)
has the claim taken over after the stale threshold and the row reaches localdiscord once; a
worker that keeps beating is never taken over; a failed beat is logged and the next one lands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock, SystemClock
from bot.db import Database, _pg_lease
from bot.outbox import DueItem, Outbox, Receipt, Report
from localdiscord import LocalDiscord, seed
from tests.pg_server import PgServer
from tests.reliability.pg_outbox_worker import KIND, Pings

ROOT = Path(__file__).resolve().parents[2]
BEAT_S, STALE_S = 0.2, 2.0
#: a threshold the test never reaches: what is taken over came from the lock, not the beat
LONG_STALE_S = 60.0
#: beats are whole seconds: a worker may look up to this much older than it is
ROUNDING_S = 1.0


@pytest.fixture
async def url(pg_server: PgServer) -> AsyncIterator[str]:
    yield await pg_server.new_database()


async def _worker(url: str, api_base: str, worker_id: str, *,
                  stale_s: float = STALE_S) -> asyncio.subprocess.Process:
    """(Waited for without blocking the loop: localdiscord answers its first sends.)"""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.reliability.pg_outbox_worker", url, api_base, worker_id,
        str(BEAT_S), str(stale_s), cwd=ROOT, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    assert (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() == b"ready"
    return proc


async def _enqueue(db: Database, channel_id: int, text: str) -> str:
    outbox = Outbox(db, SystemClock())
    outbox.register(KIND, Pings())
    row_id = await outbox.enqueue(KIND, due=SystemClock().now(),
                                  data={"text": text, "channel_id": channel_id})
    return await db.fetchval("SELECT nonce FROM outbox WHERE id = ?", (row_id,))


@pytest.fixture
async def slow_discord() -> AsyncIterator[tuple[LocalDiscord, int]]:
    """localdiscord where a message takes 1.5 s to post, and its channel's id: a claim is
    still held when the test stops its worker."""
    server = await LocalDiscord().start()
    channel = seed(server).channels["general"].id
    server.faults.add_latency(1.5, route=r"/channels/\d+/messages$")
    try:
        yield server, channel
    finally:
        await server.stop()


def _posts(server: LocalDiscord, nonce: str) -> int:
    return sum(1 for r in server.requests if r.method == "POST"
               and isinstance(r.body, dict) and r.body.get("nonce") == nonce)


async def _until_sent(db: Database) -> None:
    async with asyncio.timeout(10):
        while await db.fetchval("SELECT state FROM outbox") != "sent":  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # (another process's database: polled)


async def _stop(procs: list[asyncio.subprocess.Process]) -> None:
    for proc in procs:
        if proc.returncode is None:
            proc.send_signal(signal.SIGCONT)
            proc.kill()
            await proc.wait()


async def test_a_hung_workers_claim_is_taken_over_and_sent_once(
    url: str, slow_discord: tuple[LocalDiscord, int],
) -> None:
    server, channel = slow_discord
    db = await Database.open(url)
    procs: list[asyncio.subprocess.Process] = []
    try:
        procs.append(await _worker(url, server.api_base, "hung"))
        nonce = await _enqueue(db, channel, "hello once")
        assert await server.wait_until(lambda: _posts(server, nonce) == 1, 10)
        procs[0].send_signal(signal.SIGSTOP)  # mid-send, its claim held, its beats stop
        stopped = asyncio.get_running_loop().time()
        assert await db.fetchval("SELECT claimed_by FROM outbox") == "hung"
        procs.append(await _worker(url, server.api_base, "healthy"))
        assert await server.wait_until(lambda: _posts(server, nonce) == 2, STALE_S + 10)
        waited = asyncio.get_running_loop().time() - stopped  # resent once it was stale
        assert waited >= STALE_S - ROUNDING_S - BEAT_S, waited
        await _until_sent(db)
        recorded = await db.fetchone("SELECT message_id, claimed_by FROM outbox")
        procs[0].send_signal(signal.SIGCONT)  # it wakes up, its send answers: it records nothing
        await asyncio.sleep(STALE_S)
        assert await db.fetchone("SELECT message_id, claimed_by FROM outbox") == recorded
    finally:
        await _stop(procs)
        await db.close()
    messages = [m for m in server.messages.values() if m.get("nonce") == nonce]
    assert len(messages) == 1  # the nonce check kept one message
    assert int(messages[0]["id"]) == recorded["message_id"] and recorded["claimed_by"] is None
    assert server.violations == []


async def test_a_killed_workers_claim_is_taken_over_at_once_not_after_the_threshold(
    url: str, slow_discord: tuple[LocalDiscord, int],
) -> None:
    """A dead process's lock session ends with it: its claims need not wait for the beat to
    go stale (STALE_S here is far longer than the test may take)."""
    server, channel = slow_discord
    db = await Database.open(url)
    procs: list[asyncio.subprocess.Process] = []
    try:
        procs.append(await _worker(url, server.api_base, "killed", stale_s=LONG_STALE_S))
        nonce = await _enqueue(db, channel, "hello once")
        assert await server.wait_until(lambda: _posts(server, nonce) == 1, 10)
        procs[0].kill()  # mid-send, its claim held
        await procs[0].wait()
        killed = asyncio.get_running_loop().time()
        procs.append(await _worker(url, server.api_base, "healthy", stale_s=LONG_STALE_S))
        assert await server.wait_until(lambda: _posts(server, nonce) == 2, 15)
        assert asyncio.get_running_loop().time() - killed < LONG_STALE_S / 2
        await _until_sent(db)
    finally:
        await _stop(procs)
        await db.close()
    assert len([m for m in server.messages.values() if m.get("nonce") == nonce]) == 1


class SlowSender:
    """Each send takes ``seconds``; counts the sends of each nonce."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.sent: list[str] = []

    async def send(self, item: DueItem, data: dict) -> Receipt:
        self.sent.append(item.nonce)
        await asyncio.sleep(self.seconds)
        return Receipt(10**12 + item.id)


async def test_a_worker_that_keeps_beating_is_never_taken_over(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_pg_lease, "BEAT_S", BEAT_S)
    monkeypatch.setattr(_pg_lease, "STALE_S", STALE_S)
    clock = ManualClock(datetime.now().astimezone())
    first_db, second_db = await Database.open(url), await Database.open(url)
    sender = SlowSender(3 * STALE_S)
    first, second = Outbox(first_db, clock, worker_id="slow"), Outbox(second_db, clock)
    for worker in (first, second):
        worker.register(KIND, Pings())
        worker.attach_sender(KIND, sender)
    try:
        await first.enqueue(KIND, due=clock.now(), data={"text": "x", "channel_id": 1})
        sending = asyncio.create_task(first.run_due(clock.now()))
        async with asyncio.timeout(5):
            while not sender.sent:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        for _ in range(int(3 * STALE_S / 0.25) - 2):  # the other worker looks, all along
            assert await second.next_due() == clock.now() + timedelta(seconds=BEAT_S)  # alive
            await second.run_due(clock.now())
            await asyncio.sleep(0.25)
        assert (await sending).sent == 1
        assert len(sender.sent) == 1
    finally:
        await first.stop()
        await second.stop()
        await first_db.close()
        await second_db.close()


async def test_a_claim_of_a_worker_still_beating_is_looked_at_again_until_it_is_stale(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process restarted at once after a SIGKILL finds its predecessor's claims, whose beats
    are still fresh: it must come back to them once they are stale, not wait for other work."""
    monkeypatch.setattr(_pg_lease, "BEAT_S", BEAT_S)
    monkeypatch.setattr(_pg_lease, "STALE_S", STALE_S)
    clock = ManualClock(datetime.now().astimezone())
    first_db, second_db = await Database.open(url), await Database.open(url)
    sender = SlowSender(0)
    first, second = Outbox(first_db, clock, worker_id="killed"), Outbox(second_db, clock)
    for worker in (first, second):
        worker.register(KIND, Pings())
        worker.attach_sender(KIND, sender)
    try:
        await first.enqueue(KIND, due=clock.now(), data={"text": "x", "channel_id": 1})
        await first._lease.hold()
        [(item, _)], _ = await first._claim_batch(clock.now(), Report())
        first._lease._task.cancel()  # type: ignore[attr-defined]  # SIGKILL: no beat, no goodbye
        assert await second.next_due() == clock.now() + timedelta(seconds=BEAT_S)
        async with asyncio.timeout(STALE_S + 5):
            while await second.next_due() != clock.now():  # noqa: ASYNC110
                await asyncio.sleep(BEAT_S)  # what the timer does: look again a beat later
        assert (await second.run_due(clock.now())).sent == 1
        assert sender.sent == [item.nonce]  # resent with its nonce
    finally:
        await first.stop()
        await second.stop()
        await first_db.close()
        await second_db.close()


class FlakyPool:
    """The pool, except that ``failures`` beats in a row raise as a lost connection would."""

    def __init__(self, pool: object, failures: int) -> None:
        self._pool = pool
        self.failures = failures

    async def execute(self, sql: str, *args: object, **kwargs: object) -> str:
        if sql.startswith("INSERT INTO outbox_workers") and self.failures:
            self.failures -= 1
            raise ConnectionResetError("connection lost")
        return await self._pool.execute(sql, *args, **kwargs)  # type: ignore[attr-defined]


async def test_the_heartbeat_survives_a_failed_beat(
    url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_pg_lease, "BEAT_S", BEAT_S)
    monkeypatch.setattr(_pg_lease, "STALE_S", STALE_S)
    db, observer = await Database.open(url), await Database.open(url)
    lease = db.worker_lease("flaky")
    watcher = observer.worker_lease("observer")
    try:
        await lease.hold()
        first = await db.fetchval("SELECT beat_at FROM outbox_workers")
        lease._pool = FlakyPool(lease._pool, failures=2)  # type: ignore[attr-defined]
        with caplog.at_level(logging.WARNING, logger="bot.db._pg_lease"):
            await asyncio.sleep(STALE_S + 4 * BEAT_S)
        failed = [r for r in caplog.records if "heartbeat failed" in r.getMessage()]
        assert len(failed) == 2 and all(r.exc_info for r in failed)
        assert any("heartbeat restored" in r.getMessage() for r in caplog.records)
        assert await db.fetchval("SELECT beat_at FROM outbox_workers") > first
        assert await watcher.alive("flaky")
        await lease.release()  # a clean stop: gone at once
        assert not await watcher.alive("flaky")
    finally:
        await db.close()
        await observer.close()


async def test_a_transaction_left_hanging_does_not_stop_every_writer(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every transaction holds the write lock: a process hung inside one (here a task asleep in
    it) would hold up the writers of every process, its takeover included. The server ends
    its session instead, and the others write on."""
    from bot.db import _postgres

    monkeypatch.setattr(_postgres, "IDLE_IN_TRANSACTION_S", 1.0)
    hung_db, other = await Database.open(url), await Database.open(url)
    entered = asyncio.Event()

    async def hang() -> None:
        async with hung_db.transaction():
            await hung_db.execute("INSERT INTO outbox_workers (worker_id, beat_at) VALUES ('a', 1)")
            entered.set()
            await asyncio.sleep(30)

    hung = asyncio.create_task(hang())
    try:
        await asyncio.wait_for(entered.wait(), 5)
        async with asyncio.timeout(10):  # without the timeout: until the sleeper wakes
            await other.execute("INSERT INTO outbox_workers (worker_id, beat_at) VALUES ('b', 1)")
        assert await other.fetchval("SELECT string_agg(worker_id, ',') FROM outbox_workers") == "b"
    finally:
        hung.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await hung
        await hung_db.close()
        await other.close()
