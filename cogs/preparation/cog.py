"""`/mock`: a thin adapter over `bot.services.preparation` (mock interviews).

It parses options, checks moderator rights, renders (Discord timestamps) and attaches the
senders of each pair's thread and of the mock interview DMs to the outbox.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.checks import moderator_only
from bot.errors import InvalidInput
from bot.outbox import Sender
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation import (
    MOCK_DM_KIND,
    MOCK_PAIR_KIND,
    WEEKDAYS,
    MockInterviews,
    Rubric,
)
from bot.ui import bot_of, send_ephemeral, timezone_autocomplete
from cogs._base import FmgCog, guild_group
from cogs.preparation.mock_views import (
    MockDmSender,
    PairThreadSender,
    schedule_text,
    specialty_label,
    status_text,
    when,
)

ROLE_CHOICES = [
    app_commands.Choice(name="Interviewer (you ask the questions)", value="interviewer"),
    app_commands.Choice(name="Interviewee (you practise answering)", value="interviewee"),
    app_commands.Choice(name="Both (whichever this week needs)", value="both"),
]
DAY_CHOICES = [app_commands.Choice(name=day, value=day.lower()) for day in WEEKDAYS]


def _mock(interaction: discord.Interaction) -> MockInterviews:
    return bot_of(interaction).services.mock_interviews


def _guild(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None  # every command here is guild_only
    return interaction.guild_id


async def specialty_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The specialties (28: more than one list of choices holds) matching what is typed."""
    typed = current.casefold().strip()
    return [app_commands.Choice(name=label, value=key) for key, label in SPECIALTIES.items()
            if typed in label.casefold() or typed in key][:25]


class PreparationCog(FmgCog, name="Preparation"):
    """Prepare your residency application: peer mock interviews."""

    mock = guild_group("mock", "Peer mock interviews, paired weekly")

    def senders(self) -> dict[str, Sender]:
        return {MOCK_PAIR_KIND: PairThreadSender(self.bot), MOCK_DM_KIND: MockDmSender(self.bot)}

    # -- /mock ----------------------------------------------------------------------------
    @mock.command(name="join", description="Enter this week's mock interview round")
    @app_commands.describe(role="Whether you ask, answer, or either",
                           specialty="The specialty you apply to (or interview for)")
    @app_commands.choices(role=ROLE_CHOICES)
    @app_commands.autocomplete(specialty=specialty_autocomplete)
    async def join(self, interaction: discord.Interaction, role: app_commands.Choice[str],
                   specialty: str) -> None:
        entry = await _mock(interaction).rounds.join(_guild(interaction), interaction.user.id,
                                                     role.value, specialty)
        carried = " You were left without a partner last week, so you are paired first." \
            if entry.carried else ""
        await send_ephemeral(
            interaction,
            f"You are in this week's mock interviews as **{entry.role}** "
            f"({specialty_label(entry.specialty)}). Pairs are made when the round closes, "
            f"{when(entry.closes_at)}: by specialty, a shared language and your waking hours, "
            f"never with a past partner.{carried} `/mock leave` takes you out.",
        )

    @mock.command(name="leave", description="Leave this week's mock interview round")
    async def leave(self, interaction: discord.Interaction) -> None:
        left = await _mock(interaction).rounds.leave(_guild(interaction), interaction.user.id)
        await send_ephemeral(interaction, "You left this week's mock interview round." if left
                             else "You were not in this week's round.")

    @mock.command(name="status", description="Your entry in this week's round and your last session")
    async def status(self, interaction: discord.Interaction) -> None:
        found = await _mock(interaction).rounds.status(_guild(interaction), interaction.user.id)
        await send_ephemeral(interaction, status_text(found, interaction.user.id))

    @mock.command(name="schedule", description="When rounds close and where pairs meet (moderators)")
    @app_commands.describe(day="The day rounds close", time="The time they close, 24-hour HH:MM",
                           zone="The zone of that time (the server's)",
                           channel="A text channel where each pair gets a private thread")
    @app_commands.choices(day=DAY_CHOICES)
    @app_commands.autocomplete(zone=timezone_autocomplete)
    @moderator_only()
    async def schedule(self, interaction: discord.Interaction, day: app_commands.Choice[str],
                       time: app_commands.Range[str, 1, 5], zone: str,
                       channel: discord.TextChannel) -> None:
        schedule = await _mock(interaction).rounds.schedule(
            _guild(interaction), interaction.user.id, WEEKDAYS.index(day.name), time, zone,
            channel.id)
        await send_ephemeral(interaction, schedule_text(schedule))

    @mock.command(name="feedback", description="After your session: did your partner come, and "
                  "(interviewers) the rubric")
    @app_commands.describe(
        partner_came="Whether your partner came to the session",
        structure="Interviewers: clear, structured answers (1-4)",
        specificity="Interviewers: specific examples, own role and outcome (1-4)",
        img_questions="Interviewers: gaps, YOG, visa, why the US handled well (1-4)",
        communication="Interviewers: pace, warmth, professionalism (1-4)",
        comment="Interviewers: what to keep and what to change (only the interviewee sees it)",
    )
    async def feedback(
        self, interaction: discord.Interaction, partner_came: bool,
        structure: app_commands.Range[int, 1, 4] | None = None,
        specificity: app_commands.Range[int, 1, 4] | None = None,
        img_questions: app_commands.Range[int, 1, 4] | None = None,
        communication: app_commands.Range[int, 1, 4] | None = None,
        comment: app_commands.Range[str, 1, 1000] = "",
    ) -> None:
        scores = (structure, specificity, img_questions, communication)
        rubric = None if None in scores else Rubric(*scores)  # type: ignore[arg-type]
        if rubric is None and any(s is not None for s in scores):
            raise InvalidInput("Score all four (structure, specificity, IMG questions, "
                               "communication) or none: nothing was saved.")
        result = await _mock(interaction).feedback.give(
            _guild(interaction), interaction.user.id, partner_showed=partner_came,
            rubric=rubric, comment=comment)
        if not result.partner_showed:
            text = "Recorded: your partner did not come. Thank you for telling us."
            if result.sat_out:
                text += (" It is their second missed session in a row: they sit out the next "
                         "round, and they are told why.")
        elif result.as_interviewer:
            text = "Thank you: your rubric is on its way to the interviewee, and only to them."
        else:
            text = "Thank you: recorded that your interviewer came."
        await send_ephemeral(interaction, text)
