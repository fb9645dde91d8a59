"""The benchmark path: the real bot in its own process, under the same open-loop load as pong."""

from __future__ import annotations

from pathlib import Path

from localdiscord.driver import Driver
from localdiscord.load import command_mix, run_step
from localdiscord.procs import spawn_bot, stop_bot
from localdiscord.seed import seed
from localdiscord.server import LocalDiscord
from localdiscord.state import Interaction


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


async def test_a_step_nobody_answers_stops_early_and_is_not_sustained() -> None:
    server = await LocalDiscord().start()  # no bot: nothing is ever answered
    world = seed(server)
    try:
        alice, general = world.member("alice").id, world.channel("general").id

        def fire() -> Interaction:
            return server.new_interaction(type=2, user_id=alice, channel_id=general,
                                          data={"id": "1", "name": "help", "type": 1})

        step = await run_step(server, fire, rate=200, duration=3.0, drain=0.1, give_up_after=0.3)
    finally:
        await server.stop()
    assert step.planned == 600 and 0 < step.sent < 200  # gave up within about half a second
    assert step.answered == 0 and not step.sustained(100.0)
