"""Catalog loading, moderation, suggestions, bookmarks and staleness (on one server; what one
server's moderators do is invisible to others: see test_res_isolation.py)."""

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import Conflict, InvalidInput, NotFound
from bot.services.marks import SharedMarks
from bot.services.resources import (
    DEFAULT_CATALOG,
    CatalogEntry,
    ResourceService,
    read_catalog,
)

GUILD = 111
ALICE, BOB, MOD = 1001, 1002, 9001


async def _by_title(library: ResourceService, title: str) -> int:
    return next(r.id for r in (await library.listing()) if r.title == title)


async def test_loading_twice_changes_nothing(db: Database, clock: ManualClock) -> None:
    library = ResourceService(db, clock, DEFAULT_CATALOG)
    first = await library.start()
    assert first is not None and first.added == len(read_catalog(DEFAULT_CATALOG))
    before = await db.fetchall("SELECT * FROM resources ORDER BY id")
    version = await SharedMarks(db).version("library")
    again = await ResourceService(db, clock, DEFAULT_CATALOG).start()
    assert again is not None and (again.added, again.updated) == (0, 0)
    assert again.unchanged == first.added
    assert [tuple(r) for r in await db.fetchall("SELECT * FROM resources ORDER BY id")] == [
        tuple(r) for r in before
    ]
    # nothing changed, so no process rebuilds its search index
    assert await SharedMarks(db).version("library") == version > 0


async def test_catalog_changes_update_rows_but_moderator_edits_survive(library: ResourceService) -> None:
    rid = await _by_title(library, "ECFMG Fees")
    await library.edit(rid, {"description": "Our moderator's own words.", "tags": "fees, money"},
                       guild_id=GUILD)
    entries = read_catalog(DEFAULT_CATALOG)
    changed = [
        dataclasses.replace(e, title=e.title + " (2027)", description="Catalog rewrite.",
                            last_verified=date(2026, 12, 1))
        if e.title == "ECFMG Fees" else e
        for e in entries
    ]
    report = await library.load_entries(changed)
    assert (report.added, report.updated) == (0, 1)
    fees = await library.get(rid, guild_id=GUILD)
    assert fees.title == "ECFMG Fees (2027)"  # not edited by a moderator: the catalog wins
    assert fees.description == "Our moderator's own words."
    assert fees.tags == ("fees", "money")
    assert fees.edited_fields == {"description", "tags"}
    assert fees.last_verified.date() == date(2026, 12, 1)
    assert (await library.search("moderator's own words", guild_id=GUILD)).hits[0].resource.id == rid
    shared = await library.get(rid)
    assert (shared.title, shared.description) == ("ECFMG Fees (2027)", "Catalog rewrite.")


async def test_moderator_link_change_and_removal_survive_a_reload(library: ResourceService) -> None:
    thalamus = await _by_title(library, "Thalamus")
    await library.edit(thalamus, {"url": "https://thalamusgme.com/applicants/"}, guild_id=GUILD)
    sdn = await _by_title(library, "Student Doctor Network Forums")
    await library.remove(sdn, guild_id=GUILD)
    report = await library.load_entries(read_catalog(DEFAULT_CATALOG))
    assert (report.added, report.updated) == (0, 0)
    assert (await library.get(thalamus, guild_id=GUILD)).url == "https://thalamusgme.com/applicants/"
    with pytest.raises(NotFound):
        await library.get(sdn, guild_id=GUILD)
    assert all(h.resource.id != sdn for h in (await library.search("sdn forum", guild_id=GUILD)).hits)
    with pytest.raises(NotFound):
        await library.edit(sdn, {"title": "Back"}, guild_id=GUILD)


async def test_edit_validates_and_refuses_duplicate_links(library: ResourceService, db: Database) -> None:
    rid = await _by_title(library, "Thalamus")
    for changes, error, message in [
        ({"url": "https://www.usmle.org/"}, Conflict, "already belongs to"),
        ({"url": "http://thalamusgme.com"}, InvalidInput, "https"),
        ({"category": "fun"}, InvalidInput, "not a category"),
        ({"title": None}, InvalidInput, "Nothing to change"),
        ({"title": "   "}, InvalidInput, "cannot be empty"),
        ({"colour": "red"}, InvalidInput, "not a field"),
    ]:
        with pytest.raises(error, match=message):
            await library.edit(rid, changes, guild_id=GUILD)
    assert (await library.get(rid, guild_id=GUILD)).edited_fields == frozenset()
    assert await db.fetchval("SELECT COUNT(*) FROM resource_overrides") == 0


