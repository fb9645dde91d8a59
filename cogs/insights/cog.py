"""`/stats`: a thin adapter over `bot.services.insights`.

One private reply per topic: the chart as a PNG attachment (rendered off the event loop) and
the same figures as text in an embed under it, for screen readers and image-off mode. Member
text in the figures (group names, topic tags, search text) goes through the sanitiser.
"""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands

from bot.checks import moderator_only
from bot.services.insights import TOPICS, lines
from bot.services.insights.charts import chart
from bot.services.text import md
from bot.ui import EMBED_DESCRIPTION_LIMIT, pack_lines
from cogs._base import FmgCog

NO_MENTIONS = discord.AllowedMentions.none()
PERIOD_CHOICES = [
    app_commands.Choice(name="Last 7 days", value=7),
    app_commands.Choice(name="Last 30 days", value=30),
    app_commands.Choice(name="Last 90 days", value=90),
    app_commands.Choice(name="All time", value=0),
]
TOPIC_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in TOPICS.items()]
ALT_TEXT_MAX = 1024  # an attachment's description (alt text)


def figures_embed(title: str, text_lines: list[str]) -> discord.Embed:
    """The figures as text; more than an embed holds is cut at a line, and says so."""
    pages = pack_lines(text_lines, limit=EMBED_DESCRIPTION_LIMIT - 40)
    more = "\n…(more in `fmg-bot stats`)" if len(pages) > 1 else ""
    return discord.Embed(title=title, description=pages[0] + more, colour=discord.Colour.teal())


class InsightsCog(FmgCog, name="Insights"):
    """Whether the community works: charts and figures for moderators."""

    @app_commands.command(name="stats", description="Charts and figures on mentoring, study "
                          "groups, questions and searches (moderators)")
    @app_commands.guild_only()
    @app_commands.describe(period="Which days to count", topic="One topic (default: all four)")
    @app_commands.choices(period=PERIOD_CHOICES)
    @app_commands.choices(topic=TOPIC_CHOICES)
    @moderator_only()
    async def stats(self, interaction: discord.Interaction, period: app_commands.Choice[int],
                    topic: app_commands.Choice[str] | None = None) -> None:
        assert interaction.guild_id is not None  # guild_only
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = self.bot.services.insights
        window = service.period(period.value or None)
        for key in [topic.value] if topic else list(TOPICS):
            figures = await service.topic(key, interaction.guild_id, window)
            png = await asyncio.to_thread(chart, figures)  # ~100 ms of matplotlib
            text_lines = lines(figures, clean=md)
            name = f"stats-{key}.png"
            alt = f"Chart: {TOPICS[key]}, {window.label}. {text_lines[0]}"[:ALT_TEXT_MAX]
            await interaction.followup.send(
                embed=figures_embed(f"{TOPICS[key]} · {window.label}", text_lines),
                file=discord.File(io.BytesIO(png), name, description=alt),
                ephemeral=True, allowed_mentions=NO_MENTIONS,
            )
