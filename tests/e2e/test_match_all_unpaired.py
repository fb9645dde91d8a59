"""`/mentor match-all` through the real bot: the preview says who could not be paired and why,
and attaches them as CSV (issue 20)."""

from __future__ import annotations

import csv
import io

from tests.e2e.test_mentoring import approve, mentee_profile, register_mentor


async def _portuguese_mentee(discord, who) -> None:
    form = await discord.invoke("mentee profile", user=who, timezone="America/Sao_Paulo")
    await discord.select(form, ["internal_medicine"], placeholder="Specialties A-O", user=who)
    await discord.select(form, ["h1b"], placeholder="The visa you will need", user=who)
    await discord.select(form, ["step1"], placeholder="Exam stage reached", user=who)
    await discord.click(form, label="Next: languages", user=who)
    await discord.select(form, ["pt"], placeholder="Languages you speak", user=who)
    modal = await discord.click(form, label="Write your goals and save", user=who)
    saved = await discord.submit_modal(modal, {"What you want help with": "IM"}, user=who)
    assert "mentee profile is saved" in saved.text


async def test_the_preview_counts_the_mentees_left_out_and_says_why(
    e2e, discord, alice, bob, ada, mira, channels
):
    await e2e.set_setting("mentoring_channel", channels.general.id)
    await register_mentor(discord, bob)  # speaks English and Hindi
    await approve(discord, mira, bob)
    await mentee_profile(discord, alice)
    await _portuguese_mentee(discord, ada)

    preview = await discord.invoke("mentor match-all", user=mira)
    text = preview.embeds[0]["description"]
    assert "proposed pairs: **1**" in text
    assert "Not paired: **1**" in text
    assert "· no mentor with a free slot speaks their language: **1** (Portuguese 1)" in text
    files = {a.filename: a.text for a in preview.attachments}
    [row] = list(csv.DictReader(io.StringIO(files["match-all-unpaired.csv"])))
    assert row == {"mentee_user_id": str(ada.id), "reason": "no_language",
                   "specialty": "internal_medicine", "visa": "h1b", "languages": "pt"}
