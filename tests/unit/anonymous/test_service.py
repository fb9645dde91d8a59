"""The anonymous-questions service on a real (temp) database with a manual clock."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import DueItem, Receipt, SendFailed
from bot.services.anonymous import (
    CLOSE_NOTICE,
    KINDS,
    AnonymousLimits,
    AnonymousService,
    OutboxJob,
)
from bot.services.anonymous._service import CODE_FAILURES_PER_MEMBER, question_chunks
from bot.services.anonymous._text import MESSAGE_LIMIT
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MentoringService, MentorInput
from cogs.anonymous.cog import mentor_notice_text

ASKER = 345678901234567890
OTHER = 456789012345678901
GUILD = 900000000000000001
ANON_CHANNEL = 900000000000000010
REVIEW_CHANNEL = 900000000000000011


@pytest.fixture
async def guild_settings(db: Database, clock: ManualClock) -> GuildSettingsService:
    service = GuildSettingsService(db, clock)
    await service.set(GUILD, "anonymous_channel", ANON_CHANNEL)
    return service


@pytest.fixture
def anon(
    db: Database, guild_settings: GuildSettingsService, clock: ManualClock
) -> AnonymousService:
    return AnonymousService(db, guild_settings, clock, AnonymousLimits(30, 180, 3))


class FakeDiscord:
    """The adapter's side: 'posts' each job (a question gets thread 7000 + its id)."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.jobs: list[OutboxJob] = []
        self.fail = fail

    async def send(self, item: DueItem, job: OutboxJob) -> Receipt:
        if self.fail is not None:
            raise self.fail
        self.jobs.append(job)
        thread = 7000 + job.question_id if job.kind == "question" else None
        return Receipt(8000 + len(self.jobs), channel_id=job.target_channel_id or 0,
                       thread_id=thread)


async def sent_now(anon: AnonymousService, clock: ManualClock,
                   discord: FakeDiscord | None = None) -> list[OutboxJob]:
    """One run of the outbox at the clock's now: the jobs it sent, in queue order."""
    discord = discord or FakeDiscord()
    for kind in KINDS:
        anon.outbox.attach_sender(kind, discord)
    before = len(discord.jobs)
    await anon.outbox.run_due(clock.now())
    return sorted(discord.jobs[before:], key=lambda j: j.id)


async def publish_all(anon: AnonymousService, clock: ManualClock) -> list[OutboxJob]:
    """Advance past the longest delay and play the adapter: post every due job."""
    clock.advance(timedelta(seconds=181))
    return await sent_now(anon, clock)


async def test_ask_queues_with_a_random_delay_and_returns_a_code(
    anon: AnonymousService, clock: ManualClock
) -> None:
    receipt = await anon.ask(
        GUILD, ASKER, "Failed Step 1 once", "Is it a **red flag**? @everyone", "Step 1"
    )
    assert timedelta(seconds=30) <= receipt.due_at - clock.now() <= timedelta(seconds=180)
    assert receipt.code.startswith(f"{receipt.question_id}-")
    assert not receipt.needs_review
    assert await sent_now(anon, clock) == []  # nothing before the delay
    assert await anon.outbox.next_due() == receipt.due_at
    clock.set(receipt.due_at)
    [job] = await sent_now(anon, clock)
    assert job.kind == "question" and job.target_channel_id == ANON_CHANNEL
    assert job.title == "Failed Step 1 once" and job.tag == "Step 1"
    assert "@everyone" not in job.chunks[0] and "**red flag**" in job.chunks[0]
    assert await sent_now(anon, clock) == []  # claimed at most once


async def test_delays_are_spread_over_the_window(
    anon: AnonymousService, clock: ManualClock
) -> None:
    anon._asks = type(anon._asks)(anon.member_keys, clock, 1000, timedelta(hours=1))
    delays = {
        (await anon.ask(GUILD, ASKER, "t", "b", None)).due_at - clock.now() for _ in range(40)
    }
    assert len(delays) > 10
    assert all(timedelta(seconds=30) <= d <= timedelta(seconds=180) for d in delays)


