"""A process acts only for the servers of its shards: the study groups' timer (series refill,
scheduled events) of a process holding another shard neither sees nor runs this server's work."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.privacy import PrivacyService
from bot.services.study_groups import StudyGroupService
from bot.shards import ShardScope

from .conftest import ALICE, GUILD

SHARD = ShardScope(2, ((GUILD >> 22) % 2,))
OTHER = ShardScope(2, (1 - SHARD.ids[0],))


async def test_the_study_groups_timer_runs_only_its_shards_servers(
    db: Database, clock: ManualClock, service: StudyGroupService,
    guild_settings: GuildSettingsService,
) -> None:
    g = await service.groups.create(GUILD, ALICE, "Step 1 nights", "Step 1")
    await service.sessions.schedule(GUILD, g.id, ALICE, False, title="Weekly",
                                    start="thu 19:00", weekdays="thu")  # open-ended: refills
    views = {scope: StudyGroupService(db, clock, guild_settings, shards=scope,
                                      outbox=Outbox(db, clock, shards=scope))
             for scope in (SHARD, OTHER)}
    mine, other = views[SHARD], views[OTHER]
    assert [t.action for t in await mine.events.tasks(clock.now())] == ["create"]
    assert await mine.sessions.next_refill() is not None
    assert await mine.next_due() == clock.now()
    assert await other.events.tasks(clock.now()) == []
    assert await other.sessions.next_refill() is None and await other.next_due() is None
    later = clock.now() + timedelta(days=60)
    assert await other.sessions.refill(later) == 0
    assert await mine.sessions.refill(later) == 1


async def test_the_retention_sweep_deletes_only_its_shards_departures(
    db: Database, clock: ManualClock
) -> None:
    services = {scope: PrivacyService(db, clock, timedelta(days=30), shards=scope)
                for scope in (SHARD, OTHER)}
    await services[SHARD].member_left(GUILD, ALICE)
    assert await services[OTHER].next_due() is None
    assert await services[SHARD].next_due() == clock.now() + timedelta(days=30)
    clock.advance(timedelta(days=31))
    await services[OTHER].run_due(clock.now())
    assert await db.fetchval("SELECT COUNT(*) FROM departed_members") == 1
    await services[SHARD].run_due(clock.now())
    assert await db.fetchval("SELECT COUNT(*) FROM departed_members") == 0
