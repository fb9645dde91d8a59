"""The FMG journey: the Match calendar and its reminders, exam dates, cohorts and milestones.

`JourneyService` bundles the parts; the cog talks to them through it. The calendar's steps
ship in data/match_cycle.yaml (official sources only; see that file), each server's
moderators confirm or correct them; reminders and milestone celebrations are outbox kinds
(``journey_reminder``, ``journey_celebration``) whose senders the cog attaches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from bot.clock import Clock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey._calendar_file import (
    DEFAULT_CALENDAR,
    CalendarError,
    official_source,
    parse_calendar,
    read_calendar,
)
from bot.services.journey._models import (
    EXAMS,
    MILESTONES,
    VISIBILITIES,
    CelebrationPost,
    ChannelPost,
    CohortArchive,
    CohortNotice,
    Cycle,
    ExamDate,
    MatchDayDigest,
    MemberProfile,
    Milestone,
    MilestoneResult,
    ReminderDm,
    Step,
    Timeline,
    WeeklyPost,
)
from bot.services.journey._store import JourneyStore
from bot.services.journey.calendar import MatchCalendar
from bot.services.journey.celebrations import KIND as CELEBRATION_KIND
from bot.services.journey.celebrations import Celebrations
from bot.services.journey.cohort_closing import ARCHIVE as COHORT_ARCHIVE_KIND
from bot.services.journey.cohort_closing import NOTICE as COHORT_NOTICE_KIND
from bot.services.journey.cohort_closing import CohortClosing
from bot.services.journey.cohorts import (
    CohortMatch,
    CohortPlan,
    Cohorts,
    FormedCohort,
    FormResult,
)
from bot.services.journey.exams import Exams
from bot.services.journey.milestones import Milestones
from bot.services.journey.posts import KINDS as POST_KINDS
from bot.services.journey.posts import ChannelPosts
from bot.services.journey.privacy import JourneyPrivacy
from bot.services.journey.reminders import KIND as REMINDER_KIND
from bot.services.journey.reminders import LEADS, Reminders
from bot.services.study_groups import StudyGroupService

__all__ = [
    "CELEBRATION_KIND",
    "COHORT_ARCHIVE_KIND",
    "COHORT_NOTICE_KIND",
    "DEFAULT_CALENDAR",
    "EXAMS",
    "LEADS",
    "MILESTONES",
    "POST_KINDS",
    "REMINDER_KIND",
    "VISIBILITIES",
    "CalendarError",
    "CelebrationPost",
    "ChannelPost",
    "CohortArchive",
    "CohortMatch",
    "CohortNotice",
    "CohortPlan",
    "Cycle",
    "ExamDate",
    "FormResult",
    "FormedCohort",
    "JourneyService",
    "MatchDayDigest",
    "MemberProfile",
    "Milestone",
    "MilestoneResult",
    "ReminderDm",
    "Step",
    "Timeline",
    "WeeklyPost",
    "official_source",
    "parse_calendar",
    "read_calendar",
]


class JourneyService:
    def __init__(self, db: Database, clock: Clock, outbox: Outbox,
                 guild_settings: GuildSettingsService, study_groups: StudyGroupService, *,
                 cycles: Sequence[Cycle] | None = None,
                 calendar_path: Path = DEFAULT_CALENDAR,
                 mentor_pool_changed: Callable[[int], None] = lambda guild_id: None) -> None:
        store = JourneyStore(db)
        self.calendar = MatchCalendar(
            store, clock, cycles if cycles is not None else read_calendar(calendar_path)
        )
        self.reminders = Reminders(store, clock, self.calendar, outbox)
        self.exams = Exams(store, clock)
        self.milestones = Milestones(store, clock, self.calendar, outbox,
                                     Celebrations(store, guild_settings), mentor_pool_changed)
        self.cohorts = Cohorts(store, clock, study_groups, outbox)
        self.closing = CohortClosing(store, clock, outbox, guild_settings, study_groups)
        self.posts = ChannelPosts(store, clock, self.calendar, outbox, guild_settings)
        self.privacy = JourneyPrivacy(store, outbox)