async def test_nothing_about_the_asker_is_stored(
    anon: AnonymousService, db: Database, clock: ManualClock
) -> None:
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    await anon.followup(GUILD, ASKER, receipt.code, "more")
    await anon.close(GUILD, ASKER, receipt.code)
    await publish_all(anon, clock)
    secret = receipt.code.split("-", 1)[1].replace("-", "")
    tables = await db.tables()
    for table in tables:
        for row in await db.fetchall(f"SELECT * FROM {table}"):  # names from the schema
            for value in tuple(row):
                assert str(ASKER) not in str(value)
                assert secret not in str(value)
    assert {"anon_questions", "outbox"} <= set(tables)


async def test_rate_limit_per_asker(anon: AnonymousService, clock: ManualClock) -> None:
    for _ in range(3):
        await anon.ask(GUILD, ASKER, "t", "b", None)
    with pytest.raises(Forbidden, match="3 anonymous questions per hour"):
        await anon.ask(GUILD, ASKER, "t", "b", None)
    await anon.ask(GUILD, OTHER, "t", "b", None)
    clock.advance(timedelta(hours=1))
    await anon.ask(GUILD, ASKER, "t", "b", None)


async def test_bad_input_changes_nothing(anon: AnonymousService, db: Database) -> None:
    with pytest.raises(InvalidInput, match="title"):
        await anon.ask(GUILD, ASKER, "  \u200b ", "body", None)
    with pytest.raises(InvalidInput, match="limit is 4,000"):
        await anon.ask(GUILD, ASKER, "t", "<@1>" * 1000, None)  # 4000 typed, 7000 once neutralised
    with pytest.raises(InvalidInput, match="empty"):
        await anon.ask(GUILD, ASKER, "t", "\u200b\u200d", None)
    assert await db.fetchval("SELECT COUNT(*) FROM anon_questions") == 0
    assert anon._asks.retry_after(ASKER) == 0  # refused input does not use up the limit


async def test_not_set_up_and_preapproval_without_review_channel(
    anon: AnonymousService, guild_settings: GuildSettingsService
) -> None:
    with pytest.raises(Conflict, match="not set up"):
        await anon.ask(GUILD + 1, ASKER, "t", "b", None)
    await guild_settings.set(GUILD, "anonymous_preapproval", True)
    with pytest.raises(Conflict, match="no review channel"):
        await anon.ask(GUILD, ASKER, "t", "b", None)


async def test_long_question_is_split_under_the_limit(
    anon: AnonymousService, clock: ManualClock
) -> None:
    body = ("word " * 800).strip()  # 3999 characters
    await anon.ask(GUILD, ASKER, "A long one", body, None)
    [job] = await publish_all(anon, clock)
    assert len(job.chunks) == 3
    assert all(len(c) <= MESSAGE_LIMIT for c in job.chunks)
    assert job.chunks[0].startswith("**A long one**")


def test_a_header_that_does_not_fit_gets_its_own_message() -> None:
    chunks = question_chunks(123456, "t" * 100, "x" * 1999 + " " + "y" * 10, "tag")
    assert all(len(c) <= MESSAGE_LIMIT for c in chunks)
    assert chunks[0].startswith("**ttt")


async def test_followup_close_and_delete_with_the_code(
    anon: AnonymousService, clock: ManualClock, db: Database
) -> None:
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    with pytest.raises(Conflict, match="not been posted yet"):
        await anon.followup(GUILD, ASKER, receipt.code, "early")
    await publish_all(anon, clock)
    due, needs_review = await anon.followup(
        GUILD, ASKER, receipt.code, "more detail <@123456789012345678>"
    )
    assert timedelta(seconds=30) <= due - clock.now() <= timedelta(seconds=180)
    assert not needs_review
    await anon.close(GUILD, ASKER, receipt.code)
    with pytest.raises(Conflict, match="already marked"):
        await anon.close(GUILD, ASKER, receipt.code)
    jobs = await publish_all(anon, clock)
    assert [j.kind for j in jobs] == ["followup", "close"]
    assert all(j.target_channel_id == 7000 + receipt.question_id for j in jobs)
    assert jobs[0].chunks == ["**Asker** (follow-up):\nmore detail @member"]
    assert jobs[1].chunks == [CLOSE_NOTICE]
    due = await anon.delete(GUILD, ASKER, receipt.code)
    row = await db.fetchone("SELECT * FROM anon_questions WHERE id = ?", (receipt.question_id,))
    assert (row["state"], row["title"], row["body"]) == ("deleted", "", "")  # erased at once...
    with pytest.raises(Conflict):
        await anon.delete(GUILD, ASKER, receipt.code)
    # ...while Discord is told after a random delay, like every post.
    assert timedelta(seconds=30) <= due - clock.now() <= timedelta(seconds=180)
    assert await sent_now(anon, clock) == []
    [job] = await publish_all(anon, clock)
    assert job.kind == "delete" and job.taken_down is not None
    assert job.taken_down.thread_id == 7000 + receipt.question_id


