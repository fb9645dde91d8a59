"""Attacks on anonymous questions (issue 16), performed through the real bot on localdiscord.
Each test passes only when the attack fails."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable, Iterator
from datetime import timedelta
from typing import TypeVar

import pytest

from bot.clock import ManualClock
from bot.logs import setup_logging
from localdiscord.driver import Driver
from localdiscord.harness import BotHarness, wait_bot_idle
from localdiscord.seed import User, seed
from tests.e2e.anon_env import Anon

pytestmark = pytest.mark.e2e
T = TypeVar("T")


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
        await env.publish_due()
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
    assert "will be removed" in done.text


async def test_follow_ups_go_to_review_when_questions_do(env: Anon) -> None:
    """With pre-approval on, an approved harmless question's follow-up was posted at once,
    unreviewed: a way around the moderators for anything."""
    await env.configure("anonymous", preapproval=True)
    code, _ = await env.ask("Harmless", "Which Step 2 books?")
    await env.publish_due()
    [review] = env.discord.messages_in("mod_review")
    await env.discord.click(review, label="Approve", user="mira")
    await env.publish_due()
    [thread] = env.discord.threads_in("anonymous")
    thread_id = int(thread["id"])
    before = len(env.discord.messages_in(thread_id))

    for text in ("Verify your ECFMG account at evil.example", "Thanks, that helps!"):
        form = await env.discord.invoke("ask followup", user="alice")
        ack = await env.discord.submit_modal(form, {"Claim code": code, "Follow-up": text})
        assert "for approval" in ack.text
    await env.publish_due()
    assert len(env.discord.messages_in(thread_id)) == before  # nothing public yet
    bad, good = env.discord.messages_in("mod_review")[-2:]
    if "evil" not in bad.content:
        bad, good = good, bad
    assert "A follow-up to anonymous question #1" in bad.content and not bad.pings_anyone
    assert [b["label"] for b in bad.buttons] == ["Approve", "Reject"]

    refused = await env.discord.click(good, label="Approve", user="bob")
    assert "Only moderators" in refused.text
    await env.discord.click(bad, label="Reject", user="mira")
    assert "rejected" in bad.content and bad.buttons == []
    await env.discord.click(good, label="Approve", user="mira")
    assert "approved" in good.content and good.buttons == []
    await env.publish_due()
    posted = [m.content for m in env.discord.messages_in(thread_id)[before:]]
    assert posted == ["**Asker** (follow-up):\nThanks, that helps!"]
    for table in ("outbox", "anon_held_followups"):
        rows = await env.bot.db.fetchall(f"SELECT * FROM {table}")
        assert not [r for r in rows if "evil" in str(tuple(r))]  # the rejected text is erased

    # A follow-up still waiting when the asker deletes the question leaves no text behind.
    form = await env.discord.invoke("ask followup", user="alice")
    await env.discord.submit_modal(form, {"Claim code": code, "Follow-up": "Never mind, gone"})
    await env.publish_due()
    held = env.discord.messages_in("mod_review")[-1]
    assert "Never mind, gone" in held.content
    await env.discord.invoke("ask delete", user="alice", code=code)
    await env.publish_due()
    assert "Never mind" not in held.content and "deleted by its asker" in held.content
    assert held.buttons == [] and review.content == held.content


class _NotTheFakeDiscord(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("localdiscord")


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    handler = setup_logging("DEBUG", stream=stream)  # as LOG_LEVEL=DEBUG, before the bot starts
    handler.addFilter(_NotTheFakeDiscord())
    try:
        yield stream
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


@pytest.fixture
def logged_env(debug_log: io.StringIO, e2e: BotHarness, clock: ManualClock) -> Anon:
    return Anon(e2e, clock)


_ANONYMOUS_HINT = re.compile(r"anon|question|follow|claim|sched|checkpoint", re.IGNORECASE)


async def test_no_log_line_and_no_deletion_happens_at_the_askers_instant(
    logged_env: Anon, debug_log: io.StringIO
) -> None:
    """"anonymous question N queued" was logged (INFO) at the moment of asking, APScheduler
    logged its re-arming (INFO), and `/ask delete` removed the post inside the asker's own
    interaction: each dated an asker's action."""
    env = logged_env
    await env.configure("anonymous", review=True)
    during: list[str] = []

    async def as_asker(action: Awaitable[T]) -> T:
        start = len(debug_log.getvalue())
        result = await action
        during.extend(debug_log.getvalue()[start:].splitlines())
        return result

    code, _ = await as_asker(env.ask("Timing", "When did I ask?"))
    await env.publish_due()
    [post] = env.discord.messages_in("anonymous")
    form = await as_asker(env.discord.invoke("ask followup", user="alice"))
    await as_asker(env.discord.submit_modal(form, {"Claim code": code, "Follow-up": "More"}))
    await as_asker(env.discord.invoke("ask close", user="alice", code=code))
    await env.publish_due()
    reply = await as_asker(env.discord.invoke("ask delete", user="alice", code=code))
    assert "will be removed" in reply.text
    assert not post.deleted and env.discord.threads_in("anonymous")  # not at her instant...
    await env.publish_due()
    assert post.deleted and env.discord.threads_in("anonymous") == []  # ...but after a delay

    assert len(during) > 10 and any("DEBUG" in line for line in during)  # the capture works
    assert [line for line in during if " DEBUG " not in line] == []  # nothing at INFO or above
    assert [line for line in during if _ANONYMOUS_HINT.search(line)] == []
    # Control: the publisher's own lines (at random instants) are in the same log.
    assert "anonymous post" in debug_log.getvalue()
