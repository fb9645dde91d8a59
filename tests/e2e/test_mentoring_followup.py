"""Mentorships that are followed up, end to end (issue 20): the intro's cadence and call times,
check-ins that arrive exactly once over a restart, the coordinators' alert (once), and "Ask
for details" pausing an offer's timeout until the mentee answers."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.outbox import SOURCE_NAME as OUTBOX
from tests.e2e.test_mentoring import (
    approve,
    ask_first_match,
    mentee_profile,
    offer_to,
    offers_to,
    register_mentor,
)

STAMP = re.compile(r"<t:(\d+):F>")


async def _paired(e2e, discord, alice, bob, mira, channels):
    """alice (mentee) and bob (mentor) paired; returns (thread id, the pinned intro)."""
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice, goals="Pass Step 2 CK by June")
    await ask_first_match(discord, alice)
    accepted = await discord.click(await offer_to(e2e, discord, bob), label="Accept", user=bob)
    assert "You accepted" in accepted.text
    assert await e2e.server.wait_until(lambda: bool(discord.threads_in(channels.general)))
    thread_id = int(discord.threads_in(channels.general)[0]["id"])
    return thread_id, await discord.wait_for_message(thread_id, lambda m: m.pinned)


def _checkins(discord, thread_id: int) -> list:
    return [m for m in discord.messages_in(thread_id) if "check-in:" in m.text]


async def _week(e2e, discord, clock, thread_id: int, weeks: float, count: int):
    clock.advance(timedelta(weeks=weeks))
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert await e2e.server.wait_until(lambda: len(_checkins(discord, thread_id)) >= count)
    return _checkins(discord, thread_id)[count - 1]


async def test_the_intro_states_goals_and_the_cadence_the_pair_chooses(
    e2e, discord, clock, alice, bob, mira, ada, channels
):
    thread_id, intro = await _paired(e2e, discord, alice, bob, mira, channels)
    assert "Pass Step 2 CK by June" in intro.text and "not chosen yet" in intro.text
    refused = await discord.select(intro, ["weekly"], user=ada)
    assert refused.ephemeral and "Only the two members" in refused.text
    await discord.select(intro, ["biweekly"], user=alice)
    [intro] = [m for m in discord.messages_in(thread_id) if m.pinned]
    assert "you meet every two weeks" in intro.text and intro.selects  # still there to change
    assert (await e2e.bot.services.mentoring.pairings_of(e2e.world.guild_id, bob.id))[0].cadence \
        == "biweekly"

    call = await discord.click(intro, label="Suggest a call", user=bob)
    stamps = [int(s) for s in STAMP.findall(call.text)]
    assert call.message is not None and not call.message.pings_anyone and not call.ephemeral
    assert len(stamps) == 3 and all(s > clock.now().timestamp() for s in stamps)


async def test_check_ins_arrive_once_over_restarts_and_end_asks_for_the_rating(
    e2e, discord, clock, alice, bob, mira, ada, channels
):
    thread_id, _ = await _paired(e2e, discord, alice, bob, mira, channels)
    await e2e.restart_bot()
    first = await _week(e2e, discord, clock, thread_id, 2, 1)
    assert "Week 2 check-in" in first.text and first.pinged_users == {alice.id, bob.id}
    assert [b["label"] for b in first.buttons] == ["Met", "Not yet", "End"]
    await e2e.restart_bot()  # the row was sent and marked: a restart sends nothing again
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert len(_checkins(discord, thread_id)) == 1

    refused = await discord.click(first, label="Met", user=ada)
    assert refused.ephemeral and "Only the two members" in refused.text
    met = await discord.click(first, label="Met", user=alice)
    assert met.message is not None and "have met" in met.text and not met.message.pings_anyone

    modal = await discord.click(first, label="End", user=bob)
    ended = await discord.submit_modal(modal, {"How did it go? 1 (poor) to 5 (great)": "5"},
                                       user=bob)
    assert ended.ephemeral and "ended" in ended.text
    assert (await e2e.bot.services.mentoring.get_mentor(e2e.world.guild_id, bob.id)).active == 0
    feedback = await e2e.bot.services.mentoring.feedback(e2e.world.guild_id)
    assert [(f.rating, f.ended_by) for f in feedback] == [(5, bob.id)]
    # The pairing ended: its week 6 and 12 check-ins never come.
    clock.advance(timedelta(weeks=11))
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert len(_checkins(discord, thread_id)) == 1


async def test_two_not_yet_in_a_row_alert_the_coordinator_role_once(
    e2e, discord, clock, alice, bob, mira, channels, roles
):
    await e2e.set_setting("mentor_coordinator_role", roles.mentors.id)
    thread_id, _ = await _paired(e2e, discord, alice, bob, mira, channels)

    def alerts() -> list:
        return [m for m in discord.messages_in(channels.general) if "two check-ins" in m.text]

    week2 = await _week(e2e, discord, clock, thread_id, 2, 1)
    await discord.click(week2, label="Not yet", user=alice)
    week6 = await _week(e2e, discord, clock, thread_id, 4, 2)
    await discord.click(week6, label="Not yet", user=bob)
    assert await e2e.server.wait_until(lambda: bool(alerts()))
    [alert] = alerts()
    assert alert.pinged_roles == {roles.mentors.id} and not alert.pinged_users
    assert alice.mention in alert.text and bob.mention in alert.text

    await discord.click(week6, label="Not yet", user=alice)
    week12 = await _week(e2e, discord, clock, thread_id, 6, 3)
    await discord.click(week12, label="Not yet", user=alice)
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert len(alerts()) == 1


async def test_asking_for_details_pauses_the_timeout_until_the_mentee_answers(
    e2e, discord, clock, alice, bob, ada, mira, channels
):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await register_mentor(discord, ada, "family_medicine")
    await approve(discord, mira, bob)
    await approve(discord, mira, ada)
    await mentee_profile(discord, alice)
    await ask_first_match(discord, alice)
    offer = await offer_to(e2e, discord, bob)

    clock.advance(timedelta(hours=40))  # 32 of the 72 hours left
    modal = await discord.click(offer, label="Ask for details", user=bob)
    sent = await discord.submit_modal(modal, {"Your question": "Which @everyone programs?"},
                                      user=bob)
    assert sent.ephemeral and alice.mention in sent.text and "paused" in sent.text
    again = await discord.click(offer, label="Ask for details", user=bob)
    assert again.ephemeral and "one per request" in again.text

    def questions() -> list:
        return [m for m in discord.dms_of(alice) if "asks before answering" in m.text]

    assert await e2e.server.wait_until(lambda: bool(questions()))
    [question] = questions()
    assert "@everyone" not in question.text and not question.pings_anyone

    clock.advance(timedelta(hours=40))  # past the first deadline: paused, still bob's
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert offers_to(discord, ada) == []
    status = await discord.invoke("mentor status", user=alice)
    assert "paused until you reply" in status.text
    await e2e.restart_bot()
    modal = await discord.click(question, label="Answer", user=alice)
    answered = await discord.submit_modal(modal, {"Your answer": "Community IM in the Midwest"},
                                          user=alice)
    assert answered.ephemeral and "sent to the mentor" in answered.text

    def answers() -> list:
        return [m for m in discord.dms_of(bob) if "answered your question" in m.text]

    assert await e2e.server.wait_until(lambda: bool(answers()))
    [answer] = answers()
    assert "Community IM in the Midwest" in answer.text
    deadline = int(STAMP.findall(answer.text)[0])
    assert deadline == int((clock.now() + timedelta(hours=32)).timestamp())  # the time left
    assert [b["label"] for b in answer.buttons] == ["Accept", "Decline"]

    clock.advance(timedelta(hours=31))
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert offers_to(discord, ada) == []
    clock.advance(timedelta(hours=1))
    await e2e.bot.scheduler.run_now(OUTBOX)
    assert alice.mention in (await offer_to(e2e, discord, ada)).text
