"""The weekly "this week in the Match" post and the Match Day digest: only when moderators
turn them on, in the announcements channel, once per week (also over a restart), nobody named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey import POST_KINDS, JourneyService, parse_calendar
from bot.services.journey.posts import next_monday
from bot.services.study_groups import StudyGroupService
from tests.unit.journey.conftest import ALICE, BOB, CALENDAR, GUILD, MOD, FakeChannel, run

CHANNEL = 800000000000000010
MATCH_DAY = {"id": "match_day", "title": "Match Day", "at": "2026-03-20T13:00",
             "zone": "America/New_York", "applies_to": ["everyone"], "status": "confirmed",
             "source": "https://www.nrmp.org/residency/med-school-official/",
             "verified": CALENDAR["cycles"][0]["steps"][0]["verified"]}


@pytest.fixture
async def journey(db: Database, clock: ManualClock, outbox: Outbox) -> JourneyService:
    settings = GuildSettingsService(db, clock)
    await settings.set(GUILD, "announcements_channel", CHANNEL)
    calendar = {**CALENDAR, "cycles": [{**CALENDAR["cycles"][0],
                                        "steps": [*CALENDAR["cycles"][0]["steps"], MATCH_DAY]}]}
    return JourneyService(db, clock, outbox, settings,
                          StudyGroupService(db, clock, settings, outbox=outbox),
                          cycles=parse_calendar(calendar))


@pytest.fixture
def channel(outbox: Outbox) -> FakeChannel:
    sink = FakeChannel()
    for kind in POST_KINDS:
        outbox.attach_sender(kind, sink)
    return sink


def test_next_monday_is_9_eastern_across_daylight_saving() -> None:
    assert next_monday(datetime(2026, 1, 5, 12, 0, tzinfo=UTC)) == \
        datetime(2026, 1, 5, 14, 0, tzinfo=UTC)  # 07:00 EST: today's 09:00 is still ahead
    assert next_monday(datetime(2026, 1, 5, 14, 0, tzinfo=UTC)) == \
        datetime(2026, 1, 12, 14, 0, tzinfo=UTC)
    assert next_monday(datetime(2026, 3, 5, 0, 0, tzinfo=UTC)) == \
        datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # EDT from Sun 8 Mar


async def test_the_weekly_post_lists_the_weeks_steps_once_a_week(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, channel: FakeChannel,
    db: Database
) -> None:
    assert await journey.posts.set(GUILD, MOD, weekly=None, match_day=None) == (False, False)
    assert await journey.posts.set(GUILD, MOD, weekly=True, match_day=None) == (True, False)
    await run(outbox, clock, datetime(2026, 1, 5, 14, 0, tzinfo=UTC))  # nothing this week
    assert channel.posts == []
    await run(outbox, clock, datetime(2026, 1, 12, 14, 0, tzinfo=UTC))
    [post] = channel.posts
    assert post.channel_id == CHANNEL and "**This week in the Match**" in post.content
    assert "Rank Order List Opens" in post.content and "<t:1768496400:F>" in post.content
    await run(outbox, clock, datetime(2026, 1, 12, 15, 0, tzinfo=UTC))
    await run(outbox, clock, datetime(2026, 1, 19, 14, 0, tzinfo=UTC))  # nothing that week
    assert len(channel.posts) == 1
    weeks = await db.fetchall(  # one row per week, each planned by the one before
        "SELECT key, state FROM outbox WHERE kind = 'journey_weekly' ORDER BY due_at")
    assert [(r["key"].split(":")[1], r["state"]) for r in weeks] == [
        ("2026-01-05", "skipped"), ("2026-01-12", "sent"), ("2026-01-19", "skipped"),
        ("2026-01-26", "pending")]
    await journey.posts.set(GUILD, MOD, weekly=False, match_day=None)
    await run(outbox, clock, datetime(2026, 2, 23, 14, 0, tzinfo=UTC))  # the deadline's week
    assert len(channel.posts) == 1


async def test_the_match_day_digest_counts_without_names(
    journey: JourneyService, outbox: Outbox, clock: ManualClock, channel: FakeChannel
) -> None:
    await journey.posts.set(GUILD, MOD, weekly=None, match_day=True)
    clock.set(datetime(2026, 3, 20, 18, 0, tzinfo=UTC))
    await journey.milestones.add(GUILD, ALICE, "matched", "anonymous")
    await journey.milestones.add(GUILD, BOB, "soap_placement", "public")
    await journey.milestones.add(GUILD, MOD, "matched", "private")  # not counted: private
    await run(outbox, clock, datetime(2026, 3, 21, 0, 0, tzinfo=UTC))  # 20:00 EDT
    [post] = channel.posts
    assert "**2** members have shared here that they matched this year" in post.content
    assert str(ALICE) not in post.content and str(BOB) not in post.content
    await run(outbox, clock, datetime(2026, 3, 21, 1, 0, tzinfo=UTC) + timedelta(days=1))
    assert len(channel.posts) == 1
