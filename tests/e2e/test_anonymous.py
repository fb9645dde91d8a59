"""Anonymous questions end to end: the real bot through discord.py against localdiscord."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.outbox import SOURCE_NAME as OUTBOX
from bot.services.anonymous import CLOSE_NOTICE
from bot.services.mentoring import MentorInput
from localdiscord.harness import BotHarness
from tests.e2e.anon_env import Anon

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(e2e: BotHarness, clock: ManualClock) -> Anon:
    return Anon(e2e, clock)


async def test_ask_in_a_text_channel_answer_followup_close(env: Anon) -> None:
    await env.configure("anonymous")
    alice, bob = env.world.member("alice"), env.world.member("bob")
    code, ack = await env.ask(
        "Failed Step 1 once", f"Is it a red flag? @everyone {bob.mention} discord.gg/spam", "usmle"
    )
    assert "posted anonymously" in ack.content
    assert env.discord.messages_in("anonymous") == []  # not yet: the random delay

    await env.publish_due()
    [post] = env.discord.messages_in("anonymous")
    assert post.author_id == env.world.bot.id
    assert not post.pings_anyone
    assert str(alice.id) not in str(post.data)
    assert post.content.startswith(
        "**Failed Step 1 once**\n-# Anonymous question #1 · Topic: usmle"
    )
    assert "@everyone" not in post.content and bob.mention not in post.content
    assert "discord.gg" not in post.content
    assert [b["label"] for b in post.buttons] == ["Report"]
    [thread] = env.discord.threads_in("anonymous")
    assert thread["name"] == "Failed Step 1 once"

    env.discord.post(int(thread["id"]), "Not a red flag if the rest is strong.", user="bob")

    form = await env.discord.invoke("ask followup", user="alice")
    ack = await env.discord.submit_modal(
        form, {"Claim code": code, "Follow-up": "Thanks! My Step 2 is 250."}
    )
    assert "as **Asker**" in ack.text
    await env.publish_due()
    followup = env.discord.messages_in(int(thread["id"]))[-1]
    assert followup.author_id == env.world.bot.id and not followup.pings_anyone
    assert followup.content == "**Asker** (follow-up):\nThanks! My Step 2 is 250."

    reply = await env.discord.invoke("ask close", user="alice", code=code)
    assert "marked answered" in reply.text
    await env.publish_due()
    assert env.discord.messages_in(int(thread["id"]))[-1].content == CLOSE_NOTICE
    assert env.e2e.server.channels[int(thread["id"])]["thread_metadata"]["archived"] is True

    # Answered is final: a follow-up is refused, privately, and nothing follows the notice.
    form = await env.discord.invoke("ask followup", user="alice")
    late = await env.discord.submit_modal(form, {"Claim code": code, "Follow-up": "One more"})
    assert late.ephemeral and "marked as answered" in late.text and "/ask question" in late.text
    await env.publish_due()
    assert env.discord.messages_in(int(thread["id"]))[-1].content == CLOSE_NOTICE


async def test_wrong_codes_are_refused_then_rate_limited(env: Anon) -> None:
    await env.configure("anonymous")
    code, _ = await env.ask("Title", "Question")
    await env.publish_due()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    for _ in range(5):
        reply = await env.discord.invoke("ask close", user="bob", code=wrong)
        assert "does not match" in reply.text
    reply = await env.discord.invoke("ask close", user="bob", code=code)
    assert "Too many wrong claim codes" in reply.text
    reply = await env.discord.invoke("ask close", user="alice", code=code)
    assert "marked answered" in reply.text


async def test_forum_post_gets_the_matching_tag(env: Anon) -> None:
    await env.configure("forum")
    form = await env.discord.invoke("ask question", user="alice")
    assert "visa" in (form.modal.fields[2].placeholder or "")  # the forum's tags are suggested
    code, _ = await env.ask("J-1 waiver job", "My waiver job is abusive, what can I do?", "VISA")
    await env.publish_due()
    [thread] = env.discord.threads_in("forum")
    visa = next(
        t
        for t in env.e2e.server.channels[env.world.channel("forum").id]["available_tags"]
        if t["name"] == "visa"
    )
    assert thread["name"] == "J-1 waiver job"
    assert thread["applied_tags"] == [visa["id"]]
    [starter] = env.discord.messages_in(int(thread["id"]))
    assert starter.author_id == env.world.bot.id and not starter.pings_anyone
    assert "My waiver job is abusive" in starter.content

    reply = await env.discord.invoke("ask delete", user="alice", code=code)
    assert "will be removed" in reply.text
    await env.publish_due()
    assert env.discord.threads_in("forum") == []


async def test_preapproval_report_and_moderator_removal(env: Anon) -> None:
    await env.configure("anonymous", preapproval=True)
    await env.ask("Question one", "Please approve me")
    await env.ask("Question two", "Please reject me")
    await env.publish_due()
    assert env.discord.messages_in("anonymous") == []
    reviews = env.discord.messages_in("mod_review")
    assert len(reviews) == 2  # in random order, like their delays
    first = next(m for m in reviews if "Please approve me" in m.content)
    second = next(m for m in reviews if "Please reject me" in m.content)
    assert str(env.world.member("alice").id) not in str(first.data)

    refused = await env.discord.click(first, label="Approve", user="alice")
    assert "Only moderators" in refused.text
    await env.discord.click(first, label="Approve", user="mira")
    assert "approved by" in first.content and first.buttons == []
    await env.discord.click(second, label="Reject", user="mira")
    assert "rejected" in second.content

    await env.bot.scheduler.run_now(OUTBOX)  # approved questions go out at once
    [post] = env.discord.messages_in("anonymous")
    assert "Please approve me" in post.content

    form = await env.discord.click(post, label="Report", user="bob")
    await env.discord.submit_modal(form, {"What is wrong? (optional)": "Off topic"}, user="bob")
    report = env.discord.messages_in("mod_review")[-1]
    assert "reported anonymous question" in report.content and "Off topic" in report.content
    await env.discord.click(report, label="Remove question", user="mira")
    assert "was removed by" in report.content
    assert env.discord.threads_in("anonymous") == []
    assert post.deleted


async def test_moderators_can_pause_anonymous_asking(env: Anon) -> None:
    await env.configure("anonymous")
    reply = await env.discord.invoke("anonymous mute", user="alice", hours=2)
    assert "moderator command" in reply.text
    reply = await env.discord.invoke("anonymous mute", user="mira", hours=2)
    assert "paused until" in reply.text
    refused = await env.discord.invoke("ask question", user="alice")  # before typing anything
    assert refused.modal is None and "paused" in refused.text
    await env.discord.invoke("anonymous unmute", user="mira")
    await env.ask("t", "q")


async def test_a_queued_question_survives_a_restart_and_limits_do_not(env: Anon) -> None:
    await env.configure("anonymous")
    for n in range(3):
        await env.ask(f"Question {n}", "Posted after the restart")
    refused = await env.discord.invoke("ask question", user="alice")
    assert "3 anonymous questions per hour" in refused.text

    await env.e2e.restart_bot()
    await env.publish_due()
    assert len(env.discord.messages_in("anonymous")) == 3  # the rows, not the timers, are the truth
    # The documented trade-off: rate limits lived only in the old process's memory.
    again = await env.discord.invoke("ask question", user="alice")
    assert again.modal is not None


async def test_tagged_question_pings_matching_mentors_only(env: Anon) -> None:
    await env.configure("anonymous")
    bob, mira = env.world.member("bob"), env.world.member("mira")
    mentoring = env.bot.services.mentoring
    for user, visas in ((bob, ("j1",)), (mira, ("h1b",))):
        data = MentorInput.validated(
            specialties=("internal_medicine",),
            visas=visas,
            stage="matched",
            languages=("en",),
            timezone="America/New_York",
            capacity=2,
            bio="",
        )
        await mentoring.register_mentor(env.world.guild_id, user.id, data)
        await mentoring.moderate(env.world.guild_id, user.id, "approve")

    await env.ask("J-1 waiver job", "My waiver employer is abusive.", "J-1")
    await env.publish_due()
    [thread] = env.discord.threads_in("anonymous")
    [post] = env.discord.messages_in("anonymous")
    notice = env.discord.messages_in(int(thread["id"]))[-1]
    assert not post.pings_anyone
    assert notice.author_id == env.world.bot.id
    assert (
        notice.pinged_users == {bob.id} and not notice.pinged_roles and not notice.pinged_everyone
    )
    assert "Mentors who know **J-1**" in notice.content
