"""Member notices: every event the services may send has words, within Discord's limits, and
member-written text in them can ping nobody."""

from __future__ import annotations

import pytest

from bot.services.notices import EVENTS, MemberNotice
from cogs.notices import render

FACTS = {"ended_by": 42, "started_at": 1767225600, "role": "mentee", "by": 43,
         "group": "Crew @everyone <@&7>", "title": "Link **bold** @here", "url": "https://x.org",
         "cancelled": 2}


@pytest.mark.parametrize("event", sorted(EVENTS))
@pytest.mark.parametrize("user_id", [1, None])
def test_every_event_has_words_that_ping_nobody(event: str, user_id: int | None) -> None:
    text = render(MemberNotice(event, 5, user_id, FACTS, None), "FMG *Community*")
    assert 0 < len(text) <= 1800  # room for the fallback's mention and note
    assert "@everyone" not in text and "@here" not in text and "**bold**" not in text
    if user_id is not None:  # a DM says which server (a thread's line is in it)
        assert "FMG \\*Community\\*" in text


def test_a_pairing_end_names_nobody_once_the_member_who_ended_it_is_erased() -> None:
    erased = {**FACTS, "ended_by": None}
    for user_id in (1, None):
        text = render(MemberNotice("pairing_ended", 5, user_id, erased, None), "S")
        assert "<@" not in text and "None" not in text
