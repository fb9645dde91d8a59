"""Server-side permission checks for app commands.

`default_permissions` only hides a command in Discord's UI, and a guild admin can change it;
so every moderator command also runs `moderator_only()` here, on our side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.interaction_errors import NotModerator

if TYPE_CHECKING:
    from bot.app import FmgBot

T = TypeVar("T")


async def is_moderator(interaction: discord.Interaction) -> bool:
    """Administrator or Manage Server here, or the guild's configured moderator role."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    perms = interaction.permissions
    if perms.administrator or perms.manage_guild:
        return True
    bot: FmgBot = interaction.client  # type: ignore[assignment]
    config = await bot.services.guild_settings.get(interaction.guild_id)
    role_id = config.get("moderator_role")
    return role_id is not None and any(role.id == role_id for role in interaction.user.roles)


async def _moderator_predicate(interaction: discord.Interaction) -> bool:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not await is_moderator(interaction):
        raise NotModerator(
            "This is a moderator command: you need the server's moderator role "
            "or the Manage Server permission."
        )
    return True


_moderator_predicate.__fmg_moderator__ = True


def moderator_only() -> Callable[[T], T]:
    """Decorator: the command runs only for moderators (checked on our side)."""
    return app_commands.check(_moderator_predicate)


def is_moderator_command(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> bool:
    """True when ``command`` (or a group it sits in) carries `moderator_only()`."""
    node: Any = command
    while node is not None:
        if any(getattr(check, "__fmg_moderator__", False) for check in getattr(node, "checks", ())):
            return True
        node = node.parent
    return False
