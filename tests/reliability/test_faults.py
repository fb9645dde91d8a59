"""Faults injected by localdiscord: 429 storms with retry_after, 5xx bursts, slow REST, a
gateway dropped mid-dispatch, RECONNECT and INVALID_SESSION.

Whatever Discord does, the bot raises nothing it does not handle (no ERROR in the log but the
retried-send line a real outage earns), every interaction is answered, and the mentoring offer
(the announcement due work on this branch) reaches the mentor exactly once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.test_mentoring import (
    approve,
    ask_first_match,
    mentee_profile,
    offers_to,
    register_mentor,
)
from tests.reliability.commands import APOLOGY

CALLBACK = r"^/interactions/\d+/[^/]+/callback$"
FOLLOWUP = r"^/webhooks/\d+/[^/]+"
SEND = r"^/channels/\d+/messages$"


def unhandled(log_errors) -> list[str]:
    """ERROR lines, except a notice send that failed and is left for its retry."""
    return [line for line in log_errors.lines() if "failed, will retry" not in line]


async def offers(e2e, discord, mentor, *, settle: float = 0.3) -> int:
    """How many offers ``mentor`` got, after giving any duplicate time to show up."""
    await e2e.server.wait_until(lambda: False, settle)
    return sum("Accept" in str(m.components) for m in discord.dms_of(mentor))


@pytest.fixture
async def mentoring_ready(e2e, discord, alice, bob, mira, channels):
    """bob is an approved mentor, alice a mentee, the guild has a mentoring channel."""
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice)


@pytest.mark.slow
async def test_interactions_are_answered_through_429s_5xx_and_slow_rest(
        e2e, discord, alice, mira, mentoring_ready, log_errors):
    faults = e2e.server.faults
    faults.rate_limit(retry_after=0.05, times=3, route=CALLBACK)
    assert "/help" in (await discord.invoke("help", user=alice)).text
    faults.rate_limit(retry_after=0.1, times=2, route=CALLBACK, is_global=True)
    assert "request" in (await discord.invoke("mentor status", user=alice)).text
    faults.server_errors(status=502, times=1, route=CALLBACK)
    assert "/help" in (await discord.invoke("help", user=alice)).text
    # A deferred command whose followup meets a storm: the preview still arrives.
    faults.rate_limit(retry_after=0.05, times=2, route=FOLLOWUP, method="POST")
    preview = await discord.invoke("mentor match-all", user=mira)
    assert "Match-all preview" in preview.text
    faults.add_latency(0.4)  # every REST call slow, as on a bad day
    suggestions = await discord.invoke("mentor request", user=alice)
    assert suggestions.ephemeral and suggestions.embeds
    faults.clear()
    statuses = sorted({status for _, _, status in faults.injected})
    assert statuses == [429, 502]
    assert len(faults.injected) == 8
    assert log_errors.lines() == []


@pytest.mark.slow
async def test_the_offer_reaches_the_mentor_once_through_a_storm(
        e2e, discord, alice, bob, mentoring_ready, log_errors):
    faults = e2e.server.faults
    faults.rate_limit(retry_after=0.05, times=2, route=SEND, method="POST")
    faults.server_errors(status=502, times=1, route=SEND, method="POST")
    _, asked = await ask_first_match(discord, alice)
    assert "Request sent" in asked.text
    assert await e2e.server.wait_until(lambda: bool(offers_to(discord, bob)), 10)
    assert await offers(e2e, discord, bob) == 1
    assert log_errors.lines() == []


@pytest.mark.slow
async def test_an_offer_that_meets_an_outage_is_sent_once_after_it(
        e2e, discord, clock, alice, bob, mentoring_ready, log_errors):
    faults = e2e.server.faults
    faults.server_errors(status=503, times=1000, route=SEND, method="POST")  # not retried inline
    _, asked = await ask_first_match(discord, alice)
    assert "Request sent" in asked.text  # the member's answer does not wait for the DM
    assert await e2e.server.wait_until(lambda: bool(faults.injected), 5)
    await e2e.bot.scheduler.run_now()
    assert offers_to(discord, bob) == []
    faults.clear()
    clock.advance(timedelta(minutes=3))  # past the claim's retry delay
    await e2e.bot.scheduler.run_now()
    assert await e2e.server.wait_until(lambda: bool(offers_to(discord, bob)), 5)
    clock.advance(timedelta(minutes=3))
    await e2e.bot.scheduler.run_now()  # a second pass finds nothing left to send
    assert await offers(e2e, discord, bob) == 1
    assert unhandled(log_errors) == []


@pytest.mark.slow
async def test_gateway_faults_lose_no_interaction_and_double_no_answer(
        e2e, discord, alice, bob, mentoring_ready, log_errors):
    gateway = e2e.server.gateway
    _, asked = await ask_first_match(discord, alice)
    assert "Request sent" in asked.text
    assert await e2e.server.wait_until(lambda: bool(offers_to(discord, bob)), 5)
    [offer] = offers_to(discord, bob)
    gateway.drop(mid_dispatch=True)  # the Accept click is sequenced, then the socket closes
    accepted = await discord.click(offer, label="Accept", user=bob, timeout=15)
    assert "You accepted" in accepted.text
    gateway.reconnect()
    status = await discord.invoke("mentor status", user=alice, timeout=15)
    assert "accepted" in status.text
    gateway.invalidate(resumable=True)
    assert "/help" in (await discord.invoke("help", user=bob, timeout=15)).text
    gateway.invalidate(resumable=False)
    status = await discord.invoke("mentor status", user=alice, timeout=20)
    assert status.text.count("Paired with") == 1
    assert gateway.stats["dropped"] >= 1 and gateway.stats["resumed"] >= 2
    assert gateway.stats["identify"] == 2
    every = list(e2e.server.interactions.values())
    assert all(r.responded for r in every)
    assert not any(APOLOGY in (e2e.server.messages.get(r.original_id) or {}).get("content", "")
                   for r in every if r.original_id)
    assert log_errors.lines() == []


@pytest.mark.slow
async def test_each_study_session_is_announced_once_through_storms_and_outages(
        e2e, discord, clock, alice, channels, log_errors):
    from bot.outbox import SOURCE_NAME as OUTBOX
    from cogs.study_groups_views import SOURCE_NAME

    async def run_due() -> None:
        await e2e.bot.scheduler.run_now(SOURCE_NAME)
        await e2e.bot.scheduler.run_now(OUTBOX)

    def announced(title: str) -> int:
        return sum(title in m.content for m in discord.messages_in(channels.announcements))

    await e2e.set_setting("announcements_channel", channels.announcements.id)
    await discord.invoke("studygroup create", user=alice, name="Step 3 CCS", topic="Step 3")
    for title, start in (("Cases", "2026-01-05 13:00"), ("Ethics", "2026-01-05 15:00")):
        made = await discord.invoke("session schedule", user=alice, group="Step 3 CCS",
                                    title=title, start=start)
        assert APOLOGY not in made.text
    await run_due()  # scheduled events now; each is under 24 h ahead, so announced at once
    assert announced("Cases") == 1 and announced("Ethics") == 1
    faults = e2e.server.faults
    faults.rate_limit(retry_after=0.05, times=3, route=SEND, method="POST")  # absorbed inline
    faults.server_errors(status=503, times=2, route=SEND, method="POST")  # retried with backoff
    clock.set(clock.now().replace(hour=12, minute=45))
    await run_due()
    for _ in range(6):  # walk the clock through the backoff
        clock.advance(timedelta(seconds=30))
        await run_due()
    assert announced("Cases") == 2  # then 15 minutes before, once, through 429s and 503s
    assert {s for _, _, s in faults.injected} == {429, 503}
    e2e.server.gateway.drop()  # the gateway goes away; REST sends do not need it
    faults.add_latency(0.3)
    clock.set(clock.now().replace(hour=14, minute=45))
    await run_due()
    faults.clear()
    await run_due()  # nothing left: a second pass posts nothing twice
    assert announced("Ethics") == 2 and announced("Cases") == 2
    assert unhandled(log_errors) == []
