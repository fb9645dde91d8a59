"""Mentoring's /privacy contribution: export, pause on leave, delete with integrity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services.mentoring import MentoringService, member_data
from bot.services.privacy import PrivacyService
from tests.scan import rows_holding
from tests.unit.mentoring.test_service import TIMEOUT, G, approved_mentor, mentee_input, notices

# Real-looking snowflakes, so the scan cannot match them by accident inside other numbers.
BOB, DAN = 500000000000000010, 500000000000000011
ALICE, CAROL = 500000000000000020, 500000000000000030


@pytest.fixture
def svc(db: Database, clock: ManualClock) -> MentoringService:
    return MentoringService(db, clock, request_timeout=TIMEOUT)


@pytest.fixture
def privacy(db: Database, clock: ManualClock, svc: MentoringService) -> PrivacyService:
    service = PrivacyService(db, clock, timedelta(days=30))
    service.register(member_data.contributor(svc))
    return service


async def _paired(svc: MentoringService, mentor_user: int, mentee_user: int) -> int:
    mentor = await svc.get_mentor(G, mentor_user) or await approved_mentor(svc, mentor_user)
    await svc.set_mentee_profile(G, mentee_user, mentee_input())
    request = await svc.request(G, mentee_user, mentor.id)
    return (await svc.accept(request.request_id, mentor_user)).id


async def test_export_has_the_profiles_requests_and_pairings_of_that_member(svc, privacy, clock) -> None:
    pairing_id = await _paired(svc, BOB, ALICE)
    await _paired(svc, BOB, CAROL)
    exported = (await privacy.export_member(G, ALICE))["data"]["mentoring"]
    assert exported["mentor_profile"] is None
    assert exported["mentee_profile"]["goals"] == "Match in IM"
    assert [r["status"] for r in exported["requests"]] == ["accepted"]
    assert exported["pairings"] == [{
        "id": pairing_id, "my_role": "mentee", "partner_user_id": str(BOB), "status": "active",
        "started_at": int(clock.now().timestamp()), "ended_at": None, "ended_by_me": False,
        "my_rating": None, "my_feedback": None,
    }]
    assert str(CAROL) not in repr(exported)
    as_mentor = (await privacy.export_member(G, BOB))["data"]["mentoring"]
    assert as_mentor["mentor_profile"]["active"] == 2
    assert {p["partner_user_id"] for p in as_mentor["pairings"]} == {str(ALICE), str(CAROL)}
    assert len(as_mentor["offers_received"]) == 2


async def test_deleting_a_mentee_frees_the_mentors_slot_and_leaves_no_trace(db, svc, privacy) -> None:
    await _paired(svc, BOB, ALICE)
    await _paired(svc, BOB, CAROL)
    assert (await svc.get_mentor(G, BOB)).active == 2
    assert rows_holding(db.path, ALICE)  # control: the scan sees her before
    await privacy.delete_member(G, ALICE)
    assert rows_holding(db.path, ALICE) == []
    assert (await svc.get_mentor(G, BOB)).active == 1
    assert [p.mentee_user_id for p in await svc.pairings_of(G, BOB)] == [CAROL]
    assert await db.fetchval("PRAGMA foreign_key_check") is None


async def test_deleting_a_mentor_moves_their_pending_request_on_and_scrubs_mentions(
    db, svc, privacy, clock
) -> None:
    dan = await approved_mentor(svc, DAN)
    await approved_mentor(svc, BOB)
    await svc.set_mentee_profile(G, CAROL, mentee_input())
    first = await svc.request(G, CAROL, dan.id)
    moved = await svc.decline(first.request_id, DAN)  # moves on to bob: carol is told "<@bob>"
    assert moved.mentor_user_id == BOB
    await notices(svc, clock)
    assert ("mentor_notices", "body") in rows_holding(db.path, BOB)

    await privacy.delete_member(G, BOB)
    assert rows_holding(db.path, BOB) == []
    status = await svc.status(G, CAROL)
    assert status.request is not None and status.request.status == "exhausted"  # dan was tried
    told = await notices(svc, clock, "mentee_update")
    assert told and "no longer available" in told[-1].body
    assert await db.fetchval("PRAGMA foreign_key_check") is None


async def test_a_member_who_leaves_is_paused_and_their_request_withdrawn(svc, privacy) -> None:
    mentor = await approved_mentor(svc, BOB)
    await svc.set_mentee_profile(G, ALICE, mentee_input())
    await svc.request(G, ALICE, mentor.id)
    await privacy.member_left(G, ALICE)
    await privacy.member_left(G, BOB)
    assert (await svc.status(G, ALICE)).request.status == "withdrawn"
    assert (await svc.get_mentor(G, BOB)).paused
    assert await svc.candidates(G, ALICE) == []
