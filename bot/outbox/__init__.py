"""One outbox for all due work: everything the bot must do later or say on Discord is a row.

A capability registers a *kind* with a service-side `Handler` (turns a due row into data to
send, a skip, or work done in the database) and its cog attaches a `Sender` (renders the data
and sends it). Services `enqueue` rows inside their own transaction; the engine is woken once
that transaction commits, so no caller can forget to wake it. See `_engine` for the claims.
"""

from bot.outbox._engine import NONCE_WINDOW, SOURCE_NAME, Outbox
from bot.outbox._models import (
    Done,
    DueItem,
    Handler,
    NewRow,
    Outcome,
    Policy,
    Receipt,
    Report,
    Send,
    Sender,
    SendFailed,
    Skip,
)

__all__ = [
    "NONCE_WINDOW",
    "SOURCE_NAME",
    "Done",
    "DueItem",
    "Handler",
    "NewRow",
    "Outbox",
    "Outcome",
    "Policy",
    "Receipt",
    "Report",
    "Send",
    "SendFailed",
    "Sender",
    "Skip",
]
