"""The private thread a due row opens for two members (a mentoring pair, a mock interview).

Opening a thread takes no nonce: if the bot stops between Discord's answer and the thread's id
being recorded, the resend would open a second thread. So each such thread's name ends with
its record's number ("· #12"), unique in its channel, and a resend (the row's second attempt or
later) first looks among the channel's active threads for the one the bot opened under that
name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.outbox import DueItem

NAME_LIMIT = 100


def thread_name(label: str, ref: int) -> str:
    """``label`` cut to fit, then `` · #ref``: the part a resend looks for is never cut."""
    tail = f" · #{ref}"
    return label[:NAME_LIMIT - len(tail)] + tail


async def open_private_thread(
    bot: discord.Client, channel: discord.TextChannel, name: str, *, item: DueItem,
    recorded: int | None, record: Callable[[int], Awaitable[None]],
) -> discord.Thread:
    """The thread ``recorded`` names, or the one an earlier attempt opened, or a new one;
    ``record`` keeps its id (the caller's service)."""
    if recorded is not None:
        thread = await channel.guild.fetch_channel(recorded)
        assert isinstance(thread, discord.Thread)
        return thread
    thread = await _opened_before(bot, channel, name) if item.attempts > 1 else None
    if thread is None:
        thread = await channel.create_thread(name=name, type=discord.ChannelType.private_thread,
                                             invitable=False)
    await record(thread.id)
    return thread


async def _opened_before(bot: discord.Client, channel: discord.TextChannel,
                         name: str) -> discord.Thread | None:
    me = bot.user.id if bot.user is not None else None
    for thread in await channel.guild.active_threads():
        if thread.parent_id == channel.id and thread.name == name and thread.owner_id == me:
            return thread
    return None
