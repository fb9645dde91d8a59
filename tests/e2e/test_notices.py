"""Members are told what was decided about them (issue 22, part 3): by DM, or, when their DMs
are closed, by a mention in the capability's channel; always through the one outbox.
"""

from __future__ import annotations

import asyncio

from localdiscord.seed import User
from tests.e2e.test_mentoring import (
    approve,
    ask_first_match,
    mentee_profile,
    offer_to,
    register_mentor,
)

FALLBACK = "direct messages are closed"


async def dm_with(e2e, discord, who: User, words: str):
    """The bot's DM to ``who`` containing ``words`` (waits for it)."""
    def found():
        return next((m for m in discord.dms_of(who) if words in m.text), None)
    assert await e2e.server.wait_until(lambda: found() is not None), \
        [m.text for m in discord.dms_of(who)]
    return found()


async def line_in(e2e, discord, channel_id: int, words: str):
    return await discord.wait_for_message(channel_id, lambda m: words in m.text)


async def review(discord, moderator: User, who: User, action: str) -> None:
    reply = await discord.invoke("mentor review", user=moderator, member=who, action=action)
    assert "Done" in reply.text, reply.text


async def test_a_mentor_is_told_when_moderators_approve_pause_remove_or_reject(
    e2e, discord, bob, ada, mira
):
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)  # waits for "approved your mentor profile"
    await review(discord, mira, bob, "pause")
    paused = await dm_with(e2e, discord, bob, "paused your mentoring")
    assert "`/mentor resume`" in paused.text and not paused.pings_anyone
    await review(discord, mira, bob, "remove")
    await dm_with(e2e, discord, bob, "removed you from the mentor roster")

    await register_mentor(discord, ada, "family_medicine")
    await review(discord, mira, ada, "reject")
    rejected = await dm_with(e2e, discord, ada, "did not approve your mentor profile")
    assert "`/mentor register`" in rejected.text
    assert len(discord.dms_of(ada)) == 1  # once, whatever retries happened


async def test_closed_dms_fall_back_to_a_mention_in_the_mentoring_channel(
    e2e, discord, bob, mira, channels
):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    e2e.server.dm_closed.add(bob.id)
    await register_mentor(discord, bob)
    reply = await discord.invoke("mentor review", user=mira, member=bob, action="approve")
    assert "approved" in reply.text
    line = await line_in(e2e, discord, channels.general.id, "approved your mentor profile")
    assert line.text.startswith(bob.mention) and FALLBACK in line.text
    assert line.pinged_users == {bob.id} and not line.pinged_roles
    assert discord.dms_of(bob) == []


async def test_closed_dms_and_no_channel_give_the_notice_up_visibly(e2e, discord, bob, mira):
    e2e.server.dm_closed.add(bob.id)  # and no mentoring channel is set
    await register_mentor(discord, bob)
    await discord.invoke("mentor review", user=mira, member=bob, action="approve")
    db = e2e.bot.db

    for _ in range(100):  # the outbox works in the background: poll its row for 10 s at most
        row = await db.fetchone("SELECT state, last_error, data FROM outbox "
                                "WHERE kind = 'member_notice' AND recipient_id = ?", (bob.id,))
        if row["state"] == "failed":
            break
        await asyncio.sleep(0.1)
    assert row["state"] == "failed" and "DMs are closed" in row["last_error"]
    assert row["data"] == "{}"  # given up: nothing kept


async def _paired(e2e, discord, alice: User, bob: User, mira: User, channels) -> int:
    """alice (mentee) and bob (mentor) are paired; returns their thread's id."""
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice)
    await ask_first_match(discord, alice)
    await discord.click(await offer_to(e2e, discord, bob), label="Accept", user=bob)
    assert await e2e.server.wait_until(lambda: bool(discord.threads_in(channels.general)))
    [thread] = discord.threads_in(channels.general)
    thread_id = int(thread["id"])
    await discord.wait_for_message(thread_id, lambda m: m.pinned)  # the intro
    return thread_id


async def test_the_mentor_is_told_when_the_mentee_ends_the_pairing(
    e2e, discord, alice, bob, mira, channels
):
    thread_id = await _paired(e2e, discord, alice, bob, mira, channels)
    assert "accepted by" in (await discord.invoke("mentor status", user=alice)).text
    await discord.invoke("mentor end", user=alice, rating=4, feedback="private words")

    told = await dm_with(e2e, discord, bob, "ended your mentoring pairing")
    assert told.text.startswith(f"Your mentee {alice.mention}") and "slot is free" in told.text
    assert "private words" not in told.text and not told.pings_anyone
    line = await line_in(e2e, discord, thread_id, "ended this mentoring pairing")
    assert alice.mention in line.text and not line.pings_anyone

    status = await discord.invoke("mentor status", user=alice)
    assert "accepted" not in status.text and "ended" in status.text
    assert "`/mentor request`" in status.text and "Paired" not in status.text


async def test_closed_dms_put_the_end_of_a_pairing_in_its_thread(
    e2e, discord, alice, bob, mira, channels
):
    thread_id = await _paired(e2e, discord, alice, bob, mira, channels)
    e2e.server.dm_closed.add(alice.id)
    await discord.invoke("mentor end", user=bob)
    mention = await line_in(e2e, discord, thread_id, FALLBACK)
    assert mention.text.startswith(f"{alice.mention} Your mentor {bob.mention} ended")
    assert mention.pinged_users == {alice.id}
    await line_in(e2e, discord, thread_id, "ended this mentoring pairing")
    assert discord.messages_in(channels.general) == []  # private: never the public channel


