"""Curation is per server: what server A's moderators edit, remove or approve changes what A
sees and nothing else (server B, a DM, the terminal, the shared catalog file)."""

import dataclasses
from datetime import date

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import Conflict, NotFound
from bot.services.resources import DEFAULT_CATALOG, CatalogEntry, Resource, ResourceService, read_catalog

#: FTS5 search runs on SQLite only until the in-memory index serves PostgreSQL (issue 21)
SEARCHES = pytest.mark.sqlite_only

A, B = 111, 222
ALICE, BOB, MOD = 1001, 1002, 9001


async def _id(library: ResourceService, title: str) -> int:
    return next(r.id for r in await library.listing() if r.title == title)


async def _urls(library: ResourceService, query: str, guild_id: int | None, limit: int = 10) -> list[str]:
    """Links of the results matching every word of ``query`` as server ``guild_id`` sees them."""
    hits = (await library.search(query, guild_id=guild_id, limit=limit)).hits
    return [h.resource.url for h in hits if h.complete]


async def _approved(library: ResourceService, guild_id: int, title: str, url: str,
                    category: str = "community") -> Resource:
    s = await library.suggestions.suggest(guild_id=guild_id, user_id=ALICE, title=title, url=url,
                                          reason="Useful for IMGs.", category=category)
    return await library.suggestions.approve(s.id, guild_id=guild_id, moderator_id=MOD)


@SEARCHES
async def test_an_edit_in_one_server_is_invisible_in_another(library: ResourceService) -> None:
    rid = await _id(library, "Thalamus")
    before = await library.get(rid)
    edited = await library.edit(rid, {"title": "Thalamus interview scheduler", "url": "https://thalamusgme.com/x",
                                      "description": "Zanzibar quokka notes.", "category": "application"},
                                guild_id=A)
    assert edited.id == rid and edited.title == "Thalamus interview scheduler"
    assert (await library.get(rid, guild_id=A)).url == "https://thalamusgme.com/x"
    for other in (B, None):
        assert await library.get(rid, guild_id=other) == before
        assert await _urls(library, "zanzibar quokka", other) == []
        assert before.url in await _urls(library, "thalamus", other)
        assert rid in {r.id for r in await library.browse(before.category, guild_id=other)}
    assert await _urls(library, "zanzibar quokka", A) == ["https://thalamusgme.com/x"]
    assert before.url not in await _urls(library, "thalamus", A)
    # Browse and autocomplete show A's version in A (and only once).
    assert rid not in {r.id for r in await library.browse(before.category, guild_id=A)}
    in_a = await library.browse("application", guild_id=A)
    assert [r.title for r in in_a].count("Thalamus interview scheduler") == 1
    typed = await library.autocomplete("tha", guild_id=A)
    assert [r.id for r in typed].count(rid) == 1 and next(r for r in typed if r.id == rid) == edited
    assert next(r for r in await library.autocomplete("tha", guild_id=B) if r.id == rid) == before
    # A's new link is free in B; the old one is free in A.
    assert (await library.edit(rid, {"url": "https://thalamusgme.com/x"}, guild_id=B)).url.endswith("/x")
    with pytest.raises(Conflict, match="already belongs to"):
        await library.edit(await _id(library, "ECFMG Fees"), {"url": "https://thalamusgme.com/x"},
                           guild_id=A)


@SEARCHES
async def test_a_removal_in_one_server_leaves_it_in_another(library: ResourceService) -> None:
    rid = await _id(library, "Conrad 30 Waiver Program")
    total = await library.count()
    removed = await library.remove(rid, guild_id=A)
    with pytest.raises(NotFound):
        await library.get(rid, guild_id=A)
    with pytest.raises(NotFound):
        await library.remove(rid, guild_id=A)
    assert await library.count(guild_id=A) == total - 1
    assert await library.count(guild_id=B) == await library.count() == total
    assert removed.url not in await _urls(library, "conrad 30", A)
    assert (await _urls(library, "conrad 30", B))[0] == removed.url
    assert rid not in {r.id for r in await library.listing(guild_id=A)}
    assert rid in {r.id for r in await library.listing(guild_id=B)}
    assert rid not in {r.id for r in await library.autocomplete("conrad", guild_id=A)}
    assert rid in {r.id for r in await library.autocomplete("conrad", guild_id=B)}
    assert rid not in {r.id for r in await library.autocomplete("co", guild_id=A, limit=500)}
    assert rid in {r.id for r in await library.autocomplete("co", guild_id=B, limit=500)}


