"""Anonymous questions: `/ask ...` for members, `/anonymous ...` for moderators, and the
publisher that posts queued questions as the bot once their random delay is over.

Anonymity rule for this file: the asker's id is read only to hand it to the service (which
keys in-memory rate limits with it). It is never logged, stored, or put in a message.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands

from bot.app import FmgBot
from bot.checks import is_moderator, moderator_only
from bot.errors import InvalidInput
from bot.outbox import DueItem, Receipt, Sender, SendFailed
from bot.scheduler import DueWorkSource
from bot.services.anonymous import KINDS as ANONYMOUS_KINDS
from bot.services.anonymous import AnonymousService, MentorNotice, OutboxJob
from bot.services.text import md
from bot.ui import persistent_view, send_ephemeral, send_failed
from cogs._base import FmgCog, guild_group
from cogs.anonymous.views import (
    DYNAMIC_ITEMS,
    NO_MENTIONS,
    AskModal,
    FollowupModal,
    ReportButton,
    ReviewButton,
    resolve_channel,
    take_down,
)

log = logging.getLogger(__name__)
UPKEEP_SOURCE = "anonymous-limits"
THREAD_ALREADY_CREATED = 160004


def part_nonce(nonce: str, part: int) -> str:
    """The nonce of a post's ``part``-th message (the row's own nonce for the first): a resend
    after a crash mid-post (same row, same nonce) is deduplicated message by message, so the
    parts that went out before the crash are not posted twice. At most 25 characters."""
    return nonce if part == 0 else f"{nonce[:21]}.{part}"


def mentor_notice_text(notice: MentorNotice) -> str:
    """The line under a tagged question that asks the matching mentors (pinged by the caller's
    allowed_mentions, exactly ``notice.user_ids``)."""
    more = f" (and {notice.more} more)" if notice.more else ""
    return (
        f"Mentors who know **{md(notice.tag)}**: "
        + " ".join(f"<@{uid}>" for uid in notice.user_ids) + more
        + "\nA mentor whose reply answers the question can mark it with the "
        "**Mark mentor answer** message command."
    )


def _forum_tag(channel: discord.ForumChannel, name: str | None) -> list[discord.ForumTag]:
    if not name:
        return []
    wanted = name.casefold()
    return [tag for tag in channel.available_tags if tag.name.casefold() == wanted][:1]


class AnonymousSender:
    """The outbox's sender of anonymous posts: the question (a forum post or a message with
    its thread), its review copy, follow-ups and the "answered" notice."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    @property
    def service(self) -> AnonymousService:
        return self.bot.services.anonymous

    async def send(self, item: DueItem, job: OutboxJob) -> Receipt:
        if job.kind == "delete":
            return await self._take_down(job)
        if job.target_channel_id is None:
            raise SendFailed("its channel is not set", permanent=True)
        try:
            return await self._send(job)
        except discord.HTTPException as exc:
            log.warning("anonymous post %d (%s): %s %s", job.id, job.kind,
                        type(exc).__name__, exc.status)
            raise send_failed(exc) from exc

    async def _send(self, job: OutboxJob) -> Receipt:
        assert job.target_channel_id is not None
        channel = await resolve_channel(self.bot, job.target_channel_id)
        if job.kind == "question":
            return await self._publish(job, channel)
        if job.kind in ("review", "followup_review"):
            held = job.nonce if job.kind == "followup_review" else None
            view = persistent_view(ReviewButton("approve", job.number, held),
                                   ReviewButton("reject", job.number, held))
            # Moderators read the whole question before they reach the buttons.
            *before, last = job.chunks
            for n, chunk in enumerate(before):
                await channel.send(chunk, allowed_mentions=NO_MENTIONS,
                                   nonce=part_nonce(job.nonce, n))
            message = await channel.send(last, view=view, allowed_mentions=NO_MENTIONS,
                                         nonce=part_nonce(job.nonce, len(before)))
            return Receipt(message.id, channel_id=channel.id)
        if isinstance(channel, discord.Thread) and channel.archived and not channel.locked:
            await channel.edit(archived=False)
        message = None
        for n, chunk in enumerate(job.chunks):
            message = await channel.send(chunk, allowed_mentions=NO_MENTIONS,
                                         nonce=part_nonce(job.nonce, n))
        assert message is not None
        if job.kind == "close" and isinstance(channel, discord.Thread):
            await channel.edit(archived=True)
        return Receipt(message.id, channel_id=channel.id)

    async def _forum_post_of(self, channel: discord.ForumChannel,
                             job: OutboxJob) -> tuple[discord.Thread, discord.Message] | None:
        """The post an earlier attempt made, if it did: a forum post takes no nonce, so a resend
        after a crash looks for it (a thread of this forum, our starter message with this
        question's first part, which names its number) instead of posting it twice."""
        for thread in await channel.guild.active_threads():
            if thread.parent_id != channel.id or thread.name != job.title:
                continue
            try:
                starter = await thread.fetch_message(thread.id)
            except discord.NotFound:
                continue
            mine = self.bot.user is not None and starter.author.id == self.bot.user.id
            if mine and starter.content == job.chunks[0]:
                return thread, starter
        return None

    async def _take_down(self, job: OutboxJob) -> Receipt:
        """An asker's deletion, carried out now (a random delay after they asked for it)."""
        assert job.taken_down is not None
        gone = job.taken_down
        await take_down(self.bot, gone, f"Anonymous question #{job.number} was deleted by its asker.")
        return Receipt(gone.message_id or gone.review_message_id, channel_id=job.target_channel_id)

    async def _publish(self, job: OutboxJob, channel: Any) -> Receipt:
        view = persistent_view(ReportButton(job.number))
        first, rest = job.chunks[0], job.chunks[1:]
        if isinstance(channel, discord.ForumChannel):
            earlier = await self._forum_post_of(channel, job) if job.attempts > 1 else None
            if earlier is None:
                created = await channel.create_thread(
                    name=job.title,
                    content=first,
                    applied_tags=_forum_tag(channel, job.tag),
                    view=view,
                    allowed_mentions=NO_MENTIONS,
                )
                earlier = created.thread, created.message
            thread, starter = earlier
        else:
            starter = await channel.send(
                first, view=view, allowed_mentions=NO_MENTIONS, nonce=job.nonce
            )
            try:
                thread = await starter.create_thread(name=job.title)
            except discord.HTTPException as exc:
                if exc.code != THREAD_ALREADY_CREATED:
                    raise
                # A resend after a crash: the first attempt made the thread, which has the
                # starter message's id.
                thread = await resolve_channel(self.bot, starter.id)
        for n, chunk in enumerate(rest, start=1):
            await thread.send(chunk, allowed_mentions=NO_MENTIONS, nonce=part_nonce(job.nonce, n))
        try:
            notice = await self.service.mentor_notice(job.guild_id, job.tag)
            if notice is not None:
                # The text quotes the asker's tag: ping exactly these mentors and nothing else,
                # whatever the bot's default becomes.
                pings = discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    users=[discord.Object(uid) for uid in notice.user_ids],
                    replied_user=False,
                )
                await thread.send(mentor_notice_text(notice), allowed_mentions=pings,
                                  nonce=part_nonce(job.nonce, len(job.chunks)))
        except discord.HTTPException:
            # The question is posted; a missing nudge to mentors is not worth a repost.
            log.warning("could not tell mentors about anonymous question %d", job.question_id)
        return Receipt(starter.id, channel_id=channel.id, thread_id=thread.id)






