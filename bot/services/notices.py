"""Telling members what was decided about them: one outbox kind, a DM with a fallback.

A capability that decides something about a member (a moderator approves their mentor profile,
their partner ends a pairing, their suggested link is reviewed, a group passes to them) calls
`MemberNotices.notify` inside the transaction that decided it, so the notice exists exactly
when the decision does. The row holds the event and its facts as data (ids, names: never
rendered text); the cog's sender renders it and DMs the member, and when their DMs are closed
it mentions them in the capability's channel instead (``fallback_channel_id``, resolved here
when the row is due: the setting may have changed since).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.outbox import DueItem, Handler, Outbox, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService

KIND = "member_notice"

#: Each event, and the guild setting naming its capability's channel (the DM fallback) when
#: the decision does not name a channel of its own.
EVENTS: dict[str, str | None] = {
    "mentor_approved": "mentoring_channel",
    "mentor_rejected": "mentoring_channel",
    "mentor_removed": "mentoring_channel",
    "mentor_paused": "mentoring_channel",
    "pairing_ended": "mentoring_channel",
    "suggestion_approved": None,
    "suggestion_rejected": None,
    "group_inherited": "announcements_channel",
}


@dataclass(frozen=True, slots=True)
class MemberNotice:
    """One decision to tell ``user_id`` about. ``user_id`` None: a line posted in
    ``fallback_channel_id`` for whoever reads it (a pairing's thread), not a DM."""

    event: str
    guild_id: int
    user_id: int | None
    facts: Mapping[str, Any]
    fallback_channel_id: int | None


class MemberNotices(Handler):
    # Member-written text (a group's name, a link's title) is kept no longer than needed.
    policy = Policy(max_attempts=5, backoff_base_s=30, backoff_max_s=300, forget_data=True)

    def __init__(self, outbox: Outbox, clock: Clock, guild_settings: GuildSettingsService) -> None:
        self._outbox = outbox
        self._clock = clock
        self._guild_settings = guild_settings
        outbox.register(KIND, self)

    async def notify(self, event: str, *, guild_id: int, user_id: int | None,
                     facts: Mapping[str, Any] | None = None, channel_id: int | None = None,
                     ref_id: int | None = None) -> None:
        """Tell ``user_id`` about ``event`` (inside the deciding transaction). ``channel_id``:
        where to mention them when DMs are closed, instead of the capability's channel; with
        no ``user_id``, where the line is posted."""
        if event not in EVENTS:
            raise ValueError(f"unknown member notice {event!r}")
        await self._outbox.enqueue(
            KIND, due=self._clock.now(), guild_id=guild_id, ref_id=ref_id, recipient_id=user_id,
            data={"event": event, "facts": dict(facts or {}), "channel_id": channel_id},
        )

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        event = item.data["event"]
        channel_id = item.data.get("channel_id")
        setting = EVENTS.get(event)
        if channel_id is None and setting is not None:
            value = (await self._guild_settings.get(item.guild_id)).get(setting)
            channel_id = int(value) if value else None
        if item.recipient_id is None and channel_id is None:
            return Skip("the channel to post this line in is gone", state="failed")
        return Send(MemberNotice(event, item.guild_id, item.recipient_id,
                                 item.data.get("facts", {}), channel_id))
