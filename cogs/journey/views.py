"""Rendering for the journey's replies, and the outbox senders of its posts and DM reminders
(their text is rendered by `cogs.journey.posts`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime

import discord

from bot.app import FmgBot
from bot.errors import Conflict, Forbidden, NotFound
from bot.outbox import DueItem, Receipt, SendFailed
from bot.services.journey import (
    EXAMS,
    ChannelPost,
    CohortArchive,
    CohortMatch,
    CohortPlan,
    ExamDate,
    MilestoneResult,
    ReminderDm,
    Step,
    Timeline,
)
from bot.services.mentoring.vocab import EXAM_STAGES, VISA_ROUTES
from bot.ui import MAX_CONTENT, FmgView, OwnerView, bot_of, send_ephemeral, send_failed
from cogs.journey.posts import render_post, render_reminder
from cogs.journey.roles import give_cohort_roles
from cogs.mentoring.views import ProfileWizard

NO_MENTIONS = discord.AllowedMentions.none()
#: Steps shown in one timeline embed (Discord allows 25 fields).
TIMELINE_FIELDS = 12
#: Kept under Discord's 6000 characters for an embed's text, with room for title and footer.
TIMELINE_CHARS = 5400


class ChannelSender:
    """Posts in the announcements channel with the row's nonce. Only the members a post names
    in ``pings`` (a cohort's, asked for their milestone) are pinged; a celebration names its
    member without pinging."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, message: ChannelPost) -> Receipt:
        try:
            channel = self.bot.get_channel(message.channel_id) or await self.bot.fetch_channel(
                message.channel_id
            )
            if not isinstance(channel, discord.abc.Messageable):
                raise SendFailed("the announcements channel cannot hold messages", permanent=True)
            mentions = discord.AllowedMentions(
                everyone=False, roles=False, replied_user=False,
                users=[discord.Object(u) for u in message.pings] if message.pings else False,
            )
            sent = await channel.send(render_post(message), allowed_mentions=mentions,
                                      nonce=message.nonce)
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc
        return Receipt(sent.id, channel_id=message.channel_id)


class CohortArchiver:
    """An archive row's "send": the study groups' own archive, through the journey service."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, message: CohortArchive) -> Receipt:
        await self.bot.services.journey.closing.archive(message.cohort_id)
        return Receipt(None)


class ReminderSender:
    """Sends a reminder DM with the row's nonce (discord.py then sets enforce_nonce)."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, message: ReminderDm) -> Receipt:
        try:
            user = self.bot.get_user(message.recipient_id) or await self.bot.fetch_user(
                message.recipient_id
            )
            sent = await user.send(render_reminder(message), allowed_mentions=NO_MENTIONS,
                                   nonce=message.nonce)
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc
        return Receipt(sent.id)


def step_value(step: Step) -> str:
    """A step's line in an embed: Discord renders the date in each reader's zone."""
    epoch = int(step.at.timestamp())
    lines = [f"<t:{epoch}:D> (<t:{epoch}:R>) · official: {step.local_text()}"]
    if step.projected:
        lines.append(f"⚠️ Projected: {step.rule}"[:300])
    if step.edited_by is not None and step.edited_at is not None:
        lines.append(f"{'Confirmed' if not step.projected else 'Set'} here by <@{step.edited_by}> "
                     f"<t:{int(step.edited_at.timestamp())}:d>")
    lines.append(f"[Source]({step.source}) · verified {step.verified:%d %b %Y}")
    return "\n".join(lines)[:1024]


def timeline_embed(timeline: Timeline) -> discord.Embed:
    embed = discord.Embed(title="The Match calendar: what is ahead for you",
                          colour=discord.Colour.blurple())
    used = 0
    if timeline.exams:
        mine = "\n".join(f"{EXAMS[e.exam]}: {e.text()}" for e in timeline.exams)
        embed.add_field(name="Your exams", value=mine[:1024], inline=False)
        used += len(mine)
    for step in timeline.steps[:TIMELINE_FIELDS]:
        name, value = step.title[:256], step_value(step)
        if used + len(name) + len(value) > TIMELINE_CHARS:
            break
        used += len(name) + len(value)
        embed.add_field(name=name, value=value, inline=False)
    later = len(timeline.steps) - len(embed.fields) + (1 if timeline.exams else 0)
    if not timeline.steps:
        embed.description = "No dated steps ahead in the calendar I know."
    elif later:
        embed.description = f"The next {len(timeline.steps) - later} steps; {later} more come later."
    profile = timeline.profile
    if profile.unknown:
        embed.set_footer(text="Showing every step: add visa and stage to this command once to "
                         "see only yours.")
    else:
        parts = [VISA_ROUTES.get(profile.visa or "", ""), EXAM_STAGES.get(profile.stage or "", "")]
        where = "your mentee profile" if timeline.profile_source == "mentoring" else "what you told me"
        embed.set_footer(text=f"For {' · '.join(p for p in parts if p)} ({where}).")
    return embed


def step_label(step: Step) -> str:
    """An autocomplete choice (plain text: no <t:...> there)."""
    mark = " (projected)" if step.projected else ""
    return f"{step.cycle_id}: {step.title} · {step.at:%d %b %Y}{mark}"[:100]


def exams_text(exams: list[ExamDate]) -> str:
    if not exams:
        return "You have no exam dates set."
    return "\n".join(f"• {EXAMS[e.exam]}: {e.text()}" for e in exams)


class BecomeMentor(OwnerView):
    """After "matched": `/mentor register`'s form, filled from the member's mentee profile
    (specialty, the visa route they lived, stage, languages, zone)."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(owner_id, timeout=900)

    @discord.ui.button(label="Register as a mentor (pre-filled)", style=discord.ButtonStyle.success)
    async def register(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        assert interaction.guild_id is not None
        mentoring = bot_of(interaction).services.mentoring
        mentor = await mentoring.get_mentor(interaction.guild_id, interaction.user.id)
        if mentor is not None and mentor.status in ("pending", "approved"):
            raise Conflict("You are already registered as a mentor: `/mentor profile-edit`.")
        mentee = await mentoring.get_mentee(interaction.guild_id, interaction.user.id)
        if mentee is None:
            raise NotFound("You have no mentee profile to start from: use `/mentor register`.")
        wizard = ProfileWizard(kind="mentor", owner_id=interaction.user.id,
                               guild_id=interaction.guild_id, timezone=mentee.timezone,
                               mentee=mentee)
        wizard.text = ""  # a mentee's goals are not a mentor's bio
        self.stop()
        await interaction.response.edit_message(content=wizard.content, view=wizard)


def milestone_reply(result: MilestoneResult) -> str:
    milestone = result.milestone
    text = f"Congratulations: **{milestone.label}** is recorded ({milestone.visibility})."
    if result.celebrated:
        text += (" It is celebrated in the server's announcements channel"
                 + (" without your name." if milestone.visibility == "anonymous" else "."))
    elif milestone.visibility != "private":
        text += " (No announcements channel is set here, so nothing was posted.)"
    if result.stage_raised_to is not None:
        text += (f" Your exam stage is now **{EXAM_STAGES[result.stage_raised_to]}** for mentor "
                 "matching and the Match calendar.")
    if result.exam_date_cleared is not None:
        text += f" Your {EXAMS[result.exam_date_cleared]} date is cleared: you passed it."
    if result.cohorts_done:
        text += (" You are marked as passed in " + ", ".join(f"**{n}**" for n in result.cohorts_done)
                 + ": its milestone call will not ask you again.")
    if milestone.kind == "matched":
        text += (" Matched members make the best mentors: register below, pre-filled from your "
                 "mentee profile (or with `/mentor register`).")
    return text


# -- cohorts ----------------------------------------------------------------------------------
def cohort_matches_embed(exam: str, matches: Sequence[CohortMatch]) -> discord.Embed:
    embed = discord.Embed(title=f"{EXAMS[exam]} cohorts near your date",
                          colour=discord.Colour.teal())
    for number, match in enumerate(matches, start=1):
        group = match.group
        seats = f"{group.member_count}" + (f"/{group.capacity}" if group.capacity else "")
        overlap = "" if match.overlap_hours is None else \
            f" · {match.overlap_hours:.0f} h of shared waking time a day"
        embed.add_field(
            name=f"{number}. {group.name}"[:256],
            value=(f"{match.near} member{'s' * (match.near != 1)} sitting it within 3 weeks of "
                   f"you · {seats} members{overlap}")[:1024],
            inline=False,
        )
    if not matches:
        embed.description = ("No study group for this exam has members within three weeks of "
                             "your date who can meet you. Start one with `/studygroup create`, "
                             "or ask a moderator about `/cohort form`.")
    return embed


class CohortJoin(OwnerView):
    """A Join button per suggested group (for whoever ran /cohort find)."""

    def __init__(self, owner_id: int, matches: Sequence[CohortMatch]) -> None:
        super().__init__(owner_id, timeout=600)
        for number, match in enumerate(matches, start=1):
            button: discord.ui.Button[CohortJoin] = discord.ui.Button(
                label=f"Join {number}", style=discord.ButtonStyle.primary)
            button.callback = self._joiner(match.group.id)  # type: ignore[method-assign]
            self.add_item(button)

    def _joiner(self, group_id: int) -> Callable[[discord.Interaction], Awaitable[None]]:
        async def join(interaction: discord.Interaction) -> None:
            assert interaction.guild_id is not None
            group = await bot_of(interaction).services.study_groups.groups.join(
                interaction.guild_id, group_id, interaction.user.id)
            await send_ephemeral(interaction, f"You joined **{group.name}**. See its sessions "
                                 "with `/session upcoming`.")
        return join


def cohort_plan_embed(plan: CohortPlan, *, role: bool = False) -> discord.Embed:
    lines = []
    for number, cohort in enumerate(plan.cohorts, start=1):
        first, last = cohort.window
        members = " ".join(f"<@{m.user_id}>" for m in cohort.members)
        lines.append(f"**{number}.** {first:%d %b} to {last:%d %b %Y}\n{members}")
    text = "\n".join(lines)
    if len(text) > 3500:
        text = text[:3500].rsplit("\n", 1)[0] + "\n…"
    return discord.Embed(
        title=f"Cohort preview: {EXAMS[plan.exam]}, up to {plan.size} members",
        colour=discord.Colour.teal(),
        description=(f"Members with a date and no group for this exam: "
                     f"**{sum(len(c.members) for c in plan.cohorts) + plan.unplaced}**; "
                     f"cohorts: **{len(plan.cohorts)}**; left unplaced: **{plan.unplaced}** "
                     "(nobody near their date who can meet them). Each cohort becomes a study "
                     "group with a suggested weekly slot"
                     + (" and a role of its own" if role else "") + ".\n\n" + text)[:4096],
    )


def cohort_description(first: date, last: date, slot: datetime | None) -> str:
    """A new cohort group's description: <t:...> shows the slot in each reader's zone."""
    text = f"Exam dates {first:%d %b} to {last:%d %b %Y}."
    return text + (f" Suggested weekly slot: <t:{int(slot.timestamp())}:F>." if slot else "")


class CohortConfirm(FmgView):
    """Create or cancel a cohort preview (the moderator who asked only)."""

    def __init__(self, owner_id: int, plan: CohortPlan, *, role: bool = False) -> None:
        super().__init__(timeout=600)
        self.owner_id, self.plan, self.role = owner_id, plan, role
        self.confirm.disabled = not plan.cohorts

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            raise Forbidden("Only the moderator who ran /cohort form can confirm it.")
        return True

    @discord.ui.button(label="Create these cohorts", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.defer()
        journey = bot_of(interaction).services.journey
        result = await journey.cohorts.form(self.plan, interaction.user.id, cohort_description,
                                            role=self.role)
        self.stop()
        lines = [f"Created {len(result.cohorts)} cohort study groups: "
                 + ", ".join(f"**{c.group.name}**" for c in result.cohorts[:20]) + "."]
        if result.skipped:
            lines.append(f"{result.skipped} planned cohorts were skipped: "
                         + "; ".join(result.reasons) + ".")
        if self.role and result.cohorts:
            assert interaction.guild is not None
            problems = await give_cohort_roles(journey, interaction.guild, result,
                                               interaction.user.id)
            lines.append("Each cohort has a role of its own." if not problems else
                         "Some cohorts have no role:\n" + "\n".join(problems))
        await interaction.edit_original_response(content="\n".join(lines)[:MAX_CONTENT],
                                                 embed=None, view=None,
                                                 allowed_mentions=NO_MENTIONS)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content="Cohort forming cancelled: nothing "
                                                "changed.", embed=None, view=None)
