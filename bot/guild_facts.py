"""discord.py objects -> the plain facts `bot.services.health` checks (its only discord side)."""

from __future__ import annotations

import discord

from bot.services.health import ChannelFacts, ChannelKind, GuildFacts

_KINDS: dict[discord.ChannelType, ChannelKind] = {
    discord.ChannelType.text: "text",
    discord.ChannelType.news: "news",
    discord.ChannelType.forum: "forum",
    discord.ChannelType.voice: "voice",
    discord.ChannelType.stage_voice: "stage",
    discord.ChannelType.category: "category",
}


def granted(permissions: discord.Permissions) -> frozenset[str]:
    """Every flag name that is set, aliases included (iterating Permissions yields only the
    canonical names, e.g. `read_messages` and never `view_channel`). discord.py already expands
    Administrator into every permission."""
    return frozenset(name for name in discord.Permissions.VALID_FLAGS if getattr(permissions, name))


def guild_facts(guild: discord.Guild) -> GuildFacts:
    me = guild.me
    channels: dict[int, ChannelFacts] = {}
    for channel in guild.channels:
        forum = isinstance(channel, discord.ForumChannel)
        channels[channel.id] = ChannelFacts(
            id=channel.id,
            name=channel.name,
            kind=_KINDS.get(channel.type, "other"),
            bot_permissions=granted(channel.permissions_for(me)),
            forum_tags=tuple(tag.name for tag in channel.available_tags) if forum else (),
            requires_tag=forum and channel.flags.require_tag,
        )
    ordered = sorted(
        (c for c in guild.channels if not isinstance(c, discord.CategoryChannel)),
        key=lambda c: ((c.category.position if c.category else -1), c.position),
    )
    return GuildFacts(
        id=guild.id,
        name=guild.name,
        channels=channels,
        roles={role.id: role.name for role in guild.roles},
        bot_permissions=granted(me.guild_permissions),
        system_channel_id=guild.system_channel.id if guild.system_channel else None,
        channel_order=tuple(c.id for c in ordered),
    )
