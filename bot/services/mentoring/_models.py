"""Mentoring's data as the rest of the bot sees it (instants are aware UTC datetimes), and the
names of its due-work kinds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.clock import Clock
from bot.services.mentoring.assignment import Unpaired
from bot.services.mentoring.profiles import MenteeProfile, MentorProfile

OFFER, REMINDER, UPDATE, THREAD, TIMEOUT = (
    "mentor_offer", "mentor_reminder", "mentor_update", "mentor_thread", "mentor_timeout")
#: The rows about one offer; they end with it.
OFFER_KINDS = (OFFER, REMINDER, TIMEOUT)
#: A mentor's question about an offer (to the mentee), its answer (to the mentor), and the
#: end of the pause it allows; ref_id names the offer, so they end with it too.
QUESTION, ANSWER, QUESTION_LAPSE = "mentor_question", "mentor_answer", "mentor_question_lapse"
DETAIL_KINDS = (QUESTION, ANSWER, QUESTION_LAPSE)
#: A pairing's check-ins (ref_id: the pairing; data: the week) and the coordinators' alert.
CHECKIN, STALLED = "mentor_checkin", "mentor_stalled"
KINDS = (OFFER, REMINDER, UPDATE, THREAD, TIMEOUT, *DETAIL_KINDS, CHECKIN, STALLED)
#: The kinds the cog sends as a `Notice`, and the ``Notice.kind`` each becomes.
SENT_KINDS = {OFFER: "offer", REMINDER: "reminder", UPDATE: "mentee_update", THREAD: "thread"}
#: Weeks after a pairing starts when the pair is asked whether they met.
CHECKIN_WEEKS = (2, 6, 12)
#: The rhythms a pair can choose, and how they read.
CADENCES = {"weekly": "weekly", "biweekly": "every two weeks", "monthly": "monthly"}
CheckInAnswer = Literal["met", "not_yet"]


def now_s(clock: Clock) -> datetime:
    """The clock's instant to the whole second: the precision instants are stored with, so
    an instant computed now equals the one read back."""
    return clock.now().replace(microsecond=0)


@dataclass(frozen=True)
class RequestStatus:
    request_id: int
    status: str  # pending | accepted | exhausted | withdrawn
    mentor_user_id: int | None  # the mentor asked now (pending) or who accepted
    expires_at: datetime | None  # when the current mentor's time to answer runs out
    tried: int  # mentors asked so far
    created_at: datetime
    ended_at: datetime | None = None
    """When the pairing this request made (if accepted) ended: it is no longer "accepted"."""
    paused: bool = False
    """The mentor asked the mentee a question: ``expires_at`` moves once it is answered."""


@dataclass(frozen=True)
class Pairing:
    id: int
    guild_id: int
    mentor_user_id: int
    mentee_user_id: int
    status: str
    thread_id: int | None
    started_at: datetime
    ended_at: datetime | None
    cadence: str | None = None
    """The rhythm the pair chose (a key of ``CADENCES``), None until they choose."""


@dataclass(frozen=True)
class MenteeStatus:
    request: RequestStatus | None
    pairings: list[Pairing]


@dataclass(frozen=True)
class MenteeUpdate:
    """Why a mentee's request moved, and where it went: to ``mentor_user_id`` until
    ``expires_at``, or (both None) nowhere: the request is closed."""

    why: str
    mentor_user_id: int | None
    expires_at: datetime | None
    legacy_text: str | None = None
    """Text of an update written before updates were stored as data (sent as it is)."""


@dataclass(frozen=True)
class Notice:
    """Something the bot must send. ``kind``: offer | reminder | mentee_update | thread."""

    id: int
    guild_id: int
    kind: str
    user_id: int
    request_id: int | None
    expires_at: datetime | None
    mentee: MenteeProfile | None
    pairing: Pairing | None
    update: MenteeUpdate | None = None


@dataclass(frozen=True)
class Feedback:
    pairing: Pairing
    ended_by: int | None
    rating: int | None
    text: str | None


@dataclass(frozen=True)
class PlannedPair:
    mentee: MenteeProfile
    mentor: MentorProfile
    score: float


@dataclass(frozen=True)
class BatchPlan:
    guild_id: int
    pairs: list[PlannedPair]
    total: float
    greedy_total: float
    waiting: int
    unpaired: list[Unpaired]  # the waiting mentees left out, and why


@dataclass(frozen=True)
class PendingOffer:
    """The offer a mentor is answering (read inside the answering transaction)."""

    id: int
    mentor_id: int
    guild_id: int
    mentee_id: int


@dataclass(frozen=True)
class CheckIn:
    """A check-in to post in the pair's thread: did you meet since the pairing started?"""

    pairing: Pairing
    week: int


@dataclass(frozen=True)
class CheckInResult:
    answer: CheckInAnswer
    alerted: bool
    """This answer made it two "not yet" in a row: the coordinators are alerted (once)."""


@dataclass(frozen=True)
class StalledAlert:
    """Tell the coordinator role, in the mentoring channel, that a pair has not met."""

    pairing: Pairing
    role_id: int
    channel_id: int


@dataclass(frozen=True)
class DetailsQuestion:
    """A mentor's question to a mentee about their request (DM'd to the mentee)."""

    offer_id: int
    mentor_user_id: int
    mentee_user_id: int
    question: str
    answer_by: datetime
    """Until then the mentor's time to answer is paused."""


@dataclass(frozen=True)
class DetailsAnswer:
    """The mentee's answer, DM'd to the mentor with Accept/Decline again."""

    offer_id: int
    request_id: int
    mentor_user_id: int
    mentee_user_id: int
    question: str
    answer: str
    expires_at: datetime
    """The mentor's time to answer, the pause taken off."""


@dataclass(frozen=True)
class OfferDetails:
    """An offer with what "Ask for details" needs to know about it."""

    id: int
    request_id: int
    guild_id: int
    status: str
    mentor_user_id: int
    mentee_user_id: int
    expires_at: datetime
    question: str | None
    asked_at: datetime | None
    answer: str | None
    resumed_at: datetime | None

    @property
    def paused(self) -> bool:
        return self.asked_at is not None and self.resumed_at is None
