"""Mentor matchmaking: profiles, scoring and matching, requests with durable timeouts,
pairings and the moderated roster. Plain async Python (no discord import)."""

from bot.services.mentoring.pool import Candidate, MentorPool
from bot.services.mentoring.profiles import MenteeInput, MenteeProfile, MentorInput, MentorProfile
from bot.services.mentoring.service import (
    SENT_KINDS,
    BatchPlan,
    Feedback,
    MenteeStatus,
    MenteeUpdate,
    MentoringService,
    Notice,
    Pairing,
    PlannedPair,
    RequestStatus,
)

__all__ = [
    "SENT_KINDS",
    "BatchPlan",
    "Candidate",
    "Feedback",
    "MenteeInput",
    "MenteeProfile",
    "MenteeStatus",
    "MenteeUpdate",
    "MentorInput",
    "MentorPool",
    "MentorProfile",
    "MentoringService",
    "Notice",
    "Pairing",
    "PlannedPair",
    "RequestStatus",
]
