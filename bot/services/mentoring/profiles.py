"""Mentor and mentee profiles (plain dataclasses) and their validation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.errors import InvalidInput
from bot.services.mentoring.vocab import (
    EXAM_STAGES,
    LANGUAGES,
    SPECIALTIES,
    VISA_ROUTES,
    check_key,
    check_keys,
)
from bot.services.text import sanitize
from bot.services.timezones import check_timezone

MIN_CAPACITY = 1
MAX_CAPACITY = 10
BIO_MAX = 500
GOALS_MAX = 500

# Mentor review states. Only "approved" mentors can be matched.
PENDING, APPROVED, REJECTED, REMOVED = "pending", "approved", "rejected", "removed"
MENTOR_STATUSES = (PENDING, APPROVED, REJECTED, REMOVED)


@dataclass(frozen=True)
class MentorInput:
    """What a member submits when registering or editing a mentor profile."""

    specialties: tuple[str, ...]
    visas: tuple[str, ...]
    stage: str
    languages: tuple[str, ...]
    timezone: str
    capacity: int
    bio: str

    @classmethod
    def validated(cls, *, specialties: Iterable[str], visas: Iterable[str], stage: str,
                  languages: Iterable[str], timezone: str, capacity: int,
                  bio: str) -> MentorInput:
        if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
            raise InvalidInput(f"Capacity must be between {MIN_CAPACITY} and {MAX_CAPACITY}.")
        bio = sanitize(bio)
        if len(bio) > BIO_MAX:
            raise InvalidInput(f"The bio is limited to {BIO_MAX} characters.")
        return cls(
            specialties=check_keys(specialties, SPECIALTIES, "specialty"),
            visas=check_keys(visas, VISA_ROUTES, "visa route"),
            stage=check_key(stage, EXAM_STAGES, "exam stage"),
            languages=check_keys(languages, LANGUAGES, "language"),
            timezone=check_timezone(timezone),
            capacity=capacity,
            bio=bio,
        )


@dataclass(frozen=True)
class MentorProfile:
    """A stored mentor. ``active`` is the number of open pairings (kept in the same row as
    ``capacity`` so that accepting a request can check and take a slot in one UPDATE)."""

    id: int
    guild_id: int
    user_id: int
    specialties: tuple[str, ...]
    visas: tuple[str, ...]
    stage: str
    languages: tuple[str, ...]
    timezone: str
    capacity: int
    active: int
    bio: str
    status: str
    paused: bool
    created_at: datetime

    @property
    def slots_left(self) -> int:
        return max(0, self.capacity - self.active)


@dataclass(frozen=True)
class MenteeInput:
    """What a member submits for their mentee profile."""

    specialty: str
    visa: str
    stage: str
    languages: tuple[str, ...]
    timezone: str
    goals: str

    @classmethod
    def validated(cls, *, specialty: str, visa: str, stage: str, languages: Iterable[str],
                  timezone: str, goals: str) -> MenteeInput:
        goals = sanitize(goals)
        if len(goals) > GOALS_MAX:
            raise InvalidInput(f"Goals are limited to {GOALS_MAX} characters.")
        return cls(
            specialty=check_key(specialty, SPECIALTIES, "specialty"),
            visa=check_key(visa, VISA_ROUTES, "visa route"),
            stage=check_key(stage, EXAM_STAGES, "exam stage"),
            languages=check_keys(languages, LANGUAGES, "language"),
            timezone=check_timezone(timezone),
            goals=goals,
        )


@dataclass(frozen=True)
class MenteeProfile:
    """A stored mentee: one target specialty and one visa need."""

    id: int
    guild_id: int
    user_id: int
    specialty: str
    visa: str
    stage: str
    languages: tuple[str, ...]
    timezone: str
    goals: str
    created_at: datetime
