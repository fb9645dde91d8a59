"""Base views and modals whose errors take the one error path, plus a page-turning view."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

import discord

from bot.interaction_errors import handle_interaction_error, send_ephemeral
from bot.services.timezones import search_zones

if TYPE_CHECKING:
    from bot.factory import FmgBot

__all__ = [
    "EMBED_DESCRIPTION_LIMIT",
    "FmgModal",
    "FmgView",
    "LivePages",
    "OwnerView",
    "PageSource",
    "PageView",
    "Pages",
    "bot_of",
    "pack_lines",
    "persistent_view",
    "run_safely",
    "send_ephemeral",
    "send_pages",
    "timezone_autocomplete",
]

EMBED_DESCRIPTION_LIMIT = 4096
T = TypeVar("T")


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


def _numbered(page: discord.Embed, index: int, count: int) -> discord.Embed:
    if count > 1:
        prefix = f"{page.footer.text} · " if page.footer.text else ""
        page.set_footer(text=f"{prefix}Page {index + 1} of {count}")
    return page


class PageSource(Protocol):
    """What `PageView` turns through: a number of pages, and page ``n`` built when shown."""

    def __len__(self) -> int: ...

    async def page(self, index: int) -> discord.Embed: ...


class Pages(Sequence[discord.Embed], Generic[T]):
    """Embeds rendered when shown: page ``n`` is ``render`` of the ``n``-th run of ``per_page``
    items (an empty list still has one page, rendered from no items).

    A paged reply builds only the page on screen, and the view behind its buttons keeps the
    items (usually shared, already in memory) instead of every page: a 40-result list costs
    what one page costs, per reply and for the ten minutes its buttons stay alive. Each page
    is built afresh, so it can be numbered ("Page 2 of 4") without touching another. Items too
    large to keep for ten minutes per reply call for `LivePages` instead.
    """

    def __init__(self, items: Sequence[T], render: Callable[[Sequence[T]], discord.Embed],
                 per_page: int = 1) -> None:
        if per_page < 1:
            raise ValueError("per_page must be at least 1")
        self._items = items
        self._render = render
        self._per_page = per_page

    def __len__(self) -> int:
        return max(1, -(-len(self._items) // self._per_page))

    @overload
    def __getitem__(self, index: int) -> discord.Embed: ...

    @overload
    def __getitem__(self, index: slice) -> list[discord.Embed]: ...

    def __getitem__(self, index: int | slice) -> discord.Embed | list[discord.Embed]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        if not -count <= index < count:
            raise IndexError("page out of range")
        index %= count
        start = index * self._per_page
        return _numbered(self._render(self._items[start : start + self._per_page]), index, count)

    async def page(self, index: int) -> discord.Embed:
        return self[index]


class LivePages:
    """Pages read again on every turn: ``load(n)`` asks the service for page ``n`` alone, so a
    view keeps only how to ask (a few ids), whatever the list's length. The count is taken
    when the reply is sent; a page past a list that has shrunk since renders as its empty page."""

    def __init__(self, count: int, load: Callable[[int], Awaitable[discord.Embed]]) -> None:
        self._count = max(1, count)
        self._load = load

    def __len__(self) -> int:
        return self._count

    async def page(self, index: int) -> discord.Embed:
        if not 0 <= index < self._count:
            raise IndexError("page out of range")
        return _numbered(await self._load(index), index, self._count)


class PageView(OwnerView):
    """Previous/Next buttons over a `PageSource`, for the member who asked only."""

    def __init__(self, pages: PageSource, owner_id: int, timeout: float = 600) -> None:
        super().__init__(owner_id, timeout=timeout)
        self._pages = pages
        self.index = 0
        self._sync()

    @property
    def page_count(self) -> int:
        return len(self._pages)

    async def current(self) -> discord.Embed:
        return await self._pages.page(self.index)

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == self.page_count - 1

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.index -= 1
        self._sync()
        await interaction.response.edit_message(embed=await self.current(), view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.index += 1
        self._sync()
        await interaction.response.edit_message(embed=await self.current(), view=self)


async def send_pages(interaction: discord.Interaction, pages: PageSource) -> None:
    """Send pages privately: one page as is, several behind Previous/Next buttons."""
    if len(pages) == 1:
        await send_ephemeral(interaction, embed=await pages.page(0))
    else:
        view = PageView(pages, interaction.user.id)
        await send_ephemeral(interaction, embed=await view.current(), view=view)


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
