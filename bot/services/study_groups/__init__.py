"""Study groups: groups, sessions in every member's local time, and the announcement outbox.

`StudyGroupService` bundles the parts; the cog talks to them through it. The outbox, the
occurrence refill and the scheduled-event bookkeeping form one scheduler source
(`next_due` / `run_due`), registered by the cog because sending needs Discord.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import Clock
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.study_groups.events import Events
from bot.services.study_groups.groups import Groups, Timezones
from bot.services.study_groups.models import DispatchReport, EventTask
from bot.services.study_groups.outbox import Outbox, Sender, SendFailed
from bot.services.study_groups.privacy import StudyGroupPrivacy
from bot.services.study_groups.quotas import Quotas
from bot.services.study_groups.sessions import Sessions

__all__ = ["SendFailed", "Sender", "StudyGroupService"]

EventWorker = Callable[[EventTask], Awaitable[None]]


class StudyGroupService:
    def __init__(
        self, db: Database, clock: Clock, guild_settings: GuildSettingsService,
        *, worker_id: str | None = None,
    ) -> None:
        self.timezones = Timezones(db, clock)
        self.quotas = Quotas(guild_settings)
        self.groups = Groups(db, clock, self.quotas)
        self.sessions = Sessions(db, clock, self.groups, self.timezones, self.quotas)
        self.outbox = Outbox(db, clock, guild_settings, worker_id=worker_id)
        self.events = Events(db, clock, self.quotas)
        self.privacy = StudyGroupPrivacy(db, clock)
        self._clock = clock

    async def next_due(self, *, with_events: bool = True) -> datetime | None:
        """The earliest of: an outbox row, a series refill, event work."""
        candidates = [await self.outbox.next_due(), await self.sessions.next_refill()]
        if with_events:
            candidates.append(await self.events.next_due(self._clock.now()))
        due = [c for c in candidates if c is not None]
        return min(due) if due else None

    async def run_due(
        self, now: datetime, sender: Sender, event_worker: EventWorker | None = None
    ) -> DispatchReport:
        """Refill series, send what is due, then bring scheduled events in line."""
        await self.sessions.refill(now)
        report = await self.outbox.dispatch(now, sender)
        if event_worker is not None:
            for task in await self.events.tasks(now):
                await event_worker(task)
        return report
