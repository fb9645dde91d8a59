"""Due work wakes itself: the paths that once forgot to wake the scheduler, and a new kind of
due work, are delivered in seconds of real time with no clock advance and no poke.

Before the one outbox, cogs woke the scheduler by hand after each command, and three paths
forgot (a mentor's `/privacy delete`, a mentor leaving the server, a capacity cut in
`/mentor profile-edit`): the next mentor's offer waited for a timer armed earlier, up to 36 h.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime

import pytest

from bot.config import Settings
from bot.outbox import Done, DueItem, Handler, Outcome, Policy, Receipt, Send
from localdiscord.seed import User
from tests.e2e.test_mentoring import (
    approve,
    ask_first_match,
    mentee_profile,
    offer_to,
    offers_to,
    register_mentor,
)

PROMPT_S = 5.0  # real seconds; the old timer would have waited for the 36 h reminder


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Leave events reach the bot only with the members intent.
    return dataclasses.replace(settings, members_intent=True)


async def _alice_waits_for_bob(e2e, discord, alice: User, bob: User, ada: User, mira: User,
                               channels) -> None:
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)
    await register_mentor(discord, ada, "family_medicine")
    await approve(discord, mira, bob)
    await approve(discord, mira, ada)
    await mentee_profile(discord, alice)
    await ask_first_match(discord, alice)  # bob: the better match
    await offer_to(e2e, discord, bob)
    assert offers_to(discord, ada) == []


async def _ada_is_offered_alice_promptly(e2e, discord, alice: User, ada: User) -> None:
    assert await e2e.server.wait_until(lambda: bool(offers_to(discord, ada)), PROMPT_S)
    assert alice.mention in offers_to(discord, ada)[0].text
    assert await e2e.server.wait_until(lambda: bool(discord.dms_of(alice)), PROMPT_S)
    assert ada.mention in discord.dms_of(alice)[-1].text


async def test_the_next_offer_arrives_promptly_after_the_mentor_deletes_their_data(
    e2e, discord, clock, alice, bob, ada, mira, channels
):
    await _alice_waits_for_bob(e2e, discord, alice, bob, ada, mira, channels)
    before = clock.now()
    warning = await discord.invoke("privacy delete", user=bob)
    done = await discord.click(warning, label="Delete my data", user=bob)
    assert "no longer stores anything about you" in done.text
    await _ada_is_offered_alice_promptly(e2e, discord, alice, ada)
    assert clock.now() == before  # nothing but the delete itself woke the outbox


async def test_the_next_offer_arrives_promptly_after_the_mentor_leaves_the_server(
    e2e, discord, clock, alice, bob, ada, mira, channels
):
    await _alice_waits_for_bob(e2e, discord, alice, bob, ada, mira, channels)
    before = clock.now()
    e2e.server.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(e2e.world.guild_id),
                                                "user": e2e.server.users[bob.id]})
    await _ada_is_offered_alice_promptly(e2e, discord, alice, ada)
    assert clock.now() == before


async def test_the_next_offer_arrives_promptly_after_a_capacity_cut(
    e2e, discord, clock, alice, bob, ada, mira, channels
):
    await _alice_waits_for_bob(e2e, discord, alice, bob, ada, mira, channels)
    # Bob (capacity 2) takes mira on: one slot left, still held open for alice's request.
    await mentee_profile(discord, mira)
    await ask_first_match(discord, mira)
    second = await offer_to(e2e, discord, bob, count=2)
    assert "You accepted" in (await discord.click(second, label="Accept", user=bob)).text
    before = clock.now()
    form = await discord.invoke("mentor profile-edit", user=bob, capacity=1)
    await discord.click(form, label="Next: languages", user=bob)
    modal = await discord.click(form, label="Write your bio and save", user=bob)
    await discord.submit_modal(modal, {"Short bio": "IM resident, one mentee at a time"},
                               user=bob)
    assert (await e2e.bot.services.mentoring.get_mentor(e2e.world.guild_id, bob.id)).capacity == 1
    await _ada_is_offered_alice_promptly(e2e, discord, alice, ada)
    assert clock.now() == before


@dataclasses.dataclass(frozen=True)
class Ping:
    text: str


class PingHandler(Handler):
    policy = Policy()

    def __init__(self) -> None:
        self.marked = asyncio.Event()

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        return Send(Ping(item.data["text"]))

    async def sent(self, item: DueItem, receipt: Receipt) -> None:
        self.marked.set()


class DoneHandler(Handler):
    policy = Policy(sends=False)

    def __init__(self) -> None:
        self.handled: list[int] = []

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        self.handled.append(item.id)
        return Done()


async def test_a_new_kind_of_due_work_is_delivered_without_a_poke(e2e, alice) -> None:
    """Any kind registered with the engine is woken by its own enqueue, once committed."""
    outbox = e2e.bot.services.outbox
    delivered: asyncio.Queue[tuple[DueItem, Ping]] = asyncio.Queue()

    class Sender:
        async def send(self, item: DueItem, payload: Ping) -> Receipt:
            await delivered.put((item, payload))
            return Receipt(message_id=4242)

    pings = PingHandler()
    outbox.register("test_ping", pings)
    timers = DoneHandler()
    outbox.register("test_timer", timers)
    outbox.attach_sender("test_ping", Sender())
    await asyncio.sleep(0.2)  # attaching wakes the engine once: let that pass, finding nothing
    db = e2e.bot.db
    async with db.transaction():
        await outbox.enqueue("test_ping", due=e2e.bot.clock.now(), recipient_id=alice.id,
                             data={"text": "hello"})
        timer_id = await outbox.enqueue("test_timer", due=e2e.bot.clock.now())
        await asyncio.sleep(0.3)
        assert delivered.empty()  # not before the commit: the row is not there yet
    item, ping = await asyncio.wait_for(delivered.get(), PROMPT_S)
    assert ping == Ping("hello") and item.recipient_id == alice.id
    await asyncio.wait_for(pings.marked.wait(), PROMPT_S)
    assert await db.fetchval("SELECT state FROM outbox WHERE id = ?", (item.id,)) == "sent"
    assert timers.handled == [timer_id]
