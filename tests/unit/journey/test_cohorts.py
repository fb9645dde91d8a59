"""Exam cohorts: finding study groups of members sitting the same exam within three weeks
who can meet, and forming new ones by date window, language and waking hours."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.outbox import DueItem, Outbox, Receipt
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey import (
    COHORT_ARCHIVE_KIND,
    COHORT_NOTICE_KIND,
    ChannelPost,
    CohortArchive,
    JourneyService,
)
from bot.services.journey._models import Candidate
from bot.services.journey.cohorts import cluster
from cogs.journey.views import cohort_description
from tests.unit.journey.conftest import ALICE, BOB, GUILD, MOD, Rendered, run

CAROL, DAN, ERIN = 2004, 2005, 2006
ON = date(2026, 1, 5)


async def _member(db: Database, journey: JourneyService, user: int, day: str, zone: str,
                  langs: str = "") -> None:
    await db.execute("INSERT INTO member_timezones (user_id, zone, updated_at) VALUES (?, ?, 0)",
                     (user, zone))
    await journey.exams.set(GUILD, user, "step2ck", day)
    if langs:
        await db.execute(
            "INSERT INTO mentees (guild_id, user_id, specialty, visa, stage, languages, timezone, "
            "created_at, updated_at) VALUES (?, ?, 'internal_medicine', 'j1', 'step1', ?, ?, 0, 0)",
            (GUILD, user, langs, zone))


async def test_find_suggests_groups_of_near_dates_that_can_meet(
    journey: JourneyService, db: Database
) -> None:
    study = journey.cohorts._study
    await _member(db, journey, ALICE, "2026-03-10", "Asia/Kolkata", "en,hi")
    await _member(db, journey, BOB, "2026-03-24", "Asia/Karachi", "en,ur")   # 2 weeks later
    await _member(db, journey, CAROL, "2026-05-01", "Asia/Dubai", "en")      # 7 weeks later
    await _member(db, journey, DAN, "2026-03-12", "Pacific/Honolulu", "en")  # no shared day
    near = await study.groups.create(GUILD, BOB, "CK March", "Step 2 CK")
    await study.groups.create(GUILD, CAROL, "CK May", "Step 2 CK")
    await study.groups.create(GUILD, DAN, "CK Hawaii", "Step 2 CK")
    await study.groups.create(GUILD, MOD, "Step 1 crew", "Step 1")

    [match] = await journey.cohorts.find(GUILD, ALICE, "step2ck")
    assert match.group.id == near.id and match.near == 1
    assert match.overlap_hours is not None and match.overlap_hours > 12
    with pytest.raises(NotFound, match="Set your USMLE Step 1 date first"):
        await journey.cohorts.find(GUILD, ALICE, "step1")


async def test_form_plans_a_preview_then_creates_study_groups(
    journey: JourneyService, db: Database, clock: ManualClock
) -> None:
    await _member(db, journey, ALICE, "2026-03-10", "Asia/Kolkata", "en")
    await _member(db, journey, BOB, "2026-03-20", "Asia/Karachi", "en")
    await _member(db, journey, CAROL, "2026-03-25", "Asia/Dhaka", "en")
    await _member(db, journey, DAN, "2026-03-12", "Europe/Madrid", "es")  # no shared language
    await _member(db, journey, ERIN, "2026-06-01", "Asia/Kolkata", "en")  # nobody near her date

    plan = await journey.cohorts.plan(GUILD, "step2ck", size=4)
    [cohort] = plan.cohorts
    assert [m.user_id for m in cohort.members] == [ALICE, BOB, CAROL]
    assert plan.unplaced == 2
    assert await db.fetchval("SELECT COUNT(*) FROM study_groups") == 0  # a preview changes nothing

    result = await journey.cohorts.form(plan, MOD, cohort_description)
    [group] = result.groups
    assert group.name == "Step 2 CK cohort Mar 2026 #1" and group.member_count == 3
    assert group.topic == "Step 2 CK" and group.capacity == 4
    assert "Exam dates 10 Mar to 25 Mar 2026" in group.description and "<t:" in group.description
    again = await journey.cohorts.plan(GUILD, "step2ck", size=4)
    assert again.cohorts == () and again.unplaced == 2  # the cohort's members have a group now
    with pytest.raises(InvalidInput, match="2 to 12 members"):
        await journey.cohorts.plan(GUILD, "step2ck", size=1)


async def test_confirming_a_stale_preview_leaves_out_who_found_a_group_meanwhile(
    journey: JourneyService, db: Database
) -> None:
    await _member(db, journey, ALICE, "2026-03-10", "Asia/Kolkata")
    await _member(db, journey, BOB, "2026-03-20", "Asia/Karachi")
    plan = await journey.cohorts.plan(GUILD, "step2ck", size=2)
    await journey.cohorts._study.groups.create(GUILD, BOB, "Bob's own", "Step 2 CK")
    result = await journey.cohorts.form(plan, MOD, cohort_description)
    assert result.groups == () and result.skipped == 1


async def _two_cohorts(journey: JourneyService, db: Database):
    for user, day in ((ALICE, "2026-03-10"), (BOB, "2026-03-12"), (CAROL, "2026-05-10"),
                      (DAN, "2026-05-12")):
        await _member(db, journey, user, day, "Asia/Kolkata")
    plan = await journey.cohorts.plan(GUILD, "step2ck", size=2)
    assert len(plan.cohorts) == 2
    return plan


async def test_forming_is_one_transaction_a_failure_midway_creates_nothing(
    journey: JourneyService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await _two_cohorts(journey, db)
    store = journey.cohorts._store
    real, calls = store.add_cohort, []

    async def fails_the_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return await real(*args, **kwargs)

    monkeypatch.setattr(store, "add_cohort", fails_the_second)
    with pytest.raises(RuntimeError):
        await journey.cohorts.form(plan, MOD, cohort_description)
    assert len(calls) == 2  # the first cohort had been made when the second failed
    assert await db.fetchval("SELECT COUNT(*) FROM study_groups") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM study_group_members") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM journey_cohorts") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM outbox") == 0


async def test_a_cohort_the_quotas_refuse_is_skipped_with_the_reason(
    journey: JourneyService, db: Database
) -> None:
    plan = await _two_cohorts(journey, db)
    await GuildSettingsService(db).set(GUILD, "study_groups_per_server", 1)
    result = await journey.cohorts.form(plan, MOD, cohort_description)
    assert [g.name for g in result.groups] == ["Step 2 CK cohort Mar 2026 #1"]
    assert result.skipped == 1 and "This server already has 1 study groups" in result.reasons[0]
    assert result.cohorts[0].member_ids == (ALICE, BOB)


async def test_a_cohorts_role_is_recorded_on_its_group_or_why_it_failed(
    journey: JourneyService, db: Database
) -> None:
    plan = await _two_cohorts(journey, db)
    first, second = (await journey.cohorts.form(plan, MOD, cohort_description, role=True)).cohorts
    assert await db.fetchval("SELECT COUNT(*) FROM journey_cohorts WHERE role_wanted = 1") == 2
    await journey.cohorts.role_created(first.cohort_id, 777, MOD)
    await journey.cohorts.role_failed(second.cohort_id, "the bot lacks Manage Roles")
    group = await journey.cohorts._study.groups.get(GUILD, first.group.id)
    assert group.role_id == 777
    rows = await db.fetchall("SELECT role_error FROM journey_cohorts ORDER BY id")
    assert [r["role_error"] for r in rows] == [None, "the bot lacks Manage Roles"]


def test_cluster_keeps_cohorts_within_the_window_and_the_size() -> None:
    members = [Candidate(i, ON + timedelta(days=i * 3), frozenset({"en"}), "Africa/Lagos")
               for i in range(20)]
    groups = cluster(members, 4, timedelta(weeks=3), ON)
    assert all(2 <= len(g) <= 4 for g in groups)
    assert all(g[-1].day - g[0].day <= timedelta(weeks=3) for g in groups)
    assert sorted(m.user_id for g in groups for m in g) == list(range(20))


def test_cluster_forms_5000_members_quickly() -> None:
    """A guard against a quadratic regression (the benchmark measures it properly)."""
    zones = ["Asia/Kolkata", "Africa/Lagos", "America/New_York", "Asia/Manila", "Europe/London"]
    langs = [frozenset({"en"}), frozenset({"en", "hi"}), frozenset({"es"}), frozenset({"ar", "en"})]
    members = [Candidate(i, ON + timedelta(days=i % 365), langs[i % 4], zones[i % 5])
               for i in range(5000)]
    started = time.perf_counter()
    groups = cluster(members, 6, timedelta(weeks=3), ON)
    assert time.perf_counter() - started < 10  # generous: shared CI cores
    assert sum(len(g) for g in groups) > 4000


@dataclass
class FakeAnnouncements:
    """Posts (recorded) and archive rows (done through the service, as the cog does)."""

    journey: JourneyService
    posts: list[Rendered] = field(default_factory=list)

    async def send(self, item: DueItem, message: object) -> Receipt:
        if isinstance(message, CohortArchive):
            await self.journey.closing.archive(message.cohort_id)
        else:
            assert isinstance(message, ChannelPost)
            self.posts.append(Rendered(message))
        return Receipt(len(self.posts))


async def _formed(journey: JourneyService, db: Database, outbox: Outbox) -> FakeAnnouncements:
    await GuildSettingsService(db).set(GUILD, "announcements_channel", 42)
    await _member(db, journey, ALICE, "2026-03-10", "Asia/Kolkata")
    await _member(db, journey, BOB, "2026-03-20", "Asia/Karachi")
    await journey.cohorts.form(await journey.cohorts.plan(GUILD, "step2ck", size=2), MOD,
                               cohort_description)
    sink = FakeAnnouncements(journey)
    for kind in (COHORT_NOTICE_KIND, COHORT_ARCHIVE_KIND):
        outbox.attach_sender(kind, sink)
    return sink


async def test_a_cohort_asks_for_milestones_then_archives_itself(
    journey: JourneyService, db: Database, outbox: Outbox, clock: ManualClock
) -> None:
    sink = await _formed(journey, db, outbox)
    await run(outbox, clock, datetime(2026, 3, 27, 11, 0, tzinfo=UTC))
    assert sink.posts == []  # a week after the window's last date (20 Mar), at noon UTC
    await run(outbox, clock, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    [post] = sink.posts
    assert post.pings == (ALICE, BOB) and "`/milestone add`" in post.content
    assert f"<@{ALICE}>" in post.content and "`/cohort keep`" in post.content
    await run(outbox, clock, datetime(2026, 3, 30, 12, 0, tzinfo=UTC))
    [group] = await journey.cohorts._study.groups.list(GUILD, include_archived=True)
    assert group.archived
    await run(outbox, clock, datetime(2026, 4, 30, 12, 0, tzinfo=UTC))
    assert len(sink.posts) == 1


async def test_the_owner_brings_back_a_cohort_it_archived(
    journey: JourneyService, db: Database, outbox: Outbox, clock: ManualClock
) -> None:
    await _formed(journey, db, outbox)
    await run(outbox, clock, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))  # asked
    await run(outbox, clock, datetime(2026, 3, 30, 12, 0, tzinfo=UTC))  # then archived
    [group] = await journey.cohorts._study.groups.list(GUILD, include_archived=True)
    assert group.archived
    with pytest.raises(Forbidden, match="Only the owner"):
        await journey.closing.keep(GUILD, group.id, BOB)
    assert await journey.closing.keep(GUILD, group.id, group.owner_id) == (group.name, True)
    [back] = await journey.cohorts._study.groups.list(GUILD)
    assert back.id == group.id and not back.archived and back.member_count == 2
    assert await db.fetchval("SELECT closed_at FROM journey_cohorts") is None
    await run(outbox, clock, datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    assert not (await journey.cohorts._study.groups.get(GUILD, group.id)).archived


async def test_the_owner_keeps_the_cohort_and_nobody_else_can(
    journey: JourneyService, db: Database, outbox: Outbox, clock: ManualClock
) -> None:
    sink = await _formed(journey, db, outbox)
    await run(outbox, clock, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    [group] = await journey.cohorts._study.groups.list(GUILD)
    with pytest.raises(Forbidden, match="Only the owner"):
        await journey.closing.keep(GUILD, group.id, BOB)
    assert await journey.closing.keep(GUILD, group.id, group.owner_id) == (group.name, False)
    await run(outbox, clock, datetime(2026, 3, 31, 12, 0, tzinfo=UTC))
    [still] = await journey.cohorts._study.groups.list(GUILD)
    assert not still.archived and len(sink.posts) == 1


async def test_passing_the_exam_marks_the_member_done_in_their_cohort_in_one_transaction(
    journey: JourneyService, db: Database, outbox: Outbox, clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = await _formed(journey, db, outbox)
    store = journey.milestones._store
    real = store.known_stages

    async def broken(*args: object) -> list[str]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "known_stages", broken)  # after the cohort is marked
    with pytest.raises(RuntimeError):
        await journey.milestones.add(GUILD, ALICE, "passed_step2ck", "private")
    assert await db.fetchval("SELECT COUNT(*) FROM journey_cohort_done") == 0
    assert [e.exam for e in await journey.exams.of(GUILD, ALICE)] == ["step2ck"]

    monkeypatch.setattr(store, "known_stages", real)
    result = await journey.milestones.add(GUILD, ALICE, "passed_step2ck", "private")
    assert result.cohorts_done == ("Step 2 CK cohort Mar 2026 #1",)
    assert result.exam_date_cleared == "step2ck" and await journey.exams.of(GUILD, ALICE) == []
    other = await journey.milestones.add(GUILD, BOB, "passed_step1", "private")
    assert other.cohorts_done == () and other.exam_date_cleared is None  # not the cohort's exam

    await run(outbox, clock, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    [post] = sink.posts
    assert post.pings == (BOB,) and post.content.startswith(f"<@{BOB}>\n")  # Alice: owner only
    assert "1 member has shared that they passed" in post.content
    exported = await journey.privacy.export_member(GUILD, ALICE)
    assert exported["cohorts_passed"] == ["Step 2 CK cohort Mar 2026 #1"]
    await journey.privacy.delete_member(GUILD, ALICE)
    assert await db.fetchval("SELECT COUNT(*) FROM journey_cohort_done") == 0
