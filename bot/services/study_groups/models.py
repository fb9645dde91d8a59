"""What the study-groups service hands to its adapters: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.services.study_groups.dst import DstNotice

TOPICS = ("Step 1", "Step 2 CK", "Step 3", "OET", "Interviews", "Other")
RsvpChoice = Literal["going", "maybe", "no"]
RSVP_CHOICES: tuple[RsvpChoice, ...] = ("going", "maybe", "no")
DEFAULT_OFFSETS_MINUTES = (1440, 15, 0)


@dataclass(frozen=True)
class Group:
    id: int
    guild_id: int
    name: str
    topic: str
    description: str
    capacity: int | None
    owner_id: int
    role_id: int | None
    announce_offsets: tuple[int, ...]  # minutes before the start, descending
    created_at: datetime
    archived_at: datetime | None
    member_count: int = 0

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True)
class Member:
    user_id: int
    joined_at: datetime
    zone: str | None
    remind_minutes: int | None


@dataclass(frozen=True)
class RsvpCounts:
    going: int = 0
    maybe: int = 0
    no: int = 0

    def of(self, choice: RsvpChoice) -> int:
        return {"going": self.going, "maybe": self.maybe, "no": self.no}[choice]


@dataclass(frozen=True)
class Occurrence:
    id: int
    series_id: int
    group_id: int
    group_name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    recurring: bool
    location: str | None
    channel_id: int | None
    cancelled: bool
    event_id: int | None
    rsvps: RsvpCounts = field(default_factory=RsvpCounts)


@dataclass(frozen=True)
class ScheduledSeries:
    series_id: int
    group: Group
    title: str
    zone: str
    first_start: datetime
    rule_text: str | None  # "every Monday and Thursday, 10 times" or None for a one-off
    total: int | None  # occurrences of a bounded series; None when it runs until cancelled
    upcoming: tuple[Occurrence, ...]
    events_limit: int | None = None
    """The member's quota of scheduled events, set when they have at least that many other live
    series (this one may then get no entry in the server's Events list)."""
    clashes: tuple[Occurrence, ...] = ()
    """The group's other sessions at the same time as one of these (the first few)."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One outbox row ready to send, as data: the adapter renders it, posts it and reports the
    message id.

    ``channel_id`` is the guild's announcements channel for announcements and None for DMs
    (``recipient_id`` is then the member, and ``zone`` their stored zone, None when they have
    not set one). Only ``role_id`` may be pinged. ``heads_ups`` are the clock-change notices
    an announcement carries (the first of a recurring session's announcements).
    """

    outbox_id: int
    kind: Literal["announce", "dm"]
    guild_id: int
    channel_id: int | None
    recipient_id: int | None
    role_id: int | None
    nonce: str
    occurrence_id: int
    rsvps: RsvpCounts
    delayed: bool
    group_name: str
    title: str
    starts_at: datetime
    duration_minutes: int
    location: str | None
    voice_channel_id: int | None
    event_id: int | None
    zone: str | None = None
    heads_ups: tuple[DstNotice, ...] = ()


@dataclass(frozen=True)
class EventTask:
    """A Guild Scheduled Event to create, update or cancel for one occurrence."""

    action: Literal["create", "update", "cancel"]
    occurrence_id: int
    guild_id: int
    event_id: int | None
    name: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    channel_id: int | None
