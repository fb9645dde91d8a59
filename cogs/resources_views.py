"""Embeds, the suggestion modal and the persistent review buttons of `cogs/resources.py`.

Approve/Reject are `DynamicItem`s whose custom id carries the suggestion id, so a moderator can
review a suggestion posted days ago, after any number of restarts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.checks import is_moderator
from bot.errors import Forbidden
from bot.paging import Pages
from bot.services.links import link_warning, shown_link
from bot.services.resources import CATEGORIES, LinkCheck, Resource, SearchResults, Suggestion
from bot.services.text import md, sanitize, sanitize_line
from bot.ui import FmgModal, bot_of, persistent_view, run_safely, send_ephemeral

if TYPE_CHECKING:
    pass

NO_MENTIONS = discord.AllowedMentions.none()
COLOUR = discord.Colour.dark_teal()
PER_PAGE = 5
SNIPPET = 220


def _link(resource: Resource | Suggestion) -> str:
    # Markdown links end at ")": encode the few characters that would break one.
    url = resource.url.replace("(", "%28").replace(")", "%29")
    return f"[{md(resource.title)}]({url})"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link_note(link: LinkCheck | None) -> str | None:
    """What members should know about a link's latest check (nothing when it is fine)."""
    if link is None:
        return None
    when = f"<t:{int(link.checked_at.timestamp())}:D>"
    if link.status == "dead":
        return f"⚠️ This link looked broken when checked on {when} ({link.detail})."
    if link.changed:
        return f"⚠️ The page changed since it was verified (checked {when})."
    return None


def resource_block(resource: Resource, now: datetime, link: LinkCheck | None = None) -> str:
    """One resource as a few lines: link, category, source tier and freshness, what its latest
    link check found, description."""
    tier = "Official source" if resource.tier == "official" else "Community resource"
    verified = int(resource.last_verified.timestamp())
    fresh = f"verified <t:{verified}:D>"
    if resource.is_stale(now):
        fresh += " ⚠️ over a year ago"
    lines = [f"**{_link(resource)}**", f"-# {resource.category_label} · {tier} · {fresh}"]
    if (note := link_note(link)) is not None:
        lines.append(note)
    if resource.description:
        lines.append(_shorten(sanitize(resource.description), SNIPPET))
    return "\n".join(lines)


def resource_pages(
    title: str, resources: Sequence[Resource], now: datetime, *, header: str = "", empty: str,
    links: Mapping[str, LinkCheck] | None = None,
) -> Pages[Resource]:
    """PER_PAGE resources a page, each page under the same title and header (``links``: the
    latest link checks, to flag broken or changed pages)."""
    checks = links or {}

    def render(chunk: Sequence[Resource]) -> discord.Embed:
        body = "\n\n".join(resource_block(r, now, checks.get(r.url)) for r in chunk) or empty
        description = f"{header}\n\n{body}" if header else body
        return discord.Embed(title=_shorten(title, 256), description=description, colour=COLOUR)

    return Pages(resources, render, PER_PAGE)


def search_pages(results: SearchResults, now: datetime) -> Pages[Resource]:
    notes = []
    if results.corrected_query:
        notes.append(f"Showing results for *{discord.utils.escape_markdown(results.corrected_query)}*.")
    if results.did_you_mean:
        notes.append(f"Did you mean **{discord.utils.escape_markdown(results.did_you_mean)}**?")
    shown = _shorten(" ".join(results.query.split()), 80)
    return resource_pages(
        f"Resources for “{shown}”",
        [h.resource for h in results.hits],
        now,
        header="\n".join(notes),
        empty="No resources found. Try other words, or `/resources browse`.",
        links={h.resource.url: h.link for h in results.hits if h.link is not None},
    )


