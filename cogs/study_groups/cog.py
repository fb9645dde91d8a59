"""Study groups on Discord: `/studygroup ...`, `/session ...` and `/timezone set`.

A thin adapter over `bot.services.study_groups`: it parses options, checks moderator rights,
renders (Discord timestamps where they render, the member's own zone where they do not),
attaches `DiscordSender` to the outbox for announcements and DM reminders, and registers the
refill and scheduled-event timer.
"""

from __future__ import annotations

import io
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import is_moderator
from bot.outbox import Sender
from bot.paging import LivePages, send_pages
from bot.scheduler import DueWorkSource
from bot.services.study_groups import KINDS as STUDY_KINDS
from bot.services.study_groups import REFRESH, StudyGroupService
from bot.services.study_groups.models import TOPICS, Group
from bot.services.study_groups.pings import attach_trust
from bot.services.study_groups.sessions import (
    EXPORT_HORIZON,
    EXPORT_SERIES,
    MAX_DURATION,
    MAX_REMIND,
    MIN_DURATION,
)
from bot.services.text import md, sanitize_line
from bot.services.timezones import abbreviation_zones, echo_in_zones, zone_label
from bot.ui import bot_of, send_ephemeral, timezone_autocomplete
from cogs._base import FmgCog, anywhere_group, guild_group
from cogs.study_groups.views import (
    MEMBERS_PAGE,
    NO_MENTIONS,
    PAGE_SIZE,
    SOURCE_NAME,
    DiscordSender,
    RsvpButton,
    RsvpRefreshSender,
    StudyGroupsDueWork,
    ask_for_zone_once,
    group_embed,
    group_list_page,
    member_page,
    role_facts,
    session_choice_label,
    suggestion_embed,
    upcoming_page,
)

TOPIC_CHOICES = [app_commands.Choice(name=t, value=t) for t in TOPICS]


def _service(interaction: discord.Interaction) -> StudyGroupService:
    return bot_of(interaction).services.study_groups


