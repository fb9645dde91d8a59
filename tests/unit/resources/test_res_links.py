"""Link health against a local aiohttp server (nothing here reaches the internet): each status
class, retries and the per-host pace, and what search, /resources stale and review show."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import InvalidInput
from bot.services.resources import CatalogEntry, ResourceService
from bot.services.resources._health import CHECK_EVERY, FIRST_CHECK_AFTER, WeeklyLinkCheck
from bot.services.resources._links import CheckPolicy, LinkChecker, Probe

#: FTS5 search runs on SQLite only until the in-memory index serves PostgreSQL (issue 21)
SEARCHES = pytest.mark.sqlite_only

FAST = CheckPolicy(timeout=0.3, retries=2, retry_delay=0.01, per_host_interval=0.0, concurrency=4)
A = 111


@dataclass
class Site:
    """The local server's state: the title /changing shows, and every request it answered."""

    title: str = "Step 1 | USMLE"
    flaky_failures: int = 2
    seen: list[tuple[str, str, float]] = field(default_factory=list)


def _page(title: str) -> web.Response:
    return web.Response(text=f"<html><head><title>{title}</title></head><body>x</body></html>",
                        content_type="text/html")


def make_app(site: Site) -> web.Application:
    async def log(request: web.Request, handler):  # type: ignore[no-untyped-def]
        site.seen.append((request.method, request.path, asyncio.get_running_loop().time()))
        return await handler(request)

    async def ok(request: web.Request) -> web.Response:
        return _page("Welcome &amp; hello")

    async def changing(request: web.Request) -> web.Response:
        return _page(site.title)

    async def head_refused(request: web.Request) -> web.Response:
        if request.method == "HEAD":
            return web.Response(status=405)
        return _page("GET only")

    async def flaky(request: web.Request) -> web.Response:
        if site.flaky_failures > 0:
            site.flaky_failures -= 1
            return web.Response(status=503)
        return _page("Back again")

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return _page("Too late")

    def status(code: int, location: str | None = None):  # type: ignore[no-untyped-def]
        async def handler(request: web.Request) -> web.Response:
            headers = {"Location": location} if location else {}
            return web.Response(status=code, headers=headers)
        return handler

    app = web.Application(middlewares=[web.middleware(log)])
    app.router.add_route("*", "/ok", ok)
    app.router.add_route("*", "/changing", changing)
    app.router.add_route("*", "/head-refused", head_refused)
    app.router.add_route("*", "/flaky", flaky)
    app.router.add_route("*", "/slow", slow)
    app.router.add_route("*", "/gone", status(404))
    app.router.add_route("*", "/removed", status(410))
    app.router.add_route("*", "/limited", status(429))
    app.router.add_route("*", "/forbidden", status(403))
    app.router.add_route("*", "/broken", status(500))
    app.router.add_route("*", "/moved", status(301, "/ok"))
    app.router.add_route("*", "/moved-twice", status(308, "/moved"))
    app.router.add_route("*", "/temporary", status(302, "/ok"))
    app.router.add_route("*", "/moved-then-temporary", status(301, "/temporary"))
    app.router.add_route("*", "/moved-to-nothing", status(301, "/gone"))
    app.router.add_route("*", "/loop", status(302, "/loop"))
    return app


@pytest.fixture
def site() -> Site:
    return Site()


@pytest.fixture
async def server(site: Site) -> AsyncIterator[TestServer]:
    test_server = TestServer(make_app(site), host="127.0.0.1")
    await test_server.start_server()
    try:
        yield test_server
    finally:
        await test_server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def url(server: TestServer, path: str) -> str:
    return str(server.make_url(path))


@pytest.mark.parametrize(
    ("path", "status", "http_status", "moved_to"),
    [
        ("/ok", "ok", 200, None),
        ("/head-refused", "ok", 200, None),  # HEAD refused: GET decides
        ("/flaky", "ok", 200, None),  # two 503s, then fine: retried twice
        ("/temporary", "ok", 200, None),  # a temporary redirect proposes nothing
        ("/moved-then-temporary", "ok", 200, None),
        ("/gone", "dead", 404, None),
        ("/removed", "dead", 410, None),
        ("/moved-to-nothing", "dead", 404, None),
        ("/limited", "unknown", 429, None),  # rate-limited is not dead
        ("/forbidden", "unknown", 403, None),
        ("/broken", "unknown", 500, None),
        ("/slow", "unknown", None, None),  # timed out, three times
        ("/loop", "unknown", None, None),
        ("/moved", "moved", 200, "/ok"),
        ("/moved-twice", "moved", 200, "/ok"),
    ],
)
async def test_each_status_class(
    server: TestServer, session: aiohttp.ClientSession, path: str, status: str,
    http_status: int | None, moved_to: str | None,
) -> None:
    probe = await LinkChecker(session, FAST).probe(url(server, path))
    assert (probe.status, probe.http_status) == (status, http_status), probe
    assert probe.moved_to == (None if moved_to is None else url(server, moved_to))


async def test_titles_are_read_from_live_pages(server: TestServer, session: aiohttp.ClientSession) -> None:
    checker = LinkChecker(session, FAST)
    assert (await checker.probe(url(server, "/ok"))).title == "Welcome & hello"
    assert (await checker.probe(url(server, "/gone"))).title is None


