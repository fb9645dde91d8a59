"""The report form (drop-down menus only, in two steps: a message holds at most five rows) and
the rendering of what `/intel program` and `/intel search` show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import discord

from bot.services.intel import FIELD_BY_KEY, FIELDS, Answers, MyReport, Program, ProgramIntel, SearchResult
from bot.services.text import md
from bot.ui import Menu, OwnerView

NO_MENTIONS = discord.AllowedMentions.none()
UNKNOWN = "unknown"
#: Discord's limit on an autocomplete choice's name.
CHOICE_NAME = 100
#: An embed description holds 4096 characters: room for the lines and the "more" line.
DESCRIPTION_ROOM = 3900
PAGES: tuple[tuple[str, ...], ...] = (("j1", "h1b", "non_us_img", "yog"), ("step2", "invites"))
Submit = Callable[[discord.Interaction, Answers], Awaitable[MyReport]]


def program_line(program: Program) -> str:
    return f"{program.name} · {program.city}, {program.state} · {program.program_id}"


def choice_name(program: Program) -> str:
    """An autocomplete choice's name (Discord allows 100 characters): the name, shortened if
    need be, then where and the id, which stay whole."""
    tail = f" · {program.city}, {program.state} · {program.program_id}"
    if len(program.name) + len(tail) <= CHOICE_NAME:
        return program.name + tail
    room = max(CHOICE_NAME - len(tail), 30)  # a very long city gives way to the name
    return (program.name[: room - 1] + "…" + tail)[:CHOICE_NAME]


def privacy_note(min_reporters: int) -> str:
    return (
        "Reports are **pseudonymous, not anonymous**. The bot keeps yours under a code computed "
        "from your Discord id, the program and the cycle with a secret key kept outside the "
        "database: someone with the database alone cannot tell it is yours, but the bot's "
        "operator, who also holds the key, could. Kept: your answers, the program, the cycle "
        "and this server (not your id, not when you reported). Nothing about a field shows "
        f"until {min_reporters} members reported it, and then only the most common answer. "
        "Change it by reporting again; remove it with `/intel withdraw`."
    )


class ReportForm(OwnerView):
    """Two steps of fixed choices, then Submit; "I don't know" leaves a field unsaid."""

    not_yours = "This form belongs to whoever opened it."

    def __init__(self, owner_id: int, program: Program, cycle: int, min_reporters: int,
                 current: Answers | None, submit: Submit) -> None:
        super().__init__(owner_id, timeout=900)
        self.program, self.cycle, self.min_reporters = program, cycle, min_reporters
        self.answers: Answers = dict(current) if current else {}
        self.editing = current is not None
        self._submit = submit
        self.page = 0
        self._build()

    @property
    def content(self) -> str:
        verb = "Change your report" if self.editing else "Report"
        return (f"**{verb} on {md(self.program.name)}** ({self.program.city}, "
                f"{self.program.state}) for the {self.cycle} Match cycle. Step {self.page + 1} "
                f"of {len(PAGES)}.\n{privacy_note(self.min_reporters)}")

    def _build(self) -> None:
        self.clear_items()
        keys = PAGES[self.page]
        for row, key in enumerate(keys):
            field = FIELD_BY_KEY[key]
            chosen = self.answers.get(key)
            options = [discord.SelectOption(label=f"{field.short}: {label}"[:100], value=value,
                                            default=value == chosen)
                       for value, label in field.answers.items()]
            options.append(discord.SelectOption(label=f"{field.short}: I don't know"[:100],
                                                value=UNKNOWN, default=key in self.answers
                                                and chosen is None))
            menu = Menu(placeholder=field.label, min_values=1, max_values=1, options=options,
                        row=row)
            menu.callback = self._store(key, menu)
            self.add_item(menu)
        row = len(keys)
        if self.page > 0:
            back = discord.ui.Button(label="Back", style=discord.ButtonStyle.secondary, row=row)
            back.callback = self._back
            self.add_item(back)
        if self.page < len(PAGES) - 1:
            later = discord.ui.Button(label="Next", style=discord.ButtonStyle.primary, row=row)
            later.callback = self._next
            self.add_item(later)
        else:
            send = discord.ui.Button(label="Submit", style=discord.ButtonStyle.success, row=row)
            send.callback = self._send
            self.add_item(send)

    def _store(self, key: str, menu: Menu):  # returns a callback typed as discord.py wants
        async def callback(interaction: discord.Interaction) -> None:
            value = menu.values[0]
            self.answers[key] = None if value == UNKNOWN else value
            await interaction.response.defer()
        return callback

    async def _turn(self, interaction: discord.Interaction, page: int) -> None:
        self.page = page
        self._build()
        await interaction.response.edit_message(content=self.content, view=self,
                                                allowed_mentions=NO_MENTIONS)

    async def _next(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, self.page + 1)

    async def _back(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, self.page - 1)

    async def _send(self, interaction: discord.Interaction) -> None:
        saved = await self._submit(interaction, self.answers)
        self.stop()
        await interaction.response.edit_message(content=saved_text(saved), view=None,
                                                allowed_mentions=NO_MENTIONS)


def saved_text(saved: MyReport) -> str:
    lines = [f"Saved your report on **{md(saved.program.name)}** for the {saved.cycle} cycle:"]
    for field in FIELDS:
        value = saved.answers.get(field.key)
        lines.append(f"- {field.label}: {field.answers[value] if value else 'not said'}")
    if saved.moved:
        lines.append("It counted in another server until now; it counts in this one now "
                     "(one report per member, program and cycle).")
    lines.append("Nothing about a field shows until enough members of this server reported it.")
    return "\n".join(lines)


def program_embed(intel: ProgramIntel) -> discord.Embed:
    program = intel.program
    embed = discord.Embed(
        title=program.name[:256],
        description=f"{md(program.specialty)} · {md(program.city)}, {program.state} · "
                    f"ACGME {program.program_id}\n**{intel.current.cycle} Match cycle**",
        colour=discord.Colour.blurple(),
    )
    for summary in intel.current.fields:
        embed.add_field(name=summary.field.label, value=summary.text(), inline=False)
    last = "\n".join(f"{s.field.label}: {s.text()}" for s in intel.previous.fields)
    embed.add_field(name=f"Last cycle ({intel.previous.cycle})", value=last[:1024], inline=False)
    embed.set_footer(text=f"A field shows once {intel.min_reporters} members of this server "
                          "reported it: the most common answer, never a count.")
    return embed


def search_embed(result: SearchResult, filters: str) -> discord.Embed:
    lines = [f"**{md(p.name)}** · {md(p.city)}, {p.state} · `{p.program_id}`"
             for p in result.programs]
    more = result.more
    while len("\n".join(lines)) > DESCRIPTION_ROOM:
        lines.pop()
        more += 1
    if more:
        lines.append(f"…and {more} more: add a filter to narrow it down.")
    embed = discord.Embed(
        title=f"Programs: {filters}"[:256],
        description="\n".join(lines) if lines else
        "No program matches yet. Programs whose reports are below the threshold never match.",
        colour=discord.Colour.blurple(),
    )
    embed.set_footer(text=f"{result.cycle} cycle · sponsorship filters use fields at least "
                          f"{result.min_reporters} members of this server reported.")
    return embed


def joined_at(interaction: discord.Interaction) -> datetime | None:
    user = interaction.user
    return user.joined_at if isinstance(user, discord.Member) else None