async def test_wrong_codes_are_rejected_and_rate_limited(
    anon: AnonymousService, clock: ManualClock
) -> None:
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    qid = receipt.question_id
    almost = receipt.code[:-1] + ("0" if receipt.code[-1] != "0" else "1")  # one character off
    wrong = [
        f"{qid}-AAAAA-AAAAA-AAAAA-AAAAA",
        "nonsense",
        f"{qid + 50}-BBBBB-BBBBB-BBBBB-BBBBB",
        almost,
        f"{qid}-CCCCC-CCCCC-CCCCC-CCCCC",
    ]
    for code in wrong[:CODE_FAILURES_PER_MEMBER]:
        with pytest.raises(NotFound, match="does not match"):
            await anon.followup(GUILD, OTHER, code, "guess")
    # Locked out now, even with the right code, until the window passes.
    with pytest.raises(Forbidden, match="Too many wrong claim codes"):
        await anon.followup(GUILD, OTHER, receipt.code, "guess")
    # Another member (the asker) is not affected.
    await anon.followup(GUILD, ASKER, receipt.code, "mine")
    clock.advance(timedelta(minutes=15))
    await anon.followup(GUILD, OTHER, receipt.code, "now it works (they had the code)")


async def test_a_code_only_works_in_its_own_guild(
    anon: AnonymousService, clock: ManualClock, guild_settings: GuildSettingsService
) -> None:
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    with pytest.raises(NotFound):
        await anon.close(GUILD + 1, ASKER, receipt.code)


async def test_preapproval_goes_through_review(
    anon: AnonymousService, clock: ManualClock, guild_settings: GuildSettingsService, db: Database
) -> None:
    await guild_settings.set(GUILD, "anonymous_preapproval", True)
    await guild_settings.set(GUILD, "anonymous_review_channel", REVIEW_CHANNEL)
    first = await anon.ask(GUILD, ASKER, "first", "body one", None)
    second = await anon.ask(GUILD, ASKER, "second", "body two", None)
    assert first.needs_review
    jobs = await publish_all(anon, clock)
    assert [(j.kind, j.target_channel_id) for j in jobs] == [("review", REVIEW_CHANNEL)] * 2
    assert "is waiting for approval" in jobs[0].chunks[0]
    await anon.approve(GUILD, first.question_id)
    with pytest.raises(Conflict):
        await anon.approve(GUILD, first.question_id)
    [job] = await sent_now(anon, clock)  # approved questions are published at once
    assert (job.kind, job.question_id, job.target_channel_id) == (
        "question",
        first.question_id,
        ANON_CHANNEL,
    )
    rejected = await anon.reject(GUILD, second.question_id)
    assert rejected.review_message_id is not None
    assert (
        await db.fetchval("SELECT body FROM anon_questions WHERE id = ?", (second.question_id,))
        == ""
    )


