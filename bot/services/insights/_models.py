"""The figures behind `/stats` and `fmg-bot stats`: plain dataclasses (aware datetimes), the
same for the charts, the text and the JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import InvalidInput

PERIOD_DAYS = (7, 30, 90)  # and None: all time


@dataclass(frozen=True)
class Period:
    """The last ``days`` days up to ``end`` (``days`` None: everything up to ``end``)."""

    days: int | None
    end: datetime

    @classmethod
    def of(cls, days: int | None, end: datetime) -> Period:
        if days is not None and days not in PERIOD_DAYS:
            raise InvalidInput("The period is 7, 30 or 90 days, or all time.")
        return cls(days, end)

    @property
    def start(self) -> datetime | None:
        return None if self.days is None else self.end - timedelta(days=self.days)

    @property
    def label(self) -> str:
        return "all time" if self.days is None else f"last {self.days} days"


@dataclass(frozen=True)
class Supply:
    """Mentees waiting for a mentor against free mentor slots, for one specialty or visa route
    (a mentor with two specialties offers their free slots in both)."""

    key: str
    label: str
    waiting: int
    free_slots: int


@dataclass(frozen=True)
class MentoringFigures:
    period: Period
    waiting: int  # now: mentee profiles without an active pairing
    free_slots: int  # now: free slots of approved, unpaused mentors
    by_specialty: list[Supply]  # now; most waiting first
    by_visa: list[Supply]
    accepted: int  # requests accepted in the period
    median_accept_hours: float | None  # from the request to the accept
    ran_out: int  # requests that ran out of candidates in the period
    ran_out_reasons: dict[str, int]  # reason code (mentoring.scoring.NO_CANDIDATE) -> count
    active_pairings: int  # now
    started: int  # pairings started in the period
    ended: int  # pairings ended in the period
    ratings: tuple[int, int, int, int, int]  # ratings 1..5 left on pairings ended in the period

    @property
    def mean_rating(self) -> float | None:
        count = sum(self.ratings)
        return None if not count else sum(n * (i + 1) for i, n in enumerate(self.ratings)) / count


@dataclass(frozen=True)
class SessionRsvps:
    """One study session that took place (started, not cancelled) and its RSVPs."""

    starts_at: datetime
    group: str  # the group's name (member text: the adapter sanitises it)
    going: int
    maybe: int
    no: int


@dataclass(frozen=True)
class StudyFigures:
    period: Period
    sessions: list[SessionRsvps]  # oldest first
    cancelled: int  # sessions of the period that were cancelled

    def total(self, choice: str) -> int:
        return sum(getattr(s, choice) for s in self.sessions)


@dataclass(frozen=True)
class TopicAnswers:
    """Published anonymous questions of one topic tag. Counts only: nothing about askers."""

    topic: str | None  # the tag (member text); None: no topic
    asked: int
    answered: int  # marked answered by the asker, or answered by a mentor
    by_mentor: int  # a reply marked "answered by a mentor"


@dataclass(frozen=True)
class AnonymousFigures:
    period: Period
    topics: list[TopicAnswers]  # most asked first

    def total(self, field: str) -> int:
        return sum(getattr(t, field) for t in self.topics)


@dataclass(frozen=True)
class SearchCount:
    query: str  # folded search text only, never who searched
    searches: int
    empty: int  # of them, found nothing


@dataclass(frozen=True)
class ResourceFigures:
    period: Period
    searches: int
    empty: int
    top: list[SearchCount]  # most searched first
    gaps: list[SearchCount]  # most searched of those that found nothing


@dataclass(frozen=True)
class Insights:
    guild_id: int
    mentoring: MentoringFigures
    study: StudyFigures
    anonymous: AnonymousFigures
    resources: ResourceFigures
