"""A post resent after a crash (same row, same nonce) adds nothing: every message of it is
deduplicated by its own nonce, and the thread the first attempt made is found again."""

from __future__ import annotations

from dataclasses import replace

from bot.services.anonymous import OutboxJob
from cogs.anonymous.cog import AnonymousSender, part_nonce
from localdiscord.harness import BotHarness

NONCE = "0123456789abcdef0123"


async def test_a_question_resent_after_a_crash_posts_nothing_twice(e2e: BotHarness) -> None:
    assert e2e.bot is not None and e2e.world is not None
    channel = e2e.world.channels["anonymous"].id
    job = OutboxJob(id=1, kind="question", question_id=1, number=7, guild_id=e2e.world.guild_id,
                    title="How do I start?", tag=None,
                    chunks=["**Question #7**: first part", "second part", "third part"],
                    nonce=NONCE, target_channel_id=channel, attempts=1)
    sender = AnonymousSender(e2e.bot)
    first = await sender._send(job)
    before = dict(e2e.server.messages)
    again = await sender._send(job)  # the crash came after the whole post went out
    assert (again.message_id, again.thread_id) == (first.message_id, first.thread_id)
    assert e2e.server.messages == before
    thread = [m for m in before.values() if m["channel_id"] == str(first.thread_id)]
    assert [m["content"] for m in thread] == ["second part", "third part"]
    assert [m["nonce"] for m in thread] == [part_nonce(NONCE, 1), part_nonce(NONCE, 2)]
    assert all(len(part_nonce("f" * 25, n)) <= 25 for n in range(100))  # Discord's limit


async def test_a_forum_post_resent_after_a_crash_is_found_not_posted_again(
    e2e: BotHarness,
) -> None:
    """A forum post takes no nonce: Discord would make a second post. The resend finds the
    first (same forum, same starter text, which names the question's number) and only adds
    what the crash left unsent."""
    assert e2e.bot is not None and e2e.world is not None
    forum = e2e.world.channels["forum"].id
    job = OutboxJob(id=2, kind="question", question_id=2, number=8, guild_id=e2e.world.guild_id,
                    title="Visa timing", tag="visa",
                    chunks=["**Question #8**: first part", "second part"],
                    nonce=NONCE, target_channel_id=forum, attempts=1)
    other = OutboxJob(id=3, kind="question", question_id=3, number=9, guild_id=e2e.world.guild_id,
                      title="Visa timing", tag="visa", chunks=["**Question #9**: same title"],
                      nonce="9" * 20, target_channel_id=forum, attempts=1)
    sender = AnonymousSender(e2e.bot)
    await sender._send(other)  # another question with the same title is not this one
    first = await sender._send(job)
    posts = [c for c in e2e.server.channels.values() if c.get("parent_id") == str(forum)]
    before = dict(e2e.server.messages)
    again = await sender._send(replace(job, attempts=2))
    assert (again.message_id, again.thread_id) == (first.message_id, first.thread_id)
    assert [c for c in e2e.server.channels.values() if c.get("parent_id") == str(forum)] == posts
    assert e2e.server.messages == before
    fresh = await sender._send(replace(job, attempts=2, chunks=["**Question #8**: edited"]))
    assert fresh.thread_id != first.thread_id  # a starter that differs is not ours to reuse
