"""`/resources`: search the curated FMG library, browse it, suggest links, bookmark them;
moderators review suggestions, edit, remove and re-verify entries. All logic lives in
`bot/services/resources`; this module parses options and renders replies."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.checks import moderator_only
from bot.paging import send_pages
from bot.scheduler import DueWorkSource
from bot.services.resources import CATEGORIES, TIERS, Resource, WeeklyLinkCheck
from bot.ui import bot_of, persistent_view, send_ephemeral
from cogs._base import FmgCog, guild_group
from cogs.resources.views import (
    NO_MENTIONS,
    MoveButton,
    ReviewButton,
    SuggestModal,
    moved_block,
    resource_block,
    resource_pages,
    review_view,
    search_pages,
    suggestion_embed,
)

SEARCH_RESULTS = 25
REVIEW_BATCH = 5
GAPS_SHOWN = 15
GAP_CHARS = 60
LINK_CHECK = "resource-link-check"  # the weekly timer (RESOURCES_LINK_CHECK=on)
CATEGORY_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in CATEGORIES.items()]
TIER_CHOICES = [app_commands.Choice(name=t.title(), value=t) for t in TIERS]


async def query_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Top matches while typing (as this server sees the library); picking one searches for
    its title."""
    found = await bot_of(interaction).services.resources.autocomplete(
        current, guild_id=interaction.guild_id, limit=25
    )
    return [app_commands.Choice(name=r.title[:100], value=r.title[:100]) for r in found]


async def resource_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Pick one resource: the choice's value is its id."""
    found = await bot_of(interaction).services.resources.autocomplete(
        current, guild_id=interaction.guild_id, limit=25
    )
    return [app_commands.Choice(name=r.title[:100], value=str(r.id)) for r in found]


