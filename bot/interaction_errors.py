"""The one error path for slash commands, buttons, selects and modals.

`UserError` -> the member reads its message, ephemerally. A failed check -> "you need X".
Anything else -> the traceback goes to the log with a short reference id, and the member gets
an apology carrying the same id. Log lines name the command and guild, never the member: the
anonymous-questions capability relies on logs holding no asker.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from bot.deadline import Deadline, expired
from bot.errors import UserError

log = logging.getLogger("bot.errors")

NO_MENTIONS = discord.AllowedMentions.none()
MAX_CONTENT = 2000


class NotModerator(app_commands.CheckFailure):
    """Raised by `bot.checks.moderator_only` when the member is not a moderator here."""


async def send_ephemeral(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer privately, whether or not the interaction was already responded to or deferred."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    if content is not None:
        kwargs["content"] = content
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=True, **kwargs)


def message_for(error: BaseException) -> str | None:
    """The text a member sees for an expected error, or None when the error is unexpected."""
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, NotModerator):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        who = "You need" if isinstance(error, app_commands.MissingPermissions) else "I need"
        perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"{who} the **{perms}** permission to do that here."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works only inside a server."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        return f"`{error.value}` is not a valid {error.type.name.lower().replace('_', ' ')}."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


async def handle_interaction_error(
    interaction: discord.Interaction, error: BaseException, *, where: str | None = None
) -> None:
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if interaction.client.is_closed():
        # Shutting down (a restart, a deploy): the answer could not go out, and neither can an
        # apology. Not a bug; the member can run the command again in a moment.
        log.warning("%s was interrupted by shutdown", where or _describe(interaction))
        return
    if expired(original):
        tree = interaction.client.tree  # type: ignore[attr-defined]
        if isinstance(tree, FmgCommandTree):
            tree.deadline.answered_late()
        return
    text = message_for(original)
    if text is not None and len(text) > MAX_CONTENT:
        # A message may quote what the member typed; Discord refuses > 2,000 characters,
        # which would leave them with "interaction failed" instead of the reason.
        text = text[: MAX_CONTENT - 1] + "…"
    if text is None:
        reference = secrets.token_hex(4)
        log.error(
            "unexpected error ref=%s in %s (guild=%s)",
            reference, where or _describe(interaction), interaction.guild_id,
            exc_info=(type(original), original, original.__traceback__),
        )
        text = (
            "Sorry, something went wrong on our side and nothing was changed. "
            f"If it keeps happening, tell a moderator the reference `{reference}`."
        )
    try:
        await send_ephemeral(interaction, text)
    except discord.HTTPException:
        log.warning("could not tell the member about an error in %s", _describe(interaction))


def _describe(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data = interaction.data or {}
    return f"component {data.get('custom_id', '?')}" if "custom_id" in data else "interaction"


class FmgCommandTree(app_commands.CommandTree):
    """Routes every app-command error through `handle_interaction_error`, and skips commands
    and autocompletes that waited past the time Discord would take their answer."""

    def __init__(self, client: discord.Client, **options: Any) -> None:
        super().__init__(client, **options)
        self.deadline = Deadline()

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return self.deadline.answerable(interaction, self.client.clock.now())  # type: ignore[attr-defined]

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await handle_interaction_error(interaction, error)
