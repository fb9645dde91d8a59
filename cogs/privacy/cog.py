"""`/privacy export` and `/privacy delete`: a member's own data, as a file or erased."""

from __future__ import annotations

import io
import json

import discord

from bot.app import FmgBot
from bot.services.privacy import ANONYMOUS_NOTE
from bot.ui import OwnerView, send_ephemeral
from cogs._base import FmgCog, guild_group


def delete_warning(summary: list[str]) -> str:
    lines = "\n".join(f"- {line}" for line in summary)
    return (
        "This erases everything fmg-bot stores about you in this server:\n"
        f"{lines}\nIt cannot be undone.\n-# {ANONYMOUS_NOTE}"
    )


class ConfirmDeleteView(OwnerView):
    def __init__(self, bot: FmgBot, guild_id: int, owner_id: int) -> None:
        super().__init__(owner_id, timeout=120)
        self.bot = bot
        self.guild_id = guild_id

    @discord.ui.button(label="Delete my data", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.defer()
        await self.bot.services.privacy.delete_member(self.guild_id, self.owner_id)
        self.stop()
        await interaction.edit_original_response(
            content="Done: fmg-bot no longer stores anything about you in this server.\n-# "
            + ANONYMOUS_NOTE,
            view=None,
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.stop()
        await interaction.response.edit_message(content="Cancelled: nothing was deleted.", view=None)




class PrivacyCog(FmgCog, name="Privacy"):
    """See or erase the data fmg-bot keeps about you."""

    privacy = guild_group("privacy", "Your data in fmg-bot")

    @privacy.command(name="export", description="Get everything fmg-bot stores about you, as a file")
    async def export(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.bot.services.privacy.export_member(interaction.guild_id, interaction.user.id)
        payload = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
        await interaction.edit_original_response(
            content="Everything fmg-bot stores about you in this server.\n-# " + ANONYMOUS_NOTE,
            attachments=[
                discord.File(io.BytesIO(payload), filename=f"fmg-bot-data-{interaction.guild_id}.json")
            ],
        )

    @privacy.command(name="delete", description="Erase everything fmg-bot stores about you here")
    async def delete(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        view = ConfirmDeleteView(self.bot, interaction.guild_id, interaction.user.id)
        warning = delete_warning(self.bot.services.privacy.deletion_summary())
        await send_ephemeral(interaction, warning, view=view)
