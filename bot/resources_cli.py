"""`fmg-bot resources search|import|export|check`: the shared resource catalog from a terminal.

The same `ResourceService` backs the slash commands. Curators manage the catalog every server
shares here; what one server's moderators change in Discord stays on that server (`search
--guild ID` shows the library as that server sees it). Every command opens the configured
database, applies pending migrations and loads the configured catalog (both idempotent, as the
bot does on start), so it works on a fresh checkout and beside a running bot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TypeVar

from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.services.resources import (
    CheckPolicy,
    CheckReport,
    LinkCheck,
    LinkChecker,
    ResourceService,
    link_session,
)

T = TypeVar("T")


async def _with_library(settings: Settings, work: Callable[[ResourceService], Awaitable[T]]) -> T:
    db = await Database.open(settings.database)
    try:
        await db.migrate()
        library = ResourceService(db, SystemClock(), settings.resources_catalog)
        await library.start()
        return await work(library)
    finally:
        await db.close()


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    results = asyncio.run(
        _with_library(settings, lambda lib: lib.search(args.query, guild_id=args.guild, limit=args.limit))
    )
    if args.json:
        print(json.dumps([
            {
                "title": h.resource.title,
                "url": h.resource.url,
                "category": h.resource.category,
                "score": round(h.score, 4),
                "tier": h.resource.tier,
                "organization": h.resource.organization,
                "last_verified": h.resource.last_verified.date().isoformat(),
            }
            for h in results.hits
        ], ensure_ascii=False, indent=2))
        return 0
    if results.corrected_query:
        print(f"(showing results for: {results.corrected_query})")
    if not results.hits:
        hint = f" Did you mean: {results.did_you_mean}?" if results.did_you_mean else ""
        print(f"No resources found.{hint}")
        return 0
    for rank, hit in enumerate(results.hits, start=1):
        r = hit.resource
        print(f"{rank:>2}. {r.title}\n    {r.url}\n    {r.category} · {r.tier} · "
              f"verified {r.last_verified.date().isoformat()} · score {hit.score:.3f}")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    report = asyncio.run(_with_library(settings, lambda lib: lib.import_file(path)))
    print(
        f"{path}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged "
        "(servers' own edits, removals and entries are kept)"
    )
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    text, count = asyncio.run(_with_library(settings, lambda lib: lib.export_text()))
    if str(path) == "-":
        sys.stdout.write(text)
    else:
        path.write_text(text, "utf-8")
        print(f"wrote {count} shared catalog resources to {path}")
    return 0


def _progress(done: int, total: int, width: int = 30) -> None:
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} links")
    sys.stderr.flush()


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Check every link now (as the weekly timer does), store the results, print what needs a
    curator."""
    policy = CheckPolicy(timeout=args.timeout, per_host_interval=args.per_host)

    async def work(library: ResourceService) -> tuple[CheckReport, Mapping[str, LinkCheck]]:
        async with link_session(policy) as session:
            report = await library.links.check(LinkChecker(session, policy), progress=_progress)
        return report, await library.links.latest()

    report, latest = asyncio.run(_with_library(settings, work))
    sys.stderr.write("\n")
    counts = ", ".join(f"{report.statuses.get(s, 0)} {s}" for s in ("ok", "dead", "moved", "unknown"))
    print(f"{report.checked} links checked: {counts}; {report.changed} changed since verified")
    for url, check in sorted(latest.items()):
        if check.status == "dead":
            print(f"dead     {url} ({check.detail})")
        elif check.status == "moved":
            print(f"moved    {url} -> {check.moved_to} (proposed in /resources review)")
        if check.changed:
            print(f"changed  {url}: title now {check.title!r}, was {check.verified_title!r}")
    return 0


def _seconds(raw: str) -> float:
    value = float(raw)
    if not 0 <= value <= 600:
        raise argparse.ArgumentTypeError("must be between 0 and 600 seconds")
    return value


def _limit(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError("must be between 1 and 50")
    return value


def _guild(raw: str) -> int:
    if not raw.isdigit():
        raise argparse.ArgumentTypeError("must be a server (guild) id, e.g. 123456789012345678")
    return int(raw)


def add_resources_commands(commands: argparse._SubParsersAction) -> None:
    """Add `resources search|import|export|check` to the `fmg-bot` parser."""
    resources = commands.add_parser(
        "resources", help="search, import, export or check the links of the resource library"
    )
    sub = resources.add_subparsers(title="resources commands", metavar="RESOURCES_COMMAND", required=True)
    search = sub.add_parser("search", help="search the library as /resources search does")
    search.add_argument("query", help="what to look for, e.g. 'j1 waiver' (quote several words)")
    search.add_argument("--limit", type=_limit, default=10, help="how many results (1-50, default 10)")
    search.add_argument("--json", action="store_true", help="print a JSON list, best first")
    search.add_argument("--guild", type=_guild, default=None, metavar="ID",
                        help="search as that server sees the library (default: the shared catalog)")
    search.set_defaults(handler=cmd_search)
    load = sub.add_parser(
        "import", help="upsert a catalog file into the shared catalog (servers' own changes are kept)"
    )
    load.add_argument("file", help="a YAML catalog, in the format of data/resources.yaml")
    load.set_defaults(handler=cmd_import)
    dump = sub.add_parser("export", help="write the shared catalog as a catalog file")
    dump.add_argument("file", help="the YAML file to write ('-' for standard output)")
    dump.set_defaults(handler=cmd_export)
    check = sub.add_parser(
        "check", help="check every resource link now (it calls each linked site) and store the results"
    )
    check.add_argument("--per-host", type=_seconds, default=CheckPolicy.per_host_interval, metavar="SECONDS",
                       help="seconds between two requests to one site (default %(default)s)")
    check.add_argument("--timeout", type=_seconds, default=CheckPolicy.timeout, metavar="SECONDS",
                       help="seconds before a request counts as timed out (default %(default)s)")
    check.set_defaults(handler=cmd_check)
