"""A mock interview round end to end through localdiscord: moderators schedule the close,
members join, the round closes (once, across a restart) into a private thread with three times
and the interviewer's questions by DM, the odd one out is told, the rubric reaches the
interviewee only, two missed sessions sit a member out, and /privacy covers it all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.outbox import SOURCE_NAME as OUTBOX
from tests.scan import rows_holding

SUNDAY_CLOSE = datetime(2026, 1, 11, 23, 0, tzinfo=UTC)  # Sun 18:00 New York


async def _run_due(e2e) -> None:
    await e2e.bot.scheduler.run_now(OUTBOX)


async def _setup(discord, mira, channels, members) -> None:
    scheduled = await discord.invoke("mock schedule", user=mira, day="Sunday", time="18:00",
                                     zone="America/New_York",
                                     options={"channel": channels.general})
    assert scheduled.ephemeral and "every **Sunday at 18:00** (America/New_York)" in scheduled.text
    assert f"<t:{int(SUNDAY_CLOSE.timestamp())}:F>" in scheduled.text
    for who, zone in members:
        await discord.invoke("timezone set", user=who, zone=zone)


async def _close(e2e, clock: ManualClock, at: datetime) -> None:
    clock.set(at)
    await _run_due(e2e)


def _mock_dms(discord, who, start: str) -> list:
    return [m for m in discord.dms_of(who) if m.content.startswith(start)]


async def test_a_round_pairs_opens_a_thread_dms_and_sends_the_rubric_to_the_interviewee(
    e2e, discord, clock: ManualClock, alice, bob, ada, mira, channels
):
    refused = await discord.invoke("mock schedule", user=alice, day="Sunday", time="18:00",
                                   zone="America/New_York", options={"channel": channels.general})
    assert "moderator command" in refused.text
    early = await discord.invoke("mock join", user=alice, role="interviewee",
                                 specialty="internal_medicine")
    assert early.ephemeral and "`/mock schedule`" in early.text
    await _setup(discord, mira, channels, [(bob, "America/Chicago"), (ada, "Africa/Lagos")])

    no_zone = await discord.invoke("mock join", user=alice, role="interviewee",
                                   specialty="internal_medicine")
    assert "`/timezone set`" in no_zone.text
    await discord.invoke("timezone set", user=alice, zone="Asia/Kolkata")
    choices = await discord.autocomplete("mock join", "specialty", "intern", user=alice)
    assert choices[0].value == "internal_medicine"
    bad = await discord.invoke("mock join", user=alice, role="interviewee", specialty="astrology")
    assert bad.ephemeral and "not a specialty I know" in bad.text
    joined = await discord.invoke("mock join", user=alice, role="interviewee",
                                  specialty="internal_medicine")
    assert "as **interviewee** (Internal Medicine)" in joined.text
    assert f"<t:{int(SUNDAY_CLOSE.timestamp())}:F>" in joined.text
    await discord.invoke("mock join", user=bob, role="interviewer", specialty="internal_medicine")
    await discord.invoke("mock join", user=ada, role="interviewer", specialty="pediatrics")
    status = await discord.invoke("mock status", user=alice)
    assert status.ephemeral and "in this week's round as **interviewee**" in status.text

    await _close(e2e, clock, SUNDAY_CLOSE)
    assert await e2e.server.wait_until(lambda: bool(discord.threads_in(channels.general)), 5)
    [thread] = discord.threads_in(channels.general)
    assert thread["type"] == 12  # private
    thread_id = int(thread["id"])
    intro = await discord.wait_for_message(thread_id, lambda m: "Mock interview" in m.content)
    assert {alice.id, bob.id} <= set(e2e.server.thread_members[thread_id])
    assert ada.id not in e2e.server.thread_members[thread_id]
    assert intro.pinged_users == {alice.id, bob.id}
    assert f"<@{bob.id}> interviews <@{alice.id}>" in intro.content
    times = [line for line in intro.content.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(times) == 3 and all("<t:" in t and "(Kolkata)" in t and "(Chicago)" in t
                                   for t in times)

    assert await e2e.server.wait_until(
        lambda: bool(_mock_dms(discord, bob, "Your mock interview with")), 5)
    [questions] = _mock_dms(discord, bob, "Your mock interview with")
    titles = [e["title"] for e in questions.embeds]
    assert titles == ["General", "Behavioural", "Specialty: Internal Medicine",
                      "The IMG questions"]
    assert "A strong answer:" in questions.embeds[3]["description"]
    assert "gap in your timeline" in questions.embeds[3]["description"]
    assert not questions.pings_anyone
    assert await e2e.server.wait_until(
        lambda: bool(_mock_dms(discord, ada, "No mock interview partner")), 5)
    assert not _mock_dms(discord, alice, "Your mock interview with")

    status = await discord.invoke("mock status", user=alice)
    assert f"Your last session: interviewee, with <@{bob.id}> in <#{thread_id}>" in status.text
    assert "You are not in this week's round" in status.text

    await e2e.restart_bot()  # nothing is made or sent twice
    await _run_due(e2e)
    assert len(discord.threads_in(channels.general)) == 1
    assert len(_mock_dms(discord, bob, "Your mock interview with")) == 1
    assert len(_mock_dms(discord, ada, "No mock interview partner")) == 1

    soon = await discord.invoke("mock feedback", user=bob, partner_came=True, structure=3,
                                specificity=2, img_questions=4, communication=3)
    assert "has not happened yet" in soon.text
    clock.set(SUNDAY_CLOSE + timedelta(days=8))
    half = await discord.invoke("mock feedback", user=bob, partner_came=True, structure=3)
    assert "Score all four" in half.text
    given = await discord.invoke("mock feedback", user=bob, partner_came=True, structure=3,
                                 specificity=2, img_questions=4, communication=3,
                                 comment="Calm on the gap year. @everyone Be more specific.")
    assert "only to them" in given.text
    assert await e2e.server.wait_until(
        lambda: bool(_mock_dms(discord, alice, "Feedback on your mock interview")), 5)
    [rubric] = _mock_dms(discord, alice, "Feedback on your mock interview")
    [embed] = rubric.embeds
    assert [f["name"] for f in embed["fields"]] == [
        "Structure: 3/4 (good)", "Specificity: 2/4 (developing)",
        "IMG questions: 4/4 (strong)", "Communication: 3/4 (good)"]
    assert "Calm on the gap year." in embed["description"] and not rubric.pings_anyone
    assert "@everyone" not in embed["description"]
    assert not _mock_dms(discord, bob, "Feedback on your mock interview")
    assert "You gave your feedback on it." in (await discord.invoke("mock status", user=bob)).text
    assert not any("Calm on the gap year" in m.content
                   for m in discord.messages_in(thread_id))

    exported = await e2e.bot.services.privacy.export_member(e2e.world.guild_id, alice.id)
    [session] = exported["data"]["mock_interviews"]["sessions"]
    assert session["feedback_received"]["Structure"] == 3
    warning = await discord.invoke("privacy delete", user=alice)
    assert "- Mock interviews: " in warning.content
    await discord.click(warning, label="Delete my data", user=alice)
    assert rows_holding(e2e.settings.database_path, alice.id) == []


async def test_two_missed_sessions_in_a_row_sit_a_member_out_of_one_round(
    e2e, discord, clock: ManualClock, alice, bob, ada, mira, channels
):
    await _setup(discord, mira, channels, [(alice, "Asia/Kolkata"), (bob, "America/Chicago"),
                                           (ada, "Africa/Lagos")])
    close = SUNDAY_CLOSE
    for partner in (bob, ada):
        await discord.invoke("mock join", user=alice, role="interviewee",
                             specialty="internal_medicine")
        await discord.invoke("mock join", user=partner, role="interviewer",
                             specialty="internal_medicine")
        await _close(e2e, clock, close)
        clock.set(close + timedelta(days=6))
        close += timedelta(days=7)
        reported = await discord.invoke("mock feedback", user=partner, partner_came=False)
        assert "your partner did not come" in reported.text
    assert "they sit out the next round" in reported.text
    assert await e2e.server.wait_until(
        lambda: bool(_mock_dms(discord, alice, "You sit out the mock interview round")), 5)
    [told] = _mock_dms(discord, alice, "You sit out the mock interview round")
    assert f"<t:{int(close.timestamp())}:F>" in told.content
    assert "two missed sessions in a row" in told.content
    refused = await discord.invoke("mock join", user=alice, role="interviewee",
                                   specialty="internal_medicine")
    assert refused.ephemeral and "two of your sessions in a row" in refused.text

    await _close(e2e, clock, close)  # the round she sits out closes
    back = await discord.invoke("mock join", user=alice, role="interviewee",
                                specialty="internal_medicine")
    assert "You are in this week's mock interviews" in back.text
