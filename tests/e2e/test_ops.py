"""Ops through the real bot on localdiscord: /privacy export and delete (with a scan of every
table for the member's id), /settings check, and the setup guide posted on joining a server."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import Settings
from bot.factory import FmgBot, create_bot

pytest.importorskip("localdiscord", reason="the localdiscord harness has not landed in this tree yet")
from localdiscord import (
    FAKE_TOKEN,
    Driver,
    LocalDiscord,
    World,
    pointed_at,
    seed,
    start_client,
    stop_client,
)

pytestmark = pytest.mark.e2e


@dataclass
class OpsEnv:
    server: LocalDiscord
    world: World
    discord: Driver
    bot: FmgBot
    database: Path


@pytest.fixture
async def ops_env(tmp_path: Path) -> AsyncIterator[OpsEnv]:
    server = await LocalDiscord().start()
    world = seed(server)
    settings = dataclasses.replace(
        Settings.from_env({}),
        discord_token=FAKE_TOKEN,
        database_path=tmp_path / "bot.sqlite3",
        dev_guild_id=world.guild_id,
        members_intent=True,
    )
    with pointed_at(server):
        bot = create_bot(settings)
        task = await start_client(bot, server)
        try:
            yield OpsEnv(server, world, Driver(server, world), bot, settings.database_path)
        finally:
            await stop_client(bot, task)
            await server.stop()
    problems = [str(v) for v in server.violations]
    problems += [f"unknown route {r.method} {r.path}" for r in server.unknown_routes]
    assert not problems, problems


def rows_holding(database: Path, user_id: int) -> list[tuple[str, str]]:
    """Every (table, column) with a value equal to ``user_id`` or containing its digits.

    Reads the committed state from a separate connection, so it sees what is on disk (WAL
    included), as the anonymity audit does.
    """
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        hits = []
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                found = conn.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}" = ? '
                    f'OR instr(CAST("{column}" AS TEXT), ?) > 0',
                    (user_id, str(user_id)),
                ).fetchone()[0]
                if found:
                    hits.append((table, column))
    finally:
        conn.close()
    return hits


async def _record_departure(env: OpsEnv, name: str) -> None:
    """Discord reports that the member left: the bot records it (MEMBERS_INTENT=on).

    localdiscord still lists them as a member, so they can run commands afterwards: this gives
    each member a row holding their id (the data capabilities add is tested where they land).
    """
    user = env.world.member(name)
    payload = env.server.users[user.id]
    env.server.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(env.world.guild_id), "user": payload})
    privacy = env.bot.services.privacy
    for _ in range(100):
        if (await privacy.export_member(env.world.guild_id, user.id))["data"]["membership"]:
            return
        await env.server.wait_until(lambda: False, 0.02)
    raise AssertionError(f"the bot did not record that {name} left")


async def test_export_is_a_private_json_file_of_exactly_that_member(ops_env: OpsEnv) -> None:
    env = ops_env
    alice, bob = env.world.member("alice"), env.world.member("bob")
    await _record_departure(env, "alice")
    await _record_departure(env, "bob")

    reply = await env.discord.invoke("privacy export", user="alice")
    assert reply.ephemeral
    assert "Anonymous questions are not included" in reply.content
    [attachment] = reply.attachments
    assert attachment.filename == f"fmg-bot-data-{env.world.guild_id}.json"
    exported = json.loads(attachment.text)
    expected = await env.bot.services.privacy.export_member(env.world.guild_id, alice.id)
    assert {k: v for k, v in exported.items() if k != "exported_at"} == {
        k: v for k, v in expected.items() if k != "exported_at"
    }
    assert exported["user_id"] == str(alice.id)
    assert exported["data"]["membership"]["left_at"]
    assert str(bob.id) not in attachment.text


async def test_after_delete_no_row_holds_the_member_id(ops_env: OpsEnv) -> None:
    env = ops_env
    alice, bob = env.world.member("alice"), env.world.member("bob")
    await _record_departure(env, "alice")
    await _record_departure(env, "bob")
    # Control: the scan finds ids that are present.
    assert rows_holding(env.database, alice.id) and rows_holding(env.database, bob.id)

    warning = await env.discord.invoke("privacy delete", user="alice")
    assert warning.ephemeral and "cannot be undone" in warning.content
    assert rows_holding(env.database, alice.id)  # nothing happens before the confirmation

    stranger = await env.discord.click(warning, label="Delete my data", user="bob")
    assert "belong to whoever ran the command" in stranger.text
    assert rows_holding(env.database, alice.id)

    done = await env.discord.click(warning, label="Delete my data", user="alice")
    assert "no longer stores anything about you" in done.text
    assert rows_holding(env.database, alice.id) == []
    assert rows_holding(env.database, bob.id) == [("departed_members", "user_id")]


async def test_settings_check_names_what_is_missing_and_is_for_moderators(ops_env: OpsEnv) -> None:
    env = ops_env
    refused = await env.discord.invoke("settings check", user="alice")
    assert "moderator command" in refused.text

    before = await env.discord.invoke("settings check", user="ada")
    assert before.ephemeral
    [embed] = before.embeds
    assert embed["title"].startswith("Setup check:") and "to fix" in embed["title"]
    assert "**Study groups · Announcements channel**: not set" in embed["description"]
    # localdiscord gives the bot only @everyone's permissions: no Manage Events, no Manage Threads.
    assert "the bot lacks Manage Events" in embed["description"]

    forum = env.world.channel("questions")
    await env.discord.invoke(
        "settings channel", user="ada", setting="anonymous_channel", channel=forum.id
    )
    after = await env.discord.invoke("settings check", user="ada")
    assert "the bot lacks Manage Threads in #questions" in after.embeds[0]["description"]


async def test_joining_a_server_posts_the_setup_guide(ops_env: OpsEnv) -> None:
    env = ops_env
    guild = env.server.add_guild("New FMG Server")
    gid = int(guild["id"])
    lobby = env.server.add_channel(gid, "lobby", 0)
    guild["system_channel_id"] = lobby["id"]
    payload = env.server.guild_create_payload(gid)
    # Discord marks a guild that comes back online with "unavailable": false; a guild the bot
    # was just added to arrives without the key, which is what discord.py calls a join.
    del payload["unavailable"]
    env.server.dispatch("GUILD_CREATE", payload)
    assert await env.server.wait_until(lambda: bool(env.discord.messages_in(int(lobby["id"]))), 5)
    [guide] = env.discord.messages_in(int(lobby["id"]))
    assert "Thanks for adding fmg-bot!" in guide.content
    assert "/settings check" in guide.content and "Announcements channel: not set" in guide.content
    assert not guide.pings_anyone


async def test_doctor_online_checks_every_guild_the_bot_is_in(tmp_path: Path) -> None:
    from bot import doctor
    from bot.db import Database
    from bot.factory import bot_intents
    from bot.services.guild_settings import GuildSettingsService

    server = await LocalDiscord().start()
    world = seed(server)
    settings = dataclasses.replace(
        Settings.from_env({}), discord_token=FAKE_TOKEN, database_path=tmp_path / "bot.sqlite3"
    )
    db = await Database.open(settings.database_path)
    await db.migrate()
    await GuildSettingsService(db).set(world.guild_id, "announcements_channel", world.channel("general").id)
    await db.close()
    try:
        with pointed_at(server):
            sections = await doctor.online_report(settings, bot_intents())
    finally:
        await server.stop()
    [section] = sections
    assert section.title == f"Server FMG Community ({world.guild_id})"
    text = doctor.render(sections)
    assert "[OK] Study groups · Announcements channel: #general is ready" in text
    assert "[FAIL] Study groups · server permissions: the bot lacks Manage Events" in text
    assert "[WARN] Anonymous questions · Anonymous questions channel: not set" in text
    assert not server.violations and not server.unknown_routes
