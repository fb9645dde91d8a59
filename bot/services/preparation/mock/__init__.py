"""Peer mock interviews: weekly rounds, pairing, each pair's thread and questions, feedback.

`MockInterviews` bundles the parts; the cog talks to them through it. Rounds close through the
one outbox (kind ``mock_close``), and the close enqueues each pair's thread (``mock_pair``) and
the DMs (``mock_dm``) whose senders the cog attaches. Questions ship in
data/interview_questions.yaml.
"""

from __future__ import annotations

from pathlib import Path

from bot.clock import Clock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.preparation.mock._models import (
    ROLES,
    RUBRIC,
    SCORES,
    Entry,
    FeedbackDm,
    FeedbackResult,
    MockDm,
    MockStatus,
    Pair,
    Pairing,
    PairRecord,
    PairThread,
    Participant,
    Question,
    QuestionsDm,
    Rubric,
    Schedule,
    SitOutDm,
    UnpairedDm,
)
from bot.services.preparation.mock._store import MockStore
from bot.services.preparation.mock.feedback import NO_SHOWS_TO_SIT_OUT, MockFeedback
from bot.services.preparation.mock.pairing import pair_round, session_times
from bot.services.preparation.mock.privacy import MockPrivacy
from bot.services.preparation.mock.questions import (
    DEFAULT_QUESTIONS,
    QuestionBank,
    QuestionBankError,
    parse_questions,
    read_questions,
)
from bot.services.preparation.mock.rounds import CLOSE, DM, PAIR, WEEKDAYS, MockRounds, next_close
from bot.services.preparation.mock.sends import MockSends

__all__ = [
    "CLOSE",
    "DEFAULT_QUESTIONS",
    "DM",
    "NO_SHOWS_TO_SIT_OUT",
    "PAIR",
    "ROLES",
    "RUBRIC",
    "SCORES",
    "WEEKDAYS",
    "Entry",
    "FeedbackDm",
    "FeedbackResult",
    "MockDm",
    "MockInterviews",
    "MockStatus",
    "Pair",
    "PairRecord",
    "PairThread",
    "Pairing",
    "Participant",
    "Question",
    "QuestionBank",
    "QuestionBankError",
    "QuestionsDm",
    "Rubric",
    "Schedule",
    "SitOutDm",
    "UnpairedDm",
    "next_close",
    "pair_round",
    "parse_questions",
    "read_questions",
    "session_times",
]


class MockInterviews:
    def __init__(self, db: Database, clock: Clock, outbox: Outbox, *,
                 questions: QuestionBank | None = None,
                 questions_path: Path = DEFAULT_QUESTIONS) -> None:
        store = MockStore(db)
        self.bank = questions if questions is not None else read_questions(questions_path)
        self.rounds = MockRounds(store, clock, outbox)
        self.sends = MockSends(store, outbox, self.bank)
        self.feedback = MockFeedback(store, clock, outbox)
        self.privacy = MockPrivacy(store)
