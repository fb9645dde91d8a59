"""Mentor matchmaking end to end: the real bot, real discord.py, localdiscord.

register -> approve -> request -> accept -> private thread; decline -> next candidate; timeout
after a simulated clock jump; Accept still works after a bot restart.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.outbox import SOURCE_NAME as OUTBOX
from localdiscord.seed import User

ANSWER_TIMEOUT = timedelta(hours=72)


async def register_mentor(discord, who: User, specialty: str = "internal_medicine",
                          menu: str = "Specialties A-O") -> None:
    form = await discord.invoke("mentor register", user=who, timezone="America/New_York",
                                capacity=2)
    assert form.ephemeral and "Step 1 of 2" in form.text
    await discord.select(form, [specialty], placeholder=menu, user=who)
    await discord.select(form, ["j1"], placeholder="Visa routes you have lived", user=who)
    await discord.select(form, ["matched"], placeholder="Exam stage reached", user=who)
    await discord.click(form, label="Next: languages", user=who)
    await discord.select(form, ["en", "hi"], placeholder="Languages you speak", user=who)
    modal = await discord.click(form, label="Write your bio and save", user=who)
    saved = await discord.submit_modal(modal, {"Short bio": "IM resident, J-1 route"}, user=who)
    assert "waits for a moderator" in saved.text


async def approve(discord, moderator: User, who: User) -> None:
    reply = await discord.invoke("mentor review", user=moderator, member=who, action="approve")
    assert "approved" in reply.text
    # The mentor is told (a member notice): wait for it, so it never races an offer.
    assert await discord.server.wait_until(
        lambda: any("approved your mentor profile" in m.text for m in discord.dms_of(who)))


async def mentee_profile(discord, who: User, goals: str = "Match in IM") -> None:
    form = await discord.invoke("mentee profile", user=who, timezone="Asia/Kolkata")
    await discord.select(form, ["internal_medicine"], placeholder="Specialties A-O", user=who)
    await discord.select(form, ["j1"], placeholder="The visa you will need", user=who)
    await discord.select(form, ["step1"], placeholder="Exam stage reached", user=who)
    await discord.click(form, label="Next: languages", user=who)
    await discord.select(form, ["en"], placeholder="Languages you speak", user=who)
    modal = await discord.click(form, label="Write your goals and save", user=who)
    saved = await discord.submit_modal(modal, {"What you want help with": goals}, user=who)
    assert "mentee profile is saved" in saved.text


async def ask_first_match(discord, who: User):
    """Run /mentor request and ask match 1; returns (the suggestions shown, the answer)."""
    suggestions = await discord.invoke("mentor request", user=who)
    assert suggestions.ephemeral
    fields = [dict(f) for f in suggestions.embeds[0]["fields"]]  # the reply is edited on click
    return fields, await discord.click(suggestions, label="Ask match 1", user=who)


def offers_to(discord, mentor: User) -> list:
    """The DMs asking ``mentor`` to take a mentee (offers, reminders), not member notices."""
    return [m for m in discord.dms_of(mentor) if m.embeds]


async def offer_to(e2e, discord, mentor: User, count: int = 1):
    assert await e2e.server.wait_until(lambda: len(offers_to(discord, mentor)) >= count)
    return offers_to(discord, mentor)[count - 1]


async def test_register_approve_request_accept_opens_a_private_thread(
    e2e, discord, alice, bob, mira, channels
):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await mentee_profile(discord, alice)
    pending = await discord.invoke("mentor request", user=alice)
    assert "No mentor fits" in pending.text  # bob is not approved yet
    refused = await discord.invoke("mentor review", user=alice, member=bob, action="approve")
    assert "moderator" in refused.text.lower()
    await approve(discord, mira, bob)

    [field], asked = await ask_first_match(discord, alice)
    assert bob.mention in field["value"] and "Specialty: Internal Medicine" in field["value"]
    assert "Request sent to" in asked.text and bob.mention in asked.text

    offer = await offer_to(e2e, discord, bob)
    assert alice.mention in offer.text and not offer.pings_anyone
    assert [b["custom_id"] for b in offer.buttons] == ["fmg:mentor:accept:1",
                                                       "fmg:mentor:decline:1",
                                                       "fmg:mentor:details:1"]
    accepted = await discord.click(offer, label="Accept", user=bob)
    assert "You accepted" in accepted.text
    assert offer.buttons == []  # answered: the buttons are gone

    assert await e2e.server.wait_until(lambda: bool(discord.threads_in(channels.general)))
    [thread] = discord.threads_in(channels.general)
    assert thread["type"] == 12  # private
    thread_id = int(thread["id"])
    intro = await discord.wait_for_message(thread_id, lambda m: m.pinned)
    assert {alice.id, bob.id} <= set(e2e.server.thread_members[thread_id])
    assert intro.pinged_users == {alice.id, bob.id}
    status = await discord.invoke("mentor status", user=alice)
    assert f"<#{thread_id}>" in status.text and "accepted" in status.text

    ended = await discord.invoke("mentor end", user=alice, rating=5, feedback="So helpful")
    assert "has ended" in ended.text
    feedback = await discord.invoke("mentor feedback", user=mira)
    assert "So helpful" in feedback.embeds[0]["description"]


async def test_decline_moves_the_request_to_the_next_candidate(
    e2e, discord, alice, bob, ada, mira, channels
):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await register_mentor(discord, ada, "family_medicine")
    await approve(discord, mira, bob)
    await approve(discord, mira, ada)
    await mentee_profile(discord, alice)
    await ask_first_match(discord, alice)  # bob: same specialty, the better match

    declined = await discord.click(await offer_to(e2e, discord, bob), label="Decline", user=bob)
    assert "declined" in declined.text
    next_offer = await offer_to(e2e, discord, ada)
    assert alice.mention in next_offer.text
    assert await e2e.server.wait_until(lambda: bool(discord.dms_of(alice)))
    [update] = discord.dms_of(alice)
    assert ada.mention in update.text and not update.pings_anyone
    status = await discord.invoke("mentor status", user=alice)
    assert ada.mention in status.text and "Mentors asked so far: 2" in status.text


async def test_no_answer_in_time_moves_on_after_a_clock_jump(
    e2e, discord, clock, alice, bob, ada, mira, channels
):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await register_mentor(discord, ada, "family_medicine")
    await approve(discord, mira, bob)
    await approve(discord, mira, ada)
    await mentee_profile(discord, alice)
    await ask_first_match(discord, alice)
    await offer_to(e2e, discord, bob)

    clock.advance(ANSWER_TIMEOUT / 2)
    await e2e.bot.scheduler.run_now(OUTBOX)
    reminder = await offer_to(e2e, discord, bob, count=2)
    assert reminder.text.startswith("Reminder") and reminder.buttons
    assert offers_to(discord, ada) == []

    clock.advance(ANSWER_TIMEOUT / 2)
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert alice.mention in (await offer_to(e2e, discord, ada)).text
    [update] = discord.dms_of(alice)
    assert "did not answer in time" in update.text
    late = await discord.click(offers_to(discord, bob)[0], label="Accept", user=bob)
    assert late.ephemeral and "no longer waiting" in late.text


async def test_accept_still_works_after_a_bot_restart(e2e, discord, alice, bob, mira, channels):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice)
    await ask_first_match(discord, alice)
    offer = await offer_to(e2e, discord, bob)

    await e2e.restart_bot()
    accepted = await discord.click(offer, label="Accept", user=bob)
    assert "You accepted" in accepted.text
    assert await e2e.server.wait_until(lambda: bool(discord.threads_in(channels.general)))


async def test_match_all_preview_confirm_and_export(
    e2e, discord, alice, bob, mira, channels, roles
):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice, goals=f"@everyone {roles.mentors.mention} help me")

    preview = await discord.invoke("mentor match-all", user=mira)
    assert "proposed pairs: **1**" in preview.embeds[0]["description"]
    [plan] = preview.attachments
    assert plan.text.splitlines()[1].startswith(f"{alice.id},{bob.id},")
    done = await discord.click(preview, label="Create these pairings", user=mira)
    assert "Created 1 pairings" in done.text
    assert await e2e.server.wait_until(lambda: bool(discord.threads_in(channels.general)))
    [thread] = discord.threads_in(channels.general)
    intro = await discord.wait_for_message(int(thread["id"]), lambda m: m.pinned)
    assert "\uff20everyone" in intro.text and "@role help me" in intro.text  # shown, not live
    assert "@everyone" not in intro.text
    assert intro.pinged_users == {alice.id, bob.id}
    assert not intro.pinged_everyone and not intro.pinged_roles

    roster = await discord.invoke("mentor roster", user=mira, status="approved")
    assert "1/2 mentees" in roster.embeds[0]["description"]
    export = await discord.invoke("mentor export", user=mira)
    [row] = list(csv.DictReader(io.StringIO(export.attachments[0].text)))
    assert (row["user_id"], row["active"], row["status"]) == (str(bob.id), "1", "approved")


async def test_bad_input_is_a_friendly_error_that_changes_nothing(discord, bob, mira):
    choices = await discord.autocomplete("mentor register", "timezone", "kolk", user=bob,
                                         capacity=2)
    assert [c.value for c in choices] == ["Asia/Kolkata"]
    refused = await discord.invoke("mentor register", user=bob, timezone="Mars/Olympus_Mons",
                                   capacity=2)
    assert refused.ephemeral and "is not a time zone I know" in refused.text
    roster = await discord.invoke("mentor roster", user=mira)
    assert roster.embeds[0]["description"] == "No mentor matches these filters."
    not_yet = await discord.invoke("mentor request", user=bob)
    assert not_yet.ephemeral and "mentoring channel" in not_yet.text


async def test_pausing_hands_waiting_requests_to_the_next_mentor(
    e2e, discord, alice, bob, ada, mira, channels
):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await register_mentor(discord, ada, "family_medicine")
    await approve(discord, mira, bob)
    await approve(discord, mira, ada)
    await mentee_profile(discord, alice)
    await ask_first_match(discord, alice)
    await offer_to(e2e, discord, bob)

    paused = await discord.invoke("mentor pause", user=bob)
    assert "1 waiting request(s) went on" in paused.text
    assert alice.mention in (await offer_to(e2e, discord, ada)).text
    withdrawn = await discord.invoke("mentor withdraw", user=alice)
    assert "withdrawn" in withdrawn.text
    stale = await discord.click(offers_to(discord, ada)[0], label="Decline", user=ada)
    assert stale.ephemeral and "no longer waiting" in stale.text
