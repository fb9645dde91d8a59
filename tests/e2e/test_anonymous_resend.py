"""A post resent after a crash (same row, same nonce) adds nothing: every message of it is
deduplicated by its own nonce, and the thread the first attempt made is found again."""

from __future__ import annotations

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
