"""The announcement outbox under a controllable clock: on time, at most once, late/skip rules,
crash recovery with the stored nonce, retries with backoff, DST notices and DM reminders."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import NONCE_WINDOW, Outbox, Report, SendFailed
from bot.outbox import SOURCE_NAME as OUTBOX
from bot.scheduler import Scheduler
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.outbox import MAX_ATTEMPTS

from .conftest import ALICE, BOB, CHANNEL, GUILD, ROLE, FakeDiscord, attach, dispatch

START = datetime(2026, 1, 7, 1, 0, tzinfo=UTC)  # "tomorrow 19:00" in Chicago, from the clock
EPOCH = int(START.timestamp())


async def _one_session(service: StudyGroupService) -> int:
    attach(service, FakeDiscord())
    g = await service.groups.create(GUILD, ALICE, "Step 2 CK crew", "Step 2 CK", role_id=ROLE)
    await service.groups.join(GUILD, g.id, BOB)
    await service.timezones.set(ALICE, "America/Chicago")
    made = await service.sessions.schedule(
        GUILD, g.id, ALICE, False, title="Cardio @everyone", start="tomorrow 19:00",
        duration_minutes=60,
    )
    assert made.first_start == START
    return made.upcoming[0].id


def _restarted(db: Database, clock: ManualClock,
               guild_settings: GuildSettingsService) -> StudyGroupService:
    return StudyGroupService(db, clock, guild_settings,
                             outbox=Outbox(db, clock, worker_id="worker-2"))


async def _states(db: Database) -> dict[int, str]:
    rows = await db.fetchall("SELECT lead_seconds, state FROM study_outbox WHERE kind = 'announce'")
    return {r["lead_seconds"]: r["state"] for r in rows}


async def test_each_announcement_on_time_exactly_once(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)
    assert await service.outbox.next_due() == START - timedelta(hours=24)
    assert (await dispatch(service, clock.now(), discord_sink)).sent == 0
    clock.set(START - timedelta(hours=24))
    report = await dispatch(service, clock.now(), discord_sink)
    assert (report.sent, report.skipped) == (1, 0)
    assert (await dispatch(service, clock.now(), discord_sink)).sent == 0  # not twice
    (post,) = discord_sink.posts
    assert post.channel_id == CHANNEL and post.role_id == ROLE and not post.delayed
    assert post.content.startswith(f"<@&{ROLE}> **Step 2 CK crew**: Cardio \uff20everyone\n")
    assert f"<t:{EPOCH}:F>" in post.content and f"<t:{EPOCH}:R>" in post.content
    assert "(delayed)" not in post.content
    assert await service.outbox.next_due() == START - timedelta(minutes=15)
    for at in (START - timedelta(minutes=15), START):
        clock.set(at)
        await dispatch(service, clock.now(), discord_sink)
    assert len(discord_sink.posts) == 3
    assert len({p.nonce for p in discord_sink.posts}) == 3
    assert await _states(db) == {86400: "sent", 900: "sent", 0: "sent"}
    ids = await db.fetchall("SELECT message_id FROM study_outbox WHERE state = 'sent'")
    assert {r["message_id"] for r in ids} == set(discord_sink.by_nonce.values())
    assert await service.outbox.next_due() is None


async def test_down_for_a_day_sends_one_delayed_catch_up(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)
    clock.set(START - timedelta(minutes=5))  # the bot was down; 24 h and 15 min both fell due
    report = await dispatch(service, clock.now(), discord_sink)
    assert (report.sent, report.skipped) == (1, 1)
    (post,) = discord_sink.posts
    assert post.delayed and "(delayed)" in post.content.splitlines()[0]
    assert await _states(db) == {86400: "skipped", 900: "sent", 0: "pending"}
    clock.set(START)
    await dispatch(service, clock.now(), discord_sink)
    assert not discord_sink.posts[-1].delayed


async def test_late_but_session_running_still_sent_delayed(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)
    clock.set(START + timedelta(minutes=20))  # all three due, the session runs until +60 min
    report = await dispatch(service, clock.now(), discord_sink)
    assert (report.sent, report.skipped) == (1, 2)
    assert discord_sink.posts[0].delayed
    assert await _states(db) == {86400: "skipped", 900: "skipped", 0: "sent"}


async def test_nothing_sent_after_the_session_ended(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)
    clock.set(START + timedelta(hours=2))
    report = await dispatch(service, clock.now(), discord_sink)
    assert (report.sent, report.skipped) == (0, 3)
    assert discord_sink.posts == []
    reasons = await db.fetchall("SELECT DISTINCT last_error FROM study_outbox")
    assert [r[0] for r in reasons] == ["the session had ended before it could be sent"]


async def test_cancelled_session_is_never_announced(
    service: StudyGroupService, clock: ManualClock, discord_sink: FakeDiscord
) -> None:
    occ = await _one_session(service)
    await service.sessions.cancel(GUILD, occ, ALICE, False)
    clock.set(START)
    assert (await dispatch(service, clock.now(), discord_sink)).sent == 0
    assert discord_sink.posts == []
    assert await service.outbox.next_due() is None


async def test_crash_between_send_and_record_is_resent_with_the_same_nonce(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord,
    guild_settings: GuildSettingsService,
) -> None:
    await _one_session(service)
    clock.set(START - timedelta(hours=24))
    # the first process claims and posts, then dies before recording the message id
    claimed, _ = await service.outbox._claim_batch(clock.now(), Report())
    for item, message in claimed:
        await discord_sink.send(item, message)
    await service.outbox.stop()  # its lock goes with the process
    assert await _states(db) == {86400: "claimed", 900: "pending", 0: "pending"}
    # the restarted process (another worker id) finds the orphan and resends it
    restarted = _restarted(db, clock, guild_settings)
    attach(restarted, discord_sink)
    assert await restarted.outbox.next_due() == clock.now()
    clock.advance(timedelta(seconds=20))
    report = await dispatch(restarted, clock.now(), discord_sink)
    assert report.sent == 1
    assert discord_sink.calls == 2 and len(discord_sink.posts) == 1  # Discord deduplicated it
    assert await _states(db) == {86400: "sent", 900: "pending", 0: "pending"}


async def test_orphan_older_than_the_nonce_window_is_given_up_not_doubled(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord,
    guild_settings: GuildSettingsService,
) -> None:
    await _one_session(service)
    clock.set(START - timedelta(hours=24))
    await service.outbox._claim_batch(clock.now(), Report())  # claimed, then the process died
    await service.outbox.stop()
    clock.advance(NONCE_WINDOW + timedelta(seconds=1))
    restarted = _restarted(db, clock, guild_settings)
    await dispatch(restarted, clock.now(), discord_sink)
    assert discord_sink.posts == []
    row = await db.fetchone("SELECT state, last_error FROM study_outbox WHERE lead_seconds = 86400")
    assert row["state"] == "failed" and "unconfirmed" in row["last_error"]


async def test_transient_failures_retry_with_backoff(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)
    clock.set(START - timedelta(hours=24))
    discord_sink.failures = [SendFailed("503 Service Unavailable"), SendFailed("429", retry_after=12)]
    assert (await dispatch(service, clock.now(), discord_sink)).retried == 1
    assert await service.outbox.next_due() == clock.now() + timedelta(seconds=5)
    assert (await dispatch(service, clock.now(), discord_sink)).sent == 0  # not yet
    clock.advance(timedelta(seconds=5))
    assert (await dispatch(service, clock.now(), discord_sink)).retried == 1
    assert await service.outbox.next_due() == clock.now() + timedelta(seconds=12)  # Retry-After
    clock.advance(timedelta(seconds=12))
    assert (await dispatch(service, clock.now(), discord_sink)).sent == 1
    row = await db.fetchone("SELECT attempts, state FROM study_outbox WHERE lead_seconds = 86400")
    assert (row["attempts"], row["state"]) == (3, "sent")
    assert len(discord_sink.posts) == 1 and not discord_sink.posts[0].delayed


async def test_permanent_failure_and_attempt_cap(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)
    clock.set(START - timedelta(hours=24))
    discord_sink.failures = [SendFailed("403 Missing Access", permanent=True)]
    assert (await dispatch(service, clock.now(), discord_sink)).failed == 1
    clock.set(START - timedelta(minutes=15))
    discord_sink.failures = [SendFailed("502 Bad Gateway")] * MAX_ATTEMPTS
    waits = []
    for _ in range(MAX_ATTEMPTS):
        await dispatch(service, clock.now(), discord_sink)
        due = await service.outbox.next_due()
        assert due is not None
        waits.append((due - clock.now()).total_seconds())
        clock.set(due)
    # 5, 10, 20, 40, 80 s between attempts; after the last one the row gives up
    assert waits[:-1] == [5, 10, 20, 40, 80]
    row = await db.fetchone("SELECT state, attempts, last_error FROM study_outbox WHERE lead_seconds = 900")
    assert (row["state"], row["attempts"], row["last_error"]) == ("failed", MAX_ATTEMPTS, "502 Bad Gateway")
    assert (await _states(db))[86400] == "failed"
    assert discord_sink.posts == []


async def test_missing_announcements_channel_fails_the_row_visibly(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord,
    guild_settings: GuildSettingsService,
) -> None:
    await _one_session(service)
    await guild_settings.clear(GUILD, "announcements_channel")
    clock.set(START - timedelta(hours=24))
    assert (await dispatch(service, clock.now(), discord_sink)).failed == 1
    assert discord_sink.calls == 0
    error = await db.fetchval("SELECT last_error FROM study_outbox WHERE lead_seconds = 86400")
    assert "no announcements channel" in error


async def test_announcement_tells_members_their_local_time_moves(
    service: StudyGroupService, clock: ManualClock, discord_sink: FakeDiscord
) -> None:
    clock.set(datetime(2026, 10, 10, 12, 0, tzinfo=UTC))
    g = await service.groups.create(GUILD, ALICE, "Chicago-London", "Step 3")
    await service.groups.join(GUILD, g.id, BOB)
    await service.timezones.set(ALICE, "America/New_York")
    await service.timezones.set(BOB, "Europe/London")
    await service.sessions.schedule(
        GUILD, g.id, ALICE, False, title="Thursday review", start="2026-10-22 19:00",
        weekdays="thu", count=4,
    )
    clock.set(datetime(2026, 10, 21, 23, 0, tzinfo=UTC))  # 24 h before Thu 22 Oct 19:00 EDT
    await dispatch(service, clock.now(), discord_sink)
    (post,) = discord_sink.posts
    assert "⏰ Heads-up: from Oct 29 this is 23:00 for you in London (was 00:00)" in post.content
    assert "New York" not in post.content  # the series keeps 19:00 in its own zone
    clock.set(datetime(2026, 10, 22, 22, 45, tzinfo=UTC))  # 15 min before: no repeat of it
    await dispatch(service, clock.now(), discord_sink)
    assert "Heads-up" not in discord_sink.posts[-1].content


async def test_dm_reminder_in_the_members_own_zone(
    service: StudyGroupService, clock: ManualClock, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)
    gid = (await service.groups.find(GUILD, "Step 2 CK crew")).id
    await service.timezones.set(BOB, "Asia/Kolkata")
    await service.sessions.set_reminder(GUILD, gid, BOB, 60)
    clock.set(START - timedelta(hours=1))
    await dispatch(service, clock.now(), discord_sink)
    (dm,) = [p for p in discord_sink.posts if p.kind == "dm"]
    assert dm.recipient_id == BOB and dm.channel_id is None and dm.role_id is None
    assert "Wed 7 Jan 2026, 06:30 IST" in dm.content
    assert f"<t:{EPOCH}:R>" in dm.content


async def test_scheduler_drives_the_outbox_with_a_manual_clock(
    service: StudyGroupService, clock: ManualClock, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)

    class Source:
        async def next_due(self) -> datetime | None:
            return await service.next_due(with_events=False)

        async def run_due(self, now: datetime) -> None:
            await service.run_due(now)

    scheduler = Scheduler(clock)
    scheduler.start()
    try:
        scheduler.register("study_groups", Source())
        scheduler.register(OUTBOX, service.outbox)
        await dispatch(service, clock.now(), discord_sink)  # attaches the sender
        await scheduler.run_now()
        assert discord_sink.posts == []
        clock.set(START - timedelta(hours=24))
        await scheduler.run_now()
        assert len(discord_sink.posts) == 1
    finally:
        await scheduler.shutdown()


@pytest.mark.parametrize("burst", [250])
async def test_burst_in_one_dispatch_is_sent_once_each(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord, burst: int,
    guild_settings: GuildSettingsService,
) -> None:
    await guild_settings.set(GUILD, "study_series_per_member", burst)  # a moderator raised it
    g = await service.groups.create(GUILD, ALICE, "Big group", "Other", role_id=ROLE)
    await service.groups.edit(GUILD, g.id, ALICE, False, announce_offsets="0")
    for i in range(burst):
        await service.sessions.schedule(GUILD, g.id, ALICE, False, title=f"S{i}", start="13:00")
    clock.set(datetime(2026, 1, 5, 13, 0, tzinfo=UTC))
    report = await dispatch(service, clock.now(), discord_sink)
    assert report.sent == burst
    assert len(discord_sink.posts) == burst == len({p.outbox_id for p in discord_sink.posts})


async def test_new_announcement_times_apply_to_upcoming_sessions(
    service: StudyGroupService, clock: ManualClock, db: Database, discord_sink: FakeDiscord
) -> None:
    await _one_session(service)
    gid = (await service.groups.find(GUILD, "Step 2 CK crew")).id
    await service.groups.edit(GUILD, gid, ALICE, False, announce_offsets="2h, 0")
    assert await _states(db) == {86400: "cancelled", 900: "cancelled", 7200: "pending", 0: "pending"}
    await service.groups.edit(GUILD, gid, ALICE, False, announce_offsets="1d, 15m, 0")
    assert await _states(db) == {86400: "pending", 900: "pending", 7200: "cancelled", 0: "pending"}
    clock.set(START - timedelta(hours=24))
    await dispatch(service, clock.now(), discord_sink)
    assert len(discord_sink.posts) == 1