async def test_retries_are_bounded_and_a_refused_host_is_dead(
    server: TestServer, session: aiohttp.ClientSession, site: Site, unused_tcp_port: int
) -> None:
    checker = LinkChecker(session, FAST)
    await checker.probe(url(server, "/broken"))
    assert [p for m, p, _ in site.seen if m == "GET"].count("/broken") == 3  # 1 + 2 retries
    probe = await checker.probe(f"http://127.0.0.1:{unused_tcp_port}/nothing-listens")
    assert probe.status == "dead" and "unreachable" in probe.detail


async def test_requests_to_one_host_are_spaced(
    server: TestServer, session: aiohttp.ClientSession, site: Site
) -> None:
    pace = CheckPolicy(timeout=1, retries=0, per_host_interval=0.05, concurrency=8)
    done: list[int] = []
    found = await LinkChecker(session, pace).check_all(
        [url(server, p) for p in ("/gone", "/removed", "/limited", "/forbidden", "/gone")],
        progress=lambda n, total: done.append(n),
    )
    assert len(found) == 4 and done == [1, 2, 3, 4]
    times = sorted(t for _, _, t in site.seen)
    assert all(b - a >= 0.045 for a, b in itertools.pairwise(times)), times


def _entry(title: str, link: str, tags: tuple[str, ...] = ()) -> CatalogEntry:
    return CatalogEntry(title=title, url=link, organization="Test org", category="usmle",
                        tier="official", tags=tags, description=f"About {title}.",
                        last_verified=date(2026, 1, 1))  # before the test clock's start


@pytest.fixture
async def local_library(db: Database, clock: ManualClock, server: TestServer) -> ResourceService:
    library = ResourceService(db, clock, None)
    await library.start()
    await library.load_entries([
        _entry("Zebra exam portal", url(server, "/gone")),
        _entry("Yak exam guide", url(server, "/changing")),
        _entry("Walrus exam page", url(server, "/moved")),
        _entry("Vole exam limits", url(server, "/limited")),
        _entry("Umbrella exam home", url(server, "/ok")),
    ])
    return library


@SEARCHES
async def test_results_survive_a_restart_and_show_in_search_stale_and_review(
    local_library: ResourceService, session: aiohttp.ClientSession, site: Site, db: Database,
    clock: ManualClock, server: TestServer,
) -> None:
    checker = LinkChecker(session, FAST)
    report = await local_library.links.check(checker)
    assert report.checked == 5 and report.statuses == {"ok": 2, "dead": 1, "moved": 1, "unknown": 1}
    assert report.changed == 0  # the first check only records the verified titles

    site.title = "Step 1 has a new name"  # the page changed after it was verified
    clock.advance(timedelta(days=7))
    assert (await local_library.links.check(checker)).changed == 1

    restarted = ResourceService(db, clock, None)  # rows, not memory
    await restarted.start()
    hits = {h.resource.title: h for h in (await restarted.search("exam", limit=10)).hits}
    assert hits["Zebra exam portal"].link is not None and hits["Zebra exam portal"].link.status == "dead"
    assert hits["Vole exam limits"].link is not None and hits["Vole exam limits"].link.status == "unknown"
    assert hits["Umbrella exam home"].link is not None and hits["Umbrella exam home"].link.status == "ok"
    # Stale lists what needs a curator: the dead link and the changed page, not the unknown one.
    stale = {r.title for r in await restarted.stale(guild_id=A)}
    assert stale == {"Zebra exam portal", "Yak exam guide"}
    # A permanent redirect is a proposed edit; accepting it changes this server's entry only.
    (moved, check), = await restarted.links.moved(guild_id=A)
    assert moved.title == "Walrus exam page" and check.moved_to == url(server, "/ok")
    with pytest.raises(InvalidInput, match="https"):  # the same checks as a moderator's edit
        await restarted.links.apply_move(moved.id, guild_id=A)
    new_home = "https://walrus.example.org/exam"
    await restarted.links.record({moved.url: Probe("moved", 200, moved_to=new_home)},
                                 await restarted.links.targets())
    applied = await restarted.links.apply_move(moved.id, guild_id=A)
    assert applied.url == new_home
    assert (await restarted.get(moved.id)).url == url(server, "/moved")  # other servers keep it
    assert await restarted.links.moved(guild_id=A) == []


async def test_re_verifying_an_entry_accepts_its_new_title(
    local_library: ResourceService, session: aiohttp.ClientSession, site: Site, clock: ManualClock
) -> None:
    checker = LinkChecker(session, FAST)
    await local_library.links.check(checker)
    site.title = "Renamed"
    clock.advance(timedelta(days=1))
    await local_library.links.check(checker)
    yak = next(r for r in await local_library.stale(guild_id=A) if r.title == "Yak exam guide")
    clock.advance(timedelta(days=1))
    await local_library.edit(yak.id, {"verified": True}, guild_id=A)
    clock.advance(timedelta(days=1))
    assert (await local_library.links.check(checker)).changed == 0


async def test_the_weekly_timer_runs_a_week_after_the_last_check(
    local_library: ResourceService, clock: ManualClock, session: aiohttp.ClientSession
) -> None:
    timer = WeeklyLinkCheck(local_library.links, clock, FAST)
    assert await timer.next_due() == clock.now() + FIRST_CHECK_AFTER
    await local_library.links.check(LinkChecker(session, FAST))
    assert await timer.next_due() == clock.now() + CHECK_EVERY
