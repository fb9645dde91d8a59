"""Views, persistent RSVP buttons, embeds and the Discord side of sending for study groups.

RSVP buttons are `DynamicItem`s whose custom id carries the occurrence id and the choice, so
a member can answer an announcement posted days ago, after any number of restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.errors import InvalidInput
from bot.outbox import DueItem, Receipt, SendFailed
from bot.services.links import shown_link
from bot.services.study_groups.models import (
    EventTask,
    Group,
    Member,
    Occurrence,
    OutgoingMessage,
    RsvpCounts,
)
from bot.services.study_groups.pings import RoleFacts, may_ping
from bot.services.study_groups.rsvp_refresh import RsvpRefresh
from bot.services.study_groups.suggest import SlotSuggestion
from bot.services.text import md, sanitize, sanitize_line
from bot.services.timezones import DEFAULT_ZONE, format_local
from bot.ui import MAX_CONTENT, bot_of, persistent_view, run_safely, send_ephemeral, send_failed

if TYPE_CHECKING:
    from bot.app import FmgBot

log = logging.getLogger(__name__)

SOURCE_NAME = "study_groups"
#: How long an announcement sent right after start-up waits for the guild cache (to check its role).
READY_WAIT_S = 30.0
NO_MENTIONS = discord.AllowedMentions.none()
COLOUR = discord.Colour.dark_green()
PAGE_SIZE = 10
MEMBERS_PAGE = 20
RSVP_LABELS = {"going": "Going", "maybe": "Maybe", "no": "Not going"}
RSVP_STYLES = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.secondary,
    "no": discord.ButtonStyle.danger,
}
ZONE_PROMPT = (
    "You have not set your time zone yet, so times I write out for you (autocomplete, "
    "DMs, calendar) are in UTC. Set it once with `/timezone set`."
)


async def ask_for_zone_once(interaction: discord.Interaction) -> None:
    """Privately ask a member without a zone to set one (once per member, ever)."""
    if await bot_of(interaction).services.study_groups.timezones.should_ask(interaction.user.id):
        await send_ephemeral(interaction, ZONE_PROMPT)


# -- RSVP ----------------------------------------------------------------------------------
class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"fmg:rsvp:(?P<occurrence_id>\d+):(?P<choice>going|maybe|no)",
):
    """Going / Maybe / Not going on an announcement, with the current counts in the labels."""

    def __init__(self, occurrence_id: int, choice: str, count: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"{RSVP_LABELS[choice]} ({count})",
                custom_id=f"fmg:rsvp:{occurrence_id}:{choice}",
                style=RSVP_STYLES[choice],
            )
        )
        self.occurrence_id = occurrence_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> RsvpButton:
        return cls(int(match["occurrence_id"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._answer(interaction))

    async def _answer(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            raise InvalidInput("RSVPs work inside the server.")
        service = bot_of(interaction).services.study_groups
        occ, counts = await service.sessions.rsvp(
            interaction.guild_id, self.occurrence_id, interaction.user.id, self.choice
        )
        await interaction.response.edit_message(view=rsvp_view(self.occurrence_id, counts))
        await send_ephemeral(
            interaction,
            f"Saved: **{RSVP_LABELS[self.choice].lower()}** for **{md(occ.title)}** "
            f"(<t:{int(occ.starts_at.timestamp())}:F>).",
        )
        await ask_for_zone_once(interaction)


def rsvp_view(occurrence_id: int, counts: RsvpCounts) -> discord.ui.View:
    return persistent_view(
        *(RsvpButton(occurrence_id, choice, counts.of(choice)) for choice in RSVP_LABELS)  # type: ignore[arg-type]
    )


# -- sending outbox rows and syncing scheduled events ------------------------------------------
class DiscordSender:
    """The outbox's sender of announcements and DM reminders: posts with the row's nonce
    (discord.py then sets enforce_nonce)."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, message: OutgoingMessage) -> Receipt:
        if message.kind == "announce" and message.channel_id is None:
            raise SendFailed("no announcements channel is set (/settings channel)", permanent=True)
        try:
            if message.kind == "announce":
                assert message.channel_id is not None
                channel = self.bot.get_channel(message.channel_id) or await self.bot.fetch_channel(
                    message.channel_id
                )
                if not isinstance(channel, discord.abc.Messageable):
                    raise SendFailed("the announcements channel cannot hold messages", permanent=True)
                mentions = discord.AllowedMentions(
                    everyone=False,
                    users=False,
                    roles=await pingable_roles(self.bot, message) or False,
                    replied_user=False,
                )
                sent = await channel.send(
                    render_announcement(message),
                    view=rsvp_view(message.occurrence_id, message.rsvps),
                    allowed_mentions=mentions,
                    nonce=message.nonce,
                )
            else:
                assert message.recipient_id is not None
                user = self.bot.get_user(message.recipient_id) or await self.bot.fetch_user(
                    message.recipient_id
                )
                sent = await user.send(
                    render_dm(message), allowed_mentions=NO_MENTIONS, nonce=message.nonce
                )
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc
        return Receipt(sent.id, channel_id=message.channel_id)


