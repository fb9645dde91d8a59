"""Study groups: groups, sessions in every member's local time, and their announcements.

`StudyGroupService` bundles the parts; the cog talks to them through it. Announcements and DM
reminders are kinds of the one outbox (`bot.outbox`, see `outbox.py` here); the occurrence
refill and the scheduled-event bookkeeping form the study groups' own timer (`next_due` /
`run_due`), which the parts wake after a commit that gives it new work (`wake_with`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import Clock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.notices import MemberNotices
from bot.services.study_groups.events import Events
from bot.services.study_groups.groups import Groups, Timezones
from bot.services.study_groups.models import EventTask
from bot.services.study_groups.outbox import KINDS, Announcements
from bot.services.study_groups.privacy import StudyGroupPrivacy
from bot.services.study_groups.quotas import Quotas
from bot.services.study_groups.rsvp_refresh import REFRESH, RsvpRefresher
from bot.services.study_groups.sessions import Sessions
from bot.shards import ALL, ShardScope

__all__ = ["KINDS", "REFRESH", "StudyGroupService"]

EventWorker = Callable[[EventTask], Awaitable[None]]


class StudyGroupService:
    def __init__(
        self, db: Database, clock: Clock, guild_settings: GuildSettingsService,
        *, outbox: Outbox | None = None, notices: MemberNotices | None = None,
        shards: ShardScope = ALL,
    ) -> None:
        self.outbox = outbox or Outbox(db, clock)
        notices = notices or MemberNotices.of(self.outbox, db, clock, guild_settings)
        announcements = Announcements(db, guild_settings)
        for kind in KINDS:
            self.outbox.register(kind, announcements)
        self._wake: Callable[[], None] = lambda: None
        self.timezones = Timezones(db, clock)
        self.quotas = Quotas(guild_settings)
        self.groups = Groups(db, clock, self.outbox, self.changed, self.quotas, notices)
        self.rsvp_refresh = RsvpRefresher(db, self.outbox)
        self.sessions = Sessions(db, clock, self.groups, self.timezones, self.outbox,
                                 self.changed, self.quotas, self.rsvp_refresh, shards=shards)
        self.events = Events(db, clock, self.quotas, shards=shards)
        self.privacy = StudyGroupPrivacy(db, clock, notices, self.rsvp_refresh)
        self._clock = clock

    def wake_with(self, wake: Callable[[], None]) -> None:
        """Who re-reads `next_due` when the parts gave the timer new work (the scheduler)."""
        self._wake = wake

    def changed(self) -> None:
        """The timer's work changed (called after a commit, or once the guild cache is full)."""
        self._wake()

    async def next_due(self, *, with_events: bool = True) -> datetime | None:
        """The earliest of: a series refill, event work."""
        candidates = [await self.sessions.next_refill()]
        if with_events:
            candidates.append(await self.events.next_due(self._clock.now()))
        due = [c for c in candidates if c is not None]
        return min(due) if due else None

    async def run_due(self, now: datetime, event_worker: EventWorker | None = None) -> None:
        """Refill series (their rows go to the outbox), then bring scheduled events in line."""
        await self.sessions.refill(now)
        if event_worker is not None:
            for task in await self.events.tasks(now):
                await event_worker(task)
