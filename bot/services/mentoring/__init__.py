"""Mentor matchmaking: profiles, scoring and matching, requests with durable timeouts,
pairings and the moderated roster. Plain async Python (no discord import)."""

from bot.services.mentoring.pool import Candidate, MentorPool
from bot.services.mentoring.profiles import MenteeInput, MenteeProfile, MentorInput, MentorProfile
from bot.services.mentoring.service import (
    BatchPlan,
    Feedback,
    MenteeStatus,
    MentoringService,
    Notice,
    Pairing,
    PlannedPair,
    RequestStatus,
)

__all__ = [
    "BatchPlan",
    "Candidate",
    "Feedback",
    "MenteeInput",
    "MenteeProfile",
    "MenteeStatus",
    "MentorInput",
    "MentorPool",
    "MentorProfile",
    "MentoringService",
    "Notice",
    "Pairing",
    "PlannedPair",
    "RequestStatus",
]
