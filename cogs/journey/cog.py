"""`/cycle`, `/exam`, `/cohort` and `/milestone`: a thin adapter over `bot.services.journey`.

It parses options, checks moderator rights, renders (Discord timestamps where they render),
and attaches `ReminderSender` to the outbox for the calendar's DM reminders.
"""

from __future__ import annotations

from datetime import timedelta

import discord
from discord import app_commands

from bot.checks import moderator_only
from bot.outbox import Sender
from bot.services.journey import (
    CELEBRATION_KIND,
    COHORT_ARCHIVE_KIND,
    COHORT_NOTICE_KIND,
    EXAMS,
    MILESTONES,
    POST_KINDS,
    REMINDER_KIND,
    VISIBILITIES,
    JourneyService,
)
from bot.services.mentoring.vocab import EXAM_STAGES, VISA_ROUTES
from bot.ui import bot_of, send_ephemeral
from cogs._base import FmgCog, guild_group
from cogs.journey.views import (
    NO_MENTIONS,
    BecomeMentor,
    ChannelSender,
    CohortArchiver,
    CohortConfirm,
    CohortJoin,
    ReminderSender,
    cohort_matches_embed,
    cohort_plan_embed,
    exams_text,
    milestone_reply,
    step_label,
    step_value,
    timeline_embed,
)

VISA_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in VISA_ROUTES.items()]
STAGE_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in EXAM_STAGES.items()]
EXAM_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in EXAMS.items()]
MILESTONE_CHOICES = [app_commands.Choice(name=label, value=key)
                     for key, (label, _) in MILESTONES.items()]
VISIBILITY_CHOICES = [app_commands.Choice(name=v, value=v) for v in VISIBILITIES]


def _service(interaction: discord.Interaction) -> JourneyService:
    return bot_of(interaction).services.journey


