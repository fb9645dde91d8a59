"""Modals and persistent buttons for anonymous questions (the cog is cogs/anonymous.py).

Nothing here looks at who clicked except to check moderator rights and to key the in-memory
rate limits inside the service; no handler logs or stores a member.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import is_moderator
from bot.errors import Forbidden
from bot.services.anonymous import (
    MAX_FOLLOWUP_CHARS,
    MAX_QUESTION_CHARS,
    MAX_TAG_CHARS,
    MAX_TITLE_CHARS,
    AnonymousService,
    PostedQuestion,
)
from bot.ui import FmgModal, bot_of, persistent_view, run_safely, send_ephemeral

if TYPE_CHECKING:
    from bot.app import FmgBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


def _service(interaction: discord.Interaction) -> AnonymousService:
    return bot_of(interaction).services.anonymous


async def require_moderator(interaction: discord.Interaction) -> None:
    if not await is_moderator(interaction):
        raise Forbidden("Only moderators can do that.")


async def resolve_channel(bot: FmgBot, channel_id: int) -> Any:
    """A channel or thread from the cache, else from the API (archived threads are not cached)."""
    return bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)


async def take_down(bot: FmgBot, posted: PostedQuestion, note: str) -> None:
    """Delete a question's post and thread, and note the outcome on its review message."""
    if posted.thread_id is not None:
        try:
            thread = await resolve_channel(bot, posted.thread_id)
            await thread.delete()
        except discord.NotFound:
            pass
    if (
        posted.message_id is not None
        and posted.channel_id is not None
        and posted.channel_id != posted.thread_id
    ):
        try:
            channel = await resolve_channel(bot, posted.channel_id)
            if not isinstance(channel, discord.ForumChannel):
                await channel.get_partial_message(posted.message_id).delete()
        except discord.NotFound:
            pass
    copies = list(posted.followup_copies)
    if posted.review_channel_id is not None and posted.review_message_id is not None:
        copies.insert(0, (posted.review_channel_id, posted.review_message_id))
    for channel_id, message_id in copies:  # the question's, and held follow-ups' review copies
        try:
            channel = await resolve_channel(bot, channel_id)
            await channel.get_partial_message(message_id).edit(
                content=note, view=None, allowed_mentions=NO_MENTIONS
            )
        except discord.NotFound:
            pass


class AskModal(FmgModal, title="Ask anonymously"):
    question_title: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        label="Title", max_length=MAX_TITLE_CHARS, placeholder="Is failing Step 1 once a red flag?"
    )
    question: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        label="Your question",
        style=discord.TextStyle.paragraph,
        max_length=MAX_QUESTION_CHARS,
        placeholder="Nobody, not even moderators, will see who asked.",
    )
    tag: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        label="Topic tag (optional)", required=False, max_length=MAX_TAG_CHARS
    )

    def __init__(self, tag_names: list[str]) -> None:
        super().__init__()
        if tag_names:
            self.tag.placeholder = _clip("One of: " + ", ".join(tag_names), 100)
        else:
            self.tag.placeholder = "e.g. Step 1, J-1 waiver, Internal Medicine"

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        receipt = await _service(interaction).ask(
            interaction.guild_id,
            interaction.user.id,
            self.question_title.value,
            self.question.value,
            self.tag.value or None,
        )
        when = int(receipt.due_at.timestamp())
        where = (
            f"sent to the moderators for approval <t:{when}:R>"
            if receipt.needs_review
            else f"posted anonymously <t:{when}:R>"
        )
        await send_ephemeral(
            interaction,
            f"Thanks. Your question #{receipt.question_id} will be {where}; the random delay "
            "keeps its time from pointing at you.\n\n"
            f"Your claim code (shown only this once, keep it somewhere safe):\n`{receipt.code}`\n\n"
            "With it you can use `/ask followup`, `/ask close` (mark answered) and `/ask delete`. "
            "Nothing else links you to the question: not the bot, not the moderators.",
        )