#: Discord's limit for a message's content.


def render_announcement(message: OutgoingMessage) -> str:
    """An announcement's content: <t:...> renders in each reader's own local time."""
    start = int(message.starts_at.timestamp())
    head = f"<@&{message.role_id}> " if message.role_id else ""
    lines = [
        f"{head}**{md(message.group_name)}**: {md(message.title)}"
        + (" (delayed)" if message.delayed else ""),
        f"Starts <t:{start}:F> (<t:{start}:R>) · {message.duration_minutes} min",
    ]
    if message.voice_channel_id:
        lines.append(f"Where: <#{message.voice_channel_id}>")
    elif message.location:
        lines.append(f"Where: {shown_link(message.location)}")
    if message.event_id:
        lines.append(f"Event: https://discord.com/events/{message.guild_id}/{message.event_id}")
    lines.append("RSVP below so the group knows who is coming.")
    text = "\n".join(lines)
    notices = message.heads_ups
    for i, notice in enumerate(notices):
        line = f"\n⏰ Heads-up: {notice.text()}"
        rest = len(notices) - i - 1
        tail = f"\n…and {rest} more zones change too: see `/session upcoming`." if rest else ""
        if len(text) + len(line) + len(tail) > MAX_CONTENT - 60:
            text += f"\n⏰ The local time changes next week in {len(notices) - i} more zones."
            break
        text += line
    return text


def render_dm(message: OutgoingMessage) -> str:
    """A DM reminder: the member's own zone (push notifications do not render <t:...>)."""
    zone = ZoneInfo(message.zone or DEFAULT_ZONE)
    lines = [
        f"Reminder{' (delayed)' if message.delayed else ''}: **{md(message.title)}** "
        f"({md(message.group_name)}) starts {format_local(message.starts_at, zone)} "
        f"(<t:{int(message.starts_at.timestamp())}:R>).",
    ]
    if message.location:
        lines.append(f"Link: {shown_link(message.location)}")
    if message.zone is None:
        lines.append("Times are in UTC until you set your zone with `/timezone set`.")
    lines.append("Change or stop these reminders with `/session remind`.")
    return "\n".join(lines)


def role_facts(role: discord.Role) -> RoleFacts:
    return RoleFacts(role.id, role.name, role.mentionable, everyone=role.is_default())


async def pingable_roles(bot: FmgBot, message: OutgoingMessage) -> list[discord.Object]:
    """The roles an announcement may ping, checked when it is sent (pings.may_ping): the
    group's role while it is mentionable, or if whoever attached it could mention it anyway.
    Never a role only the bot's own Mention Everyone permission could ping."""
    if not message.role_id:
        return []
    guild = bot.get_guild(message.guild_id)
    if guild is None and not bot.is_ready():
        # just started: the role's state arrives with the guild from the gateway
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bot.wait_until_ready(), READY_WAIT_S)
        guild = bot.get_guild(message.guild_id)
    role = guild.get_role(message.role_id) if guild else None
    trusted = await bot.services.study_groups.groups.ping_trusted(message.occurrence_id, message.role_id)
    return [discord.Object(message.role_id)] if may_ping(role_facts(role) if role else None, trusted) else []


