"""The floor: a bare discord.py pong bot on localdiscord (real HTTP client and gateway).

The bot runs in a subprocess (its own core); localdiscord and the load generator run here.
Round trip = INTERACTION_CREATE queued on the gateway -> callback (type 4) received.
- ``pong_p50_ms`` / ``pong_p99_ms``: at a steady 100 interactions/s.
- ``pong_max_sustained_rps``: rates ramp up until p99 passes 100 ms (or answers go missing).
The measurement is taken once per run and shared with ``bench_load`` (its baseline). Spec
validation is off here (the e2e tests keep it on): validating an answer with components costs
localdiscord ~1 ms of its core, which made the load server, not the bot, the ceiling.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from benchmarks.figures import Figure
from localdiscord.clibot import proc_status_kb
from localdiscord.driver import Driver
from localdiscord.load import Fire, RampResult, StepResult, command_mix, quiet, ramp, run_step
from localdiscord.procs import spawn_bot, stop_bot
from localdiscord.seed import seed
from localdiscord.server import LocalDiscord

P99_LIMIT_MS = 100.0
#: A failed ramp step is tried once more before it counts (for pong and the real bot alike).
RETRIES = 1


def _report(step: StepResult) -> None:
    stopped = f" (stopped early: {step.sent} of {step.planned} sent)" if step.sent < step.planned else ""
    print(f"# pong {step.rate:g}/s: {step.answered}/{step.sent} answered{stopped}, "
          f"p50 {step.p50_ms:.2f} ms, p99 {step.p99_ms:.2f} ms", file=sys.stderr)


@dataclass(frozen=True)
class PongResult:
    """The floor, measured once per run and shared (``bench_load`` compares against it)."""

    steady: StepResult
    ramp: RampResult
    rss_kb: int

    @property
    def ceiling(self) -> float:
        return self.ramp.max_sustained_rps

    @property
    def errors(self) -> int:
        """Interactions the pong bot left unanswered at 100/s."""
        return self.steady.sent - self.steady.answered


_measured: dict[bool, PongResult] = {}


def ramp_rates(quick: bool) -> list[float]:
    """The rates every load ramp climbs (pong and the real bot alike, so ceilings compare)."""
    if quick:
        return [100, 200, 300, 400, 600, 800, 1000, 1200, 1600, 2000, 2400, 3200, 4000]
    return [100, 200, 300, 400, 600, 800, 1000, 1300, 1600, 2000, 2500, 3000, 4000]


def step_seconds(quick: bool) -> float:
    return 1.0 if quick else 3.0


@asynccontextmanager
async def pong_running() -> AsyncIterator[tuple[LocalDiscord, Fire, asyncio.subprocess.Process]]:
    """The pong bot on a localdiscord of its own: (server, fire, process)."""
    server = await LocalDiscord(validate=False).start()
    quiet(server)
    world = seed(server)
    proc = await spawn_bot(server, "localdiscord.pongbot")
    try:
        yield server, command_mix(Driver(server, world), [("ping", {}, "alice"),
                                                          ("ping", {}, "bob")]), proc
    finally:
        await stop_bot(proc)
        await server.stop()


async def measure_pong(quick: bool) -> PongResult:
    """Run the pong bot's steady step and ramp, once per process and mode."""
    if quick in _measured:
        return _measured[quick]
    async with pong_running() as (server, fire, proc):
        await run_step(server, fire, 50, 0.5)  # warm up caches and connections
        steady = await run_step(server, fire, 100, 2.0 if quick else 10.0)
        result = await ramp(server, fire, ramp_rates(quick), step_seconds=step_seconds(quick),
                            p99_limit_ms=P99_LIMIT_MS, retries=RETRIES, on_step=_report)
        rss_kb = proc_status_kb(proc.pid, "VmHWM")
    _measured[quick] = PongResult(steady, result, rss_kb)
    return _measured[quick]


async def run(quick: bool) -> list[Figure]:
    pong = await measure_pong(quick)
    steady, best = pong.steady, pong.ceiling
    return [
        Figure("pong_p50_ms", steady.p50_ms, "ms", target="< 10 ms", ok=steady.p50_ms < 10),
        Figure("pong_p99_ms", steady.p99_ms, "ms", target="< 100 ms", ok=steady.p99_ms < P99_LIMIT_MS),
        Figure("pong_max_sustained_rps", best, "/s", target=">= 100 /s", ok=best >= 100),
    ]