async def test_stale_lists_entries_not_verified_for_a_year(
    library: ResourceService, clock: ManualClock
) -> None:
    assert await library.stale(guild_id=GUILD) == []
    clock.advance(timedelta(days=800))
    stale = await library.stale(guild_id=GUILD)
    assert len(stale) == await library.count(guild_id=GUILD)
    await library.edit(stale[0].id, {"verified": True}, guild_id=GUILD)
    assert stale[0].id not in {r.id for r in await library.stale(guild_id=GUILD)}
    assert stale[0].id in {r.id for r in await library.stale(guild_id=GUILD + 1)}  # checked here only
    verified = await library.get(stale[0].id, guild_id=GUILD)
    assert "last_verified" in verified.edited_fields
    # An older catalog date does not undo the moderator's check; a newer one still counts.
    entries = read_catalog(DEFAULT_CATALOG)
    await library.load_entries(entries)
    assert (await library.get(stale[0].id, guild_id=GUILD)).last_verified == verified.last_verified
    later = verified.last_verified.date() + timedelta(days=10)
    await library.load_entries([dataclasses.replace(e, last_verified=later) for e in entries])
    assert (await library.get(stale[0].id, guild_id=GUILD)).last_verified.date() == later


async def test_suggest_approve_flow(library: ResourceService) -> None:
    s = await library.suggestions.suggest(guild_id=GUILD, user_id=ALICE, title="  IMG Roadmap  ",
                              url="https://imgroadmap.example.org/guide?utm_source=x",
                              reason="Step by step, free.", category="community")
    assert s.status == "pending" and s.title == "IMG Roadmap"
    pending, total = await library.suggestions.pending(GUILD)
    assert [p.id for p in pending] == [s.id] and total == 1
    assert (await library.suggestions.pending(GUILD + 1)) == ([], 0)
    resource = await library.suggestions.approve(s.id, guild_id=GUILD, moderator_id=MOD)
    assert resource.tier == "community" and resource.source == "suggestion"
    assert resource.guild_id == GUILD
    assert (await library.search("img roadmap", guild_id=GUILD)).hits[0].resource.id == resource.id
    with pytest.raises(Conflict, match="already approved"):
        await library.suggestions.reject(s.id, guild_id=GUILD, moderator_id=MOD)
    with pytest.raises(Conflict, match="already in the library"):
        await library.suggestions.suggest(guild_id=GUILD, user_id=BOB, title="Again",
                              url="https://imgroadmap.example.org/guide/", reason="", category="community")
    assert (await library.suggestions.pending(GUILD))[1] == 0


async def test_suggest_reject_and_limits(library: ResourceService) -> None:
    s = await library.suggestions.suggest(guild_id=GUILD, user_id=ALICE, title="A", url="https://a.example.org",
                              reason="", category="usmle")
    with pytest.raises(Conflict, match="already suggested"):
        await library.suggestions.suggest(guild_id=GUILD, user_id=BOB, title="A", url="https://www.a.example.org/",
                              reason="", category="usmle")
    with pytest.raises(NotFound):
        await library.suggestions.approve(s.id, guild_id=GUILD + 1, moderator_id=MOD)
    rejected = await library.suggestions.reject(s.id, guild_id=GUILD, moderator_id=MOD)
    assert rejected.status == "rejected" and rejected.reviewed_by == MOD
    assert all(r.url != "https://a.example.org" for r in await library.listing())
    with pytest.raises(Conflict, match="already in the library"):
        await library.suggestions.suggest(guild_id=GUILD, user_id=ALICE, title="x", url="https://www.usmle.org",
                              reason="", category="usmle")
    for bad, message in [({"url": "http://x.org"}, "https"), ({"title": ""}, "cannot be empty"),
                         ({"category": "nope"}, "not a category"), ({"reason": "r" * 501}, "too long")]:
        kwargs = {"guild_id": GUILD, "user_id": ALICE, "title": "T", "url": "https://t.example.org",
                  "reason": "", "category": "usmle"} | bad
        with pytest.raises(InvalidInput, match=message):
            await library.suggestions.suggest(**kwargs)
    for n in range(5):
        await library.suggestions.suggest(guild_id=GUILD, user_id=BOB, title=f"B{n}", url=f"https://b{n}.example.org",
                              reason="", category="usmle")
    with pytest.raises(Conflict, match="waiting for review"):
        await library.suggestions.suggest(guild_id=GUILD, user_id=BOB, title="B9", url="https://b9.example.org",
                              reason="", category="usmle")


