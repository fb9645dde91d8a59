"""`/settings`: moderators view and set the channels, roles and switches each capability uses."""

from __future__ import annotations

from collections import defaultdict

import discord
from discord import app_commands

from bot.app import FmgBot
from bot.checks import moderator_only
from bot.guild_facts import guild_facts
from bot.paging import Pages, send_pages
from bot.services.guild_settings import SETTING_SPECS, GuildConfig, SettingKind
from bot.services.health import Finding, check_guild, problems
from bot.ui import pack_lines, send_ephemeral
from cogs._base import FmgCog

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


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SettingsGroup(app_commands.Group, name="settings", description="Server settings (moderators)"):
    def __init__(self, bot: FmgBot) -> None:
        super().__init__()
        self.bot = bot

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

    @app_commands.command(name="view", description="Show every setting and its current value")
    @moderator_only()
    async def view(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.services.guild_settings.get(interaction.guild_id)
        await send_ephemeral(interaction, embed=settings_embed(config, self._findings(interaction, config)))

    @app_commands.command(
        name="check", description="Check channels, roles and the bot's permissions; say what to fix"
    )
    @moderator_only()
    async def check(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.services.guild_settings.get(interaction.guild_id)
        await send_pages(interaction, check_pages(self._findings(interaction, config)))

    @app_commands.command(name="channel", description="Choose the channel a capability uses")
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

    @app_commands.command(name="role", description="Choose the role a capability uses")
    @app_commands.describe(setting="Which role setting", role="The role to use")
    @app_commands.choices(setting=_choices("role"))
    @moderator_only()
    async def role(
        self, interaction: discord.Interaction, setting: app_commands.Choice[str], role: discord.Role
    ) -> None:
        await self._save(interaction, setting.value, role.id)

    @app_commands.command(name="clear", description="Unset a setting")
    @app_commands.describe(setting="The setting to unset")
    @app_commands.choices(setting=_choices())
    @moderator_only()
    async def clear(self, interaction: discord.Interaction, setting: app_commands.Choice[str]) -> None:
        await self._save(interaction, setting.value, None)


def _add_switch_commands(group: SettingsGroup) -> None:
    """`/settings switch` and `/settings number` exist only once a capability declares such keys."""
    if _choices("bool"):

        @app_commands.command(name="switch", description="Turn a capability's option on or off")
        @app_commands.describe(setting="Which option", enabled="On or off")
        @app_commands.choices(setting=_choices("bool"))
        @moderator_only()
        async def switch(
            interaction: discord.Interaction, setting: app_commands.Choice[str], enabled: bool
        ) -> None:
            await group._save(interaction, setting.value, enabled)

        group.add_command(switch)
    if _choices("int"):

        @app_commands.command(name="number", description="Set a capability's numeric option")
        @app_commands.describe(setting="Which option", value="A whole number above zero")
        @app_commands.choices(setting=_choices("int"))
        @moderator_only()
        async def number(
            interaction: discord.Interaction,
            setting: app_commands.Choice[str],
            value: app_commands.Range[int, 1, 1_000_000],
        ) -> None:
            await group._save(interaction, setting.value, value)

        group.add_command(number)


class SettingsCog(FmgCog, name="Server settings"):
    """Channels, roles and switches for each capability."""

    def __init__(self, bot: FmgBot) -> None:
        super().__init__(bot)
        self.group = SettingsGroup(bot)
        _add_switch_commands(self.group)

    async def cog_load(self) -> None:
        await super().cog_load()
        self.bot.tree.add_command(self.group)

    async def cog_unload(self) -> None:
        await super().cog_unload()
        self.bot.tree.remove_command(self.group.name)

