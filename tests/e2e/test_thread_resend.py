"""A pair's private thread is opened once, even when the bot stops between Discord opening it
and the thread's id being recorded: the resend finds it by its name, which ends with the
record's number (threads take no nonce)."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from bot.outbox import DueItem
from cogs._threads import NAME_LIMIT, open_private_thread, thread_name
from localdiscord.harness import BotHarness


class Stopped(Exception):
    """The bot stopped before the thread's id was recorded."""


def _item(attempts: int) -> DueItem:
    return DueItem(id=1, kind="thread", guild_id=0, ref_id=12, recipient_id=None, data={},
                   due_at=datetime.now(UTC), nonce="0" * 20, attempts=attempts)


def _threads(e2e: BotHarness, parent: int) -> list[dict]:
    return [c for c in e2e.server.channels.values()
            if c.get("parent_id") == str(parent) and c["type"] == 12]


async def test_a_resend_finds_the_thread_an_interrupted_attempt_opened(e2e: BotHarness) -> None:
    assert e2e.bot is not None and e2e.world is not None
    channel = await e2e.bot.fetch_channel(e2e.world.channels["general"].id)
    assert isinstance(channel, discord.TextChannel)
    recorded: list[int] = []

    async def stop(_: int) -> None:
        raise Stopped

    async def record(thread_id: int) -> None:
        recorded.append(thread_id)

    other = await open_private_thread(e2e.bot, channel, thread_name("Mentoring: A & B", 11),
                                      item=_item(1), recorded=None, record=record)
    name = thread_name("Mentoring: A & B", 12)
    with pytest.raises(Stopped):
        await open_private_thread(e2e.bot, channel, name, item=_item(1), recorded=None,
                                  record=stop)
    assert len(_threads(e2e, channel.id)) == 2
    again = await open_private_thread(e2e.bot, channel, name, item=_item(2), recorded=None,
                                      record=record)
    assert len(_threads(e2e, channel.id)) == 2  # found, not opened again
    assert again.id != other.id and again.name == name and recorded == [other.id, again.id]
    fetched = await open_private_thread(e2e.bot, channel, name, item=_item(3),
                                        recorded=again.id, record=stop)
    assert fetched.id == again.id


def test_the_number_a_resend_looks_for_is_never_cut() -> None:
    name = thread_name("Mentoring: " + "x" * 200, 123456)
    assert len(name) == NAME_LIMIT and name.endswith(" · #123456")
