"""Issue 16, items 3, 12, 13, 16: member text and links cannot pose as the bot or as a real site.

Each test performs the attack through localdiscord against the real bot and passes only when
the attack fails: no masked link, fake notice, hidden character or mention reaches a message
the bot posts; IP addresses in any browser spelling are refused as links; a look-alike
(Cyrillic) ecfmg.org is a duplicate of the real entry and an international host is shown in
its xn-- form with a warning.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.services.text import is_invisible

START = datetime(2026, 1, 7, 1, 0, tzinfo=UTC)  # "tomorrow 19:00" for a member in Chicago
FULLWIDTH_IP = "https://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/"  # 127.0.0.1
MASKED_LINK = re.compile(r"\[[^\]]*\]\(")
PHISH = "[ECFMG account locked: verify here](https://ecfmg-verify.example/login)"


def assert_harmless(text: str) -> None:
    """What the bot posted shows no masked link, no hidden character, no live mention."""
    assert not MASKED_LINK.search(text), text
    assert not any(is_invisible(ch) for ch in text), ascii(text)
    assert "@everyone" not in text and "<@&" not in text.split("\n", 1)[-1], text
    assert not re.search(r"(?m)^\s*#+ ", text), text


async def test_announcement_never_carries_raw_member_text(e2e, discord, clock: ManualClock,
                                                          alice, bob, channels):
    await e2e.set_setting("announcements_channel", channels.announcements.id)
    await discord.invoke("timezone set", user=alice, zone="America/Chicago")
    created = await discord.invoke(
        "studygroup create", user=alice, topic="Step 1",
        name="**ECFMG NOTICE** St\u200bep\u202e 1 [verify](https://e.example)",
    )
    [choice] = await discord.autocomplete("studygroup join", "group", "ECFMG", user=bob)
    assert "\u200b" not in choice.name and "](" not in choice.name
    # the link option: a ">" that ends the <...> wrapper early, then IPs in browser spellings
    for link in ["https://zoom.example/j/1>" + PHISH, "https://127.1/", "https://0x7f.1/",
                 "https://0177.0.0.1/", "https://10.1/", "https://[::1]/", "https://2130706433/",
                 FULLWIDTH_IP, "https://%31%32%37.0.0.1/", "http://zoom.example/j/1"]:
        refused = await discord.invoke("session schedule", user=alice, group=choice.value,
                                       title="Cardio", start="tomorrow 19:00", link=link)
        assert refused.ephemeral and "Scheduled" not in refused.content, link
    scheduled = await discord.invoke(
        "session schedule", user=alice, group=choice.value, start="tomorrow 19:00",
        title=f"# [Login](https://e.example) @everyone <@&{e2e.world.roles['moderators'].id}>",
        link="https://zoom.example/j/1",
    )
    assert "Scheduled" in scheduled.content and created.ephemeral

    clock.set(START - timedelta(hours=24))
    await e2e.bot.scheduler.run_now()
    [announcement] = discord.messages_in(channels.announcements)
    assert_harmless(announcement.content)
    # the bot's own bold holds the name: the member's ** is shown, not applied
    assert "**\\*\\*ECFMG NOTICE\\*\\* Step 1" in announcement.content
    assert "Where: <https://zoom.example/j/1>" in announcement.content
    assert not announcement.pings_anyone
    [event] = e2e.server.events.values()
    assert_harmless(event["name"] + "\n" + (event.get("description") or ""))


async def test_suggestion_text_and_lookalike_domains(e2e, discord, alice, mira):
    # item 12: the "why it is useful" text cannot become a disguised link
    opened = await discord.invoke("resources suggest", user=alice, category="ecfmg")
    done = await discord.submit_modal(opened, {
        "Title": "Verify \u200bECFMG [here](evil)",
        "Link (https)": "https://verify-ecfmg.example/start",
        "Why is it useful for FMGs?": f"[www.ecfmg.org/verify](https://evil.example/x)\n# NOTICE {PHISH}",
    })
    assert "waiting for a moderator" in done.content
    # item 13: ecfmg.org spelled with a Cyrillic e and c is the real entry, not a new one
    for lookalike in ["https://www.\u0435\u0441fmg.org", "https://www.xn--fmg-qdd4d.org/",
                      "https://www.ecfmg.org./"]:
        opened = await discord.invoke("resources suggest", user=alice, category="ecfmg")
        again = await discord.submit_modal(opened, {"Title": "ECFMG", "Link (https)": lookalike})
        assert "already in the library" in again.content, lookalike
    # a title is the text of the bot's link: it cannot show another address than it opens
    for title in ["www.ecfmg.org/verify", "Login at https://ecfmg.org", "ecfmg.org/verify"]:
        opened = await discord.invoke("resources suggest", user=alice, category="ecfmg")
        refused = await discord.submit_modal(opened, {"Title": title, "Link (https)": "https://a.example/"})
        assert "cannot contain a web address" in refused.content, title
    # item 16: IPs in browser spellings are not links
    for link in ["https://127.1/", "https://0x7f.1/", "https://0177.0.0.1/", "https://10.1"]:
        opened = await discord.invoke("resources suggest", user=alice, category="ecfmg")
        refused = await discord.submit_modal(opened, {"Title": "x", "Link (https)": link})
        assert "IP address" in refused.content, link
    # an international host that is not a look-alike: shown as xn--, with a warning to reviewers
    opened = await discord.invoke("resources suggest", user=alice, category="ecfmg")
    await discord.submit_modal(opened, {"Title": "Bücher", "Link (https)": "https://bücher.example/"})

    review = await discord.invoke("resources review", user=mira)
    cards = await review.wait_followups(2)
    texts = [c.embeds[0]["title"] + "\n" + c.embeds[0]["description"] for c in cards]
    for text in texts:
        assert_harmless(text)
    idn = next(c for c in cards if "Bücher" in c.embeds[0]["title"])
    fields = {f["name"]: f["value"] for f in idn.embeds[0]["fields"]}
    assert "xn--bcher-kva.example" in fields["Link"] and "bücher" not in fields["Link"]
    assert "international" in fields["Check the link"]
    phish = next(c for c in cards if "Verify" in c.embeds[0]["title"])
    await discord.click(phish, label="Approve", user=mira)
    found = await discord.invoke("resources search", user=alice, query="verify ecfmg")
    blocks = "\n\n".join(e["description"] for e in found.embeds).split("\n\n")
    [entry] = [b for b in blocks if "verify-ecfmg.example" in b]
    # the bot's own title link (first line) is the only masked link; the member's text has none
    title_link, _meta, member_text = entry.split("\n", 2)
    assert title_link.startswith("**[Verify ECFMG \\[here\\] (evil)](https://verify-ecfmg.example/")
    assert_harmless(member_text)


async def test_group_name_and_description_cannot_pose(e2e, discord, alice, bob):
    channel = e2e.world.channels["general"].id
    await discord.invoke("studygroup create", user=alice, topic="Step 1",
                         name="Crew [login](https://e.example) @here",
                         description=f"-# official notice\n## {PHISH} <#{channel}>")
    [choice] = await discord.autocomplete("studygroup info", "group", "", user=bob)
    info = await discord.invoke("studygroup info", user=bob, group=choice.value)
    embed = info.embeds[0]
    assert_harmless(embed["title"] + "\n" + embed["description"])
    assert "official notice" in embed["description"]  # shown as typed, not styled


async def test_look_alike_group_names_are_taken(discord, alice, bob):
    await discord.invoke("studygroup create", user=alice, name="Step 1 crew", topic="Step 1")
    for lookalike in ["Step 1 \u0441rew", "STEP 1 CREW", "Step\u200b 1 crew", "Step l crew"]:
        refused = await discord.invoke("studygroup create", user=bob, name=lookalike, topic="Step 1")
        assert "There is already a group called **Step 1 crew**" in refused.content, lookalike
