"""The one outbox's engine with more than one worker on one database file: each row is sent
once, a claim is taken back only when its holder is gone, and then with its nonce."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import datetime

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import FmgError
from bot.outbox import DueItem, Handler, Outbox, Outcome, Receipt, Send
from bot.shards import ALL, ShardScope

KIND = "test_note"
ROWS = 300


class Notes(Handler):
    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        return Send(item.data["n"])


class Sink:
    """Records every send; ``gate`` holds sends until it is set (a slow Discord). With
    ``meet`` workers, each worker's first send waits (up to 5 s) until that many workers are
    sending, so a claim is under way in each at once however the machine schedules them."""

    def __init__(self, gate: asyncio.Event | None = None, meet: int = 1) -> None:
        self.sent: list[tuple[str, int, str]] = []  # (worker, n, nonce)
        self.started = asyncio.Event()
        self.gate = gate
        self.meet = meet
        self.sending: set[str] = set()
        self.met = asyncio.Event()

    def sender(self, worker: str):
        sink = self

        class Sender:
            async def send(self, item: DueItem, n: int) -> Receipt:
                sink.started.set()
                sink.sending.add(worker)
                if len(sink.sending) >= sink.meet:
                    sink.met.set()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(5):
                        await sink.met.wait()
                if sink.gate is not None:
                    await sink.gate.wait()
                await asyncio.sleep(0)  # let the other worker in
                sink.sent.append((worker, n, item.nonce))
                return Receipt(10**12 + item.id)

        return Sender()


async def _worker(path: str, clock: ManualClock, name: str, sink: Sink,
                  shards: ShardScope = ALL) -> tuple[Database, Outbox]:
    db = await Database.open(path)
    outbox = Outbox(db, clock, worker_id=name, shards=shards)
    outbox.register(KIND, Notes())
    outbox.attach_sender(KIND, sink.sender(name))
    return db, outbox


@pytest.fixture
async def path(db: Database) -> str:
    return db.target  # migrated by the shared fixture


async def test_two_workers_claiming_at_once_send_each_row_once(
    db: Database, path: str, clock: ManualClock
) -> None:
    sink = Sink(meet=2)
    first_db, first = await _worker(path, clock, "worker-1", sink)
    second_db, second = await _worker(path, clock, "worker-2", sink)
    try:
        writer = Outbox(db, clock)
        writer.register(KIND, Notes())
        async with db.transaction():
            for n in range(ROWS):
                await writer.enqueue(KIND, due=clock.now(), data={"n": n})
        for _ in range(3):
            await asyncio.gather(first.run_due(clock.now()), second.run_due(clock.now()))
        sent = Counter(n for _, n, _ in sink.sent)
        assert sorted(sent) == list(range(ROWS)) and set(sent.values()) == {1}
        by_worker = Counter(worker for worker, _, _ in sink.sent)
        assert by_worker["worker-1"] > 0 and by_worker["worker-2"] > 0, by_worker
        states = dict(await db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
        assert states == {"sent": ROWS}
    finally:
        await first.stop()
        await second.stop()
        await first_db.close()
        await second_db.close()


async def test_a_claim_is_taken_back_only_when_its_holder_is_gone(
    db: Database, path: str, clock: ManualClock
) -> None:
    stuck = Sink(gate=asyncio.Event())  # worker-1's sends never finish
    healthy = Sink()
    first_db, first = await _worker(path, clock, "worker-1", stuck)
    second_db, second = await _worker(path, clock, "worker-2", healthy)
    try:
        async with second_db.transaction():
            for n in range(3):
                await second.enqueue(KIND, due=clock.now(), data={"n": n})
        running = asyncio.create_task(first.run_due(clock.now()))
        await asyncio.wait_for(stuck.started.wait(), 5)
        claimed = await db.fetchall("SELECT nonce, claimed_by FROM outbox ORDER BY id")
        assert {r["claimed_by"] for r in claimed} == {"worker-1"}
        # worker-1 is alive (its lease is held): worker-2 leaves its claims alone (on
        # PostgreSQL it looks again a beat later: the holder may stop beating)
        recheck = second_db.worker_lease("worker-2").recheck
        assert await second.next_due() == (None if recheck is None else clock.now() + recheck)
        await second.run_due(clock.now())
        assert healthy.sent == []
        # worker-1 dies mid-send: its claims stay, its lock goes with the process.
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        await first.stop()
        assert await second.next_due() == clock.now()
        await second.run_due(clock.now())
        assert sorted((n, nonce) for _, n, nonce in healthy.sent) == [
            (n, r["nonce"]) for n, r in enumerate(claimed)]  # resent with the same nonces
    finally:
        await first.stop()
        await second.stop()
        await first_db.close()
        await second_db.close()


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
async def test_a_claim_passes_over_rows_another_worker_has_locked(
    db: Database, clock: ManualClock
) -> None:
    """FOR UPDATE SKIP LOCKED: a row locked by another worker's claim (here a bare connection
    holding it) is left to it; the claim takes the others instead of waiting."""
    import asyncpg

    sink = Sink()
    outbox = Outbox(db, clock, worker_id="worker-1")
    outbox.register(KIND, Notes())
    outbox.attach_sender(KIND, sink.sender("worker-1"))
    async with db.transaction():
        for n in range(3):
            await outbox.enqueue(KIND, due=clock.now(), data={"n": n})
    other = await asyncpg.connect(db.target)
    try:
        async with other.transaction():
            await other.execute("SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE")
            async with asyncio.timeout(10):
                await outbox.run_due(clock.now())
        assert sorted(n for _, n, _ in sink.sent) == [1, 2]
    finally:
        await other.close()
        await outbox.stop()


async def test_an_unknown_kind_is_refused(db: Database, clock: ManualClock) -> None:
    outbox = Outbox(db, clock)
    with pytest.raises(FmgError, match="no service registered"):
        await outbox.enqueue("nobody_handles_this", due=clock.now())
    outbox.register(KIND, Notes())
    with pytest.raises(FmgError, match="registered twice"):
        outbox.register(KIND, Notes())
    assert await db.fetchval("SELECT count(*) FROM outbox") == 0


async def test_each_process_claims_only_the_rows_of_its_shards_servers(
    db: Database, path: str, clock: ManualClock
) -> None:
    """Shards 0 and 1 of 2 in two workers: a row goes to the worker whose shard receives its
    server's events; global rows (guild 0) to the holder of shard 0. Nobody waits for, sends,
    or takes back another's rows, even when that other is gone."""
    guilds = {0: [0, 2 << 22, 10 << 22], 1: [1 << 22, 7 << 22]}
    sink = Sink()
    workers = [await _worker(path, clock, f"shard-{i}", sink, ShardScope(2, (i,))) for i in (0, 1)]
    try:
        writer = Outbox(db, clock)
        writer.register(KIND, Notes())
        async with db.transaction():
            for gid in guilds[0] + guilds[1]:
                await writer.enqueue(KIND, due=clock.now(), guild_id=gid, data={"n": gid})
        _, second = workers[1]
        await second.run_due(clock.now())
        assert sorted(n for _, n, _ in sink.sent) == guilds[1]
        assert await second.next_due() is None  # shard 0's rows are due, but not its business
        # shard 0's worker stops with a claim of its own in flight: shard 1 leaves it alone
        first_db, first = workers[0]
        await first_db.execute("UPDATE outbox SET state = 'claimed', claimed_by = 'shard-0', "
                               "claimed_at = ? WHERE guild_id = 0", (int(clock.now().timestamp()),))
        await first.stop()
        await second.run_due(clock.now())
        assert await second.next_due() is None
        assert sorted(n for _, n, _ in sink.sent) == guilds[1]
        # shard 0's next process takes its rows, the orphaned claim included, and only those
        workers.append(await _worker(path, clock, "shard-0b", sink, ShardScope(2, (0,))))
        _, successor = workers[-1]
        await successor.run_due(clock.now())
        by_worker = {n: w for w, n, _ in sink.sent}
        assert sorted(by_worker) == sorted(guilds[0] + guilds[1])
        assert {by_worker[g] for g in guilds[0]} == {"shard-0b"}
        assert {by_worker[g] for g in guilds[1]} == {"shard-1"}
    finally:
        for worker_db, outbox in workers:
            await outbox.stop()
            await worker_db.close()
