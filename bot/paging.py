"""Paged replies: lists sent privately one page at a time, with Previous/Next buttons.

A page is built only when shown (`Pages` renders it from items in memory, `LivePages` reads it
from a service). The buttons are DynamicItems whose custom id names the list and the page to
turn to; the list itself waits in `PagedReplies`, a table bounded in age and size.

Why not a discord.py View per reply: a View with a timeout is a Task, a timer, a Future and two
Buttons, some 35 objects the collector walks, alive for the whole timeout. Under load the bot
kept tens of thousands of them, and each full collection walked them all (measured: pauses
growing from 11 to 65 ms within ten seconds at 1,200 replies/s, each one a latency spike). Here
a reply costs one table entry, and turning a page of a list that has expired (or was made
before a restart) says so instead of failing.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar, overload

import discord

from bot.ui import OwnerView, bot_of, persistent_view, run_safely, send_ephemeral

__all__ = ["LivePages", "PageButton", "PageSource", "PagedReplies", "Pages", "send_pages"]

T = TypeVar("T")

#: How long a paged reply's buttons keep working, and how many lists are kept at most.
PAGE_TTL_SECONDS = 600.0
MAX_PAGED_REPLIES = 20_000
#: Lists one member keeps at once: repeating a command replaces their oldest list rather than
#: filling the table (and pushing out everyone else's lists).
MAX_PER_OWNER = 5
EXPIRED = "This list has expired: run the command again to see it."


def _numbered(page: discord.Embed, index: int, count: int) -> discord.Embed:
    if count > 1:
        prefix = f"{page.footer.text} · " if page.footer.text else ""
        page.set_footer(text=f"{prefix}Page {index + 1} of {count}")
    return page


class PageSource(Protocol):
    """A number of pages, and page ``n`` built when shown."""

    def __len__(self) -> int: ...

    async def page(self, index: int) -> discord.Embed: ...


class Pages(Sequence[discord.Embed], Generic[T]):
    """Embeds rendered when shown: page ``n`` is ``render`` of the ``n``-th run of ``per_page``
    items (an empty list still has one page, rendered from no items).

    A paged reply builds only the page on screen and keeps the items (usually shared, already
    in memory) rather than every page. Each page is built afresh, so it can be numbered
    ("Page 2 of 4") without touching another. Items too large to keep for the buttons'
    lifetime call for `LivePages` instead.
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
    reply keeps only how to ask (a few ids), whatever the list's length. The count is taken
    when the reply is sent; a page past a list that has shrunk since renders as its empty page."""

    def __init__(self, count: int, load: Callable[[int], Awaitable[discord.Embed]], *,
                 first: discord.Embed | None = None) -> None:
        self._count = max(1, count)
        self._load = load
        #: page 0 read together with the count (`counted`): shown once, then read again
        self._first = first

    @classmethod
    async def counted(cls, count: Awaitable[int], per_page: int,
                      load: Callable[[int], Awaitable[discord.Embed]]) -> LivePages:
        """Ask for the count and the first page at once: on a database server they are two
        round trips that need not wait for each other."""
        total, first = await asyncio.gather(count, load(0))
        return cls(-(-total // per_page), load, first=first)

    def __len__(self) -> int:
        return self._count

    async def page(self, index: int) -> discord.Embed:
        if not 0 <= index < self._count:
            raise IndexError("page out of range")
        first, self._first = self._first, None
        embed = first if index == 0 and first is not None else await self._load(index)
        return _numbered(embed, index, self._count)


class PagedReplies:
    """The lists behind sent paged replies: token -> (owner, pages), each kept for
    ``ttl`` seconds, at most ``limit`` of them and ``per_owner`` per member (the oldest leaves
    first)."""

    def __init__(self, ttl: float = PAGE_TTL_SECONDS, limit: int = MAX_PAGED_REPLIES,
                 monotonic: Callable[[], float] = time.monotonic,
                 per_owner: int = MAX_PER_OWNER) -> None:
        self._ttl = ttl
        self._limit = limit
        self._per_owner = per_owner
        self._monotonic = monotonic
        self._entries: OrderedDict[str, tuple[float, int, PageSource]] = OrderedDict()
        self._owned: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def keep(self, owner_id: int, pages: PageSource) -> str:
        now = self._monotonic()
        self._drop_expired(now)
        while len(self._entries) >= self._limit:
            self._forget(next(iter(self._entries)))
        owned = self._owned.setdefault(owner_id, [])
        while len(owned) >= self._per_owner:
            self._forget(owned[0])
        token = secrets.token_hex(6)
        self._entries[token] = (now + self._ttl, owner_id, pages)
        owned.append(token)
        return token

    def _forget(self, token: str) -> None:
        _, owner_id, _ = self._entries.pop(token)
        owned = self._owned[owner_id]
        owned.remove(token)
        if not owned:
            del self._owned[owner_id]

    def get(self, token: str) -> tuple[int, PageSource] | None:
        """(owner, pages) of a live list; None once it expired or was pushed out."""
        entry = self._entries.get(token)
        if entry is None or entry[0] <= self._monotonic():
            return None
        return entry[1], entry[2]

    def _drop_expired(self, now: float) -> None:
        # Entries are added in time order with one TTL, so the expired ones are at the front.
        while self._entries:
            token, (expires, _, _) = next(iter(self._entries.items()))
            if expires > now:
                return
            self._forget(token)


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=r"fmg:page:(?P<token>[0-9a-f]{12}):(?P<target>-?\d+)"):
    """Previous or Next: turns the list ``token`` to page ``target``."""

    def __init__(self, token: str, target: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
            custom_id=f"fmg:page:{token}:{target}",
        ))
        self.token = token
        self.target = target

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(match["token"], int(match["target"]), item.label or "", disabled=item.disabled)

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, _turn(interaction, self.token, self.target))


def page_buttons(token: str, index: int, count: int) -> discord.ui.View:
    """Previous/Next for page ``index`` of ``count`` (a view discord.py keeps nothing for)."""
    return persistent_view(PageButton(token, index - 1, "Previous", disabled=index == 0),
                           PageButton(token, index + 1, "Next", disabled=index >= count - 1))


async def _turn(interaction: discord.Interaction, token: str, target: int) -> None:
    kept = bot_of(interaction).paged_replies.get(token)
    if kept is None:
        await send_ephemeral(interaction, EXPIRED)
        return
    owner_id, pages = kept
    if interaction.user.id != owner_id:
        await send_ephemeral(interaction, OwnerView.not_yours)
        return
    index = min(max(target, 0), len(pages) - 1)
    await interaction.response.edit_message(embed=await pages.page(index),
                                            view=page_buttons(token, index, len(pages)))


async def send_pages(interaction: discord.Interaction, pages: PageSource) -> None:
    """Send pages privately: one page as is, several behind Previous/Next buttons."""
    if len(pages) == 1:
        await send_ephemeral(interaction, embed=await pages.page(0))
        return
    first = await pages.page(0)
    token = bot_of(interaction).paged_replies.keep(interaction.user.id, pages)
    await send_ephemeral(interaction, embed=first, view=page_buttons(token, 0, len(pages)))
