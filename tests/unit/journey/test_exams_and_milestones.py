"""Exam dates (private, a day or a month) and milestones: one transaction records the
milestone, raises the stage mentor scoring reads (never lowers it) and enqueues its
celebration; privacy export and delete cover all of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import InvalidInput
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey import (
    CELEBRATION_KIND,
    CelebrationPost,
    ExamDate,
    JourneyService,
    parse_calendar,
)
from bot.services.mentoring import MentoringService
from bot.services.mentoring.profiles import MenteeInput, MentorInput
from bot.services.study_groups import StudyGroupService
from tests.unit.journey.conftest import ALICE, BOB, CALENDAR, GUILD, MOD, FakeChannel

CHANNEL = 800000000000000009


async def test_exam_dates_are_a_day_or_a_month(journey: JourneyService) -> None:
    saved = await journey.exams.set(GUILD, ALICE, "step2ck", "2026-03-14")
    assert saved == ExamDate("step2ck", date(2026, 3, 14), False) and saved.text() == "14 March 2026"
    month = await journey.exams.set(GUILD, ALICE, "oet", " 2026-05 ")
    assert month.month_only and month.text() == "May 2026"
    await journey.exams.set(GUILD, ALICE, "step2ck", "2026-04-02")  # replaces, not adds
    assert [e.exam for e in await journey.exams.of(GUILD, ALICE)] == ["step2ck", "oet"]
    assert await journey.exams.clear(GUILD, ALICE, "oet") == 1
    assert await journey.exams.clear(GUILD, ALICE, None) == 1
    assert await journey.exams.of(GUILD, ALICE) == []


@pytest.mark.parametrize("text, message", [
    ("14/03/2026", "not a date I can read"), ("2026-13", "not a date I can read"),
    ("2207-03-14", "more than two years"), ("", "not a date I can read"),
])
async def test_a_bad_exam_date_is_refused_and_changes_nothing(journey: JourneyService, text: str,
                                                              message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        await journey.exams.set(GUILD, ALICE, "step1", text)
    with pytest.raises(InvalidInput, match="Pick the exam"):
        await journey.exams.set(GUILD, ALICE, "step9", "2026-03-14")
    assert await journey.exams.of(GUILD, ALICE) == []


@pytest.fixture
def mentoring(db: Database, clock: ManualClock, outbox: Outbox) -> MentoringService:
    return MentoringService(db, clock, request_timeout=timedelta(hours=72), outbox=outbox)


@pytest.fixture
def journey_with_mentoring(db: Database, clock: ManualClock, outbox: Outbox,
                           mentoring: MentoringService) -> JourneyService:
    settings = GuildSettingsService(db, clock)
    return JourneyService(db, clock, outbox, settings,
                          StudyGroupService(db, clock, settings, outbox=outbox),
                          cycles=parse_calendar(CALENDAR),
                          mentor_pool_changed=mentoring.forget_pool)


async def _profiles(mentoring: MentoringService) -> None:
    await mentoring.register_mentor(GUILD, BOB, MentorInput.validated(
        specialties=["internal_medicine"], visas=["j1"], stage="matched", languages=["en"],
        timezone="America/New_York", capacity=2, bio=""))
    await mentoring.moderate(GUILD, BOB, "approve")
    await mentoring.set_mentee_profile(GUILD, ALICE, MenteeInput.validated(
        specialty="internal_medicine", visa="j1", stage="step1", languages=["en"],
        timezone="America/New_York", goals=""))


async def test_a_milestone_changes_the_mentor_match_score(
    journey_with_mentoring: JourneyService, mentoring: MentoringService
) -> None:
    await _profiles(mentoring)
    [before] = await mentoring.candidates(GUILD, ALICE)  # caches the mentor pool
    result = await journey_with_mentoring.milestones.add(GUILD, ALICE, "passed_step3", "private")
    assert result.stage_raised_to == "step3" and not result.celebrated
    assert (await mentoring.get_mentee(GUILD, ALICE)).stage == "step3"
    [after] = await mentoring.candidates(GUILD, ALICE)
    assert after.score.total < before.score.total  # Bob is no longer far ahead of Alice

    # Bob matched long ago: a Step 1 milestone of his never lowers his stage
    raised = await journey_with_mentoring.milestones.add(GUILD, BOB, "passed_step1", "private")
    assert raised.stage_raised_to is None
    assert (await mentoring.get_mentor(GUILD, BOB)).stage == "matched"


async def test_the_milestone_and_the_stage_change_commit_together(
    journey_with_mentoring: JourneyService, mentoring: MentoringService, db: Database,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    await _profiles(mentoring)

    async def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(journey_with_mentoring.calendar, "profile_changed", broken)
    with pytest.raises(RuntimeError):
        await journey_with_mentoring.milestones.add(GUILD, ALICE, "passed_step2ck", "public")
    assert await db.fetchval("SELECT COUNT(*) FROM journey_milestones") == 0
    assert (await mentoring.get_mentee(GUILD, ALICE)).stage == "step1"


async def test_public_and_anonymous_milestones_are_celebrated(
    db: Database, clock: ManualClock, outbox: Outbox
) -> None:
    settings = GuildSettingsService(db, clock)
    journey = JourneyService(db, clock, outbox, settings,
                             StudyGroupService(db, clock, settings, outbox=outbox),
                             cycles=parse_calendar(CALENDAR))
    quiet = await journey.milestones.add(GUILD, ALICE, "first_interview", "public")
    assert not quiet.celebrated  # no channel set yet
    await settings.set(GUILD, "announcements_channel", CHANNEL)
    await journey.milestones.add(GUILD, ALICE, "matched", "anonymous")
    await journey.milestones.add(GUILD, BOB, "visa_approved", "private")
    rows = await db.fetchall("SELECT ref_id, recipient_id FROM outbox WHERE kind = ?",
                             (CELEBRATION_KIND,))
    assert len(rows) == 1 and rows[0]["recipient_id"] is None  # nothing names the member
    sink = FakeChannel()
    outbox.attach_sender(CELEBRATION_KIND, sink)
    await outbox.run_due(clock.now())
    [post] = sink.posts
    assert post.message == CelebrationPost(CHANNEL, post.nonce, "Matched", None)  # nobody named
    text = post.content
    assert str(ALICE) not in text and "A member of this server" in text and "**Matched**" in text


async def test_privacy_exports_and_deletes_the_journey(journey: JourneyService, db: Database,
                                                       clock: ManualClock) -> None:
    await journey.calendar.set_profile(GUILD, ALICE, visa="j1", stage="step1")
    await journey.exams.set(GUILD, ALICE, "step2ck", "2026-03")
    await journey.milestones.add(GUILD, ALICE, "passed_step1", "private")
    await journey.reminders.follow(GUILD, ALICE)
    await journey.reminders.follow(GUILD, BOB)
    await journey.calendar.edit(GUILD, MOD, "2026/rank_order_list_opens", "", confirmed=True)

    exported = await journey.privacy.export_member(GUILD, ALICE)
    assert exported["profile"] == {"visa": "j1", "stage": "step1"}
    assert exported["exam_dates"] == [{"exam": "step2ck", "date": "March 2026"}]
    assert [m["milestone"] for m in exported["milestones"]] == ["Passed USMLE Step 1"]
    assert exported["following_calendar"] is True

    await journey.privacy.delete_member(GUILD, ALICE)
    assert await journey.privacy.export_member(GUILD, ALICE) == {
        "profile": None, "following_calendar": False, "exam_dates": [], "milestones": [],
        "cohorts_passed": []}
    pending = await db.fetchall(
        "SELECT DISTINCT recipient_id FROM outbox WHERE kind = 'journey_reminder' "
        "AND state = 'pending'")
    assert [r["recipient_id"] for r in pending] == [BOB]  # Bob's reminders are untouched
    # a moderator's edit names the moderator, not the member: it stays
    assert await db.fetchval("SELECT COUNT(*) FROM journey_step_overrides") == 1