async def test_approving_twice_at_once_publishes_once(
    anon: AnonymousService, clock: ManualClock, guild_settings: GuildSettingsService
) -> None:
    await guild_settings.set(GUILD, "anonymous_preapproval", True)
    await guild_settings.set(GUILD, "anonymous_review_channel", REVIEW_CHANNEL)
    asked = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    results = await asyncio.gather(
        anon.approve(GUILD, asked.question_id),
        anon.approve(GUILD, asked.question_id),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert [j.kind for j in await sent_now(anon, clock)] == ["question"]


async def test_remove_cancels_pending_posts(anon: AnonymousService, clock: ManualClock) -> None:
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    removed = await anon.remove(GUILD, receipt.question_id)
    assert removed.state == "removed" and removed.thread_id is None
    clock.advance(timedelta(minutes=5))
    assert await sent_now(anon, clock) == []
    with pytest.raises(NotFound):
        await anon.remove(GUILD + 1, receipt.question_id)


async def test_deleting_drops_the_text_of_queued_follow_ups(
    anon: AnonymousService, clock: ManualClock, db: Database
) -> None:
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    await anon.followup(GUILD, ASKER, receipt.code, "a detail that names my hospital")
    await anon.delete(GUILD, ASKER, receipt.code)
    rows = await db.fetchall("SELECT state, data FROM outbox WHERE kind = 'anon_followup'")
    assert [(r["state"], r["data"]) for r in rows] == [("cancelled", "{}")]
    clock.advance(timedelta(minutes=5))
    assert [j.kind for j in await sent_now(anon, clock)] == ["delete"]  # the follow-up never


async def test_removing_twice_at_once_takes_down_once(anon: AnonymousService) -> None:
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    results = await asyncio.gather(
        anon.remove(GUILD, receipt.question_id),
        anon.remove(GUILD, receipt.question_id),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "PostedQuestion"]


async def test_mute_pauses_asking_for_the_guild(anon: AnonymousService, clock: ManualClock) -> None:
    until = await anon.mute(GUILD, timedelta(hours=2))
    with pytest.raises(Forbidden, match=f"<t:{int(until.timestamp())}:F>"):
        await anon.ask(GUILD, ASKER, "t", "b", None)
    clock.advance(timedelta(hours=2))
    await anon.ask(GUILD, ASKER, "t", "b", None)
    await anon.mute(GUILD, timedelta(days=1))
    assert await anon.unmute(GUILD)
    await anon.ask(GUILD, ASKER, "t", "b", None)
    with pytest.raises(InvalidInput):
        await anon.mute(GUILD, timedelta(days=31))


async def test_report_needs_a_review_channel_and_stores_no_reporter(
    anon: AnonymousService, clock: ManualClock, guild_settings: GuildSettingsService, db: Database
) -> None:
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    with pytest.raises(Conflict, match="review channel"):
        await anon.report(GUILD, OTHER, receipt.question_id, "spam")
    await guild_settings.set(GUILD, "anonymous_review_channel", REVIEW_CHANNEL)
    report = await anon.report(GUILD, OTHER, receipt.question_id, "spam @here")
    assert (report.review_channel_id, report.reason) == (
        REVIEW_CHANNEL,
        "\uff20here".join(["spam ", ""]),
    )
    row = await db.fetchone("SELECT * FROM anon_reports")
    assert str(OTHER) not in " ".join(str(v) for v in tuple(row))


async def test_failed_sends_retry_then_give_up(
    anon: AnonymousService, clock: ManualClock, db: Database
) -> None:
    asked = await anon.ask(GUILD, ASKER, "title", "body", None)
    clock.advance(timedelta(minutes=5))
    down = FakeDiscord(fail=SendFailed("502 Bad Gateway"))
    assert await sent_now(anon, clock, down) == []
    assert await sent_now(anon, clock) == []  # not before its retry delay
    clock.advance(timedelta(minutes=2))
    refused = FakeDiscord(fail=SendFailed("403 Missing Access", permanent=True))
    assert await sent_now(anon, clock, refused) == []
    clock.advance(timedelta(hours=1))
    assert await sent_now(anon, clock) == []  # given up for good
    row = await db.fetchone("SELECT * FROM anon_questions WHERE id = ?", (asked.question_id,))
    assert (row["state"], row["title"], row["body"]) == ("failed", "", "")


async def test_a_send_cut_short_is_resent_with_its_nonce(
    anon: AnonymousService, clock: ManualClock, db: Database
) -> None:
    await anon.ask(GUILD, ASKER, "title", "body", None)
    clock.advance(timedelta(minutes=5))
    with pytest.raises(asyncio.CancelledError):  # e.g. the bot stopped mid-send
        await sent_now(anon, clock, FakeDiscord(fail=asyncio.CancelledError()))
    [nonce] = [r["nonce"] for r in await db.fetchall(
        "SELECT nonce FROM outbox WHERE state = 'claimed'")]
    [again] = await sent_now(anon, clock)
    assert again.nonce == nonce


MENTOR = 567890123456789012
OTHER_MENTOR = 678901234567890123


async def approved_mentor(
    mentoring: MentoringService, user_id: int, specialties: tuple[str, ...], visas: tuple[str, ...]
) -> None:
    data = MentorInput.validated(
        specialties=specialties,
        visas=visas,
        stage="matched",
        languages=("en",),
        timezone="America/New_York",
        capacity=2,
        bio="",
    )
    await mentoring.register_mentor(GUILD, user_id, data)
    await mentoring.moderate(GUILD, user_id, "approve")


@pytest.fixture
async def with_mentors(
    db: Database, clock: ManualClock, guild_settings: GuildSettingsService
) -> AnonymousService:
    mentoring = MentoringService(db, clock, request_timeout=timedelta(hours=72))
    await approved_mentor(mentoring, MENTOR, ("internal_medicine",), ("j1",))
    await approved_mentor(mentoring, OTHER_MENTOR, ("neurology",), ("h1b",))
    return AnonymousService(db, guild_settings, clock, AnonymousLimits(30, 180, 3), mentoring)


async def test_tagged_questions_notify_matching_mentors(with_mentors: AnonymousService) -> None:
    notice = await with_mentors.mentor_notice(GUILD, "J-1")
    assert notice is not None and notice.user_ids == (MENTOR,)
    assert notice.tag == "J-1" and notice.more == 0
    text = mentor_notice_text(notice)  # the cog renders what the service chose
    assert f"<@{MENTOR}>" in text and str(OTHER_MENTOR) not in text and "more" not in text
    assert "(and 2 more)" in mentor_notice_text(replace(notice, more=2))
    assert (await with_mentors.mentor_notice(GUILD, "Internal Medicine")).user_ids == (MENTOR,)
    assert await with_mentors.mentor_notice(GUILD, "usmle") is None  # no mentor topic
    assert await with_mentors.mentor_notice(GUILD, None) is None
    assert await with_mentors.mentor_notice(GUILD + 1, "J-1") is None  # other guild's mentors


async def test_mentor_answer_marking(with_mentors: AnonymousService, clock: ManualClock) -> None:
    anon = with_mentors
    receipt = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    thread = 7000 + receipt.question_id
    marked = await anon.mark_mentor_answer(
        GUILD, thread, 123, author_id=MENTOR, marker_id=MENTOR, marker_is_moderator=False
    )
    assert marked == receipt.question_id
    # A moderator may mark a mentor's reply; nobody may mark a non-mentor's reply as one.
    await anon.mark_mentor_answer(
        GUILD, thread, 124, author_id=OTHER_MENTOR, marker_id=OTHER, marker_is_moderator=True
    )
    with pytest.raises(InvalidInput, match="not from an approved mentor"):
        await anon.mark_mentor_answer(
            GUILD, thread, 125, author_id=OTHER, marker_id=MENTOR, marker_is_moderator=False
        )
    with pytest.raises(Forbidden, match="Only mentors and moderators"):
        await anon.mark_mentor_answer(
            GUILD, thread, 126, author_id=MENTOR, marker_id=OTHER, marker_is_moderator=False
        )
    with pytest.raises(NotFound):
        await anon.mark_mentor_answer(
            GUILD, 1, 123, author_id=MENTOR, marker_id=MENTOR, marker_is_moderator=False
        )


async def test_claiming_with_a_cold_settings_cache_does_not_deadlock(
    db: Database, clock: ManualClock, guild_settings: GuildSettingsService
) -> None:
    """After a restart the settings cache is empty; describing a job reads the database."""
    await AnonymousService(db, guild_settings, clock).ask(GUILD, ASKER, "t", "b", None)
    restarted = AnonymousService(db, GuildSettingsService(db, clock), clock)
    clock.advance(timedelta(minutes=5))
    [job] = await asyncio.wait_for(sent_now(restarted, clock), timeout=5)
    assert job.target_channel_id == ANON_CHANNEL


async def test_a_held_follow_up_dies_with_its_question(
    anon: AnonymousService, clock: ManualClock, guild_settings: GuildSettingsService, db: Database
) -> None:
    await guild_settings.set(GUILD, "anonymous_preapproval", True)
    await guild_settings.set(GUILD, "anonymous_review_channel", REVIEW_CHANNEL)
    asked = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    await anon.approve(GUILD, asked.question_id)
    await publish_all(anon, clock)
    _, needs_review = await anon.followup(GUILD, ASKER, asked.code, "held text")
    assert needs_review
    [review] = await publish_all(anon, clock)
    assert (review.kind, review.target_channel_id) == ("followup_review", REVIEW_CHANNEL)
    assert "held text" in review.chunks[0] and "#1" in review.chunks[0]
    clock.advance(timedelta(days=1))
    assert await sent_now(anon, clock) == []  # held, not queued
    row = await db.fetchone("SELECT data FROM outbox WHERE id = ?", (review.id,))
    assert row["data"] == "{}"  # the outbox row forgot the text; only the held copy has it
    [held] = await db.fetchall("SELECT body, channel_id, message_id FROM anon_held_followups")
    assert tuple(held)[:2] == ("held text", REVIEW_CHANNEL)

    removed = await anon.remove(GUILD, asked.question_id)
    assert removed.followup_copies == ((REVIEW_CHANNEL, held["message_id"]),)  # to edit
    assert await db.fetchall("SELECT * FROM anon_held_followups") == []
    with pytest.raises(Conflict, match="no longer waiting"):
        await anon.approve_followup(GUILD, asked.question_id, review.nonce)


async def test_an_approved_follow_up_is_posted_after_a_random_delay(
    anon: AnonymousService, clock: ManualClock, guild_settings: GuildSettingsService, db: Database
) -> None:
    await guild_settings.set(GUILD, "anonymous_preapproval", True)
    await guild_settings.set(GUILD, "anonymous_review_channel", REVIEW_CHANNEL)
    asked = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    await anon.approve(GUILD, asked.question_id)
    await publish_all(anon, clock)
    for text in ("approve me", "reject me"):
        await anon.followup(GUILD, ASKER, asked.code, text)
    reviews = await publish_all(anon, clock)
    by_text = {j.chunks[0].rsplit("\n", 1)[-1]: j for j in reviews}
    await anon.reject_followup(GUILD, asked.question_id, by_text["reject me"].nonce)
    await anon.approve_followup(GUILD, asked.question_id, by_text["approve me"].nonce)
    with pytest.raises(Conflict, match="no longer waiting"):  # a double click
        await anon.approve_followup(GUILD, asked.question_id, by_text["approve me"].nonce)
    assert await db.fetchall("SELECT * FROM anon_held_followups") == []
    assert await sent_now(anon, clock) == []  # not at the moderator's instant either
    [posted] = await publish_all(anon, clock)
    assert posted.kind == "followup" and posted.chunks == ["**Asker** (follow-up):\napprove me"]
    texts = await db.fetchall("SELECT data FROM outbox WHERE data LIKE '%me%'")
    assert texts == []  # neither text is kept once finished


class DeletingDiscord(FakeDiscord):
    """Posts like FakeDiscord, but the asker deletes the question while a review copy of a
    follow-up is being sent."""

    def __init__(self, anon: AnonymousService, code: str) -> None:
        super().__init__()
        self.anon, self.code = anon, code

    async def send(self, item: DueItem, job: OutboxJob) -> Receipt:
        if job.kind == "followup_review":
            await self.anon.delete(GUILD, ASKER, self.code)
        return await super().send(item, job)


async def test_a_follow_up_copy_sent_while_its_question_is_deleted_keeps_no_text(
    anon: AnonymousService, clock: ManualClock, guild_settings: GuildSettingsService, db: Database
) -> None:
    await guild_settings.set(GUILD, "anonymous_preapproval", True)
    await guild_settings.set(GUILD, "anonymous_review_channel", REVIEW_CHANNEL)
    asked = await anon.ask(GUILD, ASKER, "title", "body", None)
    await publish_all(anon, clock)
    await anon.approve(GUILD, asked.question_id)
    await publish_all(anon, clock)
    await anon.followup(GUILD, ASKER, asked.code, "secret detail")
    clock.advance(timedelta(seconds=181))
    [review] = await sent_now(anon, clock, DeletingDiscord(anon, asked.code))
    rows = await db.fetchall("SELECT body FROM anon_held_followups")
    assert [r["body"] for r in rows] == [""]  # where the copy is, not what it said
    with pytest.raises(Conflict, match="no longer posted"):
        await anon.approve_followup(GUILD, asked.question_id, review.nonce)
    [job] = await publish_all(anon, clock)
    assert job.kind == "delete" and job.taken_down is not None
    assert [c[0] for c in job.taken_down.followup_copies] == [REVIEW_CHANNEL]  # edited then
    assert await db.fetchall("SELECT * FROM anon_held_followups") == []
