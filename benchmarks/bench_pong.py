"""The floor: a bare discord.py pong bot on localdiscord (real HTTP client and gateway).

The bot runs in a subprocess (its own core); localdiscord and the load generator run here.
Round trip = INTERACTION_CREATE queued on the gateway -> callback (type 4) received.
- ``pong_p50_ms`` / ``pong_p99_ms``: at a steady 100 interactions/s.
- ``pong_max_sustained_rps``: rates ramp up until p99 passes 100 ms (or answers go missing).
"""

from __future__ import annotations

import sys

from benchmarks.figures import Figure
from localdiscord.driver import Driver
from localdiscord.load import StepResult, command_mix, quiet, ramp, run_step
from localdiscord.procs import spawn_bot, stop_bot
from localdiscord.seed import seed
from localdiscord.server import LocalDiscord
from localdiscord.spec import spec_available

P99_LIMIT_MS = 100.0


def _report(step: StepResult) -> None:
    print(f"# pong {step.rate:g}/s: {step.answered}/{step.sent} answered, "
          f"p50 {step.p50_ms:.2f} ms, p99 {step.p99_ms:.2f} ms", file=sys.stderr)


async def run(quick: bool) -> list[Figure]:
    server = await LocalDiscord(validate=spec_available()).start()
    quiet(server)
    world = seed(server)
    proc = await spawn_bot(server, "localdiscord.pongbot")
    try:
        fire = command_mix(Driver(server, world), [("ping", {}, "alice"), ("ping", {}, "bob")])
        await run_step(server, fire, 50, 0.5)  # warm up caches and connections
        steady = await run_step(server, fire, 100, 2.0 if quick else 10.0)
        rates = [100, 200, 400, 800, 1200, 1600, 2400] if quick else \
            [100, 200, 300, 400, 600, 800, 1000, 1300, 1600, 2000, 2500, 3000, 4000]
        result = await ramp(server, fire, rates, step_seconds=1.0 if quick else 3.0,
                            p99_limit_ms=P99_LIMIT_MS, on_step=_report)
    finally:
        await stop_bot(proc)
        await server.stop()
    best = result.max_sustained_rps
    return [
        Figure("pong_p50_ms", steady.p50_ms, "ms", target="< 10 ms", ok=steady.p50_ms < 10),
        Figure("pong_p99_ms", steady.p99_ms, "ms", target="< 100 ms", ok=steady.p99_ms < P99_LIMIT_MS),
        Figure("pong_max_sustained_rps", best, "/s", target=">= 100 /s", ok=best >= 100),
    ]