class FollowupModal(FmgModal, title="Anonymous follow-up"):
    code: discord.ui.TextInput[FollowupModal] = discord.ui.TextInput(
        label="Claim code", max_length=60, placeholder="12-ABCDE-FGHJK-MNPQR-STVWX"
    )
    text: discord.ui.TextInput[FollowupModal] = discord.ui.TextInput(
        label="Follow-up", style=discord.TextStyle.paragraph, max_length=MAX_FOLLOWUP_CHARS
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        due, needs_review = await _service(interaction).followup(
            interaction.guild_id, interaction.user.id, self.code.value, self.text.value
        )
        when = f"<t:{int(due.timestamp())}:R>"
        await send_ephemeral(
            interaction,
            f"Your follow-up will be sent to the moderators for approval {when}; once approved "
            "it appears in the thread as **Asker**."
            if needs_review
            else f"Your follow-up will appear in the thread as **Asker** {when}.",
        )


class ReportModal(FmgModal, title="Report an anonymous question"):
    reason: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
        label="What is wrong? (optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=500,
    )

    def __init__(self, question_id: int) -> None:
        super().__init__()
        self.question_id = question_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = _service(interaction)
        report = await service.report(
            interaction.guild_id, interaction.user.id, self.question_id, self.reason.value or None
        )
        bot = bot_of(interaction)
        channel = await resolve_channel(bot, report.review_channel_id)
        where = f" in <#{report.thread_id}>" if report.thread_id else ""
        reason = f"\n> {report.reason}" if report.reason else "\n(no reason given)"
        view = persistent_view(RemoveButton(report.question_id))
        message = await channel.send(
            f"A member reported anonymous question #{report.question_id} **{report.title}**{where}.{reason}",
            view=view,
            allowed_mentions=NO_MENTIONS,
        )
        await service.mark_report_posted(report.id, message.id)
        await send_ephemeral(interaction, "Thank you: the moderators have been told.")


class ReportButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"fmg:anon:report:(?P<qid>\d+)"
):
    def __init__(self, question_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Report",
                style=discord.ButtonStyle.secondary,
                custom_id=f"fmg:anon:report:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> ReportButton:
        return cls(int(match["qid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, interaction.response.send_modal(ReportModal(self.question_id)))


#: Review buttons name a question by its number, and a held follow-up of it by its reference.
_REVIEWED = r"(?P<qid>\d+)(?::(?P<followup>[0-9a-f]+))?"


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"fmg:anon:(?P<action>approve|reject):{_REVIEWED}",
):
    """Approve or Reject under a question, or under a held follow-up of it, in the review
    channel (moderators only)."""

    def __init__(self, action: str, question_id: int, followup: str | None = None) -> None:
        reviewed = f"{question_id}:{followup}" if followup else str(question_id)
        super().__init__(
            discord.ui.Button(
                label=action.title(),
                style=discord.ButtonStyle.success if action == "approve"
                else discord.ButtonStyle.danger,
                custom_id=f"fmg:anon:{action}:{reviewed}",
            )
        )
        self.action, self.question_id, self.followup = action, question_id, followup

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> ReviewButton:
        return cls(match["action"], int(match["qid"]), match["followup"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._review(interaction))

    async def _review(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await require_moderator(interaction)
        service = _service(interaction)
        guild_id, number, held = interaction.guild_id, self.question_id, self.followup
        if self.action == "approve":
            if held:
                await service.approve_followup(guild_id, number, held)
            else:
                await service.approve(guild_id, number)
            outcome = f"was approved by {interaction.user.mention} and is being posted."
        else:
            if held:
                await service.reject_followup(guild_id, number, held)
            else:
                await service.reject(guild_id, number)
            outcome = f"was rejected by {interaction.user.mention}; its text has been erased."
        what = "A follow-up to anonymous question" if held else "Anonymous question"
        await interaction.response.edit_message(
            content=f"{what} #{number} {outcome}",
            view=None,
            allowed_mentions=NO_MENTIONS,
        )


class RemoveButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"fmg:anon:remove:(?P<qid>\d+)"
):
    def __init__(self, question_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Remove question",
                style=discord.ButtonStyle.danger,
                custom_id=f"fmg:anon:remove:{question_id}",
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> RemoveButton:
        return cls(int(match["qid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._remove(interaction))

    async def _remove(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await require_moderator(interaction)
        await interaction.response.defer()
        posted = await _service(interaction).remove(interaction.guild_id, self.question_id)
        note = f"Anonymous question #{self.question_id} was removed by {interaction.user.mention}."
        await take_down(bot_of(interaction), posted, note)
        assert interaction.message is not None
        await interaction.message.edit(content=note, view=None, allowed_mentions=NO_MENTIONS)


DYNAMIC_ITEMS = (ReportButton, ReviewButton, RemoveButton)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
