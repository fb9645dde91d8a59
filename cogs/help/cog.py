"""`/help`: every command this member may use, grouped by capability, read from the command tree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import discord
from discord import app_commands

from bot.app import FmgBot
from bot.checks import is_moderator, is_moderator_command
from bot.paging import Pages, send_pages
from bot.ui import pack_lines
from cogs._base import FmgCog


@dataclass(frozen=True)
class HelpLine:
    capability: str
    name: str
    description: str
    moderator: bool


def walk_commands(bot: FmgBot) -> Iterator[HelpLine]:
    """Every leaf slash command of the tree, with the capability (cog) it belongs to."""
    titles = {type(cog).__module__: cog.qualified_name for cog in bot.cogs.values()}

    def leaves(node: app_commands.Command | app_commands.Group) -> Iterator[app_commands.Command]:
        if isinstance(node, app_commands.Group):
            for child in node.commands:
                yield from leaves(child)
        else:
            yield node

    for top in bot.tree.get_commands(type=discord.AppCommandType.chat_input):
        capability = titles.get(top.module or "", "Other")
        for command in leaves(top):
            yield HelpLine(
                capability, command.qualified_name, command.description, is_moderator_command(command)
            )


MODERATOR_MARK = "(moderators)"


def _described(line: HelpLine) -> str:
    """The description with the moderator mark once, whether or not the command's own
    description (shown in Discord's command picker) already ends with it."""
    text = line.description.removesuffix(MODERATOR_MARK).rstrip()
    return f"{text} *{MODERATOR_MARK}*" if line.moderator else text


def help_pages(lines: list[HelpLine]) -> Pages[str]:
    """Render lines grouped by capability into as many embeds as Discord's limits need."""
    text_lines: list[str] = []
    for capability in sorted({line.capability for line in lines}):
        entries = sorted((ln for ln in lines if ln.capability == capability), key=lambda ln: ln.name)
        text_lines.append(f"### {capability}")
        text_lines.extend(f"`/{ln.name}` {_described(ln)}" for ln in entries)
    return Pages(
        pack_lines(text_lines) or ["No commands are available to you here."],
        lambda texts: discord.Embed(title="fmg-bot commands", description=texts[0],
                                    colour=discord.Colour.blurple()),
    )


class HelpCog(FmgCog, name="Help"):
    """What the bot can do for you."""

    @app_commands.command(name="help", description="List the commands you can use")
    async def help(self, interaction: discord.Interaction) -> None:
        moderator = await is_moderator(interaction)
        lines = [ln for ln in walk_commands(self.bot) if moderator or not ln.moderator]
        await send_pages(interaction, help_pages(lines))

