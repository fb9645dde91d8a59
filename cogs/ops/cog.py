"""Running the bot for months: the first-run guide, members who leave, the daily backup."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.guild_facts import guild_facts
from bot.scheduler import DueWorkSource
from bot.services.backups import BackupSchedule
from bot.services.health import check_guild, pick_welcome_channel, setup_guide
from cogs._base import FmgCog

log = logging.getLogger(__name__)

BACKUPS = "backups"
MEMBER_RETENTION = "member-retention"


class OpsCog(FmgCog, name="Server setup"):
    """Setup guide on join, privacy retention for members who leave, daily backups."""

    def timers(self) -> dict[str, DueWorkSource]:
        settings = self.bot.settings
        schedule = BackupSchedule(
            settings.database, settings.backup_folder, settings.backup_keep, self.bot.clock
        )
        # The backup is of the whole database: one process makes it, the one holding shard 0.
        backups = {BACKUPS: schedule} if settings.shards.global_work else {}
        return {**backups, MEMBER_RETENTION: self.bot.services.privacy}

    async def prepare(self) -> None:
        # The service wakes its timer itself when a member leaves or returns.
        self.bot.services.privacy.wake_with(self.bot.scheduler.waker(MEMBER_RETENTION))

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        facts = guild_facts(guild)
        channel_id = pick_welcome_channel(facts)
        if channel_id is None:
            log.warning("joined guild %s but may post in none of its channels", guild.id)
            return
        config = await self.bot.services.guild_settings.get(guild.id)
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            await channel.send(
                setup_guide(check_guild(facts, config)),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException:
            log.warning("could not post the setup guide in guild %s", guild.id, exc_info=True)

    # Leave and join events arrive only with MEMBERS_INTENT=on (see README, Intents).
    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.bot.services.privacy.member_left(payload.guild_id, payload.user.id)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        await self.bot.services.privacy.member_returned(member.guild.id, member.id)

