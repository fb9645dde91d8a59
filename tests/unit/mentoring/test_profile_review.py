"""Edited text of an approved mentor waits for a moderator (issue 16, item 14)."""

import pytest

from bot.db import Database
from bot.errors import NotFound
from bot.services.mentoring.privacy import MentoringPrivacy
from bot.services.mentoring.profile_review import decide_edit, pending_edit, pending_edits
from tests.unit.mentoring.test_service import G, approved_mentor, mentee_input, mentor_input, svc

__all__ = ["svc"]  # the fixture, shared with test_service


async def test_an_approved_mentors_bio_edit_waits_and_mentees_see_the_approved_text(svc) -> None:
    await approved_mentor(svc, 10)
    await svc.set_mentee_profile(G, 20, mentee_input())
    edited = await svc.edit_mentor(G, 10, mentor_input(bio="[verify](https://e.example)", capacity=3))
    assert (edited.bio, edited.capacity, edited.status) == ("Happy to help", 3, "approved")
    [candidate] = await svc.candidates(G, 20)
    assert candidate.mentor.bio == "Happy to help"  # still matched, with the approved text
    waiting = await pending_edit(svc, G, 10)
    assert waiting is not None and waiting.bio == "[verify] (https://e.example)"  # sanitised
    assert [e.user_id for e in await pending_edits(svc, G)] == [10]

    await decide_edit(svc, G, 10, approve=False)
    assert await pending_edit(svc, G, 10) is None
    assert (await svc.get_mentor(G, 10)).bio == "Happy to help"

    await svc.edit_mentor(G, 10, mentor_input(bio="PGY-2 now"))
    await decide_edit(svc, G, 10, approve=True)
    [candidate] = await svc.candidates(G, 20)
    assert candidate.mentor.bio == "PGY-2 now"
    with pytest.raises(NotFound):
        await decide_edit(svc, G, 10, approve=True)


async def test_pending_mentors_and_unchanged_text_need_no_second_review(svc) -> None:
    await svc.register_mentor(G, 11, mentor_input())
    assert (await svc.edit_mentor(G, 11, mentor_input(bio="changed"))).bio == "changed"
    await approved_mentor(svc, 12)
    await svc.edit_mentor(G, 12, mentor_input(bio="draft"))
    await svc.edit_mentor(G, 12, mentor_input())  # back to the approved text: nothing waits
    assert await pending_edit(svc, G, 12) is None


async def test_privacy_exports_and_deletes_a_waiting_edit(svc, db: Database) -> None:
    await approved_mentor(svc, 10)
    await svc.edit_mentor(G, 10, mentor_input(bio="draft"))
    privacy = MentoringPrivacy(svc)
    exported = await privacy.export_member(G, 10)
    assert exported["mentor_profile"]["bio_waiting_for_review"] == "draft"
    await privacy.delete_member(G, 10)
    assert await db.fetchval("SELECT COUNT(*) FROM mentor_profile_edits") == 0


async def test_coordinator_pings_are_limited_per_kind_of_note(svc) -> None:
    """A member's registration ping must not use up the ping for their later bio edit; each
    kind is still pinged once per member a day, whatever loop they run."""
    assert svc.claim_coordinator_ping(G, 5, "registration")
    assert svc.claim_coordinator_ping(G, 5, "bio_edit")
    assert not svc.claim_coordinator_ping(G, 5, "registration")
    assert not svc.claim_coordinator_ping(G, 5, "bio_edit")
    assert svc.claim_coordinator_ping(G, 6, "registration")  # another member
