"""The one sanitiser (bot/services/text.py), the link validator (bot/services/links.py) and the
confusable skeleton (bot/services/confusables.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.services.confusables import same_look, skeleton
from bot.services.links import link_warning, parse_link, shown_link
from bot.services.resources._urls import lookalike_key, normalize_url
from bot.services.text import could_ping, is_invisible, md, sanitize, sanitize_line

FULLWIDTH_IP = "https://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/"  # 127.0.0.1
MASKED_LINK = re.compile(r"\]\(")
PIECES = ["[", "]", "(", ")", "\\", "<", ">", "https://e.example", "#", "-", " ", "\n", "*", "_",
          "`", "|", "~", "@everyone", "<@&1>", "<#2>", "\u200b", "\u202e", "x", "verify"]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("[ECFMG locked](https://e.example)", "[ECFMG locked] (https://e.example)"),
        ("[a](<https://e.example>)", "[a] (<https://e.example>)"),
        ("[[x](y)](z)", "[[x] (y)] (z)"),
        ("# URGENT\n## notice\n-# small\n> # quoted\n- # listed",
         "\\# URGENT\n\\## notice\n\\-# small\n> \\# quoted\n- \\# listed"),
        ("St\u200bep\u202e 1\u2066", "Step 1"),
        ("</ask delete:123>", "/command"),
    ],
)
def test_sanitize_neutralises_what_poses(raw: str, shown: str) -> None:
    assert sanitize(raw) == shown


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_no_masked_link_mention_or_hidden_character_survives(raw: str) -> None:
    for out in (sanitize(raw), sanitize_line(raw), md(raw)):
        assert not MASKED_LINK.search(out)
        assert not could_ping(out)
    assert sanitize(sanitize(raw)) == sanitize(raw)  # safe to apply again on display


def test_md_escapes_the_bots_own_markdown() -> None:
    assert md("**FAKE** _x_ `y` [z]") == "\\*\\*FAKE\\*\\* \\_x\\_ \\`y\\` \\[z\\]"
    assert f"**{md('a** **b')}**".count("**") == 2  # the name cannot close the bot's bold


@pytest.mark.parametrize(
    "url",
    ["https://127.1/", "https://0x7f.1/", "https://0177.0.0.1/", "https://10.1", "https://[::1]/",
     "https://[::ffff:127.0.0.1]/", "https://2130706433/", "https://0x7f000001/",
     FULLWIDTH_IP, "https://%31%32%37.0.0.1/", "https://127.0.0.1./", "https://a.0x/",
     "https://example.com.12/"],
)
def test_every_ip_spelling_browsers_accept_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="IP address"):
        parse_link(url)


@pytest.mark.parametrize(
    "url",
    ["https://a.example>[x](https://e.example)", "https://a.example/\\@b.example",
     "https://a.example/<x", "https://a.example/\u200b", "https://a.example/ x",
     "https://a\u202e.example/", "https://u@a.example/", "https://a..example/",
     "https://xn--zz-.example/", "http://a.example/", "https:a.example", "https://localhost./"],
)
def test_links_that_are_not_one_plain_https_link_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        parse_link(url)


def test_markdown_link_syntax_never_survives_in_a_link() -> None:
    shown = parse_link("https://a.example/[ECFMG](https://e.example)?q=(1)#[x]").url
    assert shown == "https://a.example/%5BECFMG%5D%28https://e.example%29?q=%281%29#%5Bx%5D"


def test_international_hosts_are_shown_as_punycode_with_a_warning() -> None:
    link = parse_link("https://www.\u0435\u0441fmg.org/verify")
    assert link.url == "https://www.xn--fmg-qdd4d.org/verify" and link.international
    assert link.warning() is not None and "xn--fmg-qdd4d.org" in link.warning()
    assert parse_link("https://www.ecfmg.org/").warning() is None
    assert shown_link("https://e.example>[x](https://f.example)").startswith("(link hidden")
    assert link_warning("https://127.1/") is not None


def test_lookalike_hosts_share_a_skeleton() -> None:
    assert same_look("www.\u0435\u0441fmg.org", "www.ecfmg.org")
    assert skeleton("paypa1") == skeleton("paypal") and skeleton("rn") == skeleton("m")
    assert not same_look("usmle.org", "nbme.org")
    real = normalize_url("https://www.ecfmg.org/certification/")
    fake = normalize_url(parse_link("https://www.\u0435\u0441fmg.org/certification").url)
    assert real != fake and lookalike_key(real) == lookalike_key(fake)


def test_invisible_characters_include_bidi_controls() -> None:
    assert all(is_invisible(ch) for ch in "\u200b\u200d\u2060\ufeff\u202e\u2066\u2069\u061c")


def test_ascii_holds_no_invisible_character() -> None:
    """The sanitiser skips its per-character walk for ASCII text: that is only right while no
    ASCII character is invisible (Unicode could, in principle, re-categorise one)."""
    assert [hex(c) for c in range(128) if is_invisible(chr(c))] == []
    assert sanitize_line("a\u200bb\u00adc") == "abc"
