"""Sanitising member text: whatever a member types, the posted text never pings and fits."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.anonymous._text import (
    FULLWIDTH_AT,
    INVITE_PLACEHOLDER,
    MESSAGE_LIMIT,
    could_ping,
    sanitize,
    split_message,
)

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad"]
PIECES = [
    "@everyone",
    "@here",
    "@EVERYONE",
    "@",
    "everyone",
    "here",
    "<@",
    "<@!",
    "<@&",
    "<#",
    ">",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&223456789012345678>",
    "<#323456789012345678>",
    "discord.gg/abc",
    "https://discord.com/invite/xyz",
    "discordapp.com/invite/q",
    "discord",
    ".gg/",
    "**bold**",
    "`code`",
    "```py\nx\n```",
    "> quote",
    "# heading",
    "[link](https://example.com)",
    "\n",
    " ",
    "123456789012345678",
    *ZERO_WIDTH,
]

member_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=120).map(
    "".join
)

# What Discord parses into a ping or an invite, checked independently of the module's regexes.
DISCORD_PINGS = re.compile(
    r"@(everyone|here)|<@[!&]?\d+>|<#\d+>|discord(app)?\.com/invite|discord\.gg/", re.I
)


@given(member_text)
@settings(max_examples=400)
def test_sanitised_text_never_pings(text: str) -> None:
    clean = sanitize(text)
    assert not DISCORD_PINGS.search(clean)
    assert not could_ping(clean)
    assert not any(ch in clean for ch in ZERO_WIDTH)


@given(member_text)
@settings(max_examples=200)
def test_sanitising_is_idempotent(text: str) -> None:
    once = sanitize(text)
    assert sanitize(once) == once


@given(st.text(min_size=0, max_size=8000) | member_text)
@settings(max_examples=200)
def test_split_chunks_fit_and_keep_the_text(text: str) -> None:
    chunks = split_message(text)
    assert all(len(c) <= MESSAGE_LIMIT for c in chunks)
    # Only the single separator character at each split is dropped.
    assert sum(len(c) for c in chunks) >= len(text) - (len(chunks) - 1)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_zero_width_characters_cannot_hide_a_mass_mention() -> None:
    assert (
        sanitize("@every\u200bone and @he\u2060re")
        == f"{FULLWIDTH_AT}everyone and {FULLWIDTH_AT}here"
    )


def test_mentions_become_plain_words() -> None:
    text = "ask <@123456789012345678> or <@!123456789012345678> in <#1234567890123> for <@&42>"
    assert sanitize(text) == "ask @member or @member in #channel for @role"


def test_invites_are_removed_but_other_links_stay() -> None:
    text = "join https://discord.gg/abc123 or discord.com/invite/xyz, see https://example.com/x"
    assert (
        sanitize(text)
        == f"join {INVITE_PLACEHOLDER} or {INVITE_PLACEHOLDER} see https://example.com/x"
    )


def test_markdown_is_kept() -> None:
    text = "**Step 1** failed once\n> is it a red flag?\n```\ncode\n```"
    assert sanitize(text) == text


def test_4000_characters_split_on_line_boundaries() -> None:
    paragraph = "word " * 199 + "end\n"  # 1000 chars per line
    text = paragraph * 4
    chunks = split_message(text.strip())
    assert len(chunks) == 2
    assert all(len(c) <= MESSAGE_LIMIT for c in chunks)
    assert chunks[0].endswith("end")


def test_a_single_long_word_is_cut_hard() -> None:
    chunks = split_message("x" * 4500)
    assert [len(c) for c in chunks] == [2000, 2000, 500]