async def test_a_mentor_who_is_also_a_mentee_sees_each_partner_not_themselves(
    e2e, discord, alice, bob, ada, mira, channels
):
    await _paired(e2e, discord, alice, bob, mira, channels)  # bob mentors alice
    await register_mentor(discord, ada)
    await approve(discord, mira, ada)
    await mentee_profile(discord, bob)  # bob is a mentee too: of ada
    await ask_first_match(discord, bob)
    await discord.click(await offer_to(e2e, discord, ada), label="Accept", user=ada)
    status = await discord.invoke("mentor status", user=bob)
    assert f"Mentoring {alice.mention}" in status.text
    assert f"Paired with your mentor {ada.mention}" in status.text
    assert f"<@{bob.id}> since" not in status.text


async def _suggest(discord, who: User, title: str, url: str, in_channel: int | None = None):
    kwargs = {"in_channel": in_channel} if in_channel else {}
    opened = await discord.invoke("resources suggest", user=who, **kwargs)
    done = await discord.submit_modal(opened, {"Title": title, "Link (https)": url}, user=who)
    assert "waiting for a moderator" in done.content


async def _decide(discord, moderator: User, label: str) -> None:
    review_reply = await discord.invoke("resources review", user=moderator)
    [card] = await review_reply.wait_followups(1)
    await discord.click(card, label=label, user=moderator)
    assert not card.buttons


async def test_the_member_is_told_when_their_link_is_approved_or_rejected(
    e2e, discord, alice, mira
):
    await _suggest(discord, alice, "Observership Finder", "https://observerships.example.org")
    await _decide(discord, mira, "Approve")
    approved = await dm_with(e2e, discord, alice, "was approved")
    assert "**Observership Finder**" in approved.text and "`/resources search`" in approved.text

    await _suggest(discord, alice, "Bad link @everyone", "https://bad.example.org")
    await _decide(discord, mira, "Reject")
    rejected = await dm_with(e2e, discord, alice, "did not add your suggested link")
    assert not rejected.pings_anyone and "@everyone" not in rejected.text


async def test_closed_dms_mention_the_member_where_they_suggested_the_link(
    e2e, discord, alice, mira, channels
):
    e2e.server.dm_closed.add(alice.id)
    await _suggest(discord, alice, "Match stats", "https://stats.example.org",
                   in_channel=channels.general.id)
    await _decide(discord, mira, "Reject")
    line = await line_in(e2e, discord, channels.general.id, "Match stats")
    assert line.text.startswith(alice.mention) and FALLBACK in line.text
    assert line.pinged_users == {alice.id}


async def _alice_owns_a_group_bob_joined(discord, alice: User, bob: User) -> None:
    await discord.invoke("studygroup create", user=alice, name="CK crew", topic="Step 2 CK")
    joined = await discord.invoke("studygroup join", user=bob, group="CK crew")
    assert "You joined" in joined.text


async def _erase(discord, who: User) -> None:
    warning = await discord.invoke("privacy delete", user=who)
    done = await discord.click(warning, label="Delete my data", user=who)
    assert "no longer stores anything about you" in done.text


async def test_a_member_who_inherits_a_group_is_told(e2e, discord, alice, bob):
    await _alice_owns_a_group_bob_joined(discord, alice, bob)
    await _erase(discord, alice)
    told = await dm_with(e2e, discord, bob, "You are now the owner of the study group")
    assert "**CK crew**" in told.text and "deleted their data" in told.text
    assert alice.mention not in told.text


async def test_closed_dms_mention_the_heir_in_the_announcements_channel(
    e2e, discord, alice, bob, channels
):
    await e2e.set_setting("announcements_channel", channels.announcements.id)
    await _alice_owns_a_group_bob_joined(discord, alice, bob)
    e2e.server.dm_closed.add(bob.id)
    await _erase(discord, alice)
    line = await line_in(e2e, discord, channels.announcements.id, "owner of the study group")
    assert line.text.startswith(bob.mention) and FALLBACK in line.text
    assert line.pinged_users == {bob.id}


async def test_a_group_handed_over_or_archived_by_others_tells_its_owners(
    e2e, discord, alice, bob, mira
):
    await _alice_owns_a_group_bob_joined(discord, alice, bob)
    await discord.invoke("studygroup join", user=mira, group="CK crew")
    moved = await discord.invoke("studygroup transfer", user=alice, group="CK crew", member=bob)
    assert "now owns" in moved.text
    given = await dm_with(e2e, discord, bob, "made you the owner of the study group")
    assert alice.mention in given.text and "**CK crew**" in given.text
    assert discord.dms_of(alice) == []  # her own decision: nothing to tell her

    await discord.invoke("studygroup transfer", user=mira, group="CK crew", member=alice)  # a mod
    await dm_with(e2e, discord, alice, "made you the owner")
    taken = await dm_with(e2e, discord, bob, "handed your study group")
    assert "**CK crew**" in taken.text and not taken.pings_anyone

    archived = await discord.invoke("studygroup archive", user=mira, group="CK crew")
    assert archived.ephemeral
    told = await dm_with(e2e, discord, alice, "archived your study group")
    assert "0 upcoming session(s) cancelled" in told.text
