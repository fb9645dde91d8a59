"""The figures behind each chart, from a seeded database, compared exactly (issue 20)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import InvalidInput
from bot.services.insights import (
    InsightsService,
    SearchCount,
    SessionRsvps,
    Supply,
    TopicAnswers,
    as_json,
    lines,
)
from bot.services.mentoring import MentoringService
from tests.unit.insights.seed import DAY, OTHER, G, seed


@pytest.fixture
async def insights(db: Database, clock: ManualClock) -> InsightsService:
    await seed(db, clock.now())
    return InsightsService(db, clock, MentoringService(db, clock, request_timeout=timedelta(hours=72)))


async def test_mentoring_figures_for_30_days_and_all_time(insights: InsightsService) -> None:
    month = await insights.topic("mentoring", G, insights.period(30))
    assert (month.waiting, month.free_slots, month.active_pairings) == (4, 2, 1)
    assert month.by_specialty == [
        Supply("internal_medicine", "Internal Medicine", 2, 2),
        Supply("psychiatry", "Psychiatry", 1, 2),
        Supply("pediatrics", "Pediatrics", 1, 0),
    ]
    assert month.by_visa == [Supply("j1", "J-1", 3, 2), Supply("h1b", "H-1B", 1, 0)]
    assert (month.accepted, month.median_accept_hours) == (2, 4.0)
    assert month.ran_out == 2
    assert month.ran_out_reasons == {"no_language": 1, "paused": 1}
    assert (month.started, month.ended, month.ratings) == (2, 1, (0, 0, 0, 1, 0))
    assert month.mean_rating == 4.0

    ever = await insights.topic("mentoring", G, insights.period(None))
    assert (ever.accepted, ever.median_accept_hours) == (3, 6.0)
    assert ever.ran_out_reasons == {"no_language": 1, "paused": 1, "free_now": 1}
    assert (ever.started, ever.ended, ever.ratings) == (3, 2, (0, 1, 0, 1, 0))
    assert ever.mean_rating == 3.0


async def test_study_figures_count_sessions_held_and_their_rsvps(
    insights: InsightsService, clock: ManualClock
) -> None:
    now = clock.now()
    month = await insights.topic("study", G, insights.period(30))
    assert month.sessions == [SessionRsvps(now - 6 * DAY, "IM Step 2 crew", 3, 1, 1)]
    assert month.cancelled == 1
    assert (month.total("going"), month.total("maybe"), month.total("no")) == (3, 1, 1)
    ever = await insights.topic("study", G, insights.period(None))
    assert [s.starts_at for s in ever.sessions] == [now - 45 * DAY, now - 6 * DAY]
    week = await insights.topic("study", G, insights.period(7))
    assert [s.going for s in week.sessions] == [3]


async def test_anonymous_figures_are_counts_per_topic(insights: InsightsService) -> None:
    month = await insights.topic("anonymous", G, insights.period(30))
    assert month.topics == [TopicAnswers("visa", 3, 2, 1), TopicAnswers(None, 1, 1, 1)]
    ever = await insights.topic("anonymous", G, insights.period(None))
    assert ever.topics[0] == TopicAnswers("visa", 4, 3, 1)
    other = await insights.topic("anonymous", OTHER, insights.period(None))
    assert other.topics == [TopicAnswers("visa", 1, 1, 1)]


async def test_resource_figures_rank_searches_and_those_that_found_nothing(
    insights: InsightsService,
) -> None:
    month = await insights.topic("resources", G, insights.period(30))
    assert (month.searches, month.empty) == (10, 4)
    assert month.top == [SearchCount("ecfmg", 7, 1), SearchCount("observership boise", 3, 3)]
    assert month.gaps == [SearchCount("observership boise", 3, 3), SearchCount("ecfmg", 7, 1)]
    ever = await insights.topic("resources", G, insights.period(None))
    assert [c.query for c in ever.top] == ["visa", "ecfmg", "observership boise"]
    assert ever.searches == 20


async def test_text_and_json_carry_the_same_figures(insights: InsightsService) -> None:
    everything = await insights.all(G, insights.period(30))
    text = "\n".join(lines(everything.mentoring))
    assert "Now: 4 mentees waiting for a mentor, 2 free mentor slots, 1 active pairing." in text
    assert "• Internal Medicine: 2 waiting, 2 free slots" in text
    assert "median time to accept 4.0 h" in text
    assert "• no mentor speaks their language (as the roster stands now): 1" in text
    assert "Ratings of ended pairings: 1 (mean 4.00/5;" in text
    study = lines(everything.study, clean=str.upper)
    assert study[0] == ("last 30 days: 1 session held, 1 cancelled; RSVPs 3 going, 1 maybe, "
                        "1 not going.")
    assert study[-1].endswith("UTC · IM STEP 2 CREW: 3 going, 1 maybe, 1 not")  # cleaned
    assert lines(everything.anonymous)[1:] == [
        "• visa: 3 asked, answered 2 (67%), by a mentor 1 (33%)",
        "• (no topic): 1 asked, answered 1 (100%), by a mentor 1 (100%)",
    ]
    assert "Searches that found nothing:" in lines(everything.resources)
    data = as_json(everything)
    assert data["guild_id"] == G and data["resources"]["searches"] == 10
    assert data["mentoring"]["by_visa"][0] == {"key": "j1", "label": "J-1", "waiting": 3,
                                               "free_slots": 2}
    assert data["study"]["sessions"][0]["starts_at"].endswith("+00:00")


async def test_a_period_is_7_30_or_90_days_or_all_time(insights: InsightsService) -> None:
    with pytest.raises(InvalidInput):
        insights.period(14)
    assert insights.period(None).label == "all time"
    assert await insights.guild_ids() == [G, OTHER]
