"""Member notices on Discord: renders what `bot.services.notices` decided to tell a member and
sends it, by DM, or, when their DMs are closed, as a mention in the capability's channel.

The outbox's sender of the ``member_notice`` kind; the engine claims, retries and marks.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.app import FmgBot
from bot.outbox import DueItem, Receipt, SendFailed
from bot.services.notices import KIND, MemberNotice
from bot.ui import send_failed

#: Discord's code for "Cannot send messages to this user" (DMs closed, or no shared server).
DMS_CLOSED = 50007
DM_FALLBACK_NOTE = "(I could not DM you: your direct messages are closed.)"


def _text(value: object) -> str:
    """Member-written text (a link's title, a group's name) shown as plain text."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(str(value)))[:200]


def render(notice: MemberNotice, guild_name: str) -> str:
    """The notice's words: second person for the member, third for a thread's line."""
    facts = notice.facts
    where = f"**{_text(guild_name)}**"
    if notice.event == "mentor_approved":
        return (f"Good news: the moderators of {where} approved your mentor profile. Mentees "
                "can now be matched with you (`/mentor pause` whenever you need a break).")
    if notice.event == "mentor_rejected":
        return (f"The moderators of {where} did not approve your mentor profile this time. "
                "You can improve it and apply again with `/mentor register`.")
    if notice.event == "mentor_removed":
        return (f"The moderators of {where} removed you from the mentor roster: no new requests "
                "will reach you, and any waiting for you went to other mentors.")
    if notice.event == "mentor_paused":
        return (f"The moderators of {where} paused your mentoring: no new requests will reach "
                "you until you `/mentor resume`.")
    if notice.event == "pairing_ended":
        # ended_by is None when they deleted their data since: the notice no longer names them.
        by = f" <@{facts['ended_by']}>" if facts.get("ended_by") else ""
        since = f"(since <t:{facts['started_at']}:D>) in {where}"
        if notice.user_id is None:
            return (f"{by.strip() or 'A member'} ended this mentoring pairing. This thread stays "
                    "for your records.")
        if facts.get("role") == "mentee":  # the role of the member told
            return (f"Your mentor{by} ended your mentoring pairing {since}. Thank you both! "
                    "`/mentor request` finds you another mentor.")
        return f"Your mentee{by} ended your mentoring pairing {since}: your slot is free again."
    if notice.event == "suggestion_approved":
        return (f"Your suggested link **{_text(facts['title'])}** was approved and is now in "
                f"the library of {where} (`/resources search` finds it). Thank you!")
    if notice.event == "suggestion_rejected":
        return (f"The moderators of {where} did not add your suggested link "
                f"**{_text(facts['title'])}** to the library this time. Thank you for "
                "suggesting it!")
    if notice.event == "group_inherited":
        return (f"You are now the owner of the study group **{_text(facts['group'])}** in "
                f"{where}: its owner deleted their data, and you are its longest-standing "
                "member. You can schedule sessions for it with `/session schedule`.")
    if notice.event == "group_given":
        return (f"<@{facts['by']}> made you the owner of the study group "
                f"**{_text(facts['group'])}** in {where}: you can schedule its sessions with "
                "`/session schedule` and hand it on with `/studygroup transfer`.")
    if notice.event == "group_taken":
        return (f"A moderator of {where} handed your study group **{_text(facts['group'])}** "
                "to another member, who owns it now. You are still a member.")
    if notice.event == "group_archived":
        return (f"A moderator of {where} archived your study group **{_text(facts['group'])}** "
                f"({facts['cancelled']} upcoming session(s) cancelled).")
    raise ValueError(f"no words for the member notice {notice.event!r}")


class NoticeSender:
    """DMs the member; closed DMs: a mention in the notice's fallback channel."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def send(self, item: DueItem, notice: MemberNotice) -> Receipt:
        guild = self.bot.get_guild(notice.guild_id)
        text = render(notice, guild.name if guild else "this server")
        try:
            if notice.user_id is None:
                return await self._post(notice, text, item.nonce, ping=None)
            user = self.bot.get_user(notice.user_id) or await self.bot.fetch_user(notice.user_id)
            try:
                message = await user.send(text, allowed_mentions=discord.AllowedMentions.none(),
                                          nonce=item.nonce)
            except discord.Forbidden as exc:
                if exc.code != DMS_CLOSED:
                    raise
                return await self._post(notice, f"<@{notice.user_id}> {text}\n-# {DM_FALLBACK_NOTE}",
                                        item.nonce, ping=user)
            return Receipt(message.id, message.channel.id)
        except discord.HTTPException as exc:
            raise send_failed(exc) from exc

    async def _post(self, notice: MemberNotice, text: str, nonce: str,
                    ping: discord.abc.Snowflake | None) -> Receipt:
        if notice.fallback_channel_id is None:
            raise SendFailed("DMs are closed and the capability has no channel set",
                             permanent=True)
        channel = (self.bot.get_channel(notice.fallback_channel_id)
                   or await self.bot.fetch_channel(notice.fallback_channel_id))
        if not isinstance(channel, discord.abc.Messageable):
            raise SendFailed(f"channel {notice.fallback_channel_id} cannot hold messages",
                             permanent=True)
        mentions = discord.AllowedMentions(everyone=False, roles=False,
                                           users=[ping] if ping else False)
        message = await channel.send(text, allowed_mentions=mentions, nonce=nonce)
        return Receipt(message.id, channel.id)


class NoticesCog(commands.Cog, name="Notices"):
    """Tells members what was decided about them."""

    def __init__(self, bot: FmgBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.services.outbox.attach_sender(KIND, NoticeSender(self.bot))

    async def cog_unload(self) -> None:
        self.bot.services.outbox.detach_sender(KIND)


async def setup(bot: FmgBot) -> None:
    await bot.add_cog(NoticesCog(bot))
