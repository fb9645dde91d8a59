"""Application preparation: a thin adapter over `bot.services.preparation`.

One cog, one group per half. `/review` (document review by mentors): its views, forms and the
outbox sender of the ``review_*`` kinds are in `review_views.py`. `/mock` (peer mock
interviews): it parses options, checks moderator rights, and its renderers (Discord
timestamps) and the senders of each pair's thread and of the mock interview DMs are in
`mock_views.py`.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.checks import moderator_only
from bot.errors import InvalidInput
from bot.outbox import Sender
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation import (
    DOCUMENT_KINDS,
    EXTENSIONS,
    MAX_BYTES,
    MAX_CAPACITY,
    MOCK_DM_KIND,
    MOCK_PAIR_KIND,
    SENT_KINDS,
    WEEKDAYS,
    DocumentRefused,
    DocumentReview,
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
from cogs.preparation.review_views import (
    PasteModal,
    RateReviewButton,
    ReviewAnswerButton,
    ReviewSender,
    WriteReviewButton,
    send_request,
)

KIND_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in DOCUMENT_KINDS.items()]
ROLE_CHOICES = [
    app_commands.Choice(name="Interviewer (you ask the questions)", value="interviewer"),
    app_commands.Choice(name="Interviewee (you practise answering)", value="interviewee"),
    app_commands.Choice(name="Both (whichever this week needs)", value="both"),
]
DAY_CHOICES = [app_commands.Choice(name=day, value=day.lower()) for day in WEEKDAYS]


async def specialty_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The specialties (28: more than one list of choices holds) matching what is typed."""
    typed = current.casefold().strip()
    return [app_commands.Choice(name=label, value=key) for key, label in SPECIALTIES.items()
            if typed in label.casefold() or typed in key][:25]


def _specialty(value: str) -> str:
    """The specialty's key, from the key autocomplete gives or the label a member typed."""
    by_label = {label.casefold(): key for key, label in SPECIALTIES.items()}
    key = value if value in SPECIALTIES else by_label.get(value.strip().casefold())
    if key is None:
        raise DocumentRefused("Pick a specialty from the list.")
    return key


def _review(interaction: discord.Interaction) -> DocumentReview:
    return bot_of(interaction).services.preparation.review


def _mock(interaction: discord.Interaction) -> MockInterviews:
    return bot_of(interaction).services.preparation.mock


def _guild(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None  # every command here is guild_only
    return interaction.guild_id


class PreparationCog(FmgCog, name="Application preparation"):
    """Prepare your residency application: document review by mentors, peer mock interviews."""

    review = guild_group("review", "Document review by mentors")
    mock = guild_group("mock", "Peer mock interviews, paired weekly")
    dynamic_items = (ReviewAnswerButton, WriteReviewButton, RateReviewButton)

    def senders(self) -> dict[str, Sender]:
        return {**dict.fromkeys(SENT_KINDS, ReviewSender(self.bot)),
                MOCK_PAIR_KIND: PairThreadSender(self.bot), MOCK_DM_KIND: MockDmSender(self.bot)}

    # -- /review ----------------------------------------------------------------------------
    @review.command(name="request", description="Get a document reviewed: attach it, or paste it")
    @app_commands.describe(
        kind="What the document is",
        specialty="The specialty you apply to",
        anonymous="Hide your name from the reviewer (default: no)",
        document=f"The file ({', '.join(EXTENSIONS)}, up to {MAX_BYTES // 1024 // 1024} MB); "
                 "none: paste it",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.autocomplete(specialty=specialty_autocomplete)
    async def request(self, interaction: discord.Interaction, kind: app_commands.Choice[str],
                      specialty: str, anonymous: bool = False,
                      document: discord.Attachment | None = None) -> None:
        specialty = _specialty(specialty)
        if document is None:
            await interaction.response.send_modal(PasteModal(kind.value, specialty, anonymous))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = await _review(interaction).read_file(interaction.user.id, document.filename,
                                                    document.size, document.read)
        await send_request(interaction, text, kind.value, specialty, anonymous)

    @review.command(name="withdraw", description="Take back your document: it is erased now")
    async def withdraw(self, interaction: discord.Interaction) -> None:
        kind = await _review(interaction).withdraw(_guild(interaction), interaction.user.id)
        await send_ephemeral(interaction, f"Withdrawn: your {DOCUMENT_KINDS[kind].lower()} is "
                                          "erased, and no reviewer will see it now.")

    @review.command(name="reviewer", description="Review documents as a mentor (or change how)")
    @app_commands.describe(
        capacity=f"Reviews you can give a week (1-{MAX_CAPACITY})",
        kind="Only this kind of document (default: every kind)",
        specialty="Only this specialty (default: those of your mentor profile)",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.autocomplete(specialty=specialty_autocomplete)
    async def reviewer(self, interaction: discord.Interaction,
                       capacity: app_commands.Range[int, 1, MAX_CAPACITY],
                       kind: app_commands.Choice[str] | None = None,
                       specialty: str | None = None) -> None:
        saved = await _review(interaction).set_reviewer(
            _guild(interaction), interaction.user.id, kind.value if kind else None,
            _specialty(specialty) if specialty else None, capacity)
        kinds = ", ".join(DOCUMENT_KINDS[k] for k in saved.kinds)
        specialties = ", ".join(SPECIALTIES[s] for s in saved.specialties)
        await send_ephemeral(
            interaction,
            f"You review **{kinds}** for **{specialties}**, up to {saved.weekly_capacity} a week "
            f"({saved.taken_this_week} taken this week). Requests come by DM; `/review stop` "
            "to stop.")

    @review.command(name="stop", description="Stop reviewing documents")
    async def stop(self, interaction: discord.Interaction) -> None:
        moved = await _review(interaction).stop_reviewing(_guild(interaction), interaction.user.id)
        extra = f" {moved} waiting request(s) went on to other reviewers." if moved else ""
        await send_ephemeral(interaction, f"You no longer review documents here.{extra}")

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
