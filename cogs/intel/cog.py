"""`/intel`: a thin adapter over `bot.services.intel`. It parses options, checks moderator
rights (server-side, `moderator_only`), opens the report form and renders aggregates."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.checks import moderator_only
from bot.services.intel import Answers, IntelService, MyReport, cycle_of
from bot.services.text import md
from bot.ui import bot_of, send_ephemeral
from cogs._base import FmgCog, guild_group
from cogs.intel.views import (
    ReportForm,
    choice_name,
    joined_at,
    program_embed,
    search_embed,
)

YES_NO = [app_commands.Choice(name="yes", value="yes"), app_commands.Choice(name="no", value="no")]


def _service(interaction: discord.Interaction) -> IntelService:
    return bot_of(interaction).services.intel


def _guild(interaction: discord.Interaction) -> int:
    assert interaction.guild_id is not None  # every command here is guild_only
    return interaction.guild_id


async def program_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    programs = await _service(interaction).programs.search(current)
    return [app_commands.Choice(name=choice_name(p), value=p.program_id) for p in programs]


async def specialty_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    wanted = current.strip().lower()
    found = [s for s in await _service(interaction).programs.specialties() if wanted in s.lower()]
    return [app_commands.Choice(name=s, value=s) for s in found[:25]]  # at most 100 chars each


class IntelCog(FmgCog, name="Program intel"):
    """Program intel: what members saw of programs this cycle, shown once enough agree."""

    intel = guild_group("intel", "Program intel: what members saw of residency programs")

    async def prepare(self) -> None:
        await self.bot.services.intel.start()

    @intel.command(name="report", description="Report what you saw of a program this cycle "
                   "(fixed choices; pseudonymous)")
    @app_commands.describe(program="The program: type its name, city or ACGME id")
    @app_commands.autocomplete(program=program_autocomplete)
    async def report(self, interaction: discord.Interaction, program: str) -> None:
        service = _service(interaction)
        guild_id = _guild(interaction)
        found = await service.programs.get(program)
        await service.reports.check_may_report(guild_id, joined_at(interaction))
        current = await service.reports.mine(interaction.user.id, found)

        async def submit(clicked: discord.Interaction, answers: Answers) -> MyReport:
            return await service.reports.submit(guild_id, clicked.user.id, found, answers,
                                                joined_at(clicked))

        form = ReportForm(interaction.user.id, found, cycle_of(self.bot.clock.now()),
                          await service.aggregates.min_reporters(guild_id), current, submit)
        await send_ephemeral(interaction, form.content, view=form)

    @intel.command(name="withdraw", description="Remove your report on a program for this cycle")
    @app_commands.describe(program="The program you reported on")
    @app_commands.autocomplete(program=program_autocomplete)
    async def withdraw(self, interaction: discord.Interaction, program: str) -> None:
        service = _service(interaction)
        found = await service.programs.get(program)
        gone = await service.reports.withdraw(interaction.user.id, found)
        await send_ephemeral(
            interaction,
            f"Removed your report on **{md(found.name)}** for this cycle." if gone
            else f"You have no report on **{md(found.name)}** for this cycle.",
        )

    @intel.command(name="program", description="What members of this server saw of a program")
    @app_commands.describe(program="The program: type its name, city or ACGME id")
    @app_commands.autocomplete(program=program_autocomplete)
    async def program(self, interaction: discord.Interaction, program: str) -> None:
        service = _service(interaction)
        found = await service.programs.get(program)
        intel = await service.aggregates.program(_guild(interaction), found)
        await send_ephemeral(interaction, embed=program_embed(intel))

    @intel.command(name="search", description="Find programs by what members reported this cycle")
    @app_commands.describe(
        j1="Sponsored J-1 this cycle", h1b="Sponsored H-1B this cycle",
        non_us_img="Interviewed non-US IMGs", specialty="The program's specialty",
        state="Two-letter state, e.g. NY",
    )
    @app_commands.choices(j1=YES_NO, h1b=YES_NO, non_us_img=YES_NO)
    @app_commands.autocomplete(specialty=specialty_autocomplete)
    async def search(self, interaction: discord.Interaction,
                     j1: app_commands.Choice[str] | None = None,
                     h1b: app_commands.Choice[str] | None = None,
                     non_us_img: app_commands.Choice[str] | None = None,
                     specialty: str | None = None,
                     state: app_commands.Range[str, 2, 2] | None = None) -> None:
        wants = {key: choice.value for key, choice in
                 (("j1", j1), ("h1b", h1b), ("non_us_img", non_us_img)) if choice is not None}
        result = await _service(interaction).aggregates.search(
            _guild(interaction), wants=wants, specialty=specialty, state=state,
        )
        labels = {"j1": "J-1", "h1b": "H-1B", "non_us_img": "interviewed non-US IMGs"}
        filters = ", ".join([f"{labels[k]}: {v}" for k, v in wants.items()]
                            + [x for x in (specialty, state and state.upper()) if x])
        await send_ephemeral(interaction, embed=search_embed(result, filters))

    @intel.command(name="void", description="Void this server's reports on a program for a "
                   "cycle (moderators)")
    @app_commands.describe(program="The program", cycle="The Match cycle (default: this one)")
    @app_commands.autocomplete(program=program_autocomplete)
    @moderator_only()
    async def void(self, interaction: discord.Interaction, program: str,
                   cycle: app_commands.Range[int, 2000, 2100] | None = None) -> None:
        service = _service(interaction)
        found = await service.programs.get(program)
        voided = await service.reports.void(_guild(interaction), found, cycle)
        await send_ephemeral(
            interaction,
            f"Voided this server's reports on **{md(found.name)}** for the {voided} cycle. "
            "Members may report again.",
        )