class AnonymousCog(FmgCog, name="Anonymous questions"):
    """Ask without your name; answers happen in the question's thread."""

    ask = guild_group("ask", "Ask a question anonymously")
    # No default_permissions here: it would hide the group from members who hold only the
    # configured moderator role, whom moderator_only() lets in (every command checks on our side).
    anonymous = guild_group("anonymous", "Moderate anonymous questions")
    dynamic_items = DYNAMIC_ITEMS

    def senders(self) -> dict[str, Sender]:
        return dict.fromkeys(ANONYMOUS_KINDS, AnonymousSender(self.bot))

    def timers(self) -> dict[str, DueWorkSource]:
        return {UPKEEP_SOURCE: self.bot.services.anonymous.upkeep}

    def context_menus(self) -> list[app_commands.ContextMenu]:
        # discord.py refuses context menus in a cog's class body: the base cog adds this one.
        mark = app_commands.ContextMenu(name="Mark mentor answer", callback=self.mark_mentor_answer)
        mark.guild_only = True
        return [mark]

    # -- /ask -------------------------------------------------------------------------------
    @ask.command(name="question", description="Ask a question without your name")
    async def question(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self.bot.services.anonymous.check_can_ask(interaction.guild_id, interaction.user.id)
        config = await self.bot.services.guild_settings.get(interaction.guild_id)
        channel_id = config.get("anonymous_channel")
        channel = (
            interaction.guild.get_channel(int(channel_id))
            if channel_id and interaction.guild
            else None
        )
        names = (
            [t.name for t in channel.available_tags]
            if isinstance(channel, discord.ForumChannel)
            else []
        )
        await interaction.response.send_modal(AskModal(names))

    @ask.command(
        name="followup", description="Add to your anonymous question (needs its claim code)"
    )
    async def followup(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FollowupModal())

    @ask.command(name="close", description="Mark your anonymous question as answered")
    @app_commands.describe(code="The claim code you got when you asked")
    async def close(
        self, interaction: discord.Interaction, code: app_commands.Range[str, 1, 60]
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        due = await self.bot.services.anonymous.close(
            interaction.guild_id, interaction.user.id, code
        )
        await send_ephemeral(
            interaction, f"Done: the thread will be marked answered <t:{int(due.timestamp())}:R>."
        )

    @ask.command(
        name="delete", description="Delete your anonymous question (needs its claim code)"
    )
    @app_commands.describe(code="The claim code you got when you asked")
    async def delete(
        self, interaction: discord.Interaction, code: app_commands.Range[str, 1, 60]
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        due = await self.bot.services.anonymous.delete(
            interaction.guild_id, interaction.user.id, code
        )
        await send_ephemeral(
            interaction,
            "Done: its text is erased now, and the post and its thread will be removed "
            f"<t:{int(due.timestamp())}:R> (a random delay, so the moment does not point at you).",
        )

    # -- /anonymous -------------------------------------------------------------------------
    @anonymous.command(name="remove", description="Take an anonymous question down")
    @app_commands.describe(question="The question's number (shown in its post and in reports)")
    @moderator_only()
    async def remove(
        self, interaction: discord.Interaction, question: app_commands.Range[int, 1]
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await self.bot.services.anonymous.remove(interaction.guild_id, question)
        await take_down(
            self.bot,
            posted,
            f"Anonymous question #{question} was removed by {interaction.user.mention}.",
        )
        await send_ephemeral(interaction, f"Anonymous question #{question} has been removed.")

    @anonymous.command(name="mute", description="Pause anonymous asking for everyone here")
    @app_commands.describe(hours="How long to pause, in hours (1 to 720)")
    @moderator_only()
    async def mute(
        self, interaction: discord.Interaction, hours: app_commands.Range[int, 1, 720]
    ) -> None:
        assert interaction.guild_id is not None
        until = await self.bot.services.anonymous.mute(interaction.guild_id, timedelta(hours=hours))
        stamp = int(until.timestamp())
        await send_ephemeral(
            interaction, f"Anonymous questions are paused until <t:{stamp}:F> (<t:{stamp}:R>)."
        )

    @anonymous.command(name="unmute", description="Let members ask anonymously again")
    @moderator_only()
    async def unmute(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        was_muted = await self.bot.services.anonymous.unmute(interaction.guild_id)
        await send_ephemeral(
            interaction,
            "Anonymous questions are open again."
            if was_muted
            else "Anonymous questions were not paused.",
        )

    async def mark_mentor_answer(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Mentors (and moderators) mark a mentor's reply in an anonymous question's thread."""
        assert interaction.guild_id is not None
        if message.author.bot:
            raise InvalidInput("Pick a mentor's reply, not one of the bot's posts.")
        question_id = await self.bot.services.anonymous.mark_mentor_answer(
            interaction.guild_id,
            message.channel.id,
            message.id,
            author_id=message.author.id,
            marker_id=interaction.user.id,
            marker_is_moderator=await is_moderator(interaction),
        )
        await interaction.response.send_message(
            f"✅ Answered by a mentor: {message.jump_url}", allowed_mentions=NO_MENTIONS
        )
        log.info("anonymous question %d has a mentor answer", question_id)

