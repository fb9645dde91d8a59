"""Issue 16, item 2: a member cannot make the bot ping a role they could not ping themselves.

The bot holds Mention Everyone (the README asks for it), so before the fix a plain member
attached Moderators to a study group and every announcement pinged it. Through localdiscord
against the real bot: attaching such a role is refused, and an announcement re-checks at send
time, naming in ``allowed_mentions`` only a role that passes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock

START = datetime(2026, 1, 7, 1, 0, tzinfo=UTC)  # "tomorrow 19:00" for a member in Chicago


async def set_mentionable(e2e, role_id: int, mentionable: bool) -> None:
    """Change the role in Discord (as an admin would) and wait for the bot's cache to see it."""
    gid = e2e.world.guild_id
    role = next(r for r in e2e.server.guilds[gid]["roles"] if r["id"] == str(role_id))
    role["mentionable"] = mentionable
    e2e.server.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(gid), "role": role})
    for _ in range(200):
        if e2e.bot.get_guild(gid).get_role(role_id).mentionable is mentionable:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot never saw the role update")


async def test_members_cannot_borrow_the_bots_pings(e2e, discord, clock: ManualClock,
                                                    alice, mira, channels, roles):
    await e2e.set_setting("announcements_channel", channels.announcements.id)
    await set_mentionable(e2e, roles.moderators.id, False)
    await discord.invoke("timezone set", user=alice, zone="America/Chicago")

    # attaching a role alice could not mention herself is refused, and changes nothing
    for role in (roles.moderators, str(e2e.world.guild_id)):  # Moderators, then @everyone
        refused = await discord.invoke("studygroup create", user=alice, name="Ping crew",
                                       topic="Step 1", role=role)
        assert refused.ephemeral and "is open" not in refused.content
    assert "Ping crew" not in (await discord.invoke("studygroup list", user=alice)).embeds[0]["description"]

    created = await discord.invoke("studygroup create", user=alice, name="Ping crew",
                                   topic="Step 1", role=roles.mentors)
    assert "is open" in created.content
    [choice] = await discord.autocomplete("session schedule", "group", "ping", user=alice)
    edit = await discord.invoke("studygroup edit", user=alice, group=choice.value,
                                role=roles.moderators)
    assert edit.ephemeral and "not mentionable" in edit.content
    await discord.invoke("session schedule", user=alice, group=choice.value, title="Cardio",
                         start="tomorrow 19:00")

    # re-checked at send time: Mentors became unmentionable after alice attached it
    await set_mentionable(e2e, roles.mentors.id, False)
    clock.set(START - timedelta(hours=24))
    await e2e.bot.scheduler.run_now()
    [first] = discord.messages_in(channels.announcements)
    assert not first.pings_anyone
    assert not first.allowed_mentions.get("roles")

    # a moderator may choose any role (except @everyone): that choice is honoured
    chosen = await discord.invoke("studygroup edit", user=mira, group=choice.value,
                                  role=roles.moderators)
    assert chosen.ephemeral and "Saved" in chosen.content
    clock.set(START - timedelta(minutes=15))
    await e2e.bot.scheduler.run_now()
    [_, second] = discord.messages_in(channels.announcements)
    assert second.pinged_roles == {roles.moderators.id}
    assert [int(r) for r in second.allowed_mentions["roles"]] == [roles.moderators.id]
