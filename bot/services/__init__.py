"""The domain: plain async Python, no discord import (a test enforces it).

`Services` is the one place the capabilities' services are built, from the database, the
settings and the clock, and handed to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.outbox import Outbox
from bot.services.anonymous import AnonymousLimits, AnonymousService
from bot.services.guild_settings import GuildSettingsService
from bot.services.insights import InsightsService
from bot.services.intel import IntelService, key_path
from bot.services.journey import JourneyService
from bot.services.marks import SharedMarks
from bot.services.mentoring import MentoringService
from bot.services.mentoring.privacy import MentoringPrivacy
from bot.services.notices import MemberNotices
from bot.services.preparation import PreparationService
from bot.services.privacy import PrivacyContributor, PrivacyService
from bot.services.resources import ResourceService
from bot.services.study_groups import StudyGroupService


@dataclass(frozen=True)
class Services:
    outbox: Outbox
    marks: SharedMarks
    notices: MemberNotices
    guild_settings: GuildSettingsService
    anonymous: AnonymousService
    mentoring: MentoringService
    privacy: PrivacyService
    study_groups: StudyGroupService
    resources: ResourceService
    journey: JourneyService
    preparation: PreparationService
    intel: IntelService
    insights: InsightsService

    @classmethod
    def build(cls, db: Database, settings: Settings, clock: Clock) -> Services:
        # The one outbox: each capability registers its kinds of due work on it.
        # Each process acts for the servers of its own shards (bot/shards.py).
        shards = settings.shards
        outbox = Outbox(db, clock, shards=shards)
        guild_settings = GuildSettingsService(db, clock)
        # Decisions about a member reach that member through it (one kind of row).
        notices = MemberNotices(outbox, db, clock, guild_settings)
        privacy = PrivacyService(db, clock, timedelta(days=settings.member_retention_days),
                                 shards=shards)
        privacy.register(notices.contributor())  # first: it runs after the others on deletion
        # Each capability that stores member data registers its PrivacyContributor here.
        mentoring = MentoringService(
            db, clock, request_timeout=timedelta(hours=settings.mentor_request_timeout_hours),
            outbox=outbox, notices=notices, guild_settings=guild_settings,
        )
        mentoring_privacy = MentoringPrivacy(mentoring)
        privacy.register(PrivacyContributor(
            "mentoring", mentoring_privacy.export_member, mentoring_privacy.delete_member,
            mentoring_privacy.pause_member,
            summary="Mentoring: your mentor and mentee profiles, requests and pairings (open "
            "pairings end and free your mentor's slot; requests waiting for you go to another mentor). "
            "Kept: if moderators removed you as a mentor, a salted hash of your user id (not the id), "
            "so that their decision stands; only a moderator can lift it.",
        ))
        study_groups = StudyGroupService(db, clock, guild_settings, outbox=outbox,
                                         notices=notices, shards=shards)
        anonymous_limits = AnonymousLimits(
            publish_delay_min_s=settings.anon_publish_delay_min_s,
            publish_delay_max_s=settings.anon_publish_delay_max_s,
            questions_per_hour=settings.anon_questions_per_hour,
        )
        privacy.register(study_groups.privacy.contributor())
        resources = ResourceService(db, clock, settings.resources_catalog, notices=notices)
        privacy.register(PrivacyContributor(
            "resources", resources.export_member, resources.delete_member,
            summary="Resources: your bookmarks (they follow you across servers) and the links you "
            "suggested here (links already approved stay in the library, without your name).",
        ))
        journey = JourneyService(db, clock, outbox, guild_settings, study_groups,
                                 mentor_pool_changed=mentoring.forget_pool)
        privacy.register(journey.privacy.contributor())
        preparation = PreparationService(db, clock, outbox, guild_settings, mentoring)
        privacy.register(preparation.review_privacy.contributor())
        privacy.register(preparation.mock.privacy.contributor())
        intel = IntelService(db, clock, guild_settings, key_path(settings.database_path))
        privacy.register(intel.privacy.contributor())
        return cls(
            outbox=outbox,
            marks=SharedMarks(db),
            notices=notices,
            guild_settings=guild_settings,
            anonymous=AnonymousService(db, guild_settings, clock, anonymous_limits, mentoring,
                                       outbox),
            mentoring=mentoring,
            privacy=privacy,
            study_groups=study_groups,
            resources=resources,
            journey=journey,
            preparation=preparation,
            intel=intel,
            insights=InsightsService(db, clock, mentoring, searches=resources.gaps),
        )
