"""Program intel through the real bot on localdiscord: autocomplete, the two-step report form
(fixed choices, the pseudonymity statement), the k threshold in /intel program and
/intel search (nothing, not even a count, below it), editing, withdrawing, the account-age
rule, a moderator's void, the server's k setting, and one member in two servers."""

from __future__ import annotations

from bot.clock import ManualClock
from localdiscord.driver import Driver
from localdiscord.harness import BotHarness
from localdiscord.seed import Channel, User, World
from tests.e2e.intel_env import MONTEFIORE, NORTON, add_members, age_members, load_programs, report

NOT_ENOUGH = "not enough reports yet"


async def _fields(discord: Driver, user: User, program: str = MONTEFIORE) -> dict[str, str]:
    shown = await discord.invoke("intel program", user=user, program=program)
    assert shown.ephemeral and not shown.messages[0].pings_anyone
    return {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}


async def _found(discord: Driver, user: User, **filters: str) -> str:
    reply = await discord.invoke("intel search", user=user, options=dict(filters))
    return reply.embeds[0]["description"]


async def test_reports_show_only_from_k_members_and_hide_again(
    e2e: BotHarness, discord: Driver, clock: ManualClock, alice: User, bob: User, mira: User
) -> None:
    await load_programs(e2e)
    carol, dan, erin = add_members(e2e, "carol", "dan", "erin")
    age_members(clock)

    [choice] = await discord.autocomplete("intel report", "program", "bronx", user=alice)
    assert choice.value == MONTEFIORE and len(choice.name) <= 100
    assert choice.name.endswith("· Bronx, NY · 1403521287")  # a long name is shortened, not the id
    assert len(await discord.autocomplete("intel program", "program", "ny", user=alice)) == 5

    first = await report(discord, alice, MONTEFIORE, j1="yes", h1b="no", step2="240")
    assert "Saved your report" in first.text and "Step 2 CK of invitees: 240-249" in first.text
    for member in (bob, carol, dan):
        await report(discord, member, MONTEFIORE, j1="yes", step2="250")
    # Four members: nothing about any field, no count, and no search finds it.
    fields = await _fields(discord, erin)
    assert set(list(fields.values())[:6]) == {NOT_ENOUGH}
    assert "Last cycle (2025)" in fields
    assert "No program matches yet" in await _found(discord, erin, j1="yes")

    # Alice reporting again (an edit) is still one member: still hidden.
    again = await report(discord, alice, MONTEFIORE, j1="yes", step2="240")
    assert "Saved your report" in again.text
    assert (await _fields(discord, erin))["Sponsored J-1 this cycle"] == NOT_ENOUGH

    await report(discord, erin, MONTEFIORE, j1="no", step2="250")  # the fifth member
    fields = await _fields(discord, mira)
    assert fields["Sponsored J-1 this cycle"] == "Yes (5-9 reports)"
    assert fields["Step 2 CK of invitees"] == "Most reported: 250-259 (5-9 reports)"
    assert fields["Sponsored H-1B this cycle"] == NOT_ENOUGH  # one reporter of that field
    assert "Montefiore" in await _found(discord, mira, j1="yes", state="ny")
    assert "No program matches yet" in await _found(discord, mira, j1="no")
    assert "Montefiore" not in await _found(discord, mira, h1b="no")

    # The form remembers the member's answers; withdrawing drops the field below k again.
    form = await discord.invoke("intel report", user=erin, program=MONTEFIORE)
    assert "Change your report" in form.text
    j1_menu = next(m for m in form.messages[0].selects if m["placeholder"] == "Sponsored J-1 this cycle")
    assert [o["value"] for o in j1_menu["options"] if o.get("default")] == ["no"]
    withdrawn = await discord.invoke("intel withdraw", user=erin, program=MONTEFIORE)
    assert "Removed your report" in withdrawn.text
    assert (await _fields(discord, mira))["Sponsored J-1 this cycle"] == NOT_ENOUGH
    assert "No program matches yet" in await _found(discord, mira, j1="yes")

    # The server may ask for fewer members (never under 3): four suffice now.
    low = await discord.invoke("settings number", user=mira, setting="intel_min_reporters",
                               value=2)
    assert "at least 3" in low.text
    await discord.invoke("settings number", user=mira, setting="intel_min_reporters", value=4)
    fields = await _fields(discord, alice)
    assert fields["Sponsored J-1 this cycle"] == "Yes (4-9 reports)"

    # Moderators void the program's reports for the cycle (checked on the bot's side).
    refused = await discord.invoke("intel void", user=alice, program=MONTEFIORE)
    assert "moderator command" in refused.text
    voided = await discord.invoke("intel void", user=mira, program=MONTEFIORE)
    assert "Voided this server's reports" in voided.text and "4" not in voided.text.split("cycle")[0]
    assert (await _fields(discord, alice))["Sponsored J-1 this cycle"] == NOT_ENOUGH