async def test_approving_a_removed_link_brings_it_back_with_the_new_details(library: ResourceService) -> None:
    rid = await _by_title(library, "Anki")
    await library.remove(rid, guild_id=GUILD)
    s = await library.suggestions.suggest(guild_id=GUILD, user_id=ALICE, title="Anki flashcards",
                              url="https://apps.ankiweb.net/", reason="Free SRS.", category="usmle")
    resource = await library.suggestions.approve(s.id, guild_id=GUILD, moderator_id=MOD)
    assert resource.id == rid and resource.title == "Anki flashcards"
    report = await library.load_entries(read_catalog(DEFAULT_CATALOG))
    assert report.added == 0 and (await library.get(rid, guild_id=GUILD)).title == "Anki flashcards"
    assert (await library.get(rid)).title == "Anki"  # the shared entry itself never changed
    # An own entry removed here comes back the same way.
    own = await library.suggestions.suggest(guild_id=GUILD, user_id=ALICE, title="Own",
                                            url="https://own.example.org", reason="", category="usmle")
    own_id = (await library.suggestions.approve(own.id, guild_id=GUILD, moderator_id=MOD)).id
    await library.remove(own_id, guild_id=GUILD)
    again = await library.suggestions.suggest(guild_id=GUILD, user_id=ALICE, title="Own again",
                                              url="https://own.example.org/", reason="", category="usmle")
    back = await library.suggestions.approve(again.id, guild_id=GUILD, moderator_id=MOD)
    assert (back.id, back.title) == (own_id, "Own again")


async def test_bookmarks(library: ResourceService) -> None:
    fees = await _by_title(library, "ECFMG Fees")
    soap = await _by_title(library, "Supplemental Offer and Acceptance Program (SOAP)")
    await library.bookmarks.save(ALICE, fees, guild_id=GUILD)
    await library.bookmarks.save(ALICE, soap, guild_id=GUILD)
    with pytest.raises(Conflict, match="already in your saved"):
        await library.bookmarks.save(ALICE, fees, guild_id=GUILD)
    with pytest.raises(NotFound):
        await library.bookmarks.save(ALICE, 999_999, guild_id=GUILD)
    assert {r.id for r in await library.bookmarks.saved(ALICE, guild_id=GUILD)} == {fees, soap}
    assert await library.bookmarks.saved(BOB, guild_id=GUILD) == []
    await library.bookmarks.unsave(ALICE, fees)
    with pytest.raises(NotFound):
        await library.bookmarks.unsave(ALICE, fees)
    await library.remove(soap, guild_id=GUILD)
    assert await library.bookmarks.saved(ALICE, guild_id=GUILD) == []
    # Bookmarks follow the member: another server that keeps the entry still shows it.
    assert [r.id for r in await library.bookmarks.saved(ALICE, guild_id=GUILD + 1)] == [soap]


async def test_export_then_import_round_trips(library: ResourceService, db: Database, clock: ManualClock,
                                              tmp_path: Path) -> None:
    rid = await _by_title(library, "Thalamus")
    await library.edit(rid, {"description": "One server's words."}, guild_id=GUILD)
    text, count = await library.export_text()
    path = tmp_path / "export.yaml"
    path.write_text(text, "utf-8")
    entries = read_catalog(path)
    assert set(entries) == set(read_catalog(DEFAULT_CATALOG))  # the shared catalog, no server's edits
    assert len(entries) == count == await library.count()
    fresh_db = await Database.open(tmp_path / "other.sqlite3")
    try:
        await fresh_db.migrate()
        other = ResourceService(fresh_db, clock, None)
        report = await other.import_file(path)
        assert report.added == count
        assert (await other.search("thalamus")).hits[0].resource.description == (
            await library.get(rid)
        ).description
    finally:
        await fresh_db.close()


