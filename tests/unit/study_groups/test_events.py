"""Scheduled-event bookkeeping: create for each series' next session within a week, edit on
rename, cancel with the session, and never more than the per-server cap."""

from bot.clock import ManualClock
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.events import EVENT_LEAD, MAX_ACTIVE_EVENTS

from .conftest import ALICE, GUILD


async def test_event_lifecycle(service: StudyGroupService, clock: ManualClock) -> None:
    g = await service.groups.create(GUILD, ALICE, "Step 1 nights", "Step 1", "Biochem first")
    made = await service.sessions.schedule(
        GUILD, g.id, ALICE, False, title="Weekly", start="thu 19:00", weekdays="thu", count=3,
        location="https://meet.example/s1",
    )
    first, second = made.upcoming[0], made.upcoming[1]
    (task,) = await service.events.tasks(clock.now())
    assert (task.action, task.occurrence_id) == ("create", first.id)
    assert task.name == "Step 1 nights: Weekly"
    assert task.location == "https://meet.example/s1" and "Biochem first" in task.description
    assert (task.starts_at, task.ends_at) == (first.starts_at, first.ends_at)
    await service.events.record_created(first.id, 555)
    assert await service.events.tasks(clock.now()) == []
    due = await service.events.next_due(clock.now())
    assert due is not None and clock.now() < due <= first.ends_at

    await service.groups.edit(GUILD, g.id, ALICE, False, name="Step 1 owls")
    (task,) = await service.events.tasks(clock.now())
    assert (task.action, task.event_id, task.name) == ("update", 555, "Step 1 owls: Weekly")
    await service.events.record_updated(first.id)

    # when the first session ends, the second gets its event
    clock.set(first.ends_at)
    (task,) = await service.events.tasks(clock.now())
    assert (task.action, task.occurrence_id) == ("create", second.id)
    await service.events.record_created(second.id, 556)
    await service.sessions.cancel(GUILD, second.id, ALICE, False)
    tasks = await service.events.tasks(clock.now())
    assert [(t.action, t.occurrence_id, t.event_id) for t in tasks] == [("cancel", second.id, 556)]
    await service.events.record_cancelled(second.id)
    # the third session is more than a week away: its event comes a week before it
    third = made.upcoming[2]
    assert await service.events.tasks(clock.now()) == []
    assert await service.events.next_due(clock.now()) == third.starts_at - EVENT_LEAD
    clock.set(third.starts_at - EVENT_LEAD)
    assert [(t.action, t.occurrence_id) for t in await service.events.tasks(clock.now())] == [
        ("create", third.id)
    ]


async def test_events_wait_until_a_week_before(service: StudyGroupService, clock: ManualClock) -> None:
    g = await service.groups.create(GUILD, ALICE, "Far away", "Other")
    made = await service.sessions.schedule(
        GUILD, g.id, ALICE, False, title="Later", start="2026-02-20 10:00"
    )
    assert await service.events.tasks(clock.now()) == []
    due = await service.events.next_due(clock.now())
    assert due == made.first_start - EVENT_LEAD
    clock.set(due)
    assert [t.action for t in await service.events.tasks(clock.now())] == ["create"]


async def test_per_server_cap(
    service: StudyGroupService, clock: ManualClock, guild_settings: GuildSettingsService
) -> None:
    for key in ("study_series_per_member", "study_events_per_member"):  # quotas raised
        await guild_settings.set(GUILD, key, 1000)
    g = await service.groups.create(GUILD, ALICE, "Many", "Other")
    for i in range(MAX_ACTIVE_EVENTS + 5):
        await service.sessions.schedule(
            GUILD, g.id, ALICE, False, title=f"S{i}", start="tomorrow 10:00"
        )
    tasks = await service.events.tasks(clock.now(), limit=200)
    assert len(tasks) == MAX_ACTIVE_EVENTS
    for t in tasks[:10]:
        await service.events.record_created(t.occurrence_id, 1000 + t.occurrence_id)
    assert len(await service.events.tasks(clock.now(), limit=200)) == MAX_ACTIVE_EVENTS - 10
