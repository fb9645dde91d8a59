"""Floods through the bot (issue 16 item 4), performed through the real bot on localdiscord:
a member must not be able to make the bot DM or ping someone else over and over, and a
moderator's removal of a mentor must not be undone by `/privacy delete` and a new registration.
Each test passes only when the attack fails."""

from __future__ import annotations

from datetime import timedelta

from localdiscord.harness import BotHarness
from localdiscord.seed import User
from tests.e2e.anon_env import Anon
from tests.e2e.test_mentoring import approve, mentee_profile, offer_to, offers_to, register_mentor
from tests.scan import rows_holding


async def _delete_my_data(discord, who: User) -> None:
    warning = await discord.invoke("privacy delete", user=who)
    done = await discord.click(warning, label="Delete my data", user=who)
    assert "no longer stores anything" in done.text


async def test_request_withdraw_loop_cannot_flood_a_mentor_with_offer_dms(
    e2e: BotHarness, discord, alice, bob, mira, channels
) -> None:
    """25 rounds of /mentor request -> Ask -> /mentor withdraw sent one mentor 25 DMs, each
    with the mentee's text."""
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice, goals="Please answer me")
    refusals = []
    for _ in range(25):
        suggestions = await discord.invoke("mentor request", user=alice)
        asked = await discord.click(suggestions, label="Ask match 1", user=alice)
        if "several times today" in asked.text:
            refusals.append(asked)
            continue
        await discord.invoke("mentor withdraw", user=alice)
    await e2e.bot.scheduler.run_now()
    await offer_to(e2e, discord, bob, 2)
    assert len(offers_to(discord, bob)) == 2  # the first two asks reached him, no more
    assert len(refusals) == 23 and all(r.ephemeral for r in refusals)
    assert "pick another mentor, or ask again tomorrow" in refusals[0].text


async def test_register_delete_loop_cannot_ping_the_coordinators_every_round(
    e2e: BotHarness, discord, bob, roles, channels
) -> None:
    """Looping /mentor register -> /privacy delete pinged the coordinator role every round."""
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await e2e.set_setting("mentor_coordinator_role", roles.mentors.id)
    for _ in range(5):
        await register_mentor(discord, bob)
        await _delete_my_data(discord, bob)
    pings = [m for m in discord.messages_in("general") if roles.mentors.id in m.pinged_roles]
    assert len(pings) == 1 and "registered as a mentor" in pings[0].content


async def test_a_removed_mentor_stays_removed(
    e2e: BotHarness, discord, bob, mira
) -> None:
    """/privacy delete then /mentor register brought back a mentor moderators had removed."""
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    removed = await discord.invoke("mentor review", user=mira, member=bob, action="remove")
    assert "removed" in removed.text

    again = await discord.invoke("mentor register", user=bob, timezone="America/New_York",
                                 capacity=2)
    assert "Moderators removed you as a mentor" in again.text and again.ephemeral
    warning = await discord.invoke("privacy delete", user=bob)
    assert "if moderators removed you as a mentor, a salted hash" in warning.content
    await discord.click(warning, label="Cancel", user=bob)
    await _delete_my_data(discord, bob)
    exported = await discord.invoke("privacy export", user=bob)
    assert "removed_as_mentor" in exported.attachments[0].text  # what is kept is told
    database = e2e.settings.database_path
    assert rows_holding(database, bob.id) == []  # what is kept is not his id...
    again = await discord.invoke("mentor register", user=bob, timezone="America/New_York",
                                 capacity=2)
    assert "Moderators removed you as a mentor" in again.text  # ...yet it still holds
    assert await e2e.bot.services.mentoring.get_mentor(e2e.world.guild_id, bob.id) is None

    # Only a moderator can lift it.
    refused = await discord.invoke("mentor review", user=bob, member=bob, action="lift-removal")
    assert "may register" not in refused.text
    lifted = await discord.invoke("mentor review", user=mira, member=bob, action="lift-removal")
    assert "may register as a mentor again" in lifted.text
    await register_mentor(discord, bob)


async def test_tagged_anonymous_questions_cannot_ping_one_mentor_all_day(
    e2e: BotHarness, discord, bob, mira, clock
) -> None:
    """Each tagged question pings the matching mentors: a stream of them (several accounts,
    three an hour each) pinged the same mentor every time."""
    env = Anon(e2e, clock)
    await env.configure("anonymous")
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    for n in range(8):
        await env.ask(f"Waiver question {n}", "My J-1 waiver job?", "J-1",
                      user=("alice", "ada")[n % 2])
        await env.publish_due()
        if n % 6 == 5:
            clock.advance(timedelta(hours=1))  # past each asker's hourly limit
    threads = env.discord.threads_in("anonymous")
    assert len(threads) == 8
    pinged = [m for t in threads for m in discord.messages_in(int(t["id"]))
              if bob.id in m.pinged_users]
    assert len(pinged) == 5  # then the day's share of his attention is used up
