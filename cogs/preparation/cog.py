"""Application preparation: a thin adapter over `bot.services.preparation`.

One cog, one group per half: `/review` (document review by mentors) here; its views, forms and
the outbox sender of the ``review_*`` kinds are in `review_views.py`.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.outbox import Sender
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation import (
    DOCUMENT_KINDS,
    EXTENSIONS,
    MAX_BYTES,
    MAX_CAPACITY,
    SENT_KINDS,
    DocumentRefused,
    DocumentReview,
)
from bot.ui import bot_of, send_ephemeral
from cogs._base import FmgCog, guild_group
from cogs.preparation.review_views import (
    PasteModal,
    RateReviewButton,
    ReviewAnswerButton,
    ReviewSender,
    WriteReviewButton,
    send_request,
)

KIND_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in DOCUMENT_KINDS.items()]


async def specialty_autocomplete(interaction: discord.Interaction,
                                 current: str) -> list[app_commands.Choice[str]]:
    needle = current.casefold()
    return [app_commands.Choice(name=label, value=key) for key, label in SPECIALTIES.items()
            if needle in label.casefold()][:25]


def _specialty(value: str) -> str:
    """The specialty's key, from the key autocomplete gives or the label a member typed."""
    by_label = {label.casefold(): key for key, label in SPECIALTIES.items()}
    key = value if value in SPECIALTIES else by_label.get(value.strip().casefold())
    if key is None:
        raise DocumentRefused("Pick a specialty from the list.")
    return key


def _review(interaction: discord.Interaction) -> DocumentReview:
    return bot_of(interaction).services.preparation.review


def _guild(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None  # every command here is guild_only
    return interaction.guild_id


class PreparationCog(FmgCog, name="Application preparation"):
    """Get your application documents reviewed by a mentor."""

    review = guild_group("review", "Document review by mentors")
    dynamic_items = (ReviewAnswerButton, WriteReviewButton, RateReviewButton)

    def senders(self) -> dict[str, Sender]:
        return dict.fromkeys(SENT_KINDS, ReviewSender(self.bot))

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
