"""PageView keeps its pages compressed and rebuilds exactly the embed it was given."""

from __future__ import annotations

import discord

from bot.ui import PageView, pack_lines


def _pages(count: int) -> list[discord.Embed]:
    pages = []
    for number in range(count):
        embed = discord.Embed(title=f"Sessions {number}", colour=discord.Colour.teal())
        for field in range(10):
            embed.add_field(name=f"Group {field}", value=f"<t:1767897000:F> · `{field}` ✓", inline=False)
        embed.set_footer(text="Your local time")
        pages.append(embed)
    return pages


async def test_pages_round_trip_with_page_numbers_and_buttons() -> None:
    originals = [p.to_dict() for p in _pages(3)]
    view = PageView(_pages(3), owner_id=7)
    assert view.page_count == 3 and view.previous.disabled and not view.next.disabled
    for index, original in enumerate(originals):
        view.index = index
        rebuilt = view.current.to_dict()
        assert rebuilt["fields"] == original["fields"] and rebuilt["title"] == original["title"]
        assert rebuilt["footer"]["text"] == f"Your local time · Page {index + 1} of 3"
    view.index = 2
    view._sync()
    assert view.next.disabled and not view.previous.disabled


async def test_a_single_page_has_no_page_number() -> None:
    view = PageView(_pages(1), owner_id=7)
    assert view.current.footer.text == "Your local time"
    assert view.previous.disabled and view.next.disabled


def test_pack_lines_fills_pages_up_to_the_limit_without_splitting_lines() -> None:
    lines = ["a" * 40, "b" * 40, "c" * 40, "d" * 90]
    pages = pack_lines(lines, limit=100)
    assert pages == ["a" * 40 + "\n" + "b" * 40, "c" * 40, "d" * 90]
    assert pack_lines(["x", "y"], limit=10, sep="\n\n") == ["x\n\ny"]
    assert pack_lines([]) == []