async def test_a_new_catalog_entry_is_added_on_the_next_load(library: ResourceService) -> None:
    extra = CatalogEntry("New Guide", "https://guide.example.org/new", "Org", "usmle", "official",
                         ("guide",), "A new guide.", date(2026, 1, 1))
    report = await library.load_entries([*read_catalog(DEFAULT_CATALOG), extra])
    assert report.added == 1
    assert (await library.search("new guide")).hits[0].resource.title == "New Guide"


async def test_privacy_export_and_delete(library: ResourceService, db: Database) -> None:
    fees = await _by_title(library, "ECFMG Fees")
    await library.bookmarks.save(ALICE, fees, guild_id=GUILD)
    mine = await library.suggestions.suggest(guild_id=GUILD, user_id=ALICE, title="Mine", url="https://mine.example.org",
                                 reason="why", category="usmle")
    theirs = await library.suggestions.suggest(guild_id=GUILD, user_id=BOB, title="Theirs",
                                   url="https://theirs.example.org", reason="", category="usmle")
    await library.suggestions.reject(theirs.id, guild_id=GUILD, moderator_id=ALICE)
    exported = await library.export_member(GUILD, ALICE)
    assert exported["bookmarks"] == [{"title": "ECFMG Fees", "url": "https://www.ecfmg.org/fees/"}]
    assert [s["title"] for s in exported["suggestions"]] == ["Mine"]
    await library.delete_member(GUILD, ALICE)
    for table, column in [("resource_bookmarks", "user_id"), ("resource_suggestions", "user_id"),
                          ("resource_suggestions", "reviewed_by")]:
        assert await db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (ALICE,)) == 0
    assert (await library.suggestions.get(theirs.id, GUILD)).status == "rejected"
    assert mine.id not in {s.id for s in (await library.suggestions.pending(GUILD))[0]}


async def test_changes_committed_by_another_process_are_seen(
    library: ResourceService, db: Database, clock: ManualClock
) -> None:
    assert (await library.search("curators corner")).hits == []
    other_db = await Database.open(db.target)  # e.g. `fmg-bot resources import` beside the bot
    try:
        extra = CatalogEntry("Curators Corner", "https://corner.example.org", "Org", "community",
                             "community", ("curators",), "Added from the command line.", date(2026, 1, 1))
        await ResourceService(other_db, clock, None).load_entries([extra])
    finally:
        await other_db.close()
    assert (await library.search("curators corner")).hits[0].resource.title == "Curators Corner"


async def test_repeated_searches_reuse_answers_until_the_library_changes(
    library: ResourceService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fts_queries: list[str] = []
    index = library._index  # the process's FTS5 index (bot/services/resources/_index.py)
    real_match = index.match

    def counting(expr: str, gids: tuple[int, int], limit: int) -> list[tuple[int, float]]:
        fts_queries.append(expr)
        return real_match(expr, gids, limit)

    monkeypatch.setattr(index, "match", counting)
    first = await library.search("img roadmap", guild_id=GUILD)
    typed = await library.autocomplete("img road", guild_id=GUILD)
    asked = len(fts_queries)
    assert asked >= 2
    assert await library.search("img roadmap", guild_id=GUILD) == first
    assert await library.autocomplete("img road", guild_id=GUILD) == typed
    assert len(fts_queries) == asked  # answered from memory
    # A server's approved suggestion changes what that server finds: at once.
    s = await library.suggestions.suggest(guild_id=GUILD, user_id=ALICE, title="IMG Roadmap",
                                          url="https://imgroadmap.example.org/guide",
                                          reason="Step by step, free.", category="community")
    resource = await library.suggestions.approve(s.id, guild_id=GUILD, moderator_id=MOD)
    assert (await library.search("img roadmap", guild_id=GUILD)).hits[0].resource.id == resource.id
    assert resource.id in {r.id for r in await library.autocomplete("img road", guild_id=GUILD)}
    assert len(fts_queries) > asked
