"""Row <-> dataclass conversion for the mentoring tables (lists are comma-separated keys)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from bot.services.mentoring.profiles import MenteeProfile, MentorProfile

MENTOR_COLUMNS = (
    "id, guild_id, user_id, specialties, visas, stage, languages, timezone, capacity, active, "
    "bio, status, paused, created_at"
)
MENTEE_COLUMNS = (
    "id, guild_id, user_id, specialty, visa, stage, languages, timezone, goals, created_at"
)


def join(keys: Iterable[str]) -> str:
    return ",".join(keys)


def split(text: str) -> tuple[str, ...]:
    return tuple(k for k in text.split(",") if k)


def mentor(row: sqlite3.Row) -> MentorProfile:
    return MentorProfile(
        id=row["id"], guild_id=row["guild_id"], user_id=row["user_id"],
        specialties=split(row["specialties"]), visas=split(row["visas"]), stage=row["stage"],
        languages=split(row["languages"]), timezone=row["timezone"], capacity=row["capacity"],
        active=row["active"], bio=row["bio"], status=row["status"], paused=bool(row["paused"]),
        created_at=row["created_at"],
    )


def mentee(row: sqlite3.Row) -> MenteeProfile:
    return MenteeProfile(
        id=row["id"], guild_id=row["guild_id"], user_id=row["user_id"],
        specialty=row["specialty"], visa=row["visa"], stage=row["stage"],
        languages=split(row["languages"]), timezone=row["timezone"], goals=row["goals"],
        created_at=row["created_at"],
    )
