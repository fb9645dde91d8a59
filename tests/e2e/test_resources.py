"""/resources through the real bot and localdiscord: search, autocomplete, pages, suggestions,
review buttons (also after a restart), bookmarks, moderator-only commands, and two servers
curating their own libraries on one bot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.paging import PagedReplies
from bot.services.resources._links import Probe
from localdiscord import DriverError
from localdiscord.driver import Driver
from localdiscord.harness import wait_bot_idle
from localdiscord.seed import User, World, seed

WAIVER = "https://travel.state.gov/content/travel/en/us-visas/study/exchange/waiver-of-the-exchange-visitor.html"


async def test_search_finds_what_members_mean(discord, alice):
    reply = await discord.invoke("resources search", user=alice, query="j1 waiver kaise milega")
    assert reply.ephemeral
    [embed] = reply.embeds
    assert "j1 waiver kaise milega" in embed["title"]
    first = embed["description"].split("\n\n")[0]
    assert WAIVER in first or "conrad-30" in first
    assert "Official source" in embed["description"] and "verified <t:" in embed["description"]

    typo = await discord.invoke("resources search", user=alice, query="obsevership")
    assert "Showing results for *observership*" in typo.embeds[0]["description"]

    nothing = await discord.invoke("resources search", user=alice, query='"(NEAR* zzqx')
    assert "No resources found" in nothing.embeds[0]["description"]


async def test_autocomplete_suggests_titles_while_typing(discord, alice):
    choices = await discord.autocomplete("resources search", "query", "step2c", user=alice)
    assert choices and choices[0].name == "USMLE Step 2 CK (Clinical Knowledge)"
    assert all(len(c.name) <= 100 and len(str(c.value)) <= 100 for c in choices)
    assert len(await discord.autocomplete("resources search", "query", "", user=alice)) == 25
    picked = await discord.invoke("resources search", user=alice, query=choices[0].value)
    assert "step-2-ck" in picked.embeds[0]["description"].split("\n\n")[0]


async def test_results_are_paginated_with_buttons(discord, alice, bob):
    reply = await discord.invoke("resources search", user=alice, query="residency")
    assert [b["label"] for b in reply.buttons] == ["Previous", "Next"]
    first = reply.embeds[0]
    assert first["footer"]["text"].startswith("Page 1 of ")
    refused = await discord.click(reply, label="Next", user=bob)
    assert refused.ephemeral and "belong" in refused.content
    turned = await discord.click(reply, label="Next", user=alice)
    page_two = turned.message.embeds[0] if turned.message else reply.message.embeds[0]
    assert page_two["footer"]["text"].startswith("Page 2 of ")
    assert page_two["description"] != first["description"]


async def test_a_list_from_before_a_restart_says_it_expired(e2e, discord, alice):
    reply = await discord.invoke("resources search", user=alice, query="residency")
    e2e.bot.paged_replies = PagedReplies()  # what a restart leaves: the lists are gone
    turned = await discord.click(reply, label="Next", user=alice)
    assert turned.ephemeral and "expired" in turned.content


async def test_browse_lists_a_category(discord, alice):
    reply = await discord.invoke("resources browse", user=alice, category="visa")
    text = " ".join(e["description"] for e in reply.embeds)
    assert "Conrad 30 Waiver Program" in text
    assert reply.embeds[0]["title"] == "Visas (J-1, H-1B, waivers)"


async def test_suggest_then_approve_then_find_it(e2e, discord, alice, mira):
    opened = await discord.invoke("resources suggest", user=alice, category="clinical-experience")
    assert opened.modal is not None
    done = await discord.submit_modal(opened, {
        "Title": "Observership Finder @everyone",
        "Link (https)": "https://observerships.example.org/list?utm_source=discord",
        "Why is it useful for FMGs?": "A list of hospital observerships open to IMGs.",
    })
    assert done.ephemeral and "waiting for a moderator" in done.content
    assert not done.message.pings_anyone

    duplicate = await discord.invoke("resources suggest", user=alice)
    again = await discord.submit_modal(duplicate, {
        "Title": "Same", "Link (https)": "https://www.observerships.example.org/list/",
    })
    assert "already suggested" in again.content

    review = await discord.invoke("resources review", user=mira)
    assert "1" in review.content
    [card] = await review.wait_followups(1)
    assert card.embeds[0]["title"].startswith("Suggestion #")
    assert [b["label"] for b in card.buttons] == ["Approve", "Reject"]
    refused = await discord.click(card, label="Approve", user=alice)
    assert refused.ephemeral and "Only moderators" in refused.content
    await discord.click(card, label="Approve", user=mira)
    # The card is edited in place: the outcome is recorded and the buttons are gone.
    assert not card.buttons
    assert "Approved by" in card.embeds[0]["fields"][-1]["value"]
    assert not card.pings_anyone

    found = await discord.invoke("resources search", user=alice, query="observership finder")
    first = found.embeds[0]["description"].split("\n\n")[0]
    assert "observerships.example.org" in first and "Community resource" in first
    assert (await discord.invoke("resources review", user=mira)).content.startswith("No suggestions")


async def test_review_buttons_work_after_a_restart(e2e, discord, alice, mira):
    opened = await discord.invoke("resources suggest", user=alice)
    await discord.submit_modal(opened, {"Title": "Bad link", "Link (https)": "https://spam.example.org"})
    review = await discord.invoke("resources review", user=mira)
    [card] = await review.wait_followups(1)
    await e2e.restart_bot()
    await discord.click(card, label="Reject", user=mira, timeout=15)
    assert not card.buttons and "Rejected by" in card.embeds[0]["fields"][-1]["value"]
    assert (await discord.invoke("resources review", user=mira)).content.startswith("No suggestions")
    gone = await discord.invoke("resources search", user=alice, query="spam.example.org bad link")
    assert "spam.example.org" not in " ".join(e["description"] for e in gone.embeds)


async def test_bad_suggestions_are_refused_and_change_nothing(discord, alice, mira):
    for link, why in [("http://insecure.example.org", "https"), ("https://user:pw@x.example.org", "password"),
                      ("https://www.usmle.org/", "already in the library")]:
        opened = await discord.invoke("resources suggest", user=alice)
        reply = await discord.submit_modal(opened, {"Title": "T", "Link (https)": link})
        assert reply.ephemeral and why in reply.content
    assert (await discord.invoke("resources review", user=mira)).content.startswith("No suggestions")


async def test_bookmarks(discord, alice, bob):
    [choice] = [c for c in await discord.autocomplete("resources save", "resource", "thalamus", user=alice)
                if c.name == "Thalamus"]
    saved = await discord.invoke("resources save", user=alice, resource=choice.value)
    assert "Saved" in saved.content
    again = await discord.invoke("resources save", user=alice, resource=choice.value)
    assert "already in your saved" in again.content
    mine = await discord.invoke("resources saved", user=alice)
    assert "Thalamus" in mine.embeds[0]["description"]
    theirs = await discord.invoke("resources saved", user=bob)
    assert "Nothing saved yet" in theirs.embeds[0]["description"]
    # The exact title typed out (without waiting for the list) names it too; a part does not.
    typed = await discord.invoke("resources save", user=bob, resource="  THALAMUS ")
    assert "Saved" in typed.content and "Thalamus" in typed.content
    partial = await discord.invoke("resources save", user=bob, resource="thalam")
    assert partial.ephemeral and "No resource has that title" in partial.content
    unsaved = await discord.invoke("resources unsave", user=bob, resource="Thalamus")
    assert "Removed" in unsaved.content


@pytest.mark.parametrize(
    "command", ["resources review", "resources stale", "resources remove", "resources edit", "resources gaps"]
)
async def test_moderator_commands_are_refused_for_members(discord, alice, command):
    options = {"resource": "1"} if command in ("resources remove", "resources edit") else {}
    reply = await discord.invoke(command, user=alice, **options)
    assert reply.ephemeral and "moderator" in reply.content.lower()


async def test_moderators_edit_verify_remove_and_see_stale(e2e, discord, mira, alice, clock):
    [choice] = [c for c in await discord.autocomplete("resources edit", "resource", "thalamus", user=mira)
                if c.name == "Thalamus"]
    edited = await discord.invoke("resources edit", user=mira, resource=choice.value,
                                  description="Interview scheduling for residency programs.")
    assert "Interview scheduling for residency programs." in edited.content
    bad = await discord.invoke("resources edit", user=mira, resource=choice.value, url="http://x.org")
    assert "https" in bad.content

    clock.advance(timedelta(days=800))
    stale = await discord.invoke("resources stale", user=mira)
    assert stale.embeds[0]["title"].startswith("Broken, changed or not verified for a year")
    assert "⚠️ over a year ago" in stale.embeds[0]["description"]
    assert stale.embeds[0]["footer"]["text"].startswith("Page 1 of")
    await discord.invoke("resources edit", user=mira, resource=choice.value, verified=True)
    here = e2e.world.guild_id
    assert int(choice.value) not in {r.id for r in await e2e.bot.services.resources.stale(guild_id=here)}

    removed = await discord.invoke("resources remove", user=mira, resource=choice.value)
    assert "Removed **Thalamus** from this server's library" in removed.content
    search = await discord.invoke("resources search", user=alice, query="thalamus")
    assert "thalamusgme.com" not in search.embeds[0]["description"]
    with pytest.raises(DriverError):
        await discord.invoke("resources browse", user=alice, category="nonsense")


async def test_privacy_delete_forgets_bookmarks_and_suggestions(e2e, discord, alice, bob):
    [choice] = [c for c in await discord.autocomplete("resources save", "resource", "thalamus", user=alice)
                if c.name == "Thalamus"]
    await discord.invoke("resources save", user=alice, resource=choice.value)
    await discord.invoke("resources save", user=bob, resource=choice.value)
    opened = await discord.invoke("resources suggest", user=alice)
    await discord.submit_modal(opened, {"Title": "Mine", "Link (https)": "https://mine.example.org"})
    exported = await discord.invoke("privacy export", user=alice)
    assert "mine.example.org" in exported.attachments[0].text

    warning = await discord.invoke("privacy delete", user=alice)
    await discord.click(warning, label="Delete my data", user=alice)
    db = e2e.bot.db
    for table, column in [("resource_bookmarks", "user_id"), ("resource_suggestions", "user_id")]:
        assert await db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (alice.id,)) == 0
    assert "Thalamus" in (await discord.invoke("resources saved", user=bob)).embeds[0]["description"]


async def _second_server(e2e) -> tuple[Driver, World]:
    """Another server on the same localdiscord and bot: its own members (alice, mira...),
    with its Moderators role configured, as an admin there would."""
    world = seed(e2e.server, "Second FMG Server")
    e2e.server.dispatch("GUILD_CREATE", e2e.server.guild_create_payload(world.guild_id))
    await e2e.bot.services.guild_settings.set(world.guild_id, "moderator_role", world.roles["moderators"].id)
    return Driver(e2e.server, world, bot_idle=wait_bot_idle), world


async def _pick(discord: Driver, command: str, typed: str, title: str, user: User) -> str:
    choices = await discord.autocomplete(command, "resource", typed, user=user)
    [choice] = [c for c in choices if c.name == title]
    return str(choice.value)


async def _search(discord: Driver, user: User, query: str) -> str:
    reply = await discord.invoke("resources search", user=user, query=query)
    return " ".join(e["description"] for e in reply.embeds)


async def test_each_server_curates_its_own_library(e2e, discord, alice, mira):
    other, world = await _second_server(e2e)
    carol, otto = world.member("alice"), world.member("mira")  # a member and a moderator there
    # Server one's moderators: edit Thalamus, remove Conrad 30, approve a member's link.
    thalamus = await _pick(discord, "resources edit", "thalamus", "Thalamus", mira)
    await discord.invoke("resources edit", user=mira, resource=thalamus, title="Thalamus (our notes)")
    conrad = await _pick(discord, "resources remove", "conrad 30", "Conrad 30 Waiver Program", mira)
    await discord.invoke("resources remove", user=mira, resource=conrad)
    opened = await discord.invoke("resources suggest", user=alice)
    await discord.submit_modal(opened, {"Title": "Kalorama Navigator", "Link (https)": "https://kalorama.example.org"})
    assert (await other.invoke("resources review", user=otto)).content.startswith("No suggestions")
    [card] = await (await discord.invoke("resources review", user=mira)).wait_followups(1)
    await discord.click(card, label="Approve", user=mira)
    assert "now in this server's library" in card.embeds[0]["fields"][-1]["value"]

    # Server one sees its own library...
    assert "Thalamus (our notes)" in await _search(discord, alice, "thalamus")
    assert "conrad-30" not in await _search(discord, alice, "conrad 30")
    assert "kalorama.example.org" in await _search(discord, alice, "kalorama")
    # ...and the second server still the shared catalog, in search, autocomplete and browse.
    there = await _search(other, carol, "thalamus")
    assert "[Thalamus](" in there and "our notes" not in there
    assert "conrad-30" in await _search(other, carol, "conrad 30")
    assert "kalorama" not in await _search(other, carol, "kalorama")
    names = [c.name for c in await other.autocomplete("resources search", "query", "thala", user=carol)]
    assert "Thalamus" in names and "Thalamus (our notes)" not in names
    visa = await other.invoke("resources browse", user=carol, category="visa")
    assert "Conrad 30 Waiver Program" in " ".join(e["description"] for e in visa.embeds)
    # Server one's own entry cannot be touched from the second server; its link is free there.
    mine = await _pick(discord, "resources save", "kalorama", "Kalorama Navigator", alice)
    refused = await other.invoke("resources remove", user=otto, resource=mine)
    assert refused.ephemeral and "not in the library" in refused.content
    opened = await other.invoke("resources suggest", user=carol)
    queued = await other.submit_modal(opened, {"Title": "Kalorama", "Link (https)": "https://kalorama.example.org"})
    assert "waiting for a moderator" in queued.content
    # The second server's own removal leaves server one's (edited) Thalamus alone.
    theirs = await _pick(other, "resources remove", "thalamus", "Thalamus", otto)
    assert theirs == thalamus  # the same shared entry, seen two ways
    await other.invoke("resources remove", user=otto, resource=theirs)
    assert "thalamusgme.com" not in await _search(other, carol, "thalamus")
    assert "Thalamus (our notes)" in await _search(discord, alice, "thalamus")


async def test_link_checks_show_in_search_stale_and_review(e2e, discord, alice, mira):
    links = e2e.bot.services.resources.links
    # What a check found (the checker itself is tested against a local HTTP server).
    await links.record({
        "https://www.nrmp.org": Probe("dead", 404, detail="HTTP 404"),
        "https://thalamusgme.com": Probe("moved", 200, moved_to="https://thalamusgme.com/home"),
        "https://www.fsmb.org": Probe("unknown", 429, detail="HTTP 429"),
    }, await links.targets())

    found = await discord.invoke("resources search", user=alice, query="nrmp match")
    first = found.embeds[0]["description"].split("\n\n")[0]
    assert "nrmp.org" in first and "looked broken" in first and "HTTP 404" in first
    rate_limited = await discord.invoke("resources search", user=alice, query="fsmb")
    assert "looked broken" not in rate_limited.embeds[0]["description"]  # 429 proves nothing

    stale = await discord.invoke("resources stale", user=mira)
    assert stale.embeds[0]["title"] == "Broken, changed or not verified for a year: 1"
    assert "nrmp.org" in stale.embeds[0]["description"]

    review = await discord.invoke("resources review", user=mira)
    assert "1** link(s) moved permanently" in review.content
    [card] = await review.wait_followups(1)
    assert "https://thalamusgme.com/home" in card.content
    refused = await discord.click(card, label="Use the new link", user=alice)
    assert refused.ephemeral and "moderator" in refused.content.lower()
    await discord.click(card, label="Use the new link", user=mira)
    assert not card.buttons and "Link updated by" in card.content
    moved = await discord.invoke("resources search", user=alice, query="thalamus")
    assert "thalamusgme.com/home" in moved.embeds[0]["description"].split("\n\n")[0]


async def test_searches_that_found_nothing_are_counted_for_moderators(discord, alice, bob, mira):
    assert "No search on this server" in (await discord.invoke("resources gaps", user=mira)).content
    for user in (alice, bob):
        await discord.invoke("resources search", user=user, query="Zzqx   Plumbing")
    await discord.invoke("resources search", user=alice, query="thalamus")  # found: not a gap
    gaps = await discord.invoke("resources gaps", user=mira)
    assert gaps.ephemeral and "**2 times** zzqx plumbing" in gaps.content
    assert "thalamus" not in gaps.content and "alice" not in gaps.content


async def test_search_counts_gathered_in_memory_are_written_when_the_bot_stops(e2e, discord,
                                                                               alice):
    for query in ("observership", "observership", "zzqx qqzz"):
        await discord.invoke("resources search", user=alice, query=query)
    assert await wait_bot_idle(5.0)  # each search is counted just after its answer
    await e2e.restart_bot()
    rows = await e2e.bot.db.fetchall("SELECT query, searches, empty FROM resource_search_days "
                                     "ORDER BY query")
    assert [tuple(r) for r in rows] == [("observership", 2, 0), ("zzqx qqzz", 1, 1)]
