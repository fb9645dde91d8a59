"""Ops through the real bot on localdiscord: /privacy export and delete (with a scan of every
table for the member's id), /settings check, the setup guide on joining a server, and the
online part of `fmg-bot doctor`."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MenteeInput, MentorInput
from localdiscord import FAKE_TOKEN, LocalDiscord, pointed_at, seed
from localdiscord.harness import BotHarness
from tests.scan import rows_holding


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Leave events need the members intent (MEMBERS_INTENT=on), as in production."""
    return dataclasses.replace(settings, members_intent=True)


MENTOR = dict(specialties=["internal_medicine"], visas=["j1"], stage="matched", languages=["en"],
              timezone="America/New_York", capacity=2, bio="Happy to help")
MENTEE = dict(specialty="internal_medicine", visa="j1", stage="step1", languages=["en"],
              timezone="Asia/Kolkata", goals="Match in IM")


async def _alice_paired_with_bob(e2e: BotHarness, alice, bob) -> None:
    """bob mentors alice: profiles, a request, an accepted offer, a pairing (and its notices)."""
    mentoring = e2e.bot.services.mentoring
    gid = e2e.world.guild_id
    await mentoring.register_mentor(gid, bob.id, MentorInput.validated(**MENTOR))
    mentor = await mentoring.moderate(gid, bob.id, "approve")
    await mentoring.set_mentee_profile(gid, alice.id, MenteeInput.validated(**MENTEE))
    request = await mentoring.request(gid, alice.id, mentor.id)
    await mentoring.accept(request.request_id, bob.id)


async def test_export_is_a_private_json_file_of_exactly_that_member(e2e, discord, alice, bob) -> None:
    await _alice_paired_with_bob(e2e, alice, bob)
    reply = await discord.invoke("privacy export", user=alice)
    assert reply.ephemeral
    assert "Anonymous questions are not included" in reply.content
    [attachment] = reply.attachments
    assert attachment.filename == f"fmg-bot-data-{e2e.world.guild_id}.json"
    exported = json.loads(attachment.text)
    expected = await e2e.bot.services.privacy.export_member(e2e.world.guild_id, alice.id)
    assert exported | {"exported_at": None} == expected | {"exported_at": None}
    assert exported["user_id"] == str(alice.id)
    mentoring = exported["data"]["mentoring"]
    assert mentoring["mentee_profile"]["goals"] == "Match in IM" and "mentor_profile" not in mentoring
    [pairing] = mentoring["pairings"]
    assert pairing["role"] == "mentee" and pairing["partner_user_id"] == str(bob.id)
    assert "Happy to help" not in attachment.text  # bob's profile is bob's


async def _alice_runs_a_study_group_bob_joined(e2e: BotHarness, alice, bob) -> int:
    study = e2e.bot.services.study_groups
    gid = e2e.world.guild_id
    await study.timezones.set(alice.id, "Asia/Kolkata")
    group = await study.groups.create(gid, alice.id, "Step 1 night owls", "Step 1")
    await study.groups.join(gid, group.id, bob.id)
    return group.id


async def _alice_bookmarks_and_suggests(e2e: BotHarness, alice) -> None:
    resources = e2e.bot.services.resources
    first = (await resources.listing())[0]
    await resources.bookmarks.save(alice.id, first.id, guild_id=e2e.world.guild_id)
    await resources.suggestions.suggest(
        guild_id=e2e.world.guild_id, user_id=alice.id, title="NRMP Charting Outcomes",
        url="https://www.nrmp.org/match-data/", reason="Match odds by specialty", category=first.category,
    )


