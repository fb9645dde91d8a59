"""Application preparation: mentors review members' documents (and practise interviews).

`PreparationService` bundles the parts; the cog talks to them through it. Document review
(`review`) checks a document at once against the ERAS field limits in data/eras_limits.yaml
and routes it to one reviewer at a time through the outbox (kinds ``review_*``, whose senders
the cog attaches).
"""

from __future__ import annotations

from bot.clock import Clock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MentoringService
from bot.services.preparation._review_models import (
    DOCUMENT_KINDS,
    RUBRIC,
    FieldLimit,
    Finding,
    Limits,
    ReviewDocument,
    Reviewer,
    ReviewOffer,
    ReviewResult,
    ReviewUpdate,
    RubricAnswer,
    Submitted,
)
from bot.services.preparation.review import (
    COMMENTS_MAX,
    DEFAULT_RETENTION_DAYS,
    MAX_CAPACITY,
    RETENTION_SETTING,
    SENT_KINDS,
    SENTENCE_MAX,
    DocumentReview,
    parse_rubric,
)
from bot.services.preparation.review_checks import DEFAULT_LIMITS, read_limits, run_checks
from bot.services.preparation.review_extract import (
    EXTENSIONS,
    MAX_BYTES,
    DocumentRefused,
)
from bot.services.preparation.review_privacy import ReviewPrivacy

__all__ = [
    "COMMENTS_MAX",
    "DEFAULT_LIMITS",
    "DEFAULT_RETENTION_DAYS",
    "DOCUMENT_KINDS",
    "EXTENSIONS",
    "MAX_BYTES",
    "MAX_CAPACITY",
    "RETENTION_SETTING",
    "RUBRIC",
    "SENTENCE_MAX",
    "SENT_KINDS",
    "DocumentRefused",
    "DocumentReview",
    "FieldLimit",
    "Finding",
    "Limits",
    "PreparationService",
    "ReviewDocument",
    "ReviewOffer",
    "ReviewPrivacy",
    "ReviewResult",
    "ReviewUpdate",
    "Reviewer",
    "RubricAnswer",
    "Submitted",
    "parse_rubric",
    "read_limits",
    "reviews_given",
    "run_checks",
]


class PreparationService:
    def __init__(self, db: Database, clock: Clock, outbox: Outbox,
                 guild_settings: GuildSettingsService, mentoring: MentoringService) -> None:
        self.review = DocumentReview(db, clock, outbox, guild_settings, mentoring)
        self.review_privacy = ReviewPrivacy(self.review)


async def reviews_given(preparation: PreparationService, guild_id: int, user_id: int) -> int:
    """How many document reviews a member has given in a server: for `/mentor profile`."""
    return await preparation.review.reviews_given(guild_id, user_id)
