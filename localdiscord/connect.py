"""Point real, unmodified discord.py at a LocalDiscord (two class attributes) and wait for it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import discord
import discord.http
import yarl
from discord.gateway import DiscordWebSocket

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord

# A syntactically plausible bot token; localdiscord accepts any token.
FAKE_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.localdiscord.not-a-real-token-at-all"


@contextlib.contextmanager
def pointed_at(server: LocalDiscord) -> Iterator[None]:
    """Within the block discord.py talks to ``server``; the real URLs are restored after.

    ``Route.BASE`` is read when each route is built (the webhook adapter used for interaction
    responses shares it); plain ``Client``s connect straight to ``DEFAULT_GATEWAY``.
    """
    old_base, old_gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = server.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def point_discord_py_at(server: LocalDiscord) -> None:
    """The same, for a process that never goes back to real Discord (the sandbox, a bench bot)."""
    discord.http.Route.BASE = server.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)


def fast_ready(client: discord.Client) -> None:
    """discord.py waits ``guild_ready_timeout`` (2 s) after the last GUILD_CREATE before READY;
    localdiscord sends every guild at once, so a short wait is enough."""
    client._connection.guild_ready_timeout = 0.05


async def start_client(
    client: discord.Client, server: LocalDiscord, *, timeout: float = 15.0
) -> asyncio.Task[None]:
    """Start ``client`` against ``server`` in a task and wait until it is ready."""
    fast_ready(client)
    task = asyncio.create_task(client.start(FAKE_TOKEN), name="localdiscord-client")
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if task in done:
            task.result()  # re-raise why the client stopped
        task.cancel()
        raise TimeoutError("discord.py client did not become ready on localdiscord")
    return task


async def stop_client(client: discord.Client, task: asyncio.Task[None]) -> None:
    await client.close()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
