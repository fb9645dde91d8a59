"""In-memory records the server keeps: ids, interactions, violations, requests."""

from __future__ import annotations

import itertools
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits used by the seeded guild and the interaction payloads.
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
CONNECT = 1 << 20
SPEAK = 1 << 21
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS | EMBED_LINKS
    | ATTACH_FILES | ADD_REACTIONS | CONNECT | SPEAK | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)

EPHEMERAL = 1 << 6
LOADING = 1 << 7


class Snowflakes:
    """Increasing Discord-style snowflakes (timestamp << 22 | counter) from ``now()`` seconds."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._counter = itertools.count(1)
        self._last = 0

    def follow(self, now: Callable[[], float]) -> None:
        """Take timestamps from ``now`` from here on (ids stay increasing)."""
        self._now = now

    def next(self) -> int:
        ms = int(self._now() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (next(self._counter) & 0x3FFFFF)
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return value

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next id that Discord routes to shard ``shard_id`` of ``shard_count`` (a guild
        id: ``(id >> 22) % count``), a few milliseconds ahead at most."""
        value = self.next()
        ms = value >> 22
        value = ((ms + (shard_id - ms) % shard_count) << 22) | (value & 0x3FFFFF)
        self._last = max(self._last, value)
        return value


@dataclass
class Violation:
    """A request Discord would have refused (schema, limit or interaction rule)."""

    kind: str  # "spec" | "limit" | "interaction"
    method: str
    path: str
    problems: list[tuple[tuple[str | int, ...], str]]
    body: Any = None

    def __str__(self) -> str:
        where = "; ".join(
            f"{'.'.join(map(str, p)) or '<body>'}: {m}" for p, m in self.problems
        )
        return f"{self.kind} violation on {self.method} {self.path}: {where}"


#: What a member may upload (Discord's free limit; sent to bots as ``attachment_size_limit``).
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def content_type_of(filename: str) -> str:
    """The media type Discord gives an attachment, from its name."""
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Interaction:
    """One interaction the driver dispatched and everything the bot answered to it."""

    id: int
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete, 5 modal submit
    user_id: int
    channel_id: int
    guild_id: int | None
    data: dict[str, Any]
    created: float  # server monotonic clock
    created_wall: float
    message_id: int | None = None  # the component's message (types 3 and 5 from a component)
    response_type: int | None = None
    responded_at: float | None = None
    original_id: int | None = None
    original_edited: bool = False
    followup_ids: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    errors: list[Violation] = field(default_factory=list)
    #: the TCP port the initial response came from: which client answered, when several
    #: processes share the bot's token (each holding some shards)
    answered_from: int | None = None

    @property
    def responded(self) -> bool:
        return self.response_type is not None

    @property
    def latency(self) -> float | None:
        """Seconds from dispatch to the initial response (the benchmark's round trip)."""
        return None if self.responded_at is None else self.responded_at - self.created
