"""A small discord.py bot that exercises localdiscord's surface (independent of fmg-bot)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

SOURCE = Path(__file__).read_bytes()


class Form(discord.ui.Modal, title="Tell us"):
    topic = discord.ui.TextInput(label="Topic", max_length=50)
    details = discord.ui.TextInput(label="Details", style=discord.TextStyle.paragraph, required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        answer = f"got {self.topic.value}/{self.details.value}"
        await interaction.response.send_message(answer, ephemeral=True)


class Counter(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.count = 0

    @discord.ui.button(label="Add", custom_id="counter:add")
    async def add(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.count += 1
        await interaction.response.edit_message(content=f"count {self.count}", view=self)

    @discord.ui.button(label="Form", custom_id="counter:form")
    async def form(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(Form())

    @discord.ui.select(custom_id="counter:pick", placeholder="Colour",
                       options=[discord.SelectOption(label=x, value=x.lower()) for x in ("Red", "Blue")])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}", ephemeral=True)

    @discord.ui.select(custom_id="counter:size", placeholder="Size",
                       options=[discord.SelectOption(label=x) for x in ("Small", "Large", "Red")])
    async def size(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"size {select.values[0]}", ephemeral=True)


grp = app_commands.Group(name="grp", description="A group")
sub = app_commands.Group(name="inner", description="A subgroup", parent=grp)


@sub.command(name="do", description="Nested command")
async def inner_do(interaction: discord.Interaction, name: str, times: int = 1,
                   who: discord.Member | None = None, where: discord.TextChannel | None = None,
                   flag: bool = False) -> None:
    parts = [name * times, str(flag)]
    if who:
        parts.append(who.name)
    if where:
        parts.append(where.name)
    await interaction.response.send_message(" ".join(parts))


def build(intents: discord.Intents | None = None) -> commands.Bot:
    bot = commands.Bot(command_prefix="!", intents=intents or discord.Intents.default(),
                       allowed_mentions=discord.AllowedMentions.none())
    tree = bot.tree
    tree.add_command(grp)

    @tree.command(description="Answers pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @tree.command(description="Too long on purpose")
    async def toolong(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("x" * 2001)

    @tree.command(description="Defers then answers")
    async def slow(interaction: discord.Interaction, ephemeral: bool = False) -> None:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        await interaction.followup.send("done slowly")
        await interaction.followup.send("and a second followup", ephemeral=True)

    @tree.command(description="A counter with buttons")
    async def counter(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("count 0", view=Counter())

    @tree.command(description="Search with autocomplete")
    async def find(interaction: discord.Interaction, query: str) -> None:
        await interaction.response.send_message(f"found {query}", ephemeral=True,
                                                file=discord.File(io.BytesIO(SOURCE), filename="found.txt"))

    @find.autocomplete("query")
    async def find_auto(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        words = ["visa", "vista", "usmle", "match"]
        return [app_commands.Choice(name=w, value=w) for w in words if w.startswith(current)]

    @tree.command(description="Reads the attached file")
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(
            f"{file.filename} {file.size} {file.content_type} {data.decode()}", ephemeral=True)

    @tree.command(description="Writes everywhere")
    async def write(interaction: discord.Interaction, channel: discord.TextChannel,
                    forum: discord.ForumChannel) -> None:
        await interaction.response.defer(ephemeral=True)
        msg = await channel.send(f"hello <@{interaction.user.id}>", nonce=42)
        again = await channel.send(f"hello <@{interaction.user.id}>", nonce=42)
        thread = await msg.create_thread(name="talk")
        await thread.add_user(interaction.user)
        await thread.send("in thread")
        await msg.pin()
        tag = forum.available_tags[0]
        post = await forum.create_thread(name="a post", content="post body", applied_tags=[tag])
        await thread.edit(archived=True, locked=True)
        start = datetime.now(UTC) + timedelta(days=1)
        event = await interaction.guild.create_scheduled_event(
            name="Study", start_time=start, end_time=start + timedelta(hours=1),
            entity_type=discord.EntityType.external, location="Online",
            privacy_level=discord.PrivacyLevel.guild_only)
        dm = await interaction.user.send("a DM")
        await interaction.followup.send(
            f"{msg.id == again.id} {post.thread.id} {event.id} {dm.channel.id}", ephemeral=True)

    return bot
