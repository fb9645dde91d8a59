"""`/settings`: moderators view and set the channels, roles and switches each capability uses."""

from __future__ import annotations

from collections import defaultdict

import discord
from discord import app_commands

from bot.checks import moderator_only
from bot.guild_facts import guild_facts
from bot.paging import Pages, send_pages
from bot.services.guild_settings import SETTING_SPECS, GuildConfig, SettingKind
from bot.services.health import Finding, check_guild, problems
from bot.ui import pack_lines, send_ephemeral
from cogs._base import FmgCog, guild_group

LEVEL_MARKS = {"ok": "✅", "info": "🔹", "warning": "⚠️", "error": "❌"}


def _choices(kind: SettingKind | None = None) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=spec.label, value=key)
        for key, spec in SETTING_SPECS.items()
        if kind is None or spec.kind == kind
    ]


def _render(value: int | bool | None, kind: SettingKind) -> str:
    if value is None:
        return "*not set*"
    if kind == "channel":
        return f"<#{value}>"
    if kind == "role":
        return f"<@&{value}>"
    if kind == "bool":
        return "on" if value else "off"
    return str(value)


def settings_embed(config: GuildConfig, findings: list[Finding] | None = None) -> discord.Embed:
    embed = discord.Embed(title="Server settings", colour=discord.Colour.blurple())
    by_capability: dict[str, list[str]] = defaultdict(list)
    for key, spec in SETTING_SPECS.items():
        by_capability[spec.capability].append(
            f"**{spec.label}**: {_render(config.get(key), spec.kind)}\n-# {spec.help}"
        )
    for capability, lines in by_capability.items():
        embed.add_field(name=capability, value="\n".join(lines), inline=False)
    if findings is not None:
        todo = problems(findings)
        embed.set_footer(
            text=f"{len(todo)} thing(s) still to fix: run /settings check for how."
            if todo else "Everything checks out (/settings check for details)."
        )
    return embed


def _finding_text(finding: Finding) -> str:
    text = f"{LEVEL_MARKS[finding.level]} **{finding.subject}**: {finding.message}"
    return f"{text}\n-# Fix: {finding.fix}" if finding.fix and finding.is_problem else text


def check_pages(findings: list[Finding]) -> Pages[str]:
    """The `/settings check` report: problems first, split into pages Discord accepts."""
    order = {"error": 0, "warning": 1, "info": 2, "ok": 3}
    pages = pack_lines(_finding_text(f) for f in sorted(findings, key=lambda f: order[f.level]))
    todo = len(problems(findings))
    title = f"Setup check: {todo} thing(s) to fix" if todo else "Setup check: all good"
    colour = discord.Colour.orange() if todo else discord.Colour.green()
    return Pages(pages or ["Nothing to check."],
                 lambda texts: discord.Embed(title=title, description=texts[0], colour=colour))




class SettingsCog(FmgCog, name="Server settings"):
    """Channels, roles and switches for each capability."""

    settings = guild_group("settings", "Server settings (moderators)",
                           default_permissions=discord.Permissions(manage_guild=True))

    async def _save(
        self, interaction: discord.Interaction, key: str, value: int | bool | None
    ) -> None:
        service = self.bot.services.guild_settings
        assert interaction.guild_id is not None
        if value is None:
            config = await service.clear(interaction.guild_id, key)
        else:
            config = await service.set(interaction.guild_id, key, value)
        spec = SETTING_SPECS[key]
        todo = problems(self._findings(interaction, config))
        hint = f"\n-# Still to fix: {len(todo)} thing(s); /settings check says how." if todo else ""
        await send_ephemeral(
            interaction,
            f"**{spec.label}** is now {_render(config.get(key), spec.kind)}.{hint}",
        )

    def _findings(self, interaction: discord.Interaction, config: GuildConfig) -> list[Finding]:
        assert interaction.guild is not None
        return check_guild(guild_facts(interaction.guild), config)

    @settings.command(name="view", description="Show every setting and its current value")
    @moderator_only()
    async def view(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.services.guild_settings.get(interaction.guild_id)
        await send_ephemeral(interaction, embed=settings_embed(config, self._findings(interaction, config)))

    @settings.command(
        name="check", description="Check channels, roles and the bot's permissions; say what to fix"
    )
    @moderator_only()
    async def check(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.services.guild_settings.get(interaction.guild_id)
        await send_pages(interaction, check_pages(self._findings(interaction, config)))

    @settings.command(name="channel", description="Choose the channel a capability uses")
    @app_commands.describe(setting="Which channel setting", channel="The channel to use")
    @app_commands.choices(setting=_choices("channel"))
    @moderator_only()
    async def channel(
        self,
        interaction: discord.Interaction,
        setting: app_commands.Choice[str],
        channel: discord.TextChannel | discord.ForumChannel,
    ) -> None:
        await self._save(interaction, setting.value, channel.id)

    @settings.command(name="role", description="Choose the role a capability uses")
    @app_commands.describe(setting="Which role setting", role="The role to use")
    @app_commands.choices(setting=_choices("role"))
    @moderator_only()
    async def role(
        self, interaction: discord.Interaction, setting: app_commands.Choice[str], role: discord.Role
    ) -> None:
        await self._save(interaction, setting.value, role.id)

    @settings.command(name="clear", description="Unset a setting")
    @app_commands.describe(setting="The setting to unset")
    @app_commands.choices(setting=_choices())
    @moderator_only()
    async def clear(self, interaction: discord.Interaction, setting: app_commands.Choice[str]) -> None:
        await self._save(interaction, setting.value, None)

    # `/settings switch` and `/settings number` exist only once a capability declares such keys.
    if _choices("bool"):

        @settings.command(name="switch", description="Turn a capability's option on or off")
        @app_commands.describe(setting="Which option", enabled="On or off")
        @app_commands.choices(setting=_choices("bool"))
        @moderator_only()
        async def switch(
            self, interaction: discord.Interaction, setting: app_commands.Choice[str], enabled: bool
        ) -> None:
            await self._save(interaction, setting.value, enabled)

    if _choices("int"):

        @settings.command(name="number", description="Set a capability's numeric option")
        @app_commands.describe(setting="Which option", value="A whole number above zero")
        @app_commands.choices(setting=_choices("int"))
        @moderator_only()
        async def number(
            self,
            interaction: discord.Interaction,
            setting: app_commands.Choice[str],
            value: app_commands.Range[int, 1, 1_000_000],
        ) -> None:
            await self._save(interaction, setting.value, value)
