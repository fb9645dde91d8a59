"""Open-loop interaction load against a connected bot, and a ramp to its sustainable rate.

Latency is the round trip the server sees: INTERACTION_CREATE queued on the gateway ->
initial callback received (``Interaction.latency``). The generator is open-loop (it keeps its
schedule whether or not answers come back), so an overloaded bot shows up as growing latency
and missing answers rather than as a politely slowed-down sender.

``bench_pong`` uses it with a bare discord.py pong bot; other benchmarks can run the same ramp
against the real bot with a mix of commands (``command_mix``).
"""

from __future__ import annotations

import asyncio
import gc
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from localdiscord.driver import Driver
from localdiscord.server import LocalDiscord
from localdiscord.state import Interaction

Fire = Callable[[], Interaction]


@dataclass
class StepResult:
    """One constant-rate step: what was sent, answered, and how fast."""

    rate: float
    duration: float
    sent: int
    planned: int
    answered: int
    latencies_ms: list[float] = field(default_factory=list)
    send_lag_ms: float = 0.0  # how far the sender fell behind its own schedule (worst case)

    @property
    def p50_ms(self) -> float:
        return _pct(self.latencies_ms, 50)

    @property
    def p99_ms(self) -> float:
        return _pct(self.latencies_ms, 99)

    @property
    def achieved_rps(self) -> float:
        return self.answered / self.duration if self.duration else 0.0

    def sustained(self, p99_limit_ms: float) -> bool:
        """All of the step sent and answered, p99 under the limit, and the sender kept its pace."""
        return (self.sent == self.planned and self.answered == self.sent
                and self.p99_ms < p99_limit_ms and self.achieved_rps >= 0.9 * self.rate)


@dataclass
class RampResult:
    steps: list[StepResult]
    p99_limit_ms: float

    @property
    def max_sustained_rps(self) -> float:
        """The highest rate before the first step that was not sustained (0 if none was)."""
        best = 0.0
        for step in self.steps:
            if not step.sustained(self.p99_limit_ms):
                break
            best = step.rate
        return best


def _pct(samples: Sequence[float], pct: float) -> float:
    if not samples:
        return float("inf")
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


async def run_step(server: LocalDiscord, fire: Fire, rate: float, duration: float,
                   *, drain: float = 2.0, give_up_after: float = 0.5) -> StepResult:
    """Fire ``rate`` interactions per second for ``duration`` s, then wait up to ``drain`` s.

    The server keeps every message and interaction it saw; before a step, what exists is moved
    out of the collector's sight, or its full collections (120 ms by the end of a ramp) would
    show up as the bot's latency.

    A step stops early once an interaction has waited ``give_up_after`` s for its answer (five
    times the p99 a sustained step may have): the step has failed, and firing on would only
    bury the bot and this server under a backlog (and count a meltdown's memory and errors)."""
    gc.collect()
    gc.freeze()
    count = max(1, int(rate * duration))
    records: list[Interaction] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    worst_lag = 0.0
    cursor = [0]

    def all_answered() -> bool:  # amortised O(1): answers arrive nearly in order
        while cursor[0] < len(records) and records[cursor[0]].responded:
            cursor[0] += 1
        return cursor[0] == len(records)

    for i in range(count):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        else:
            worst_lag = max(worst_lag, -delay)
            if i % 50 == 0:
                await asyncio.sleep(0)  # let the server read answers even when behind
        if i % 50 == 0 and not all_answered() and (
                server.monotonic() - records[cursor[0]].created > give_up_after):
            break
        records.append(fire())
    sent_at = loop.time()

    await server.wait_until(all_answered, drain)
    elapsed = max(duration, sent_at - start)
    answered = [r for r in records if r.responded]
    return StepResult(
        rate=rate, duration=elapsed, sent=len(records), planned=count, answered=len(answered),
        latencies_ms=[r.latency * 1000 for r in answered if r.latency is not None],
        send_lag_ms=worst_lag * 1000,
    )


async def ramp(server: LocalDiscord, fire: Fire, rates: Sequence[float], *, step_seconds: float,
               p99_limit_ms: float = 100.0, pause: float = 0.3, retries: int = 1,
               on_step: Callable[[StepResult], None] | None = None) -> RampResult:
    """Run increasing constant-rate steps until one is not sustained (p99 over the limit,
    answers missing, or the pace not kept). A failed step is retried ``retries`` times after a
    pause, so one burst of noise from a neighbour on a shared machine does not end the ramp;
    only the last attempt at each rate is kept."""
    result = RampResult([], p99_limit_ms)
    for rate in rates:
        for attempt in range(retries + 1):
            step = await run_step(server, fire, rate, step_seconds)
            if on_step is not None:
                on_step(step)
            if step.sustained(p99_limit_ms) or attempt == retries:
                break
            await asyncio.sleep(pause * 3)
        result.steps.append(step)
        if not step.sustained(p99_limit_ms):
            break
        await asyncio.sleep(pause)
    return result


def command_mix(driver: Driver, commands: Sequence[tuple[str, dict[str, Any], str]],
                *, channel: str = "general") -> Fire:
    """A ``Fire`` cycling through ``(command path, options, member name)`` entries, built once
    with the driver (typed options, resolved members) and re-dispatched with fresh ids."""
    prepared = [
        (driver.build_command_data(path, dict(options)), driver.world.member(user).id)
        for path, options, user in commands
    ]
    channel_id = driver.world.channel(channel).id
    cycle = itertools.cycle(prepared)

    def fire() -> Interaction:
        data, user_id = next(cycle)
        return driver.server.new_interaction(type=2, user_id=user_id, channel_id=channel_id, data=data)

    return fire


def quiet(server: LocalDiscord) -> None:
    """Stop per-request bookkeeping that would grow without bound under load."""
    server.record_requests = False