def suggestion_embed(suggestion: Suggestion, *, outcome: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=_shorten(f"Suggestion #{suggestion.id}: {sanitize_line(suggestion.title)}", 256),
        url=suggestion.url,
        description=_shorten(sanitize(suggestion.reason), 1000) or "*No reason given.*",
        colour=COLOUR if outcome is None else discord.Colour.greyple(),
    )
    embed.add_field(name="Link", value=_shorten(shown_link(suggestion.url), 1024), inline=False)
    warning = link_warning(suggestion.url)
    if warning:
        embed.add_field(name="Check the link", value=warning, inline=False)
    embed.add_field(name="Category", value=CATEGORIES.get(suggestion.category, suggestion.category))
    embed.add_field(name="Suggested by", value=f"<@{suggestion.user_id}>")
    embed.add_field(name="When", value=f"<t:{int(suggestion.created_at.timestamp())}:R>")
    if outcome:
        embed.add_field(name="Outcome", value=outcome, inline=False)
    return embed


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"fmg:res:(?P<action>approve|reject):(?P<id>\d+)",
):
    """Approve or Reject one suggestion (moderators only; all state is in the database)."""

    def __init__(self, action: str, suggestion_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Approve" if action == "approve" else "Reject",
                custom_id=f"fmg:res:{action}:{suggestion_id}",
                style=discord.ButtonStyle.success if action == "approve" else discord.ButtonStyle.danger,
            )
        )
        self.action = action
        self.suggestion_id = suggestion_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> ReviewButton:
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._review(interaction))

    async def _review(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None or not await is_moderator(interaction):
            raise Forbidden("Only moderators can review suggestions.")
        queue = bot_of(interaction).services.resources.suggestions
        guild_id, moderator = interaction.guild_id, interaction.user.id
        if self.action == "approve":
            resource = await queue.approve(self.suggestion_id, guild_id=guild_id, moderator_id=moderator)
            outcome = f"Approved by <@{moderator}>: now in this server's library as {_link(resource)}."
        else:
            await queue.reject(self.suggestion_id, guild_id=guild_id, moderator_id=moderator)
            outcome = f"Rejected by <@{moderator}>."
        suggestion = await queue.get(self.suggestion_id, guild_id)
        await interaction.response.edit_message(
            embed=suggestion_embed(suggestion, outcome=outcome), view=None, allowed_mentions=NO_MENTIONS
        )


def review_view(suggestion_id: int) -> discord.ui.View:
    return persistent_view(ReviewButton("approve", suggestion_id), ReviewButton("reject", suggestion_id))


def moved_block(resource: Resource, link: LinkCheck) -> str:
    """A proposed edit: the entry's link permanently redirects elsewhere."""
    new = (link.moved_to or "").replace("(", "%28").replace(")", "%29")
    return (f"**{_link(resource)}** now redirects permanently to <{new}> "
            f"(checked <t:{int(link.checked_at.timestamp())}:D>).")


class MoveButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"fmg:res:move:(?P<id>\d+)",
):
    """Accept a proposed link edit: the entry takes the link its old one redirects to, on this
    server (moderators only; the proposal is re-read from the database)."""

    def __init__(self, resource_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Use the new link", custom_id=f"fmg:res:move:{resource_id}",
                              style=discord.ButtonStyle.primary)
        )
        self.resource_id = resource_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> MoveButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await run_safely(interaction, self._apply(interaction))

    async def _apply(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None or not await is_moderator(interaction):
            raise Forbidden("Only moderators can change resources.")
        updated = await bot_of(interaction).services.resources.links.apply_move(
            self.resource_id, guild_id=interaction.guild_id
        )
        await interaction.response.edit_message(
            content=f"Link updated by <@{interaction.user.id}>: {_link(updated)}.", view=None,
            allowed_mentions=NO_MENTIONS,
        )


class SuggestModal(FmgModal, title="Suggest a resource"):
    link_title: discord.ui.TextInput = discord.ui.TextInput(
        label="Title", placeholder="e.g. ECFMG Pathways FAQ", max_length=200
    )
    url: discord.ui.TextInput = discord.ui.TextInput(
        label="Link (https)", placeholder="https://...", max_length=512
    )
    reason: discord.ui.TextInput = discord.ui.TextInput(
        label="Why is it useful for FMGs?",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=500,
    )

    def __init__(self, category: str) -> None:
        super().__init__()
        self.category = category

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        suggestion = await bot_of(interaction).services.resources.suggestions.suggest(
            guild_id=interaction.guild_id,
            user_id=interaction.user.id,
            title=self.link_title.value,
            url=self.url.value,
            reason=self.reason.value,
            category=self.category,
            channel_id=interaction.channel_id,
        )
        await send_ephemeral(
            interaction,
            f"Thanks! **{md(suggestion.title)}** is waiting for a "
            "moderator's review (`/resources review`).",
        )
