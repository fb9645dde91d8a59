"""Application preparation: mentors review members' documents, members practise interviews.

`PreparationService` bundles the two halves; the cog talks to them through it. Document review
(`review`) checks a document at once against the ERAS field limits in data/eras_limits.yaml
and routes it to one reviewer at a time through the outbox (kinds ``review_*``). Mock
interviews (`mock`, the sub-package) run weekly rounds: pairing at the close, a thread per
pair, questions and feedback (kinds ``mock_*``). The cog attaches the senders of both.
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
from bot.services.preparation.mock import (
    CLOSE as MOCK_CLOSE_KIND,
)
from bot.services.preparation.mock import (
    DM as MOCK_DM_KIND,
)
from bot.services.preparation.mock import (
    PAIR as MOCK_PAIR_KIND,
)
from bot.services.preparation.mock import (
    ROLES as MOCK_ROLES,
)
from bot.services.preparation.mock import (
    RUBRIC as MOCK_RUBRIC,
)
from bot.services.preparation.mock import (
    SCORES as MOCK_SCORES,
)
from bot.services.preparation.mock import (
    WEEKDAYS,
    FeedbackDm,
    FeedbackResult,
    MockDm,
    MockInterviews,
    MockStatus,
    PairThread,
    QuestionsDm,
    Rubric,
    Schedule,
    SitOutDm,
    UnpairedDm,
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
    "MOCK_CLOSE_KIND",
    "MOCK_DM_KIND",
    "MOCK_PAIR_KIND",
    "MOCK_ROLES",
    "MOCK_RUBRIC",
    "MOCK_SCORES",
    "RETENTION_SETTING",
    "RUBRIC",
    "SENTENCE_MAX",
    "SENT_KINDS",
    "WEEKDAYS",
    "DocumentRefused",
    "DocumentReview",
    "FeedbackDm",
    "FeedbackResult",
    "FieldLimit",
    "Finding",
    "Limits",
    "MockDm",
    "MockInterviews",
    "MockStatus",
    "PairThread",
    "PreparationService",
    "QuestionsDm",
    "ReviewDocument",
    "ReviewOffer",
    "ReviewPrivacy",
    "ReviewResult",
    "ReviewUpdate",
    "Reviewer",
    "Rubric",
    "RubricAnswer",
    "Schedule",
    "SitOutDm",
    "Submitted",
    "UnpairedDm",
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
        self.mock = MockInterviews(db, clock, outbox)


async def reviews_given(preparation: PreparationService, guild_id: int, user_id: int) -> int:
    """How many document reviews a member has given in a server: for `/mentor profile`."""
    return await preparation.review.reviews_given(guild_id, user_id)
