"""Sanitising member text: whatever a member types, the posted text never pings and fits."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.anonymous._text import MESSAGE_LIMIT, split_message
from bot.services.text import FULLWIDTH_AT, INVITE_PLACEHOLDER, could_ping, sanitize

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


long_member_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=200)), max_size=400
).map(lambda parts: "".join(parts)[:4000])  # what the modal lets through


@given(
    title=member_text.map(lambda t: t[:100]),
    body=long_member_text,
    tag=member_text.map(lambda t: t[:40]),
)
@settings(max_examples=300, deadline=None)
def test_what_the_bot_would_post_never_pings_and_fits_or_is_refused(
    title: str, body: str, tag: str
) -> None:
    """The whole path from modal text to the messages the bot sends."""
    from bot.errors import InvalidInput
    from bot.services.anonymous._service import (
        clean_body,
        clean_tag,
        clean_title,
        followup_chunks,
        question_chunks,
        review_chunks,
    )

    try:
        clean = (clean_title(title), clean_body(body, 4000), clean_tag(tag))
    except InvalidInput as refused:
        assert str(refused).endswith(".") and len(str(refused)) < 300  # a clear, short reason
        return
    for chunks in (question_chunks(1, *clean), review_chunks(1, *clean), followup_chunks(clean[1])):
        assert 1 <= len(chunks) <= 4
        for chunk in chunks:
            assert 0 < len(chunk) <= MESSAGE_LIMIT
            assert chunk.strip()
            assert not DISCORD_PINGS.search(chunk)
            assert not could_ping(chunk)
    assert len(clean[0]) <= 100  # a valid thread name


def test_a_bare_invite_address_is_neutralised_in_a_topic_tag() -> None:
    """Found by the property test: an invite address with no code used to survive in a tag."""
    from bot.services.anonymous._service import clean_tag, question_chunks

    posted = "\n".join(question_chunks(1, "t", "b", clean_tag(">0https://discord.com/invite")))
    assert "discord.com/invite" not in posted
