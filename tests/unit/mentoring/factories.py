"""Small profile builders for mentoring tests (sensible defaults, override what matters)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.services.mentoring.profiles import APPROVED, MenteeProfile, MentorProfile

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MENTOR = MentorProfile(
    id=1, guild_id=1, user_id=101, specialties=("internal_medicine",), visas=("j1",),
    stage="matched", languages=("en", "hi"), timezone="America/New_York", capacity=2, active=0,
    bio="", status=APPROVED, paused=False, created_at=EPOCH,
)
_MENTEE = MenteeProfile(
    id=1, guild_id=1, user_id=201, specialty="internal_medicine", visa="j1", stage="step1",
    languages=("en",), timezone="America/New_York", goals="", created_at=EPOCH,
)


def mentor(**changes: object) -> MentorProfile:
    return replace(_MENTOR, **changes)


def mentee(**changes: object) -> MenteeProfile:
    return replace(_MENTEE, **changes)
