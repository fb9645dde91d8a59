"""Anonymous questions (see _service.py for the flow, README for the promise and trade-offs)."""

from bot.services.anonymous._limits import MemberKeys, MemberLimiter, SlidingWindow
from bot.services.anonymous._service import (
    ASKER_LABEL,
    CLOSE_NOTICE,
    KINDS,
    AnonymousLimits,
    AnonymousService,
    AskReceipt,
    MentorNotice,
    OutboxJob,
    PostedQuestion,
    Report,
)
from bot.services.anonymous._text import (
    MAX_FOLLOWUP_CHARS,
    MAX_QUESTION_CHARS,
    MAX_TAG_CHARS,
    MAX_TITLE_CHARS,
    could_ping,
    sanitize,
    split_message,
)

__all__ = [
    "ASKER_LABEL",
    "CLOSE_NOTICE",
    "KINDS",
    "MAX_FOLLOWUP_CHARS",
    "MAX_QUESTION_CHARS",
    "MAX_TAG_CHARS",
    "MAX_TITLE_CHARS",
    "AnonymousLimits",
    "AnonymousService",
    "AskReceipt",
    "MemberKeys",
    "MemberLimiter",
    "MentorNotice",
    "OutboxJob",
    "PostedQuestion",
    "Report",
    "SlidingWindow",
    "could_ping",
    "sanitize",
    "split_message",
]
