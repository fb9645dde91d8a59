"""The benchmark path: the real bot in its own process, under the same open-loop load as pong."""

from __future__ import annotations

from pathlib import Path

from localdiscord.driver import Driver
from localdiscord.load import command_mix, run_step
from localdiscord.procs import spawn_bot, stop_bot
from localdiscord.seed import seed
from localdiscord.server import LocalDiscord


async def test_real_bot_subprocess_answers_a_command_mix(tmp_path: Path) -> None:
    server = await LocalDiscord().start()
    world = seed(server)
    proc = await spawn_bot(server, "localdiscord.realbot", "--db", str(tmp_path / "bench.sqlite3"),
                           "--setting", f"moderator_role={world.roles['moderators'].id}")
    try:
        fire = command_mix(Driver(server, world), [
            ("help", {}, "alice"), ("settings view", {}, "mira"), ("settings view", {}, "bob"),
        ])
        step = await run_step(server, fire, rate=30, duration=0.5)
    finally:
        await stop_bot(proc)
        await server.stop()
    assert step.sent == 15 and step.answered == 15
    assert step.p99_ms < 3000
    assert not server.violations and not server.unknown_routes
