"""Application preparation: peer mock interviews (and document review by mentors).

Each half is a sub-package with its own API; this package re-exports both.
"""

from __future__ import annotations

# -- mock interviews ---------------------------------------------------------------------------
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

__all__ = [
    # -- mock interviews
    "MOCK_CLOSE_KIND",
    "MOCK_DM_KIND",
    "MOCK_PAIR_KIND",
    "MOCK_ROLES",
    "MOCK_RUBRIC",
    "MOCK_SCORES",
    "WEEKDAYS",
    "FeedbackDm",
    "FeedbackResult",
    "MockDm",
    "MockInterviews",
    "MockStatus",
    "PairThread",
    "QuestionsDm",
    "Rubric",
    "Schedule",
    "SitOutDm",
    "UnpairedDm",
]
