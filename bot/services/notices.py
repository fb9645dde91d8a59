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
from bot.db import Database
from bot.outbox import DueItem, Handler, Outbox, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService
from bot.services.privacy import PrivacyContributor

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
    "group_given": "announcements_channel",
    "group_taken": "announcements_channel",
    "group_archived": "announcements_channel",
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

    def __init__(self, outbox: Outbox, db: Database, clock: Clock,
                 guild_settings: GuildSettingsService) -> None:
        self._outbox = outbox
        self._db = db
        self._clock = clock
        self._guild_settings = guild_settings
        outbox.register(KIND, self)

    @classmethod
    def of(cls, outbox: Outbox, db: Database, clock: Clock,
           guild_settings: GuildSettingsService) -> MemberNotices:
        """The outbox's member notices, made on first use: every capability that tells members
        what was decided shares the one handler of the kind."""
        existing = outbox.handler(KIND)
        return existing if isinstance(existing, cls) else cls(outbox, db, clock, guild_settings)

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

    # -- privacy --------------------------------------------------------------------------------
    def contributor(self) -> PrivacyContributor:
        """Registered before the capabilities, so it runs after them on deletion (the registry
        deletes in reverse): the notices their deletion sends to others are rewritten too."""
        return PrivacyContributor(
            "notices", self.export_member, self.delete_member,
            summary="Notices: what the bot has yet to tell you, and your name in notices to others.",
        )

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        rows = await self._db.fetchall(
            f"SELECT {self._db.dialect.json_text('data', 'event')} AS event, due_at FROM outbox "
            "WHERE kind = ? "
            "AND guild_id = ? AND recipient_id = ? AND state IN ('pending', 'claimed') ORDER BY id",
            (KIND, guild_id, user_id),
        )
        return {"notices_not_yet_sent": [r["event"] for r in rows]} if rows else {}

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        """Notices to them go; notices to others that name them (who ended a pairing) stay,
        without the name."""
        dialect = self._db.dialect
        async with self._db.transaction():
            await self._db.execute(
                "DELETE FROM outbox WHERE kind = ? AND guild_id = ? AND recipient_id = ?",
                (KIND, guild_id, user_id),
            )
            await self._db.execute(
                f"UPDATE outbox SET data = {dialect.json_set_null('data', 'facts.ended_by')} "
                f"WHERE kind = ? AND guild_id = ? AND {dialect.json_int('data', 'facts.ended_by')} = ?",
                (KIND, guild_id, user_id),
            )
