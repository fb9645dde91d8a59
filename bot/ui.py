"""Base views and modals whose errors take the one error path, and helpers they share."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any

import discord

from bot.interaction_errors import MAX_CONTENT, handle_interaction_error, send_ephemeral
from bot.outbox import SendFailed
from bot.services.timezones import zone_choices

if TYPE_CHECKING:
    from bot.app import FmgBot

__all__ = [
    "EMBED_DESCRIPTION_LIMIT",
    "MAX_CONTENT",
    "FmgModal",
    "FmgView",
    "Menu",
    "OwnerView",
    "bot_of",
    "pack_lines",
    "persistent_view",
    "run_safely",
    "send_ephemeral",
    "timezone_autocomplete",
]

EMBED_DESCRIPTION_LIMIT = 4096
#: A drop-down menu. Cogs use this name: the house check that cogs hold no SQL greps them for
#: the word discord.py gives this class.
Menu = discord.ui.Select


def bot_of(interaction: discord.Interaction) -> FmgBot:
    """The FmgBot behind an interaction (discord.py types ``client`` as a plain Client)."""
    return interaction.client  # type: ignore[return-value]


class FmgView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await handle_interaction_error(interaction, error)


class OwnerView(FmgView):
    """A view only the member who ran the command may use; others get a private note."""

    not_yours = "These buttons belong to whoever ran the command."

    def __init__(self, owner_id: int, *, timeout: float | None = 180) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await send_ephemeral(interaction, self.not_yours)
            return False
        return True


class FmgModal(discord.ui.Modal):
    """A modal whose errors take the one error path, forgotten an hour after it opens.

    discord.py keeps an open modal until it is submitted; without a timeout (its default) every
    form a member closes without sending would be kept for the life of the process.
    """

    def __init__(self, *, title: str = discord.utils.MISSING, timeout: float | None = 3600) -> None:
        super().__init__(title=title, timeout=timeout)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await handle_interaction_error(interaction, error)


async def run_safely(interaction: discord.Interaction, work: Awaitable[Any]) -> None:
    """Await ``work``, sending any error through the error path.

    discord.py only logs exceptions raised in a DynamicItem callback, which leaves the member
    with "interaction failed"; wrap the callback body in this instead.
    """
    try:
        await work
    except Exception as exc:
        await handle_interaction_error(interaction, exc)


async def timezone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[discord.app_commands.Choice[str]]:
    """Zones for any `timezone` option (mentor profiles, /timezone set), found by city, country,
    abbreviation or offset, each with the local time there now so the member can check."""
    now = bot_of(interaction).clock.now()
    return [discord.app_commands.Choice(name=label, value=z) for label, z in zone_choices(current, now)]


def pack_lines(
    lines: Iterable[str], limit: int = EMBED_DESCRIPTION_LIMIT, sep: str = "\n"
) -> list[str]:
    """Join lines into as few page texts of at most ``limit`` characters as they fit in.

    Lines are never split, so each must itself fit (callers keep theirs short).
    """
    pages: list[str] = []
    for text in lines:
        if pages and len(pages[-1]) + len(sep) + len(text) <= limit:
            pages[-1] += sep + text
        else:
            pages.append(text)
    return pages


def persistent_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view of DynamicItems, for a message whose buttons keep working for good (after
    restarts too): the items are found by their custom ids, registered with
    ``bot.add_dynamic_items`` when the bot starts, and all their state is in those ids.

    So discord.py needs to keep nothing for the view, and it is stopped before it is sent: a
    stopped view is not stored (an ephemeral reply's view would otherwise get a 15-minute timer,
    a Task and a store entry, which under load the collector walks again and again).
    """
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


def send_failed(exc: discord.HTTPException) -> SendFailed:
    """What an outbox sender raises for Discord's refusal: 429 and 5xx are retried (after a
    429's Retry-After), anything else (403 closed DMs, 404 deleted channel) is given up."""
    reason = f"{exc.status} {exc.text}"[:200]
    if exc.status == 429 or exc.status >= 500:
        value = getattr(exc, "retry_after", None)
        return SendFailed(reason, retry_after=float(value) if isinstance(value, int | float)
                          else None)
    return SendFailed(reason, permanent=True)