class RsvpRefreshSender:
    """Edits the RSVP buttons of a session's posted announcements to the current counts (the
    outbox's sender of ``study_rsvp_refresh``; an edit is idempotent, so a retry is harmless)."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, refresh: RsvpRefresh) -> Receipt:
        view = rsvp_view(refresh.occurrence_id, refresh.rsvps)
        for channel_id, message_id in refresh.messages:
            message = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
            try:
                await message.edit(view=view)
            except discord.NotFound:
                continue  # deleted since: nothing shows a stale count
            except discord.HTTPException as exc:
                raise send_failed(exc) from exc
        return Receipt(None)


class EventSync:
    """Creates, edits and cancels the Guild Scheduled Event of each series' next session."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def __call__(self, task: EventTask) -> None:
        events = self.bot.services.study_groups.events
        guild = self.bot.get_guild(task.guild_id)
        if guild is None:  # (called only once the guild cache is filled) the bot was removed
            await events.record_failed(task.occurrence_id)
            return
        try:
            if task.action == "create":
                event = await self._create(guild, task)
                await events.record_created(task.occurrence_id, event.id)
            elif task.action == "update":
                assert task.event_id is not None
                event = await guild.fetch_scheduled_event(task.event_id)
                await event.edit(name=task.name, description=task.description)
                await events.record_updated(task.occurrence_id)
            else:
                assert task.event_id is not None
                event = await guild.fetch_scheduled_event(task.event_id)
                await event.cancel()
                await events.record_cancelled(task.occurrence_id)
        except discord.NotFound:
            # deleted by hand in Discord: nothing left to keep in sync
            await events.record_cancelled(task.occurrence_id)
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                log.warning("scheduled event %s for occurrence %d: %s; will retry",
                            task.action, task.occurrence_id, exc.status)
                return
            log.warning("scheduled event %s for occurrence %d refused: %s",
                        task.action, task.occurrence_id, exc)
            await events.record_failed(task.occurrence_id)

    async def _create(self, guild: discord.Guild, task: EventTask) -> discord.ScheduledEvent:
        earlier = await self._created_before(guild, task)
        if earlier is not None:
            return earlier
        channel = guild.get_channel(task.channel_id) if task.channel_id else None
        common = {
            "name": task.name,
            "start_time": task.starts_at,
            "end_time": task.ends_at,
            "description": task.description,
            "privacy_level": discord.PrivacyLevel.guild_only,
        }
        if isinstance(channel, discord.StageChannel):
            return await guild.create_scheduled_event(
                entity_type=discord.EntityType.stage_instance, channel=channel, **common
            )
        if isinstance(channel, discord.VoiceChannel):
            return await guild.create_scheduled_event(
                entity_type=discord.EntityType.voice, channel=channel, **common
            )
        return await guild.create_scheduled_event(
            entity_type=discord.EntityType.external,
            location=(task.location or "Discord: see the announcement")[:100],
            **common,
        )


    async def _created_before(self, guild: discord.Guild,
                              task: EventTask) -> discord.ScheduledEvent | None:
        """The event an interrupted attempt made, if any. Creating an event takes no nonce: a
        stop between Discord's answer and the event's id being recorded would otherwise list
        the session twice in the server's Events. Ours, same name and start, and recorded for
        no other session."""
        me = self.bot.user.id if self.bot.user is not None else None
        events = self.bot.services.study_groups.events
        for event in await guild.fetch_scheduled_events(with_counts=False):
            if (event.creator_id == me and event.name == task.name
                    and event.start_time == task.starts_at
                    and not await events.is_recorded(event.id)):
                return event
        return None


