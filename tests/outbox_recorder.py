"""A stand-in sender for the outbox in service-level tests: records what it is asked to send."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from bot.outbox import DueItem, Outbox, Receipt, Report

MESSAGE_IDS = 10**17


class Recorder:
    """Records payloads; ``fail(item, payload)`` may return an exception to raise instead."""

    def __init__(self, fail: Callable[[DueItem, object], Exception | None] | None = None) -> None:
        self.sent: list[object] = []
        self.items: list[DueItem] = []
        self.fail = fail

    async def send(self, item: DueItem, payload: object) -> Receipt:
        if self.fail is not None and (exc := self.fail(item, payload)) is not None:
            raise exc
        self.items.append(item)
        self.sent.append(payload)
        # A channel and a thread as well, for kinds that record where their post lives.
        return Receipt(MESSAGE_IDS + item.id, channel_id=MESSAGE_IDS - 1,
                       thread_id=MESSAGE_IDS + item.id)


def attach(outbox: Outbox, kinds: Iterable[str], recorder: Recorder) -> Recorder:
    for kind in kinds:
        outbox.attach_sender(kind, recorder)
    return recorder


async def drain(outbox: Outbox, now: datetime) -> Report:
    """One run of the engine at ``now`` (what the scheduler's timer would do)."""
    return await outbox.run_due(now)
