"""Mentoring's privacy contributor: export, pause on leave, delete without a trace."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database
from bot.services import Services
from tests.unit.mentoring.test_service import G, mentee_input, mentor_input

BOB, DAVE = 700000000000000001, 700000000000000002  # mentors
ALICE, CAROL = 700000000000000011, 700000000000000012  # mentees


async def tables_holding(db: Database, user_id: int) -> list[tuple[str, str]]:
    """Every (table, column) holding the id, as a value or inside text."""
    hits = []
    for table in await db.tables():
        for column in await db.columns(table):
            text = f"CAST({column} AS TEXT)"
            if await db.fetchval(f"SELECT count(*) FROM {table} WHERE {text} = ? OR "
                                 f"{db.dialect.position('?', text)} > 0",
                                 (str(user_id), str(user_id))):
                hits.append((table, column))
    return hits


async def world(db: Database, settings: Settings, clock: ManualClock) -> Services:
    services = Services.build(db, settings, clock)
    m = services.mentoring
    for user, specialty in ((BOB, "internal_medicine"), (DAVE, "pediatrics")):
        await m.register_mentor(G, user, mentor_input(specialties=[specialty]))
        await m.moderate(G, user, "approve")
    for user in (ALICE, CAROL):
        await m.set_mentee_profile(G, user, mentee_input())
    bob = await m.get_mentor(G, BOB)
    pairing = await m.accept((await m.request(G, ALICE, bob.id)).request_id, BOB)
    await m.answer_checkin(pairing.id, 2, BOB, "met")
    await m.answer_checkin(pairing.id, 6, ALICE, "not_yet")
    waiting = await m.request(G, CAROL, bob.id)  # waiting for bob, who asks her something
    asked = await m.ask_details(waiting.request_id, BOB, "Which programs?")
    await m.answer_details(asked.offer_id, CAROL, "Community IM")
    return services


async def test_export_holds_the_members_profiles_requests_and_pairings(db, settings, clock):
    services = await world(db, settings, clock)
    await services.mentoring.end_pairing(G, ALICE, partner_user_id=BOB, rating=4, feedback="Good")
    alice = (await services.privacy.export_member(G, ALICE))["data"]["mentoring"]
    assert alice["mentee_profile"]["goals"] == "Match in IM"
    assert [r["status"] for r in alice["requests_made"]] == ["accepted"]
    [pairing] = alice["pairings"]
    assert pairing["role"] == "mentee" and pairing["partner_user_id"] == str(BOB)
    assert (pairing["your_rating"], pairing["your_feedback"]) == (4, "Good")
    bob = (await services.privacy.export_member(G, BOB))["data"]["mentoring"]
    assert bob["mentor_profile"]["status"] == "approved"
    assert "your_feedback" not in bob["pairings"][0]  # alice's words are not bob's data
    assert [r["outcome"] for r in bob["requests_received"]] == ["accepted", "pending"]
    assert bob["requests_received"][1]["your_question"] == "Which programs?"
    assert [(c["week"], c["answer"]) for c in bob["pairings"][0]["your_check_in_answers"]] == [
        (2, "met")]
    assert [(c["week"], c["answer"]) for c in pairing["your_check_in_answers"]] == [(6, "not_yet")]
    carol = (await services.privacy.export_member(G, CAROL))["data"]["mentoring"]
    assert carol["requests_made"][0]["your_answer_to_the_mentor"] == "Community IM"


async def test_leaving_pauses_the_mentor_and_moves_their_requests_on(db, settings, clock):
    services = await world(db, settings, clock)
    await services.privacy.member_left(G, BOB)
    assert (await services.mentoring.get_mentor(G, BOB)).paused
    carol = (await services.mentoring.status(G, CAROL)).request
    assert carol.status == "pending" and carol.mentor_user_id == DAVE


async def test_deleting_a_mentor_leaves_no_trace_and_keeps_everyone_else_consistent(
    db, settings, clock
):
    services = await world(db, settings, clock)
    await services.outbox.run_due(clock.now())  # no sender yet: the rows stay, naming bob
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE recipient_id = ?", (BOB,))
    assert ("mentors", "user_id") in await tables_holding(db, BOB)
    clock.advance(timedelta(minutes=1))
    await services.privacy.delete_member(G, BOB)
    assert await tables_holding(db, BOB) == []
    # alice is still told her pairing ended, by a notice that no longer names bob
    [told] = await db.fetchall("SELECT data FROM outbox WHERE kind = 'member_notice' "
                               "AND recipient_id = ?", (ALICE,))
    facts = json.loads(told["data"])["facts"]
    assert facts["ended_by"] is None and facts["role"] == "mentee"
    carol = (await services.mentoring.status(G, CAROL)).request
    assert carol.mentor_user_id == DAVE  # moved on, not lost
    assert (await services.mentoring.status(G, ALICE)).pairings == []


async def test_deleting_a_mentee_frees_the_mentors_slot(db, settings, clock):
    services = await world(db, settings, clock)
    await services.privacy.delete_member(G, ALICE)
    assert await tables_holding(db, ALICE) == []
    assert (await services.mentoring.get_mentor(G, BOB)).active == 0
    await services.privacy.delete_member(G, CAROL)
    assert await tables_holding(db, CAROL) == []
