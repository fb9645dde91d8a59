"""Helpers for the program-intel e2e tests: the sample programs loaded into the running bot,
members old enough to report, and the two-step report form filled in through the driver."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from localdiscord.driver import Driver, Reply
from localdiscord.harness import BotHarness
from localdiscord.seed import User

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "programs-sample.csv"
MONTEFIORE = "1403521287"
NORTON = "1405100437"
#: The field labels the form's menus use as placeholders.
PLACEHOLDERS = {"j1": "Sponsored J-1 this cycle", "h1b": "Sponsored H-1B this cycle",
                "non_us_img": "Interviewed non-US IMGs", "yog": "Year-of-graduation cutoff",
                "step2": "Step 2 CK of invitees", "invites": "Month of first invites"}
FIRST_PAGE = ("j1", "h1b", "non_us_img", "yog")


async def load_programs(e2e: BotHarness) -> None:
    assert e2e.bot is not None
    await e2e.bot.services.intel.programs.import_text(SAMPLE.read_text("utf-8"))


def add_members(e2e: BotHarness, *names: str) -> list[User]:
    assert e2e.world is not None
    made = []
    for name in names:
        user = e2e.server.add_user(name)
        e2e.server.add_member(e2e.world.guild_id, int(user["id"]))
        e2e.world.members[name] = User(int(user["id"]), name)
        made.append(e2e.world.members[name])
    return made


def age_members(clock: ManualClock, days: int = 8) -> None:
    """Everyone seeded so far has now been in the server ``days`` days (the default rule: 7)."""
    clock.advance(timedelta(days=days))


async def report(discord: Driver, user: User, program: str, **answers: str) -> Reply:
    """/intel report, pick each answer (by value) in its menu, Next, Submit: the reply."""
    form = await discord.invoke("intel report", user=user, program=program)
    assert form.ephemeral and "pseudonymous, not anonymous" in form.text, form.text
    for key in FIRST_PAGE:
        if key in answers:
            await discord.select(form, [answers[key]], placeholder=PLACEHOLDERS[key], user=user)
    await discord.click(form, label="Next", user=user)
    for key in ("step2", "invites"):
        if key in answers:
            await discord.select(form, [answers[key]], placeholder=PLACEHOLDERS[key], user=user)
    await discord.click(form, label="Submit", user=user)
    return form
