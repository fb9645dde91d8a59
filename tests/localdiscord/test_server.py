"""localdiscord against a small real discord.py bot: the surface the fmg-bot cogs rely on."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from localdiscord import DriverError
from localdiscord.state import ATTACHMENT_SIZE_LIMIT


async def test_slash_command_round_trip(env):
    reply = await env.discord.invoke("ping")
    assert reply.content == "pong"
    assert not reply.ephemeral
    assert reply.response_type == 4
    # The non-ephemeral response is in the channel history, and no one is pinged.
    assert env.discord.messages_in("general")[-1].content == "pong"
    assert not reply.message.pings_anyone


async def test_subcommand_group_with_typed_options(env):
    reply = await env.discord.invoke("grp inner do", user="bob", name="ab", times=2,
                                     who=env.world.member("mira"), where="#announcements", flag="yes")
    assert reply.content == "abab True mira announcements"


async def test_driver_refuses_what_a_client_could_not_send(env):
    with pytest.raises(DriverError, match="missing required"):
        await env.discord.invoke("grp inner do")
    with pytest.raises(DriverError, match="no option"):
        await env.discord.invoke("ping", nope=1)
    with pytest.raises(DriverError, match="no command"):
        await env.discord.invoke("nothing")


async def test_deferred_reply_and_followups(env):
    reply = await env.discord.invoke("slow", ephemeral=True)
    assert reply.response_type == 5
    # The first followup after a deferral replaces the "thinking" message and stays ephemeral.
    assert reply.content == "done slowly"
    assert reply.ephemeral and not reply.message.loading
    followups = await reply.wait_followups(1)
    assert followups[0].content == "and a second followup"
    assert followups[0].ephemeral


async def test_autocomplete_returns_focused_choices(env):
    choices = await env.discord.autocomplete("find", "query", "vis")
    assert [c.name for c in choices] == ["visa", "vista"]


async def test_attachment_bytes_are_kept(env):
    reply = await env.discord.invoke("find", query="visa")
    assert reply.ephemeral
    [attachment] = reply.attachments
    assert attachment.filename == "found.txt"
    assert b"A small discord.py bot" in attachment.data
    async with aiohttp.ClientSession() as session, session.get(attachment.url) as response:
        assert await response.read() == attachment.data


async def test_an_attachment_option_is_served_with_its_type_and_its_download_recorded(env):
    assert env.server.downloads == []
    reply = await env.discord.invoke("upload", file=("notes.md", b"# hello"))
    assert reply.text == "notes.md 7 text/markdown # hello"
    assert len(env.server.downloads) == 1
    # like Discord's client, nothing over the upload limit is sent at all
    with pytest.raises(DriverError, match="over Discord's upload limit"):
        await env.discord.invoke("upload", file=("big.pdf", bytes(ATTACHMENT_SIZE_LIMIT + 1)))
    assert len(env.server.downloads) == 1


async def test_buttons_selects_and_modals(env):
    reply = await env.discord.invoke("counter")
    updated = await env.discord.click(reply, label="Add")
    assert updated.response_type == 7
    assert reply.content == "count 1"  # the same message, edited in place
    picked = await env.discord.select(reply, ["Blue"], user="bob")
    assert picked.content == "picked blue" and picked.ephemeral
    opened = await env.discord.click(reply, label="Form")
    assert [f.label for f in opened.modal.fields] == ["Topic", "Details"]
    with pytest.raises(DriverError, match="required"):
        await env.discord.submit_modal(opened, {})
    done = await env.discord.submit_modal(opened, {"topic": "visa", "Details": "J-1 waiver"})
    assert done.content == "got visa/J-1 waiver"


async def test_rest_writes_are_stored_and_echoed(env):
    seen: list[str] = []
    env.server.listeners.append(lambda event, data: seen.append(event))
    reply = await env.discord.invoke("write", channel="general", forum="questions", user="bob")
    same_message, post_id, event_id, dm_channel = reply.content.split()
    assert int(dm_channel) == env.server.dm_channels[env.world.member("bob").id]
    assert same_message == "True"  # the nonce with enforce_nonce deduplicated the second send
    hello = [m for m in env.discord.messages_in("general") if m.content.startswith("hello")]
    assert len(hello) == 1 and hello[0].pinned
    assert not hello[0].pings_anyone  # AllowedMentions.none() on the bot
    [thread] = env.discord.threads_in("general")
    assert thread["thread_metadata"]["archived"] and thread["thread_metadata"]["locked"]
    assert [m.content for m in env.discord.messages_in(int(thread["id"]))] == ["in thread"]
    assert env.world.member("bob").id in env.server.thread_members[int(thread["id"])]
    [post] = env.discord.threads_in("questions")
    assert post["id"] == post_id and post["applied_tags"]
    assert env.discord.messages_in(int(post_id))[0].content == "post body"
    assert env.server.events[int(event_id)]["name"] == "Study"
    assert [m.content for m in env.discord.dms_of("bob")] == ["a DM"]
    for event in ("MESSAGE_CREATE", "THREAD_CREATE", "THREAD_MEMBERS_UPDATE",
                  "CHANNEL_PINS_UPDATE", "THREAD_UPDATE", "GUILD_SCHEDULED_EVENT_CREATE"):
        assert event in seen


async def test_invalid_payload_is_refused_and_recorded(env):
    with pytest.raises(DriverError):
        await env.discord.invoke("toolong", timeout=2)
    [violation] = env.server.violations
    [(path, message)] = violation.problems
    assert path == ("data", "content") and "2000" in message
    env.server.clear_problems()


async def test_late_initial_response_is_refused(env):
    env.server.interaction_deadline = 0.0
    with pytest.raises(DriverError, match="initial response after"):
        await env.discord.invoke("ping", timeout=2)
    assert env.server.violations[0].kind == "interaction"
    env.server.clear_problems()


async def test_expired_token_is_refused(env):
    reply = await env.discord.invoke("ping")
    env.server.advance_time(16 * 60)
    webhook = env.bot.get_partial_messageable(reply.message.channel_id)
    assert webhook is not None
    async with aiohttp.ClientSession() as session:
        url = f"{env.server.api_base}/webhooks/{env.server.app_id}/{reply.record.token}/messages/@original"
        async with session.get(url) as response:
            assert response.status == 401
            assert (await response.json())["code"] == 50027
    env.server.clear_problems()


async def test_unknown_route_answers_404_json_and_is_recorded(env):
    async with aiohttp.ClientSession() as session:
        async with session.get(env.server.api_base + "/nope/1") as response:
            assert response.status == 404
            assert response.headers["Content-Type"] == "application/json"
            assert await response.json() == {"message": "404: Not Found", "code": 0}
    assert [(r.method, r.path) for r in env.server.unknown_routes] == [("GET", "/nope/1")]
    env.server.clear_problems()


async def test_gateway_recovers_from_reconnect_drop_and_invalid_session(env):
    gateway = env.server.gateway
    # discord.py asked for zlib-stream, so its decompression path is exercised too.
    assert [c.compressor is not None for c in gateway.connections] == [True]
    gateway.reconnect()
    assert (await env.discord.invoke("ping")).content == "pong"
    assert await env.server.wait_until(lambda: gateway.stats["resumed"] >= 1)
    gateway.drop(mid_dispatch=True)
    # The dispatch that was cut off is replayed on RESUME, so the command is still answered.
    assert (await env.discord.invoke("ping", timeout=10)).content == "pong"
    gateway.invalidate(resumable=False)
    assert await env.server.wait_until(lambda: gateway.stats["identify"] >= 2, 10)
    assert (await env.discord.invoke("ping", timeout=10)).content == "pong"


async def test_rest_faults_are_retried_by_discord_py(env):
    env.server.faults.rate_limit(retry_after=0.05, times=2, route=r"/callback$")
    assert (await env.discord.invoke("ping")).content == "pong"
    assert [status for _, _, status in env.server.faults.injected] == [429, 429]
    env.server.faults.add_latency(0.2)
    started = asyncio.get_running_loop().time()
    assert (await env.discord.invoke("ping")).content == "pong"
    assert asyncio.get_running_loop().time() - started >= 0.2
    env.server.faults.clear()
    env.server.faults.gateway_latency = 0.15
    reply = await env.discord.invoke("ping")
    assert reply.content == "pong" and reply.record.latency >= 0.15


async def test_server_errors_are_retried(env):
    env.server.faults.server_errors(status=502, times=1, route=r"/callback$")
    assert (await env.discord.invoke("ping", timeout=6)).content == "pong"
    assert [status for _, _, status in env.server.faults.injected] == [502]


async def test_member_requests_are_answered_with_a_chunk(env):
    guild = env.bot.get_guild(env.world.guild_id)
    members = await guild.query_members(query="al")
    assert [m.name for m in members] == ["alice"]
    assert {c.name for c in guild.channels} >= {"general", "questions", "Study Hall"}
    forum = next(c for c in guild.channels if c.name == "questions")
    assert forum.type.value == 15 and [t.name for t in forum.available_tags][:2] == ["visa", "usmle"]


async def test_commands_in_dms_carry_the_user(env):
    reply = await env.discord.invoke("ping", user="bob", in_channel=env.discord.dm_channel("bob"))
    assert reply.content == "pong"
    assert reply.message.channel_id == env.server.dm_channels[env.world.member("bob").id]


async def test_events_are_routed_to_the_guilds_shard():
    import discord

    from localdiscord import Driver, LocalDiscord, pointed_at, seed, start_client, stop_client

    server = await LocalDiscord().start()
    worlds = [seed(server, f"Guild {i}") for i in range(4)]
    with pointed_at(server):
        bot = discord.AutoShardedClient(intents=discord.Intents.default(), shard_count=2)
        tree = discord.app_commands.CommandTree(bot)

        @tree.command(description="Which shard")
        async def shard(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"shard {interaction.guild.shard_id}")

        async def no_identify_pause(shard_id: int | None, *, initial: bool = False) -> None:
            """discord.py waits 5 s between shard IDENTIFYs; localdiscord has no such limit."""

        bot.setup_hook = tree.sync  # type: ignore[method-assign]
        bot.before_identify_hook = no_identify_pause  # type: ignore[method-assign]
        task = await start_client(bot, server)
        try:
            assert len(bot.guilds) == 4
            for world in worlds:
                reply = await Driver(server, world).invoke("shard")
                assert reply.content == f"shard {(world.guild_id >> 22) % 2}"
            assert sorted(s.shard for s in server.gateway.sessions.values()) == [(0, 2), (1, 2)]
        finally:
            await stop_client(bot, task)
            await server.stop()
    assert not server.violations and not server.unknown_routes


async def test_literal_routes_beat_parameters(env):
    channel = env.bot.get_channel(env.world.channel("general").id)
    await env.discord.invoke("ping")
    message = await channel.fetch_message(env.discord.messages_in("general")[-1].id)
    await message.pin()
    assert [m.id async for m in channel.pins()] == [message.id]  # GET /messages/pins
    guild = env.bot.get_guild(env.world.guild_id)
    assert [m.name for m in await guild.query_members("bo")] == ["bob"]
    url = f"{env.server.api_base}/guilds/{guild.id}/members/search?query=mi"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert [m["user"]["username"] for m in await response.json()] == ["mira"]


async def test_a_request_the_server_cannot_handle_is_refused_and_recorded(env):
    async with aiohttp.ClientSession() as session:
        url = f"{env.server.api_base}/channels/not-a-number/messages"
        async with session.get(url) as response:
            assert response.status == 404  # Unknown Channel, as Discord answers a bad id here
        url = f"{env.server.api_base}/guilds/{env.world.guild_id}/members?after=x"
        with env.server.expect_violation("could not handle") as caught:
            async with session.get(url) as response:
                assert response.status == 400  # not a 5xx, which discord.py would retry
    assert caught[0].kind == "unhandled"


async def test_shards_split_across_clients_each_see_their_guilds_only():
    """Two processes' worth of clients, shard 0 and shard 1 of 2: each gets its own guilds."""
    import discord

    from localdiscord import LocalDiscord, pointed_at, seed, start_client, stop_client

    server = await LocalDiscord().start()
    server.recommended_shards, server.max_concurrency = 2, 16
    worlds = [seed(server, f"Guild {i}", shard=(i % 2, 2)) for i in range(6)]
    clients = [discord.AutoShardedClient(intents=discord.Intents.default(), shard_count=2,
                                         shard_ids=[i]) for i in (0, 1)]
    tasks = []
    try:
        with pointed_at(server):
            for client in clients:
                tasks.append(await start_client(client, server))
            for i, client in enumerate(clients):
                assert {g.id for g in client.guilds} == {
                    w.guild_id for w in worlds if (w.guild_id >> 22) % 2 == i}
            assert {(w.guild_id >> 22) % 2 for w in worlds} == {0, 1}  # both shards hold some
            assert sorted(s.shard for s in server.gateway.sessions.values()) == [(0, 2), (1, 2)]
    finally:
        for client, task in zip(clients, tasks, strict=False):
            await stop_client(client, task)
        await server.stop()