async def test_after_delete_no_row_holds_the_member_id(e2e, discord, alice, bob) -> None:
    await _alice_paired_with_bob(e2e, alice, bob)
    group_id = await _alice_runs_a_study_group_bob_joined(e2e, alice, bob)
    await _alice_bookmarks_and_suggests(e2e, alice)
    await e2e.set_setting("anonymous_channel", e2e.world.channel("anonymous").id)
    await e2e.bot.services.anonymous.ask(
        e2e.world.guild_id, alice.id, "Is a J-1 waiver realistic?", "Asking for myself.", None
    )
    database = e2e.settings.database_path
    questions = await e2e.bot.db.fetchval("SELECT count(*) FROM anon_questions")
    # Control: the scan finds ids that are present.
    assert {"mentees", "study_group_members", "resource_bookmarks", "resource_suggestions"} <= {
        table for table, _ in rows_holding(database, alice.id)
    }
    assert ("mentors", "user_id") in rows_holding(database, bob.id)

    warning = await discord.invoke("privacy delete", user=alice)
    assert warning.ephemeral and "cannot be undone" in warning.content
    for capability in ("Mentoring", "Study groups", "Resources", "Server membership"):
        assert f"- {capability}: " in warning.content
    assert "Anonymous questions" in warning.content
    assert rows_holding(database, alice.id)  # nothing happens before the confirmation

    stranger = await discord.click(warning, label="Delete my data", user=bob)
    assert "belong to whoever ran the command" in stranger.text
    assert rows_holding(database, alice.id)

    done = await discord.click(warning, label="Delete my data", user=alice)
    assert "no longer stores anything about you" in done.text
    assert rows_holding(database, alice.id) == []
    mentor = await e2e.bot.services.mentoring.get_mentor(e2e.world.guild_id, bob.id)
    assert mentor is not None and mentor.active == 0  # the slot alice held is free again
    group = await e2e.bot.services.study_groups.groups.get(e2e.world.guild_id, group_id)
    assert group.owner_id == bob.id  # her group passed to its remaining member
    # Her anonymous question is untouched: nothing links it to her, so nothing could find it.
    assert await e2e.bot.db.fetchval("SELECT count(*) FROM anon_questions") == questions == 1


async def test_a_member_who_leaves_is_paused_then_forgotten(e2e, alice, bob, clock) -> None:
    await _alice_paired_with_bob(e2e, alice, bob)
    gid = e2e.world.guild_id
    e2e.server.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(gid), "user": e2e.server.users[bob.id]})
    mentoring = e2e.bot.services.mentoring
    for _ in range(100):  # the event travels through the gateway to the bot
        mentor = await mentoring.get_mentor(gid, bob.id)
        if mentor is not None and mentor.paused:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("bob's mentor profile was not paused when he left")
    exported = await e2e.bot.services.privacy.export_member(gid, bob.id)
    assert exported["data"]["membership"]["scheduled_deletion_at"]
    clock.advance(timedelta(days=e2e.settings.member_retention_days))
    await e2e.bot.scheduler.run_now("member-retention")
    assert rows_holding(e2e.settings.database_path, bob.id) == []
    assert await mentoring.get_mentee(gid, alice.id) is not None


async def test_settings_check_names_what_is_missing_and_is_for_moderators(
    e2e, discord, alice, ada, channels
) -> None:
    refused = await discord.invoke("settings check", user=alice)
    assert "moderator command" in refused.text

    before = await discord.invoke("settings check", user=ada)
    assert before.ephemeral
    [embed] = before.embeds
    assert embed["title"].startswith("Setup check:") and "to fix" in embed["title"]
    assert "**Study groups · Announcements channel**: not set" in embed["description"]
    # localdiscord gives the bot only @everyone's permissions: no Manage Events, no Manage Threads.
    assert "the bot lacks Manage Events" in embed["description"]

    await discord.invoke("settings channel", user=ada, setting="anonymous_channel", channel=channels.forum.id)
    after = await discord.invoke("settings check", user=ada)
    assert "the bot lacks Manage Threads in #questions" in after.embeds[0]["description"]
    view = await discord.invoke("settings view", user=ada)
    assert "still to fix: run /settings check" in view.embeds[0]["footer"]["text"]


async def test_joining_a_server_posts_the_setup_guide(e2e, discord) -> None:
    guild = e2e.server.add_guild("New FMG Server")
    gid = int(guild["id"])
    lobby = e2e.server.add_channel(gid, "lobby", 0)
    guild["system_channel_id"] = lobby["id"]
    payload = e2e.server.guild_create_payload(gid)
    # Discord marks a guild that comes back online with "unavailable": false; a guild the bot
    # was just added to arrives without the key, which is what discord.py calls a join.
    del payload["unavailable"]
    e2e.server.dispatch("GUILD_CREATE", payload)
    assert await e2e.server.wait_until(lambda: bool(discord.messages_in(int(lobby["id"]))), 5)
    [guide] = discord.messages_in(int(lobby["id"]))
    assert "Thanks for adding fmg-bot!" in guide.content
    assert "/settings check" in guide.content and "Announcements channel: not set" in guide.content
    assert not guide.pings_anyone


async def test_doctor_online_checks_every_guild_the_bot_is_in(tmp_path: Path) -> None:
    from bot import doctor
    from bot.app import bot_intents

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