class StudyGroupsDueWork:
    """The scheduler source: refill series and sync scheduled events (announcements are the
    outbox's, sent by `DiscordSender`)."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot
        self.event_sync = EventSync(bot)

    async def next_due(self) -> datetime | None:
        return await self.bot.services.study_groups.next_due(with_events=self.bot.is_ready())

    async def run_due(self, now: datetime) -> None:
        # Events wait for READY, which fills the guild cache they are created in.
        event_sync = self.event_sync if self.bot.is_ready() else None
        await self.bot.services.study_groups.run_due(now, event_sync)


# -- embeds ----------------------------------------------------------------------------------
def _ts(instant: datetime, style: str) -> str:
    return f"<t:{int(instant.timestamp())}:{style}>"


def occurrence_line(occ: Occurrence) -> str:
    counts = occ.rsvps
    return (
        f"{_ts(occ.starts_at, 'F')} ({_ts(occ.starts_at, 'R')}) · "
        f"{counts.going} going, {counts.maybe} maybe"
    )


def group_embed(group: Group, upcoming: Sequence[Occurrence]) -> discord.Embed:
    embed = discord.Embed(
        title=sanitize_line(group.name), description=sanitize(group.description) or None, colour=COLOUR
    )
    embed.add_field(name="Topic", value=group.topic)
    embed.add_field(name="Owner", value=f"<@{group.owner_id}>")
    size = f"{group.member_count}" + (f" / {group.capacity}" if group.capacity else "")
    embed.add_field(name="Members", value=size)
    embed.add_field(name="Pings", value=f"<@&{group.role_id}>" if group.role_id else "no role")
    embed.add_field(
        name="Announcements",
        value=", ".join(_lead(m) for m in group.announce_offsets) or "none",
    )
    if group.archived_at:
        embed.add_field(name="Archived", value=_ts(group.archived_at, "D"))
    if upcoming:
        embed.add_field(
            name="Next sessions",
            value="\n".join(f"**{md(o.title)}**: {occurrence_line(o)}" for o in upcoming[:5]),
            inline=False,
        )
    return embed


def _lead(minutes: int) -> str:
    if minutes == 0:
        return "at the start"
    if minutes % 1440 == 0:
        return f"{minutes // 1440} d before"
    if minutes % 60 == 0:
        return f"{minutes // 60} h before"
    return f"{minutes} min before"


def group_list_page(groups: Sequence[Group]) -> discord.Embed:
    """One page of `/studygroup list` (PAGE_SIZE groups)."""
    lines = [
        f"**{md(g.name)}** · {g.topic} · {g.member_count}"
        + (f"/{g.capacity}" if g.capacity else "") + " members"
        for g in groups
    ]
    return discord.Embed(
        title="Study groups",
        description="\n".join(lines) or "No study groups yet: start one with `/studygroup create`.",
        colour=COLOUR,
    )


def member_page(group: Group, members: Sequence[Member]) -> discord.Embed:
    """One page of `/studygroup members` (MEMBERS_PAGE members)."""
    lines = [
        f"<@{m.user_id}>" + (" (owner)" if m.user_id == group.owner_id else "")
        + f" · {m.zone or 'zone not set'}"
        for m in members
    ]
    return discord.Embed(
        title=f"{sanitize_line(group.name)}: members", description="\n".join(lines) or "Nobody yet.",
        colour=COLOUR,
    )


def upcoming_page(items: Sequence[Occurrence], title: str) -> discord.Embed:
    embed = discord.Embed(title=title, colour=COLOUR)
    for occ in items:
        embed.add_field(
            name=f"{sanitize_line(occ.group_name)}: {sanitize_line(occ.title)}"[:256],
            value=occurrence_line(occ) + f"\nid `{occ.id}`",
            inline=False,
        )
    if not items:
        embed.description = "No upcoming sessions."
    return embed


def suggestion_embed(
    group: Group, slots: Sequence[SlotSuggestion], unknown: Sequence[int], zone: ZoneInfo
) -> discord.Embed:
    embed = discord.Embed(
        title=f"Best weekly slots for {sanitize_line(group.name)}",
        description="Each slot falls between 08:00 and 22:00 for the members listed as in.",
        colour=COLOUR,
    )
    for n, slot in enumerate(slots, start=1):
        ins = " ".join(f"<@{u}>" for u in slot.available) or "nobody"
        outs = " ".join(f"<@{u}>" for u in slot.unavailable) or "nobody"
        value = f"{_ts(slot.start, 'F')} weekly\n**In** ({len(slot.available)}): {ins}\n**Out**: {outs}"
        embed.add_field(
            name=f"{n}. {slot.start.astimezone(zone):%A %H:%M} your time", value=value[:1024],
            inline=False,
        )
    if unknown:
        embed.add_field(
            name="No time zone set (not counted)",
            value=" ".join(f"<@{u}>" for u in unknown)[:1024],
            inline=False,
        )
    embed.set_footer(text=f"Your zone: {zone.key}")
    return embed


def session_choice_label(occ: Occurrence, zone: ZoneInfo) -> str:
    """An autocomplete label: the member's own zone, since <t:...> does not render there."""
    name = f"{sanitize_line(occ.group_name)}: {sanitize_line(occ.title)}"
    return f"{name} · {format_local(occ.starts_at, zone)}"[:100]
