"""Attacks on anonymous questions (issue 16), performed through the real bot on localdiscord.
Each test passes only when the attack fails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from localdiscord.driver import Driver
from localdiscord.harness import BotHarness, wait_bot_idle
from localdiscord.seed import User, seed
from tests.e2e.anon_env import Anon

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(e2e: BotHarness, clock: ManualClock) -> Anon:
    return Anon(e2e, clock)


def _extra_members(env: Anon, *names: str) -> list[User]:
    """More accounts in the server (an attacker's sock puppets)."""
    made = []
    for name in names:
        user = env.e2e.server.add_user(name)
        env.e2e.server.add_member(env.world.guild_id, int(user["id"]))
        env.world.members[name] = User(int(user["id"]), name)
        made.append(env.world.members[name])
    return made


def _one_off(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


async def test_other_accounts_guessing_cannot_lock_the_asker_out(env: Anon) -> None:
    """Four accounts sent 5 wrong codes for the question every 15 minutes; the asker's correct
    code was refused for two hours. Now each guesser is slowed, and the asker never is."""
    await env.configure("anonymous")
    code, _ = await env.ask("Locked out?", "Please let me follow up on my own question")
    await env.publish_due()
    [thread] = env.discord.threads_in("anonymous")
    guessers = _extra_members(env, "eve1", "eve2", "eve3", "eve4")
    for round_ in range(2):  # the attack repeated over two 15-minute windows
        for guesser in guessers:
            for _ in range(5):
                reply = await env.discord.invoke("ask close", user=guesser, code=_one_off(code))
                assert "does not match" in reply.text
            refused = await env.discord.invoke("ask close", user=guesser, code=_one_off(code))
            assert "Too many wrong claim codes" in refused.text  # each guesser is slowed
        form = await env.discord.invoke("ask followup", user="alice")
        ack = await env.discord.submit_modal(
            form, {"Claim code": code, "Follow-up": f"Still here ({round_})"}
        )
        assert "as **Asker**" in ack.text, ack.text
        env.clock.advance(timedelta(minutes=15))
        await env.bot.scheduler.run_now("anonymous")
    posted = [m.content for m in env.discord.messages_in(int(thread["id"]))]
    assert sum("Still here" in text for text in posted) == 2
    done = await env.discord.invoke("ask close", user="alice", code=code)
    assert "marked answered" in done.text


async def test_question_numbers_say_nothing_about_other_servers(env: Anon) -> None:
    """One global sequence let server A see its numbers jump when server B got questions."""
    await env.configure("anonymous")
    world_b = seed(env.e2e.server, "Other FMG Server")
    env.e2e.server.dispatch("GUILD_CREATE", env.e2e.server.guild_create_payload(world_b.guild_id))
    await env.bot.services.guild_settings.set(
        world_b.guild_id, "anonymous_channel", world_b.channel("anonymous").id
    )
    driver_b = Driver(env.e2e.server, world_b, bot_idle=wait_bot_idle)

    code_a1, ack = await env.ask("First in A", "q")
    assert "question #1 " in ack.content and code_a1.startswith("1-")
    for n in range(3):
        form = await driver_b.invoke("ask question", user="bob")
        ack_b = await driver_b.submit_modal(
            form, {"Title": f"B {n}", "Your question": "q", "Topic tag (optional)": ""}, user="bob"
        )
        assert f"question #{n + 1} " in ack_b.messages[0].content
    env.clock.advance(timedelta(hours=1))  # past the per-member hourly limit
    code_a2, ack = await env.ask("Second in A", "q")
    assert "question #2 " in ack.content and code_a2.startswith("2-")
    await env.publish_due()
    posts = [m.content for m in env.discord.messages_in("anonymous")]
    assert sorted(p.split("\n")[1] for p in posts) == [
        "-# Anonymous question #1",
        "-# Anonymous question #2",
    ]
    # A's code names A's #2; in server B the same text opens nothing.
    refused = await driver_b.invoke("ask delete", user="alice", code=code_a2)
    assert "does not match" in refused.text
    done = await env.discord.invoke("ask delete", user="alice", code=code_a2)
    assert "#2" in done.text
