"""Issue 16, item 14: an approved mentor cannot rewrite their bio under mentees' eyes.

The attack: approved, then `/mentor profile-edit` with a phishing link in the bio; before the
fix mentees saw it at once and no moderator was told. Now the edit waits for review: the mentor
stays available, mentees see the approved text, the coordinator role is told, and only a
moderator's approval shows the new text (sanitised, like every member text).
"""

from __future__ import annotations

from tests.e2e.test_mentoring import approve, mentee_profile, register_mentor

PHISH = "Verify your ECFMG ID first: [ecfmg.org/verify](https://ecfmg-verify.example/login)"


async def edit_bio(discord, who, bio: str):
    form = await discord.invoke("mentor profile-edit", user=who)
    await discord.click(form, label="Next: languages", user=who)
    modal = await discord.click(form, label="Write your bio and save", user=who)
    return await discord.submit_modal(modal, {"Short bio": bio}, user=who)


async def test_approved_bio_edits_wait_for_review(e2e, discord, alice, bob, mira, channels, roles):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await e2e.set_setting("mentor_coordinator_role", roles.moderators.id)
    await register_mentor(discord, bob)
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice)
    told_before = len(discord.messages_in(channels.general))

    saved = await edit_bio(discord, bob, PHISH)
    assert "waits for a moderator's review" in saved.text
    [waiting_field] = [f for f in saved.message.embeds[0]["fields"] if "waiting" in f["name"]]
    assert "ecfmg-verify.example" in waiting_field["value"]  # the mentor sees what waits

    # mentees still see the approved text, and bob is still suggested
    shown = await discord.invoke("mentor request", user=alice)
    [field] = shown.embeds[0]["fields"]
    assert bob.mention in field["value"] and "IM resident, J-1 route" in field["value"]
    assert "ecfmg-verify" not in field["value"]

    # moderators are told (the coordinator role, in the mentoring channel), without the text
    notes = discord.messages_in(channels.general)[told_before:]
    [note] = [m for m in notes if "edit-review" in m.content]
    assert note.pinged_roles == {roles.moderators.id} and "ecfmg-verify" not in note.content

    refused = await discord.invoke("mentor edit-review", user=alice, member=bob, action="approve")
    assert "moderator" in refused.text.lower()
    listed = await discord.invoke("mentor edit-review", user=mira)
    assert bob.mention in listed.embeds[0]["description"]
    waiting = await discord.invoke("mentor edit-review", user=mira, member=bob)
    proposed = waiting.embeds[0]["fields"][1]["value"]
    assert "ecfmg-verify.example" in proposed and "](" not in proposed  # no disguised link

    await discord.invoke("mentor edit-review", user=mira, member=bob, action="reject")
    again = await discord.invoke("mentor request", user=alice)
    assert "ecfmg-verify" not in again.embeds[0]["fields"][0]["value"]

    # an approved edit is shown, sanitised
    await edit_bio(discord, bob, "Now a PGY-2 in IM")
    decided = await discord.invoke("mentor edit-review", user=mira, member=bob, action="approve")
    assert "now shown to mentees" in decided.text
    latest = await discord.invoke("mentor request", user=alice)
    assert "Now a PGY-2 in IM" in latest.embeds[0]["fields"][0]["value"]