def _guild(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None  # every command here is guild_only
    return interaction.guild_id


async def _group(interaction: discord.Interaction, ref: str) -> Group:
    return await _service(interaction).groups.find(_guild(interaction), ref)


async def _role_trust(interaction: discord.Interaction, role: discord.Role) -> bool:
    """A member may attach only a role they could mention themselves (pings.attach_trust)."""
    return attach_trust(
        role_facts(role), moderator=await is_moderator(interaction),
        can_mention_everyone=interaction.permissions.mention_everyone,
    )


# -- autocomplete ------------------------------------------------------------------------------
async def group_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    groups = await _service(interaction).groups.search(interaction.guild_id, current)
    return [app_commands.Choice(name=f"{sanitize_line(g.name)} ({g.topic})"[:100], value=str(g.id))
            for g in groups]


async def my_group_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    mine = await _service(interaction).groups.list(interaction.guild_id, member_id=interaction.user.id)
    needle = current.strip().casefold()
    return [
        app_commands.Choice(name=f"{sanitize_line(g.name)} ({g.topic})"[:100], value=str(g.id))
        for g in mine
        if needle in g.name.casefold()
    ][:25]


async def session_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    service = _service(interaction)
    zone = await service.timezones.zone_for(interaction.user.id)
    upcoming = await service.sessions.upcoming(interaction.guild_id, limit=100)
    needle = current.strip().casefold()
    labels = [(session_choice_label(o, zone), o.id) for o in upcoming]
    return [
        app_commands.Choice(name=label, value=str(occ_id))
        for label, occ_id in labels
        if needle in label.casefold()
    ][:25]








class StudyGroupsCog(FmgCog, name="Study groups"):
    """Study together across time zones: groups, sessions, reminders."""

    studygroup = guild_group("studygroup", "Study groups")
    session = guild_group("session", "Study sessions")
    timezone = anywhere_group("timezone", "Your own time zone")
    dynamic_items = (RsvpButton,)

    def senders(self) -> dict[str, Sender]:
        return {**dict.fromkeys(STUDY_KINDS, DiscordSender(self.bot)),
                REFRESH: RsvpRefreshSender(self.bot)}

    def timers(self) -> dict[str, DueWorkSource]:
        return {SOURCE_NAME: StudyGroupsDueWork(self.bot)}

    async def prepare(self) -> None:
        self.bot.services.study_groups.wake_with(self.bot.scheduler.waker(SOURCE_NAME))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # scheduled-event work waits for the guild cache: it is full now, so there may be more
        self.bot.services.study_groups.changed()

    # -- /studygroup ---------------------------------------------------------------------------
    @studygroup.command(name="create", description="Start a study group (you become its owner)")
    @app_commands.describe(
        name="The group's name (2-60 characters)",
        topic="What the group studies for",
        description="What the group does, when it meets, what to bring",
        capacity="Most members allowed (empty: no limit)",
        role="A role to ping for this group's announcements",
    )
    @app_commands.choices(topic=TOPIC_CHOICES)
    async def create(
        self,
        interaction: discord.Interaction,
        name: str,
        topic: app_commands.Choice[str],
        description: str = "",
        capacity: app_commands.Range[int, 2, 1000] | None = None,
        role: discord.Role | None = None,
    ) -> None:
        trusted = await _role_trust(interaction, role) if role else False
        group = await _service(interaction).groups.create(
            _guild(interaction), interaction.user.id, name, topic.value, description, capacity,
            role.id if role else None, role_trusted=trusted,
        )
        await send_ephemeral(
            interaction,
            f"**{md(group.name)}** is open. Members join with `/studygroup join`; schedule sessions "
            "with `/session schedule`.",
            embed=group_embed(group, []),
        )
        await ask_for_zone_once(interaction)

    @studygroup.command(name="join", description="Join a study group")
    @app_commands.describe(group="The group to join")
    @app_commands.autocomplete(group=group_autocomplete)
    async def join(self, interaction: discord.Interaction, group: str) -> None:
        found = await _group(interaction, group)
        service, guild_id = _service(interaction), _guild(interaction)
        joined = await service.groups.join(guild_id, found.id, interaction.user.id)
        upcoming = await service.sessions.upcoming(guild_id, group_id=joined.id, limit=5)
        await send_ephemeral(
            interaction, f"You joined **{md(joined.name)}**.", embed=group_embed(joined, upcoming)
        )
        await ask_for_zone_once(interaction)

    @studygroup.command(name="leave", description="Leave a study group")
    @app_commands.describe(group="The group to leave")
    @app_commands.autocomplete(group=my_group_autocomplete)
    async def leave(self, interaction: discord.Interaction, group: str) -> None:
        found = await _group(interaction, group)
        left = await _service(interaction).groups.leave(_guild(interaction), found.id, interaction.user.id)
        await send_ephemeral(interaction, f"You left **{md(left.name)}**.")

    @studygroup.command(name="list", description="Every study group in this server")
    @app_commands.describe(archived="Include archived groups")
    async def list_groups(self, interaction: discord.Interaction, archived: bool = False) -> None:
        groups, guild_id = _service(interaction).groups, _guild(interaction)

        # Each page is read when shown: a reply's buttons keep these few values, not the groups.
        async def load(index: int) -> discord.Embed:
            return group_list_page(await groups.list(
                guild_id, include_archived=archived, limit=PAGE_SIZE, offset=index * PAGE_SIZE
            ))

        await send_pages(interaction, await LivePages.counted(
            groups.count(guild_id, include_archived=archived), PAGE_SIZE, load))

    @studygroup.command(name="info", description="A study group's details and next sessions")
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def info(self, interaction: discord.Interaction, group: str) -> None:
        found = await _group(interaction, group)
        upcoming = await _service(interaction).sessions.upcoming(
            _guild(interaction), group_id=found.id, limit=5
        )
        await send_ephemeral(interaction, embed=group_embed(found, upcoming))

    @studygroup.command(name="members", description="Who is in a study group, and their zones")
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def members(self, interaction: discord.Interaction, group: str) -> None:
        found = await _group(interaction, group)
        groups, guild_id = _service(interaction).groups, _guild(interaction)

        async def load(index: int) -> discord.Embed:
            return member_page(found, await groups.members(
                guild_id, found.id, limit=MEMBERS_PAGE, offset=index * MEMBERS_PAGE
            ))

        await send_pages(interaction, LivePages(-(-found.member_count // MEMBERS_PAGE), load))

    @studygroup.command(name="edit", description="Change a group (its owner or a moderator)")
    @app_commands.describe(
        group="The group to change",
        name="A new name",
        topic="A new topic",
        description="A new description",
        capacity="A new member limit",
        role="A new role to ping",
        clear_role="Stop pinging any role",
        announce_at="When to announce sessions, e.g. 24h, 15m, 0 (0 = at the start)",
    )
    @app_commands.choices(topic=TOPIC_CHOICES)
    @app_commands.autocomplete(group=group_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction,
        group: str,
        name: str | None = None,
        topic: app_commands.Choice[str] | None = None,
        description: str | None = None,
        capacity: app_commands.Range[int, 2, 1000] | None = None,
        role: discord.Role | None = None,
        clear_role: bool = False,
        announce_at: str | None = None,
    ) -> None:
        found = await _group(interaction, group)
        trusted = await _role_trust(interaction, role) if role else False
        edited = await _service(interaction).groups.edit(
            _guild(interaction), found.id, interaction.user.id, await is_moderator(interaction),
            name=name, topic=topic.value if topic else None, description=description,
            capacity=capacity, role_id=role.id if role else None, role_trusted=trusted,
            clear_role=clear_role, announce_offsets=announce_at,
        )
        note = " The new announcement times apply to every upcoming session." if announce_at else ""
        await send_ephemeral(interaction, f"Saved.{note}", embed=group_embed(edited, []))

    @studygroup.command(name="archive", description="Archive a group and cancel its sessions")
    @app_commands.describe(group="The group to archive")
    @app_commands.autocomplete(group=group_autocomplete)
    async def archive(self, interaction: discord.Interaction, group: str) -> None:
        found = await _group(interaction, group)
        archived, cancelled = await _service(interaction).groups.archive(
            _guild(interaction), found.id, interaction.user.id, await is_moderator(interaction)
        )
        await send_ephemeral(
            interaction, f"**{md(archived.name)}** is archived; {cancelled} upcoming sessions were cancelled."
        )

    @studygroup.command(name="transfer", description="Hand a group over to another member")
    @app_commands.describe(group="The group", member="The new owner (must be a member)")
    @app_commands.autocomplete(group=group_autocomplete)
    async def transfer(self, interaction: discord.Interaction, group: str, member: discord.Member) -> None:
        found = await _group(interaction, group)
        moved = await _service(interaction).groups.transfer(
            _guild(interaction), found.id, interaction.user.id, await is_moderator(interaction), member.id
        )
        await send_ephemeral(interaction, f"<@{moved.owner_id}> now owns **{md(moved.name)}**.")

    @studygroup.command(name="calendar", description="Download a group's sessions as an .ics file")
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def calendar(self, interaction: discord.Interaction, group: str) -> None:
        found = await _group(interaction, group)
        data = await _service(interaction).sessions.calendar(_guild(interaction), found.id)
        filename = re.sub(r"[^A-Za-z0-9]+", "-", found.name).strip("-").lower() or "study-group"
        await send_ephemeral(
            interaction,
            "Import this into Google Calendar or Outlook; repeating sessions stay at their "
            f"local time across daylight-saving changes. (At most {EXPORT_SERIES} series, up to "
            f"{EXPORT_HORIZON.days // 365} years ahead.)",
            file=discord.File(io.BytesIO(data), filename=f"{filename}.ics"),
        )

    # -- /session -----------------------------------------------------------------------------
    @session.command(name="schedule", description="Schedule a session or a weekly series")
    @app_commands.describe(
        group="The group meeting",
        title="What the session covers",
        start="When, in your own zone: 7pm thu, tomorrow at 18:30, in 2 hours, 2026-12-03 19:00",
        duration="Length in minutes (default 60)",
        repeat_on="Repeat weekly on these days, e.g. mon, thu",
        every_weeks="Repeat every N weeks (1 = weekly)",
        until="Last date of the series, e.g. 2026-12-31",
        times="Number of sessions in the series",
        link="A meeting link (https://...)",
        channel="A voice or stage channel to meet in",
    )
    @app_commands.autocomplete(group=group_autocomplete)
    async def schedule(
        self,
        interaction: discord.Interaction,
        group: str,
        title: str,
        start: str,
        duration: app_commands.Range[int, MIN_DURATION, MAX_DURATION] = 60,
        repeat_on: str | None = None,
        every_weeks: app_commands.Range[int, 1, 52] | None = None,
        until: str | None = None,
        times: app_commands.Range[int, 1, 730] | None = None,
        link: str | None = None,
        channel: discord.VoiceChannel | discord.StageChannel | None = None,
    ) -> None:
        service = _service(interaction)
        found = await _group(interaction, group)
        result = await service.sessions.schedule(
            _guild(interaction), found.id, interaction.user.id, await is_moderator(interaction),
            title=title, start=start, duration_minutes=duration, weekdays=repeat_on,
            every_weeks=every_weeks, until=until, count=times, location=link,
            channel_id=channel.id if channel else None,
        )
        stamp = int(result.first_start.timestamp())
        members = await service.groups.members(_guild(interaction), found.id)
        echo = echo_in_zones(result.first_start, result.zone, [m.zone for m in members if m.zone])
        lines = [
            f"Scheduled **{md(result.title)}** for **{md(result.group.name)}**: <t:{stamp}:F> "
            f"(<t:{stamp}:R>), read as {echo}.",
        ]
        if result.rule_text:
            total = f"{result.total} sessions" if result.total else "until cancelled"
            lines.append(f"Repeats {result.rule_text} ({total}), at this local time in {result.zone}.")
        if result.events_limit is not None:
            lines.append(
                f"Note: at most {result.events_limit} of your sessions at a time get an entry in the "
                "server's Events list, and you have that many others still to come, so this one "
                "may get none there (it is still announced)."
            )
        for clash in result.clashes:
            when = int(clash.starts_at.timestamp())
            title = discord.utils.escape_markdown(clash.title)
            lines.append(f"⚠️ **{title}** of this group also meets then: <t:{when}:F>.")
        if result.clashes:
            lines.append("Both are scheduled; `/session cancel` one if that was not the plan.")
        config = await bot_of(interaction).services.guild_settings.get(_guild(interaction))
        if config.get("announcements_channel") is None:
            lines.append(
                "⚠️ No announcements channel is set, so nothing will be announced: a moderator "
                "can set one with `/settings channel`."
            )
        await send_ephemeral(interaction, "\n".join(lines))
        await ask_for_zone_once(interaction)

    @session.command(name="cancel", description="Cancel one session or the rest of its series")
    @app_commands.describe(session="The session to cancel", scope="Just this one, or the whole series")
    @app_commands.choices(scope=[
        app_commands.Choice(name="Just this session", value="one"),
        app_commands.Choice(name="This and all later sessions of the series", value="series"),
    ])
    @app_commands.autocomplete(session=session_autocomplete)
    async def cancel(
        self, interaction: discord.Interaction, session: str,
        scope: app_commands.Choice[str] | None = None,
    ) -> None:
        if not session.strip().isdigit():
            await send_ephemeral(interaction, "Pick a session from the list (see `/session upcoming`).")
            return
        occ, count = await _service(interaction).sessions.cancel(
            _guild(interaction), int(session), interaction.user.id, await is_moderator(interaction),
            whole_series=scope is not None and scope.value == "series",
        )
        what = "session" if count == 1 else "sessions"
        await send_ephemeral(
            interaction, f"Cancelled {count} {what} of **{md(occ.title)}** ({md(occ.group_name)})."
        )

    @session.command(name="upcoming", description="The next sessions, in your own local time")
    @app_commands.describe(group="Only this group's sessions", mine="Only groups you are in")
    @app_commands.autocomplete(group=group_autocomplete)
    async def upcoming(
        self, interaction: discord.Interaction, group: str | None = None, mine: bool = False
    ) -> None:
        found = await _group(interaction, group) if group else None
        sessions = _service(interaction).sessions
        guild_id = _guild(interaction)
        group_id = found.id if found else None
        member_id = interaction.user.id if mine else None
        title = f"Upcoming: {sanitize_line(found.name)}" if found else "Upcoming sessions"

        # Each page is read when shown: a reply's buttons keep these few ids, not the sessions.
        async def load(index: int) -> discord.Embed:
            items = await sessions.upcoming(guild_id, group_id=group_id, member_id=member_id,
                                            limit=PAGE_SIZE, offset=index * PAGE_SIZE)
            return upcoming_page(items, title)

        await send_pages(interaction, await LivePages.counted(
            sessions.count_upcoming(guild_id, group_id=group_id, member_id=member_id), PAGE_SIZE,
            load))

    @session.command(name="suggest", description="3 weekly slots when most members are awake")
    @app_commands.describe(group="The group", duration="Session length in minutes (default 60)")
    @app_commands.autocomplete(group=group_autocomplete)
    async def suggest(
        self, interaction: discord.Interaction, group: str,
        duration: app_commands.Range[int, MIN_DURATION, MAX_DURATION] = 60,
    ) -> None:
        service = _service(interaction)
        found = await _group(interaction, group)
        slots, unknown = await service.sessions.suggest(_guild(interaction), found.id, duration)
        zone = await service.timezones.zone_for(interaction.user.id)
        await send_ephemeral(
            interaction, embed=suggestion_embed(found, slots, unknown, zone),
            allowed_mentions=NO_MENTIONS,
        )

    @session.command(name="remind", description="Get a DM before each of a group's sessions")
    @app_commands.describe(group="The group", minutes="How long before (0 turns reminders off)")
    @app_commands.autocomplete(group=my_group_autocomplete)
    async def remind(
        self, interaction: discord.Interaction, group: str,
        minutes: app_commands.Range[int, 0, MAX_REMIND],
    ) -> None:
        found = await _group(interaction, group)
        count = await _service(interaction).sessions.set_reminder(
            _guild(interaction), found.id, interaction.user.id, minutes or None
        )
        if minutes == 0:
            await send_ephemeral(interaction, f"DM reminders for **{md(found.name)}** are off.")
        else:
            await send_ephemeral(
                interaction,
                f"I will DM you {minutes} minutes before each **{md(found.name)}** session "
                f"({count} upcoming so far).",
            )
            await ask_for_zone_once(interaction)

    # -- /timezone ----------------------------------------------------------------------------
    @timezone.command(name="set", description="Set your time zone (used for times you type)")
    @app_commands.describe(zone="Your city, country or zone: delhi, pakistan, IST, GMT+5, Africa/Lagos")
    @app_commands.autocomplete(zone=timezone_autocomplete)
    async def set_zone(self, interaction: discord.Interaction, zone: str) -> None:
        service = _service(interaction)
        name = await service.timezones.set(interaction.user.id, zone)
        now = bot_of(interaction).clock.now()
        text = f"Your time zone is **{name}**: {zone_label(name, now).split(' · ', 1)[-1]}."
        others = [z for z in abbreviation_zones(zone) if z != name][:3]
        if others:  # "IST" is India's, Israel's and Ireland's: say which was taken
            text += (
                f" `{zone.strip()[:10]}` also stands for {', '.join(others)}: "
                "pick one of those if you meant it."
            )
        await send_ephemeral(interaction, text)