class ResourcesCog(FmgCog, name="Resource library"):
    """A curated catalog of official FMG resources with search that understands shorthand."""

    resources = guild_group("resources", "The FMG resource library")
    dynamic_items = (ReviewButton, MoveButton)

    def timers(self) -> dict[str, DueWorkSource]:
        # One process checks the links (every server's), the one holding shard 0.
        settings = self.bot.settings
        if not settings.resources_link_check or not settings.shards.global_work:
            return {}
        return {LINK_CHECK: WeeklyLinkCheck(self.bot.services.resources.links, self.bot.clock)}

    async def prepare(self) -> None:
        await self.bot.services.resources.start()

    @property
    def service(self):
        return self.bot.services.resources

    async def _pick(self, interaction: discord.Interaction, value: str) -> int:
        return await self.service.pick(value, guild_id=interaction.guild_id)

    # -- members ----------------------------------------------------------------------------
    @resources.command(
        name="search", description="Find official pages and guides (USMLE, ECFMG, ERAS, visas...)"
    )
    @app_commands.describe(query="What you are looking for, e.g. j1 waiver, ecfmg cert, step2ck")
    @app_commands.autocomplete(query=query_autocomplete)
    async def search(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]) -> None:
        results = await self.service.search(query, guild_id=interaction.guild_id, limit=SEARCH_RESULTS)
        await send_pages(interaction, search_pages(results, self.bot.clock.now()))
        # Counted after the answer: the write (a transaction) is not the member's wait.
        if interaction.guild_id is not None:
            await self.service.gaps.note(query, guild_id=interaction.guild_id,
                                         found=bool(results.hits))

    @resources.command(name="browse", description="List the resources of one category")
    @app_commands.describe(category="The category to list")
    @app_commands.choices(category=CATEGORY_CHOICES)
    async def browse(self, interaction: discord.Interaction, category: app_commands.Choice[str]) -> None:
        found = await self.service.browse(category.value, guild_id=interaction.guild_id)
        pages = resource_pages(category.name, found, self.bot.clock.now(), empty="Nothing here yet.",
                               links=await self.service.links.latest())
        await send_pages(interaction, pages)

    @resources.command(name="suggest", description="Suggest a link for the library (moderators review it)")
    @app_commands.describe(category="Where it belongs (default: community and forums)")
    @app_commands.choices(category=CATEGORY_CHOICES)
    async def suggest(
        self, interaction: discord.Interaction, category: app_commands.Choice[str] | None = None
    ) -> None:
        await interaction.response.send_modal(SuggestModal(category.value if category else "community"))

    @resources.command(name="save", description="Bookmark a resource")
    @app_commands.describe(resource="Start typing its name")
    @app_commands.autocomplete(resource=resource_autocomplete)
    async def save(self, interaction: discord.Interaction, resource: str) -> None:
        saved = await self.service.bookmarks.save(
            interaction.user.id, await self._pick(interaction, resource),
            guild_id=interaction.guild_id
        )
        await send_ephemeral(interaction, f"Saved. See your bookmarks with `/resources saved`.\n\n"
                             f"{resource_block(saved, self.bot.clock.now())}")

    @resources.command(name="unsave", description="Remove a bookmark")
    @app_commands.describe(resource="Start typing its name")
    @app_commands.autocomplete(resource=resource_autocomplete)
    async def unsave(self, interaction: discord.Interaction, resource: str) -> None:
        await self.service.bookmarks.unsave(interaction.user.id,
                                            await self._pick(interaction, resource))
        await send_ephemeral(interaction, "Removed from your saved resources.")

    @resources.command(name="saved", description="Your bookmarked resources")
    async def saved(self, interaction: discord.Interaction) -> None:
        found = await self.service.bookmarks.saved(interaction.user.id, guild_id=interaction.guild_id)
        pages = resource_pages(
            "Your saved resources", found, self.bot.clock.now(),
            empty="Nothing saved yet: use `/resources save`.", links=await self.service.links.latest(),
        )
        await send_pages(interaction, pages)

    # -- moderators -----------------------------------------------------------------------------
    @resources.command(name="review", description="Review members' suggestions (moderators)")
    @moderator_only()
    async def review(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        pending, total = await self.service.suggestions.pending(interaction.guild_id, limit=REVIEW_BATCH)
        moved = await self.service.links.moved(guild_id=interaction.guild_id)
        if not pending and not moved:
            await send_ephemeral(interaction, "No suggestions or proposed link edits are waiting.")
            return
        more = f" (the oldest {len(pending)} of {total})" if total > len(pending) else ""
        lines = [f"**{total}** suggestion(s) waiting{more}."]
        if moved:
            shown = f" (the first {REVIEW_BATCH})" if len(moved) > REVIEW_BATCH else ""
            lines.append(f"**{len(moved)}** link(s) moved permanently: proposed edits{shown}.")
        await send_ephemeral(interaction, "\n".join(lines))
        for suggestion in pending:
            await interaction.followup.send(
                embed=suggestion_embed(suggestion), view=review_view(suggestion.id),
                ephemeral=True, allowed_mentions=NO_MENTIONS,
            )
        for resource, link in moved[:REVIEW_BATCH]:
            await interaction.followup.send(
                moved_block(resource, link), view=persistent_view(MoveButton(resource.id)),
                ephemeral=True, allowed_mentions=NO_MENTIONS,
            )

    @resources.command(name="edit", description="Change a resource on this server (moderators)")
    @app_commands.describe(
        resource="Start typing its name",
        title="New title",
        url="New https link",
        category="New category",
        tier="Official source or community resource",
        tags="Search tags, comma separated (replaces the current ones)",
        description="New description",
        verified="Yes: you checked the link today (resets its freshness)",
    )
    @app_commands.autocomplete(resource=resource_autocomplete)
    @app_commands.choices(category=CATEGORY_CHOICES, tier=TIER_CHOICES)
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction,
        resource: str,
        title: app_commands.Range[str, 1, 200] | None = None,
        url: app_commands.Range[str, 1, 512] | None = None,
        category: app_commands.Choice[str] | None = None,
        tier: app_commands.Choice[str] | None = None,
        tags: app_commands.Range[str, 1, 600] | None = None,
        description: app_commands.Range[str, 1, 600] | None = None,
        verified: bool | None = None,
    ) -> None:
        changes = {
            "title": title,
            "url": url,
            "category": category.value if category else None,
            "tier": tier.value if tier else None,
            "tags": tags,
            "description": description,
            "verified": verified,
        }
        assert interaction.guild_id is not None
        updated = await self.service.edit(await self._pick(interaction, resource), changes,
                                          guild_id=interaction.guild_id)
        await send_ephemeral(interaction, f"Updated.\n\n{resource_block(updated, self.bot.clock.now())}")

    @resources.command(
        name="remove", description="Remove a resource from this server's library (moderators)"
    )
    @app_commands.describe(resource="Start typing its name")
    @app_commands.autocomplete(resource=resource_autocomplete)
    @moderator_only()
    async def remove(self, interaction: discord.Interaction, resource: str) -> None:
        assert interaction.guild_id is not None
        removed: Resource = await self.service.remove(await self._pick(interaction, resource),
                                                      guild_id=interaction.guild_id)
        await send_ephemeral(
            interaction,
            f"Removed **{discord.utils.escape_markdown(removed.title)}** from this server's library "
            "(other servers keep it; catalog reloads will not bring it back here).",
        )

    @resources.command(name="stale", description="Resources not verified for a year (moderators)")
    @moderator_only()
    async def stale(self, interaction: discord.Interaction) -> None:
        found = await self.service.stale(guild_id=interaction.guild_id)
        pages = resource_pages(
            f"Broken, changed or not verified for a year: {len(found)}", found, self.bot.clock.now(),
            header="Check each link, then `/resources edit verified:True` (or fix or remove it).",
            empty="Every link works and every resource was verified within the last year.",
            links=await self.service.links.latest(),
        )
        await send_pages(interaction, pages)

    @resources.command(name="gaps", description="What members searched for and found nothing (moderators)")
    @moderator_only()
    async def gaps(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        found = await self.service.gaps.top(guild_id=interaction.guild_id, limit=GAPS_SHOWN)
        if not found:
            await send_ephemeral(interaction, "No search on this server has come back empty.")
            return
        # At most GAPS_SHOWN lines of at most ~110 characters: one message (2000 characters).
        lines = [
            f"**{gap.searches} times** "
            f"{discord.utils.escape_markdown(discord.utils.escape_mentions(gap.query[:GAP_CHARS]))}"
            f" · last <t:{int(gap.last_at.timestamp())}:R>"
            for gap in found
        ]
        await send_ephemeral(
            interaction,
            "Searches that found nothing here, most asked first (consider `/resources suggest`):\n"
            + "\n".join(lines),
        )