@SEARCHES
async def test_removed_entries_do_not_shorten_a_page_of_results(library: ResourceService) -> None:
    # FTS ranks the shared rows A hides too: A asks for more rows than it shows.
    every = [h.resource.id for h in (await library.search("residency", limit=50)).hits]
    assert len(every) > 20
    for rid in every[:3]:  # fewer than the few extra rows fetched first
        await library.remove(rid, guild_id=A)
    after = [h.resource.id for h in (await library.search("residency", guild_id=A, limit=5)).hits]
    assert after == every[3:8]
    for rid in every[3:15]:  # more: a second, larger fetch
        await library.remove(rid, guild_id=A)
    after = [h.resource.id for h in (await library.search("residency", guild_id=A, limit=5)).hits]
    assert after == every[15:20]
    assert [h.resource.id for h in (await library.search("residency", guild_id=B, limit=5)).hits] == every[:5]


@SEARCHES
async def test_an_approved_suggestion_belongs_to_its_server_only(library: ResourceService) -> None:
    mine = await _approved(library, A, "Kalorama Residency Navigator", "https://kalorama.example.org/",
                           "application")
    assert mine.guild_id == A and mine.source == "suggestion"
    assert await _urls(library, "kalorama navigator", A) == [mine.url]
    assert mine.id in {r.id for r in await library.autocomplete("kal", guild_id=A)}
    assert mine.id in {r.id for r in await library.autocomplete("kalorama nav", guild_id=A)}
    assert mine.id in {r.id for r in await library.browse("application", guild_id=A)}
    for other in (B, None):
        with pytest.raises(NotFound):
            await library.get(mine.id, guild_id=other)
        assert mine.url not in await _urls(library, "kalorama navigator", other)
        assert mine.id not in {r.id for r in await library.autocomplete("kal", guild_id=other)}
        assert mine.id not in {r.id for r in await library.browse("application", guild_id=other)}
        # B is not offered A's words as a correction either.
        results = await library.search("kalorama", guild_id=other)
        assert results.corrected_query != "kalorama" and results.did_you_mean != "kalorama"
    with pytest.raises(NotFound):
        await library.edit(mine.id, {"title": "Mine now"}, guild_id=B)
    with pytest.raises(NotFound):
        await library.remove(mine.id, guild_id=B)
    assert await library.count(guild_id=A) == await library.count(guild_id=B) + 1
    # The duplicate check is per server: A refuses the link again, B may add it as its own.
    with pytest.raises(Conflict, match="already in the library"):
        await library.suggestions.suggest(guild_id=A, user_id=BOB, title="Again", reason="",
                                          url="https://www.kalorama.example.org", category="community")
    theirs = await _approved(library, B, "Kalorama (B's copy)", "https://www.kalorama.example.org")
    assert theirs.id != mine.id
    assert await _urls(library, "kalorama", A) == [mine.url]
    assert await _urls(library, "kalorama", B) == [theirs.url]
    # Both see the shared catalog as duplicates.
    for guild in (A, B):
        with pytest.raises(Conflict, match="already in the library"):
            await library.suggestions.suggest(guild_id=guild, user_id=BOB, title="USMLE", reason="",
                                              url="https://www.usmle.org/", category="usmle")


@SEARCHES
async def test_an_own_entry_is_edited_in_place_and_removed_only_there(
    library: ResourceService, db: Database
) -> None:
    mine = await _approved(library, A, "Kalorama Navigator", "https://kalorama.example.org/")
    edited = await library.edit(mine.id, {"description": "Quokka guide.", "tier": "official"}, guild_id=A)
    assert (edited.description, edited.tier, edited.guild_id) == ("Quokka guide.", "official", A)
    assert await db.fetchval("SELECT COUNT(*) FROM resource_overrides") == 0
    assert await _urls(library, "quokka guide", A) == [mine.url]
    await library.remove(mine.id, guild_id=A)
    assert await _urls(library, "kalorama", A) == []


@SEARCHES
async def test_a_catalog_reload_keeps_every_servers_overrides(library: ResourceService) -> None:
    fees = await _id(library, "ECFMG Fees")
    sdn = await _id(library, "Student Doctor Network Forums")
    await library.edit(fees, {"title": "Fees (our server's note)", "tags": "fees, kharcha"}, guild_id=A)
    await library.remove(sdn, guild_id=A)
    await library.edit(fees, {"description": "B's own description."}, guild_id=B)
    entries = [
        dataclasses.replace(e, title=e.title + " 2027", description=e.description + " Updated.")
        if e.title in ("ECFMG Fees", "Student Doctor Network Forums") else e
        for e in read_catalog(DEFAULT_CATALOG)
    ]
    report = await library.load_entries(entries)
    assert (report.added, report.updated) == (0, 2)
    in_a, in_b, shared = [await library.get(fees, guild_id=g) for g in (A, B, None)]
    assert (in_a.title, in_a.tags) == ("Fees (our server's note)", ("fees", "kharcha"))
    assert in_a.description.endswith("Updated.")  # not overridden in A: follows the catalog
    assert (in_b.title, in_b.description) == ("ECFMG Fees 2027", "B's own description.")
    assert (shared.title, shared.description.endswith("Updated.")) == ("ECFMG Fees 2027", True)
    with pytest.raises(NotFound):
        await library.get(sdn, guild_id=A)
    assert (await library.get(sdn, guild_id=B)).title == "Student Doctor Network Forums 2027"
    # Search follows the catalog's new text wherever a server did not override it.
    assert (await _urls(library, "fees our server's note", A))[0] == in_a.url
    assert fees in {h.resource.id for h in (await library.search("fees 2027", guild_id=B)).hits}
    # A second load of the same file writes nothing.
    again = await library.load_entries(entries)
    assert (again.added, again.updated) == (0, 0)


