"""The timeline embed stays inside Discord's limits however many long steps lie ahead."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.services.journey import MemberProfile, Timeline, parse_calendar
from cogs.journey.views import TIMELINE_FIELDS, timeline_embed
from tests.unit.journey.conftest import CALENDAR


def test_a_long_timeline_fits_one_embed_and_says_what_is_left() -> None:
    [cycle] = parse_calendar(CALENDAR)
    base = cycle.steps[1]  # projected: carries its rule
    steps = tuple(dataclasses.replace(base, id=f"s{i}", title="T" * 250, rule="R" * 400,
                                      at=base.at + timedelta(days=i)) for i in range(30))
    embed = timeline_embed(Timeline(MemberProfile(), "none", steps))
    assert 0 < len(embed.fields) <= TIMELINE_FIELDS
    assert len(embed) <= 6000
    assert embed.description == f"The next {len(embed.fields)} steps; " \
        f"{30 - len(embed.fields)} more come later."
    assert all(len(f.value or "") <= 1024 for f in embed.fields)