def _guild(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None  # every command here is guild_only
    return interaction.guild_id


async def step_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    steps = await _service(interaction).calendar.search(interaction.guild_id, current)
    return [app_commands.Choice(name=step_label(s), value=s.key) for s in steps]


class JourneyCog(FmgCog, name="Journey"):
    """The FMG journey: the Match calendar, your exam dates, cohorts and milestones."""

    cycle = guild_group("cycle", "The Match calendar")
    exam = guild_group("exam", "Your exam dates (private)")
    milestone = guild_group("milestone", "Your milestones")
    cohort = guild_group("cohort", "Study with members sitting your exam")

    def senders(self) -> dict[str, Sender]:
        posts = ChannelSender(self.bot)
        return {REMINDER_KIND: ReminderSender(self.bot), CELEBRATION_KIND: posts,
                COHORT_NOTICE_KIND: posts, COHORT_ARCHIVE_KIND: CohortArchiver(self.bot),
                **dict.fromkeys(POST_KINDS, posts)}

    # -- /cycle ---------------------------------------------------------------------------
    @cycle.command(name="timeline", description="The Match calendar's steps ahead that apply to you")
    @app_commands.describe(visa="Your visa route (remembered; filters the steps)",
                           stage="Your exam stage (remembered; filters the steps)")
    @app_commands.choices(visa=VISA_CHOICES, stage=STAGE_CHOICES)
    async def timeline(self, interaction: discord.Interaction,
                       visa: app_commands.Choice[str] | None = None,
                       stage: app_commands.Choice[str] | None = None) -> None:
        found = await _service(interaction).calendar.timeline(
            _guild(interaction), interaction.user.id,
            visa=visa.value if visa else None, stage=stage.value if stage else None,
        )
        await send_ephemeral(interaction, embed=timeline_embed(found))

    @cycle.command(name="follow", description="DM me 14, 3 and 0 days before each step")
    async def follow(self, interaction: discord.Interaction) -> None:
        new, planned = await _service(interaction).reminders.follow(
            _guild(interaction), interaction.user.id
        )
        head = "You now follow the Match calendar." if new else "You already follow the calendar."
        await send_ephemeral(
            interaction,
            f"{head} {planned} reminders are planned (14, 3 and 0 days before each step that "
            "applies to you), shown in your own time zone (`/timezone set`). Stop them with "
            "`/cycle unfollow`.",
        )

    @cycle.command(name="unfollow", description="Stop the Match calendar reminders")
    async def unfollow(self, interaction: discord.Interaction) -> None:
        cancelled = await _service(interaction).reminders.unfollow(
            _guild(interaction), interaction.user.id
        )
        await send_ephemeral(
            interaction,
            "You were not following the Match calendar." if cancelled is None
            else f"Done: no more calendar reminders ({cancelled} cancelled).",
        )

    @cycle.command(name="edit", description="Confirm or correct a step's date for this server (moderators)")
    @app_commands.describe(
        step="The step to confirm or correct",
        when="New date, YYYY-MM-DD or YYYY-MM-DD HH:MM in the step's official zone (empty: keep)",
        confirm="Mark the date as confirmed from the official page (default: yes)",
    )
    @app_commands.autocomplete(step=step_autocomplete)
    @moderator_only()
    async def edit(self, interaction: discord.Interaction, step: str, when: str = "",
                   confirm: bool = True) -> None:
        edited = await _service(interaction).calendar.edit(
            _guild(interaction), interaction.user.id, step, when, confirmed=confirm
        )
        embed = discord.Embed(title=edited.title[:256], description=step_value(edited),
                              colour=discord.Colour.green())
        await send_ephemeral(interaction, "Saved for this server; followers' reminders follow it.",
                             embed=embed)

    @cycle.command(name="posts", description="Weekly Match post and Match Day count (moderators)")
    @app_commands.describe(
        weekly="'This week in the Match' every Monday in the announcements channel",
        match_day="On Match Day evening: how many members shared that they matched (no names)",
    )
    @moderator_only()
    async def posts(self, interaction: discord.Interaction, weekly: bool | None = None,
                    match_day: bool | None = None) -> None:
        on = await _service(interaction).posts.set(
            _guild(interaction), interaction.user.id, weekly=weekly, match_day=match_day
        )
        state = ("on" if on[0] else "off", "on" if on[1] else "off")
        await send_ephemeral(
            interaction,
            f"Weekly Match post: **{state[0]}**; Match Day digest: **{state[1]}**. Both go to the "
            "announcements channel (`/settings channel`).",
        )

    # -- /exam ----------------------------------------------------------------------------
    @exam.command(name="set", description="Set your exam date (only you see it)")
    @app_commands.describe(exam="The exam", date="The day (2027-03-14) or the month (2027-03)")
    @app_commands.choices(exam=EXAM_CHOICES)
    async def exam_set(self, interaction: discord.Interaction, exam: app_commands.Choice[str],
                       date: app_commands.Range[str, 1, 20]) -> None:
        service = _service(interaction)
        saved = await service.exams.set(_guild(interaction), interaction.user.id, exam.value, date)
        mine = await service.exams.of(_guild(interaction), interaction.user.id)
        await send_ephemeral(interaction, f"Saved: {EXAMS[saved.exam]} on {saved.text()}.\n"
                             f"{exams_text(mine)}")

    @exam.command(name="clear", description="Remove your exam date (or all of them)")
    @app_commands.describe(exam="The exam (empty: all your exam dates)")
    @app_commands.choices(exam=EXAM_CHOICES)
    async def exam_clear(self, interaction: discord.Interaction,
                         exam: app_commands.Choice[str] | None = None) -> None:
        removed = await _service(interaction).exams.clear(
            _guild(interaction), interaction.user.id, exam.value if exam else None
        )
        await send_ephemeral(interaction, f"Removed {removed} exam date{'s' * (removed != 1)}.")

    # -- /cohort ------------------------------------------------------------------------
    @cohort.command(name="find", description="Study groups of members sitting your exam within 3 weeks")
    @app_commands.describe(exam="The exam (your date for it is set with /exam set)")
    @app_commands.choices(exam=EXAM_CHOICES)
    async def cohort_find(self, interaction: discord.Interaction,
                          exam: app_commands.Choice[str]) -> None:
        matches = await _service(interaction).cohorts.find(
            _guild(interaction), interaction.user.id, exam.value
        )
        await send_ephemeral(interaction, embed=cohort_matches_embed(exam.value, matches),
                             view=CohortJoin(interaction.user.id, matches) if matches
                             else discord.utils.MISSING)

    @cohort.command(name="form", description="Group members by exam date into study groups (moderators)")
    @app_commands.describe(exam="The exam", size="Members per cohort (2-12)",
                           window_weeks="Most weeks between the earliest and latest exam date",
                           role="Give each cohort a role of its own (the bot needs Manage Roles)")
    @app_commands.choices(exam=EXAM_CHOICES)
    @moderator_only()
    async def cohort_form(self, interaction: discord.Interaction, exam: app_commands.Choice[str],
                          size: app_commands.Range[int, 2, 12] = 6,
                          window_weeks: app_commands.Range[int, 1, 8] = 3,
                          role: bool = False) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await _service(interaction).cohorts.plan(
            _guild(interaction), exam.value, size, timedelta(weeks=window_weeks)
        )
        await interaction.followup.send(embed=cohort_plan_embed(plan, role=role), ephemeral=True,
                                        view=CohortConfirm(interaction.user.id, plan, role=role),
                                        allowed_mentions=NO_MENTIONS)

    @cohort.command(name="keep", description="Keep your cohort's study group from being archived")
    @app_commands.describe(group="Your cohort's study group")
    async def cohort_keep(self, interaction: discord.Interaction, group: str) -> None:
        study = bot_of(interaction).services.study_groups
        found = await study.groups.find(_guild(interaction), group)
        name, restored = await _service(interaction).closing.keep(_guild(interaction), found.id,
                                                                  interaction.user.id)
        await send_ephemeral(
            interaction,
            f"**{name}** is back: it was archived after its exam window; its old sessions stay "
            "cancelled, so plan new ones with `/session schedule`." if restored
            else f"**{name}** stays: it will not be archived.",
        )

    # -- /milestone -----------------------------------------------------------------------
    @milestone.command(name="add", description="Record a milestone on your journey")
    @app_commands.describe(milestone="What you achieved",
                           visibility="public (with your name), anonymous (no name) or private")
    @app_commands.choices(milestone=MILESTONE_CHOICES, visibility=VISIBILITY_CHOICES)
    async def milestone_add(self, interaction: discord.Interaction,
                            milestone: app_commands.Choice[str],
                            visibility: app_commands.Choice[str]) -> None:
        result = await _service(interaction).milestones.add(
            _guild(interaction), interaction.user.id, milestone.value, visibility.value
        )
        offer = result.milestone.kind == "matched"
        await send_ephemeral(interaction, milestone_reply(result),
                             view=BecomeMentor(interaction.user.id) if offer
                             else discord.utils.MISSING)
