"""The real bot through real discord.py against localdiscord: connect, sync, answer, recover."""

from __future__ import annotations

from datetime import timedelta

import discord as dpy
import pytest

from localdiscord import DriverError


async def test_bot_connects_and_syncs_valid_commands(e2e, discord):
    assert e2e.server.gateway.connected
    assert e2e.server.command_syncs == 1
    names = {c["name"] for c in discord.commands()}
    assert {"help", "settings"} <= names
    # The sync went through spec + limit validation (the fixture fails on any violation).
    assert not e2e.server.violations


async def test_help_answers_ephemerally(discord, alice):
    reply = await discord.invoke("help", user=alice)
    assert reply.ephemeral
    assert "/help" in reply.text
    assert "/settings" not in reply.text  # alice is no moderator: moderator commands are hidden


async def test_survives_reconnect_and_invalid_session(e2e, discord, bob):
    gateway = e2e.server.gateway
    gateway.reconnect()
    assert (await discord.invoke("help", user=bob)).ephemeral
    gateway.drop(mid_dispatch=True)
    assert (await discord.invoke("help", user=bob, timeout=10)).ephemeral
    gateway.invalidate(resumable=True)
    assert (await discord.invoke("help", user=bob, timeout=10)).ephemeral
    gateway.invalidate(resumable=False)
    reply = await discord.invoke("help", user=bob, timeout=10)
    assert reply.ephemeral and "/help" in reply.text
    assert gateway.stats["identify"] == 2 and gateway.stats["resumed"] >= 3


async def test_invalid_payload_is_caught_by_validation(e2e, discord, alice):
    @dpy.app_commands.command(name="too-long", description="Test only: replies 2001 characters")
    async def too_long(interaction: dpy.Interaction) -> None:
        await interaction.response.send_message("x" * 2001)

    e2e.bot.tree.add_command(too_long)
    await e2e.bot.tree.sync()
    with e2e.server.expect_violation("content") as caught:
        reply = await discord.invoke("too-long", user=alice)
    # Discord refused the 2001 characters; the bot's error path then apologised ephemerally.
    assert reply.ephemeral
    [violation] = caught
    [(path, message)] = violation.problems
    assert path == ("data", "content") and "2000" in message
    assert not e2e.server.violations


async def test_settings_is_moderator_only_on_our_side(e2e, discord, alice, mira, ada, channels):
    refused = await discord.invoke("settings view", user=alice)
    assert refused.ephemeral and "moderator" in refused.content.lower()
    assert (await discord.invoke("settings view", user=mira)).embeds[0]["title"] == "Server settings"
    assert (await discord.invoke("settings view", user=ada)).embeds[0]["title"] == "Server settings"
    # Without the moderator_role setting mira is an ordinary member; ada stays an administrator.
    await discord.invoke("settings clear", user=ada, setting="moderator_role")
    assert "moderator" in (await discord.invoke("settings view", user=mira)).content.lower()
    changed = await discord.invoke("settings channel", user=ada, setting="announcements_channel",
                                   options={"channel": channels.announcements})
    assert str(channels.announcements.id) in changed.content
    forum = await discord.invoke("settings channel", user=ada, setting="Anonymous questions channel",
                                 options={"channel": channels.forum})
    assert f"<#{channels.forum.id}>" in forum.content
    with pytest.raises(DriverError, match="not one of the choices"):
        await discord.invoke("settings clear", user=ada, setting="nonsense")


async def test_restart_keeps_the_database(e2e, discord, ada, roles):
    await e2e.restart_bot()
    reply = await discord.invoke("settings view", user=ada)
    assert f"<@&{roles.moderators.id}>" in reply.text


async def test_an_interaction_that_waited_past_discords_window_is_skipped(e2e, discord, alice, caplog,
                                                                          clock):
    assert (await discord.invoke("help", user=alice)).ephemeral  # the usual delivery delay
    server = e2e.server
    late = server.new_interaction(type=2, user_id=alice.id, channel_id=discord.world.channel("general").id,
                                  data=discord.build_command_data("help", {}), dispatch=False)
    clock.advance(timedelta(seconds=3.2))  # as if it had sat in an overloaded bot's queue
    server.dispatch("INTERACTION_CREATE", server.interaction_payload(late))
    # The bot spends nothing on it (an answer now would be refused: the fixture fails on any
    # violation), and the next member is answered as usual.
    assert (await discord.invoke("help", user=alice)).ephemeral
    assert not late.responded
    assert any("overloaded: skipped 1 interactions" in r.getMessage() for r in caplog.records)
