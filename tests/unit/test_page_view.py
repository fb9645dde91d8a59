"""Pages render only the page asked for, LivePages load it, both number themselves, and
PageView turns through either."""

from __future__ import annotations

from collections.abc import Sequence

import discord
import pytest

from bot.ui import LivePages, Pages, PageView, pack_lines


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


async def test_page_view_turns_pages_and_disables_the_ends() -> None:
    view = PageView(_sessions(25), owner_id=7)
    assert view.page_count == 3 and view.previous.disabled and not view.next.disabled
    assert (await view.current()).fields[0].name == "Group 0"
    view.index = 2
    view._sync()
    assert view.next.disabled and not view.previous.disabled
    assert (await view.current()).fields[0].name == "Group 20"


async def test_a_single_page_has_no_page_number() -> None:
    view = PageView(_sessions(4), owner_id=7)
    assert (await view.current()).footer.text == "Your local time"
    assert view.previous.disabled and view.next.disabled


async def test_live_pages_load_the_page_shown_when_it_is_shown() -> None:
    asked: list[int] = []

    async def load(index: int) -> discord.Embed:
        asked.append(index)
        return discord.Embed(title=f"sessions {index * 10}-{index * 10 + 9}")

    pages = LivePages(3, load)
    view = PageView(pages, owner_id=7)
    assert asked == [] and view.page_count == 3
    first = await view.current()
    assert asked == [0] and first.footer.text == "Page 1 of 3"
    view.index = 2
    assert (await view.current()).title == "sessions 20-29" and asked == [0, 2]
    with pytest.raises(IndexError):
        await pages.page(3)
    assert len(LivePages(0, load)) == 1  # nothing to list is still one (empty) page


def test_pack_lines_fills_pages_up_to_the_limit_without_splitting_lines() -> None:
    lines = ["a" * 40, "b" * 40, "c" * 40, "d" * 90]
    pages = pack_lines(lines, limit=100)
    assert pages == ["a" * 40 + "\n" + "b" * 40, "c" * 40, "d" * 90]
    assert pack_lines(["x", "y"], limit=10, sep="\n\n") == ["x\n\ny"]
    assert pack_lines([]) == []
