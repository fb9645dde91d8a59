"""Base views and modals whose errors take the one error path, plus a page-turning view."""

from __future__ import annotations

import json
import zlib
from collections.abc import Awaitable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.interaction_errors import handle_interaction_error, send_ephemeral
from bot.services.timezones import search_zones

if TYPE_CHECKING:
    from bot.factory import FmgBot

try:  # the `speed` extra: ~4x faster than the stdlib for the page JSON built on every paged reply
    from orjson import dumps as _dumps
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - depends on the installed extras
    def _dumps(value: Any) -> bytes:
        return json.dumps(value).encode()

    _loads = json.loads

__all__ = [
    "EMBED_DESCRIPTION_LIMIT",
    "FmgModal",
    "FmgView",
    "OwnerView",
    "PageView",
    "bot_of",
    "pack_lines",
    "persistent_view",
    "run_safely",
    "send_ephemeral",
    "send_pages",
    "timezone_autocomplete",
]

EMBED_DESCRIPTION_LIMIT = 4096


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


class PageView(OwnerView):
    """Previous/Next buttons over pre-rendered embeds, for the member who asked only.

    The view lives in discord.py's view store until it times out, one per paged reply, so the
    pages are kept as compressed JSON and rebuilt on a page turn: four pages of ten fields held
    as Embed objects cost ~20 KB per reply for ten minutes (bench_load's /session upcoming pushed
    the bot past 200 MB); compressed, the whole view is ~3 KB.
    """

    def __init__(self, pages: Sequence[discord.Embed], owner_id: int, timeout: float = 600) -> None:
        super().__init__(owner_id, timeout=timeout)
        if not pages:
            raise ValueError("PageView needs at least one page")
        pages = list(pages)
        if len(pages) > 1:
            for number, page in enumerate(pages, start=1):
                prefix = f"{page.footer.text} · " if page.footer.text else ""
                page.set_footer(text=f"{prefix}Page {number} of {len(pages)}")
        # Level 1: as small as the default level on embed JSON, at half the CPU per reply.
        self._pages = [zlib.compress(_dumps(page.to_dict()), 1) for page in pages]
        self.index = 0
        self._sync()

    @property
    def page_count(self) -> int:
        return len(self._pages)

    @property
    def current(self) -> discord.Embed:
        return discord.Embed.from_dict(_loads(zlib.decompress(self._pages[self.index])))

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == self.page_count - 1

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


async def send_pages(interaction: discord.Interaction, pages: Sequence[discord.Embed]) -> None:
    """Send embeds privately: one page as is, several behind Previous/Next buttons."""
    if len(pages) == 1:
        await send_ephemeral(interaction, embed=pages[0])
    else:
        view = PageView(pages, interaction.user.id)
        await send_ephemeral(interaction, embed=view.current, view=view)


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
    """A timeout-free view holding DynamicItems, for a message that must keep working after
    restarts (the items are registered with ``bot.add_dynamic_items`` in each cog's load)."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view