async def test_an_answer_records_the_port_it_came_from():
    """Which client answered, when several processes share the bot's token: each answer keeps
    its connection's port, and that port is among the answering process's sockets."""
    import json
    import os

    from localdiscord import LocalDiscord, seed
    from localdiscord.clibot import tcp_ports

    server = await LocalDiscord().start()
    world = seed(server)
    ports = []
    try:
        for _ in range(2):
            record = server.new_interaction(type=2, user_id=world.member("alice").id,
                                            channel_id=world.channel("general").id,
                                            data={"id": "1", "name": "x", "type": 1})
            body = json.dumps({"type": 4, "data": {"content": "hi"}}).encode()
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            port = writer.get_extra_info("sockname")[1]
            assert port in tcp_ports([os.getpid()])[os.getpid()]
            writer.write(f"POST /api/v10/interactions/{record.id}/{record.token}/callback HTTP/1.1\r\n"
                         f"Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            assert (await reader.readline()).startswith(b"HTTP/1.1 204")
            writer.close()
            await writer.wait_closed()
            assert record.answered_from == port
            ports.append(port)
    finally:
        await server.stop()
    assert ports[0] != ports[1]


async def test_gateway_bot_advises_shards_and_identify_checks_them():
    import aiohttp

    from localdiscord import LocalDiscord

    server = await LocalDiscord().start()
    server.recommended_shards, server.max_concurrency = 4, 16
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{server.api_base}/gateway/bot") as resp:
                advice = await resp.json()
            assert advice["shards"] == 4
            assert advice["session_start_limit"]["max_concurrency"] == 16
            for shard in ([4, 4], [-1, 4], [0, 0], "0,4"):
                async with http.ws_connect(server.gateway_url) as ws:
                    assert (await ws.receive_json())["op"] == 10
                    await ws.send_json({"op": 2, "d": {"token": "x", "intents": 1,
                                                       "properties": {}, "shard": shard}})
                    message = await ws.receive()
                    assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 4010, shard
        assert server.gateway.stats["invalid_shard"] == 4 and not server.gateway.sessions
    finally:
        await server.stop()