@SEARCHES
async def test_the_catalog_gaining_a_servers_own_link_shows_it_once_there(library: ResourceService) -> None:
    mine = await _approved(library, A, "Kalorama Navigator", "https://kalorama.example.org/")
    added = CatalogEntry("Kalorama (official)", "https://kalorama.example.org", "Kalorama", "community",
                         "official", ("kalorama",), "The curated entry.", date(2026, 1, 1))
    assert (await library.load_entries([*read_catalog(DEFAULT_CATALOG), added])).added == 1
    assert await _urls(library, "kalorama", A) == [mine.url]
    assert [h.resource.title for h in (await library.search("kalorama", guild_id=B)).hits] == [
        "Kalorama (official)"
    ]


async def test_bookmarks_show_what_each_server_sees(library: ResourceService) -> None:
    fees = await _id(library, "ECFMG Fees")
    mine = await _approved(library, A, "Kalorama Navigator", "https://kalorama.example.org/")
    await library.bookmarks.save(ALICE, fees, guild_id=A)
    await library.bookmarks.save(ALICE, mine.id, guild_id=A)
    with pytest.raises(NotFound):
        await library.bookmarks.save(BOB, mine.id, guild_id=B)
    await library.edit(fees, {"title": "Fees, as A calls them"}, guild_id=A)
    assert [r.title for r in await library.bookmarks.saved(ALICE, guild_id=A)] == [
        "Kalorama Navigator", "Fees, as A calls them"
    ]
    assert [r.title for r in await library.bookmarks.saved(ALICE, guild_id=B)] == ["ECFMG Fees"]
    assert [r.title for r in await library.bookmarks.saved(ALICE, guild_id=None)] == ["ECFMG Fees"]
    # The privacy export has every bookmark, wherever it was saved; delete forgets them all.
    exported = await library.export_member(B, ALICE)
    assert exported["bookmarks"] == [
        {"title": "Kalorama Navigator", "url": "https://kalorama.example.org/"},
        {"title": "ECFMG Fees", "url": "https://www.ecfmg.org/fees/"},
    ]
    await library.delete_member(B, ALICE)
    assert await library.bookmarks.saved(ALICE, guild_id=A) == []


async def test_suggestions_and_reviews_stay_on_their_server(library: ResourceService) -> None:
    s = await library.suggestions.suggest(guild_id=A, user_id=ALICE, title="T", reason="",
                                          url="https://t.example.org", category="usmle")
    assert (await library.suggestions.pending(B)) == ([], 0)
    with pytest.raises(NotFound):
        await library.suggestions.approve(s.id, guild_id=B, moderator_id=MOD)
    # B may have its own pending suggestion of the same link.
    await library.suggestions.suggest(guild_id=B, user_id=BOB, title="T", reason="",
                                      url="https://t.example.org", category="usmle")
    assert (await library.export_member(B, ALICE))["suggestions"] == []
    assert [x["title"] for x in (await library.export_member(A, ALICE))["suggestions"]] == ["T"]


@SEARCHES
async def test_a_rebuilt_index_keeps_every_servers_rows(library: ResourceService, db: Database,
                                                       clock: ManualClock) -> None:
    rid = await _id(library, "Thalamus")
    await library.edit(rid, {"description": "Zanzibar quokka notes."}, guild_id=A)
    mine = await _approved(library, B, "Kalorama Navigator", "https://kalorama.example.org/")
    await db.execute("UPDATE resources_index_state SET vocabulary = 'older'")
    restarted = ResourceService(db, clock, DEFAULT_CATALOG)
    await restarted.start()
    assert await _urls(restarted, "zanzibar quokka", A) == [(await restarted.get(rid)).url]
    assert await _urls(restarted, "zanzibar quokka", B) == []
    assert await _urls(restarted, "kalorama", B) == [mine.url]
    assert await _urls(restarted, "kalorama", A) == []
