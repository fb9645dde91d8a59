"""Base views and modals whose errors take the one error path, plus a page-turning view."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

import discord

from bot.interaction_errors import handle_interaction_error, send_ephemeral
from bot.services.timezones import search_zones

__all__ = ["FmgModal", "FmgView", "PageView", "run_safely", "send_ephemeral", "timezone_autocomplete"]


class FmgView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await handle_interaction_error(interaction, error)


class FmgModal(discord.ui.Modal):
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
    """IANA zone names for any `timezone` option (mentor profiles, /timezone set)."""
    return [discord.app_commands.Choice(name=z, value=z) for z in search_zones(current)]


class PageView(FmgView):
    """Previous/Next buttons over pre-rendered embeds, for the member who asked only."""

    def __init__(self, pages: Sequence[discord.Embed], owner_id: int, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        if not pages:
            raise ValueError("PageView needs at least one page")
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        if len(self.pages) > 1:
            for number, page in enumerate(self.pages, start=1):
                prefix = f"{page.footer.text} · " if page.footer.text else ""
                page.set_footer(text=f"{prefix}Page {number} of {len(self.pages)}")
        self._sync()

    @property
    def current(self) -> discord.Embed:
        return self.pages[self.index]

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await send_ephemeral(interaction, "These buttons belong to whoever ran the command.")
            return False
        return True

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.index -= 1
        self._sync()
        await interaction.response.edit_message(embed=self.current, view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.index += 1
        self._sync()
        await interaction.response.edit_message(embed=self.current, view=self)
