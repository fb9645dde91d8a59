"""Pages render only the page asked for, LivePages load it, both number themselves; the
buttons name a list kept in a bounded table, and the view carrying them needs no store entry."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import discord
import pytest

from bot.paging import LivePages, PageButton, PagedReplies, Pages, page_buttons
from bot.ui import pack_lines


def _sessions(count: int, rendered: list[int] | None = None) -> Pages[int]:
    def render(chunk: Sequence[int]) -> discord.Embed:
        if rendered is not None:
            rendered.append(len(chunk))
        embed = discord.Embed(title="Sessions", colour=discord.Colour.teal())
        for field in chunk:
            embed.add_field(name=f"Group {field}", value=f"<t:1767897000:F> · `{field}` ✓", inline=False)
        embed.set_footer(text="Your local time")
        return embed

    return Pages(list(range(count)), render, per_page=10)


def test_pages_render_one_chunk_at_a_time_and_number_themselves() -> None:
    rendered: list[int] = []
    pages = _sessions(25, rendered)
    assert len(pages) == 3 and rendered == []
    last = pages[2]
    assert rendered == [5]
    assert [f.name for f in last.fields] == [f"Group {n}" for n in range(20, 25)]
    assert last.footer.text == "Your local time · Page 3 of 3"
    # Asking again builds a fresh embed: the number is not stamped twice.
    assert pages[-1].footer.text == "Your local time · Page 3 of 3"
    assert [p.footer.text for p in pages[0:2]] == [
        "Your local time · Page 1 of 3", "Your local time · Page 2 of 3"]
    with pytest.raises(IndexError):
        pages[3]


def test_no_items_is_one_unnumbered_page_rendered_from_nothing() -> None:
    pages = _sessions(0)
    assert len(pages) == 1
    assert pages[0].fields == [] and pages[0].footer.text == "Your local time"
    with pytest.raises(ValueError):
        Pages([1], lambda chunk: discord.Embed(), per_page=0)


async def test_live_pages_load_the_page_shown_when_it_is_shown() -> None:
    asked: list[int] = []

    async def load(index: int) -> discord.Embed:
        asked.append(index)
        return discord.Embed(title=f"sessions {index * 10}-{index * 10 + 9}")

    pages = LivePages(3, load)
    assert asked == [] and len(pages) == 3
    first = await pages.page(0)
    assert asked == [0] and first.footer.text == "Page 1 of 3"
    assert (await pages.page(2)).title == "sessions 20-29" and asked == [0, 2]
    with pytest.raises(IndexError):
        await pages.page(3)
    assert len(LivePages(0, load)) == 1  # nothing to list is still one (empty) page


async def test_counted_pages_ask_for_the_count_and_the_first_page_together() -> None:
    """Two reads that need not wait for each other go at once (on a server, two round trips
    overlap); the first page is not read twice, and turning back to it reads it again."""
    events: list[str] = []
    both_started = asyncio.Event()

    async def count() -> int:
        events.append("count")
        await asyncio.wait_for(both_started.wait(), 1)  # fails unless page 0 was asked meanwhile
        return 25

    async def load(index: int) -> discord.Embed:
        events.append(f"page {index}")
        if index == 0:
            both_started.set()
        return discord.Embed(title=f"sessions {index * 10}-{index * 10 + 9}")

    pages = await LivePages.counted(count(), 10, load)
    assert len(pages) == 3 and sorted(events) == ["count", "page 0"]
    assert (await pages.page(0)).footer.text == "Page 1 of 3"
    assert events.count("page 0") == 1
    await pages.page(1)
    await pages.page(0)
    assert events.count("page 0") == 2


def test_paged_replies_expire_and_stay_bounded() -> None:
    now = [100.0]
    table = PagedReplies(ttl=60, limit=3, monotonic=lambda: now[0])
    pages = _sessions(25)
    first = table.keep(7, pages)
    assert table.get(first) == (7, pages)
    assert table.get("0" * 12) is None
    now[0] += 61
    assert table.get(first) is None  # expired, even before anything sweeps it
    tokens = [table.keep(8, pages) for _ in range(4)]
    assert len(table) == 3  # the expired entry was swept, then the oldest was pushed out
    assert table.get(tokens[0]) is None
    assert all(table.get(t) == (8, pages) for t in tokens[1:])


async def test_page_buttons_name_the_list_and_the_page_and_are_kept_nowhere() -> None:
    view = page_buttons("abcdef012345", 0, 3)
    previous, following = view.children
    assert isinstance(previous, PageButton) and isinstance(following, PageButton)
    assert (previous.custom_id, previous.item.disabled) == ("fmg:page:abcdef012345:-1", True)
    assert (following.custom_id, following.item.disabled) == ("fmg:page:abcdef012345:1", False)
    assert view.is_finished()  # discord.py stores no finished view, and starts no timer for it
    assert PageButton.__discord_ui_compiled_template__.fullmatch(following.custom_id)
    last = page_buttons("abcdef012345", 2, 3)
    assert [c.item.disabled for c in last.children] == [False, True]


def test_pack_lines_fills_pages_up_to_the_limit_without_splitting_lines() -> None:
    lines = ["a" * 40, "b" * 40, "c" * 40, "d" * 90]
    pages = pack_lines(lines, limit=100)
    assert pages == ["a" * 40 + "\n" + "b" * 40, "c" * 40, "d" * 90]
    assert pack_lines(["x", "y"], limit=10, sep="\n\n") == ["x\n\ny"]
    assert pack_lines([]) == []


def test_one_member_cannot_fill_the_table_of_lists() -> None:
    """Issue 16, item 11: repeating a command replaces the member's own oldest list."""
    replies = PagedReplies(limit=100, per_owner=3)
    pages = LivePages(2, _never_loaded)
    mine = [replies.keep(1, pages) for _ in range(10)]
    theirs = replies.keep(2, pages)
    assert len(replies) == 4
    assert [replies.get(t) is not None for t in mine] == [False] * 7 + [True] * 3
    assert replies.get(theirs) == (2, pages)


async def _never_loaded(index: int) -> discord.Embed:  # pragma: no cover - never turned
    raise AssertionError(index)
