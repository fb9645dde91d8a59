"""What the engine hands to handlers and senders, and what they hand back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class DueItem:
    """One claimed row: ids and data, never rendered Discord text."""

    id: int
    kind: str
    guild_id: int
    ref_id: int | None
    """The row of the kind's own table this is about (an offer, a question, an occurrence)."""
    recipient_id: int | None
    data: Mapping[str, Any]
    due_at: datetime
    nonce: str
    attempts: int
    """Attempts so far, this one included."""

    def late(self, now: datetime, grace: timedelta) -> bool:
        return now - self.due_at > grace

    @property
    def ref(self) -> int:
        """``ref_id`` of a kind whose rows always name one (a row without it is a bug)."""
        if self.ref_id is None:
            raise ValueError(f"outbox row {self.id} ({self.kind}) names no ref_id")
        return self.ref_id

    @property
    def recipient(self) -> int:
        """``recipient_id`` of a kind whose rows always name one (a row without it is a bug)."""
        if self.recipient_id is None:
            raise ValueError(f"outbox row {self.id} ({self.kind}) names no recipient")
        return self.recipient_id


@dataclass(frozen=True, slots=True)
class NewRow:
    """A row to add with `Outbox.enqueue_many`."""

    due: datetime
    guild_id: int = 0
    ref_id: int | None = None
    recipient_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    key: str | None = None
    """Unique within the kind: a second row with the same key is not added."""


@dataclass(frozen=True, slots=True)
class Send:
    """Send ``payload`` (a service dataclass) through the kind's sender."""

    payload: object


@dataclass(frozen=True, slots=True)
class Skip:
    """Nothing to send: 'skipped' (pointless now), 'cancelled' (undone by a member) or
    'failed' (it cannot be sent, a missing channel say: given up at once, visibly)."""

    reason: str
    state: str = "skipped"


@dataclass(frozen=True, slots=True)
class Done:
    """The handler did the work in the database (a timeout, say): nothing to send."""


Outcome = Send | Skip | Done


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a send produced in Discord."""

    message_id: int | None
    channel_id: int | None = None
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """How a kind is retried and kept."""

    max_attempts: int = 6
    backoff_base_s: float = 5.0
    backoff_max_s: float = 300.0
    ordered: bool = False
    """Rows with the same ref_id are sent one after another, in due order (else concurrently)."""
    forget_data: bool = False
    """Clear the row's data once it is finished (member-written text kept no longer than needed)."""
    sends: bool = True
    """False for kinds whose handler only acts in the database (no sender needed)."""

    def backoff(self, attempts: int) -> float:
        return float(min(self.backoff_base_s * 2 ** max(0, attempts - 1), self.backoff_max_s))


class SendFailed(Exception):
    """Raised by a sender. ``permanent`` (403/404, no channel) is not retried; otherwise the
    row is retried after ``retry_after`` seconds (a 429's value) or the kind's backoff."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent


class Handler:
    """The service side of a kind. ``prepare`` runs inside the claim's transaction, so what it
    reads and writes (plain `db.*` calls join it) commits together with the claim."""

    policy: Policy = Policy()

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        raise NotImplementedError

    async def sent(self, item: DueItem, receipt: Receipt) -> None:
        """Record what the send produced; runs in the transaction that marks the row sent."""

    async def failed(self, item: DueItem, reason: str) -> None:
        """The row was given up for good; runs in the transaction that marks it failed."""


class Sender(Protocol):
    async def send(self, item: DueItem, payload: Any, /) -> Receipt:
        """Render ``payload`` and send it with ``item.nonce`` (enforce_nonce); raise
        `SendFailed` for what Discord refused."""
        ...


@dataclass
class Report:
    sent: int = 0
    skipped: int = 0
    done: int = 0
    retried: int = 0
    failed: int = 0