async def test_new_members_bad_input_and_other_programs(
    e2e: BotHarness, discord: Driver, clock: ManualClock, alice: User, mira: User
) -> None:
    await load_programs(e2e)
    age_members(clock)
    [newcomer] = add_members(e2e, "newcomer")  # joined just now
    refused = await discord.invoke("intel report", user=newcomer, program=MONTEFIORE)
    assert refused.ephemeral and "in this server for 7 days" in refused.text
    await discord.invoke("settings number", user=mira, setting="intel_min_days", value=30)
    assert "30 days" in (await discord.invoke("intel report", user=alice, program=NORTON)).text

    unknown = await discord.invoke("intel program", user=alice, program="Nowhere General")
    assert unknown.ephemeral and "I do not know that program" in unknown.text
    typed = await discord.invoke("intel program", user=alice, program="Norton Community")
    assert typed.embeds[0]["title"] == "Norton Community Hospital Program"
    nothing = await discord.invoke("intel search", user=alice)
    assert "Give at least one filter" in nothing.text
    by_state = await _found(discord, alice, state="CT")
    assert "St Vincent's Medical Center Program" in by_state  # no sponsorship filter: all of CT
    choices = await discord.autocomplete("intel search", "specialty", "fam", user=alice)
    assert [c.value for c in choices] == ["Family Medicine"]
    listed = await discord.invoke("help", user=alice)
    assert "/intel report" in listed.text and "/intel void" not in listed.text


async def test_one_member_in_two_servers_counts_once(
    e2e: BotHarness, discord: Driver, clock: ManualClock, alice: User, bob: User
) -> None:
    """The same member reports from a second server: their one report moves there (and they
    are told), so the first server's aggregate no longer counts them and nothing counts twice."""
    await load_programs(e2e)
    assert e2e.world is not None and e2e.bot is not None
    guild = e2e.server.add_guild("Second FMG Server")
    second_id = int(guild["id"])
    lobby = e2e.server.add_channel(second_id, "lobby", 0)
    for member in (alice, bob):
        e2e.server.add_member(second_id, member.id)
    second = World(guild_id=second_id, bot=e2e.world.bot,
                   members={"alice": alice, "bob": bob},
                   channels={"lobby": Channel(int(lobby["id"]), "lobby", 0)})
    e2e.server.dispatch("GUILD_CREATE", e2e.server.guild_create_payload(second_id))
    elsewhere = Driver(e2e.server, second, default_channel="lobby", bot_idle=discord.bot_idle)
    carol, dan = add_members(e2e, "carol", "dan")
    age_members(clock)
    await e2e.set_setting("intel_min_reporters", 3)

    for member in (alice, bob, carol):
        await report(discord, member, MONTEFIORE, j1="yes")
    assert (await _fields(discord, dan))["Sponsored J-1 this cycle"] == "Yes (3-9 reports)"

    moved = await report(elsewhere, alice, MONTEFIORE, j1="yes")
    assert "counted in another server until now" in moved.text
    # The first server lost her report; the second has one reporter: both hidden, and the
    # database holds one row for her.
    assert (await _fields(discord, dan))["Sponsored J-1 this cycle"] == NOT_ENOUGH
    assert (await _fields(elsewhere, bob))["Sponsored J-1 this cycle"] == NOT_ENOUGH
    assert await e2e.bot.db.fetchval("SELECT COUNT(*) FROM intel_reports") == 3
    # Reporting again from the first server brings it back there, still once.
    back = await report(discord, alice, MONTEFIORE, j1="yes")
    assert "counted in another server until now" in back.text
    assert (await _fields(discord, dan))["Sponsored J-1 this cycle"] == "Yes (3-9 reports)"
    assert await e2e.bot.db.fetchval("SELECT COUNT(*) FROM intel_reports") == 3
