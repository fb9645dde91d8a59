"""What mock interviews hand the cog: plain data (ids, instants, zones), never rendered text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ROLES = ("interviewer", "interviewee", "both")
INTERVIEWS = frozenset({"interviewer", "both"})
IS_INTERVIEWED = frozenset({"interviewee", "both"})

#: The interviewer's rubric: key -> (label, what a 4 looks like). Each is scored 1-4.
RUBRIC: dict[str, tuple[str, str]] = {
    "structure": ("Structure", "answers that open with the point, then one example, then a close"),
    "specificity": ("Specificity", "your own patients, numbers and role, not general statements"),
    "img_answers": ("IMG questions", "gaps, year of graduation, visa and why the US answered "
                    "calmly, briefly and honestly"),
    "communication": ("Communication", "pace, eye contact, warmth; 1-2 minutes an answer"),
}
SCORES = {1: "needs work", 2: "developing", 3: "good", 4: "strong"}


@dataclass(frozen=True, slots=True)
class Participant:
    """One member entered in a round, with what pairing reads about them."""

    user_id: int
    role: str
    specialty: str
    languages: frozenset[str]
    zone: str
    mentor: bool = False
    """An approved mentor of the server (preferred as a first-timer's interviewer)."""
    first_timer: bool = False
    """Never interviewed in a mock round here before."""
    carried: bool = False
    """Left without a partner last week: paired first this week."""

    @property
    def interviews(self) -> bool:
        return self.role in INTERVIEWS

    @property
    def is_interviewed(self) -> bool:
        return self.role in IS_INTERVIEWED


@dataclass(frozen=True, slots=True)
class Pair:
    interviewer: int
    interviewee: int
    specialty: str
    """The interviewee's specialty: the one their question set is about."""
    overlap_hours: float


@dataclass(frozen=True, slots=True)
class Pairing:
    pairs: tuple[Pair, ...]
    unpaired: tuple[int, ...]
    """Members nobody could be paired with (in priority order)."""


@dataclass(frozen=True, slots=True)
class Schedule:
    guild_id: int
    weekday: int
    close_minute: int
    zone: str
    channel_id: int
    next_close: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    round_id: int
    closes_at: datetime
    role: str
    specialty: str
    carried: bool


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    category: str
    text: str
    strong_answer: str


@dataclass(frozen=True, slots=True)
class Rubric:
    structure: int
    specificity: int
    img_answers: int
    communication: int

    def items(self) -> tuple[tuple[str, int], ...]:
        return (("structure", self.structure), ("specificity", self.specificity),
                ("img_answers", self.img_answers), ("communication", self.communication))


@dataclass(frozen=True, slots=True)
class PairRecord:
    id: int
    round_id: int
    guild_id: int
    interviewer_id: int
    interviewee_id: int
    specialty: str
    thread_id: int | None
    interviewer_showed: bool | None
    interviewee_showed: bool | None
    times: tuple[datetime, ...]

    def partner_of(self, user_id: int) -> int:
        return self.interviewee_id if user_id == self.interviewer_id else self.interviewer_id


@dataclass(frozen=True, slots=True)
class MockStatus:
    """What `/mock status` shows a member."""

    closes_at: datetime | None
    """This week's close (None: mock interviews are not set up here)."""
    entry: Entry | None
    sitting_out: bool
    last_pair: PairRecord | None
    feedback_given: bool
    """The member said after their last session whether their partner came."""


@dataclass(frozen=True, slots=True)
class FeedbackResult:
    pair_id: int
    partner_id: int
    as_interviewer: bool
    partner_showed: bool
    sat_out: bool
    """The partner's second no-show in a row: they sit out the next round."""


# -- due work the cog sends ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PairThread:
    """Open (or reuse) the pair's private thread and post its times there."""

    pair_id: int
    guild_id: int
    channel_id: int
    thread_id: int | None
    interviewer_id: int
    interviewee_id: int
    zones: tuple[str, str]
    """The interviewer's and the interviewee's zones (each time is shown in both)."""
    specialty: str
    times: tuple[datetime, ...]
    nonce: str


@dataclass(frozen=True, slots=True)
class QuestionsDm:
    """The interviewer's question set, each with what a strong answer covers."""

    recipient_id: int
    interviewee_id: int
    specialty: str
    questions: tuple[Question, ...]
    nonce: str


@dataclass(frozen=True, slots=True)
class UnpairedDm:
    recipient_id: int
    next_close: datetime
    nonce: str


@dataclass(frozen=True, slots=True)
class SitOutDm:
    recipient_id: int
    round_closes: datetime
    """The close of the round they sit out (they may join the one after)."""
    nonce: str


@dataclass(frozen=True, slots=True)
class FeedbackDm:
    recipient_id: int
    interviewer_id: int
    rubric: Rubric
    comment: str
    nonce: str


MockDm = QuestionsDm | UnpairedDm | SitOutDm | FeedbackDm
