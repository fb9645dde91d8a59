"""Link health of the library: run a check, store what it found, and say what needs a curator.

Results are rows (`resource_links`, one per link), so they survive restarts; the search snapshot
carries them, so search results, `/resources stale` and `/resources review` show them without
another query. A page's title at the first check after its entry was verified is kept as the
verified title; a later check reading another title marks the entry "changed since verified".
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.errors import NotFound
from bot.services.resources._links import (
    DEFAULT_POLICY,
    CheckPolicy,
    LinkCheck,
    LinkChecker,
    Probe,
    link_session,
)
from bot.services.resources._models import Resource
from bot.services.resources._store import library_changed

if TYPE_CHECKING:
    import sqlite3

    from bot.services.resources._service import ResourceService

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(days=7)
FIRST_CHECK_AFTER = timedelta(minutes=10)  # after the first start with the timer on


@dataclass(frozen=True)
class CheckReport:
    checked: int
    statuses: Counter[str]
    changed: int


def to_link_check(row: sqlite3.Row) -> LinkCheck:
    return LinkCheck(
        url=row["url"],
        status=row["status"],
        http_status=row["http_status"],
        moved_to=row["moved_to"],
        title=row["title"],
        verified_title=row["verified_title"],
        detail=row["detail"],
        checked_at=from_epoch(row["checked_at"]),
    )


class LinkHealth:
    def __init__(self, db: Database, clock: Clock, library: ResourceService) -> None:
        self._db = db
        self._clock = clock
        self._library = library

    async def targets(self) -> dict[str, datetime]:
        """Every link an entry holds (shared catalog and every server's), with the latest date
        one of its entries was verified."""
        snap = (await self._library.view(None)).snap
        found: dict[str, datetime] = {}
        entries = [*snap.by_id.values(), *(r for o in snap.overlays.values() for r in o.entries.values())]
        for r in entries:
            found[r.url] = max(found.get(r.url, r.last_verified), r.last_verified)
        return found

    async def check(
        self, checker: LinkChecker, progress: Callable[[int, int], None] | None = None
    ) -> CheckReport:
        """Check every link now and store the results."""
        targets = await self.targets()
        probes = await checker.check_all(targets, progress)
        changed = await self.record(probes, targets)
        return CheckReport(len(probes), Counter(p.status for p in probes.values()), changed)

    async def record(self, probes: Mapping[str, Probe], verified: Mapping[str, datetime]) -> int:
        """Store what a check found; returns how many pages changed since verified."""
        now = int(self._clock.now().timestamp())
        changed = 0
        async with self._db.transaction() as tx:
            for url, probe in probes.items():
                row = await tx.fetchone("SELECT * FROM resource_links WHERE url = ?", (url,))
                baseline = None if row is None else row["verified_title"]
                taken = None if row is None else row["verified_at"]
                reverified = taken is None or verified[url].timestamp() > taken
                if probe.title is not None and (baseline is None or reverified):
                    baseline, taken = probe.title, now
                changed += probe.title is not None and baseline is not None and probe.title != baseline
                await tx.execute(
                    "INSERT INTO resource_links (url, status, http_status, moved_to, title, "
                    "verified_title, verified_at, detail, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (url) DO UPDATE SET status = excluded.status, "
                    "http_status = excluded.http_status, moved_to = excluded.moved_to, "
                    "title = excluded.title, verified_title = excluded.verified_title, "
                    "verified_at = excluded.verified_at, detail = excluded.detail, "
                    "checked_at = excluded.checked_at",
                    (url, probe.status, probe.http_status, probe.moved_to, probe.title, baseline, taken,
                     probe.detail, now),
                )
            await tx.execute(
                "INSERT INTO resource_link_runs (id, finished_at) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at",
                (now,),
            )
            await library_changed(tx)  # search results show each link's health
        await self._library.refresh()
        return changed

    async def latest(self) -> Mapping[str, LinkCheck]:
        """Link -> its latest check, for every checked link."""
        return (await self._library.view(None)).snap.links

    async def last_run(self) -> datetime | None:
        finished = await self._db.fetchval("SELECT finished_at FROM resource_link_runs")
        return None if finished is None else from_epoch(finished)

    async def moved(self, *, guild_id: int | None) -> list[tuple[Resource, LinkCheck]]:
        """Entries seen on a server whose link permanently redirects: proposed edits."""
        view = await self._library.view(guild_id)
        found = [(r, view.link(r.url)) for r in view.ordered()]
        return [(r, check) for r, check in found if check is not None and check.status == "moved"]

    async def apply_move(self, resource_id: int, *, guild_id: int) -> Resource:
        """Accept a proposed edit: the entry takes the link its old one redirects to (on this
        server only, as every moderator edit)."""
        resource = await self._library.get(resource_id, guild_id=guild_id)
        check = (await self._library.view(guild_id)).link(resource.url)
        if check is None or check.status != "moved" or check.moved_to is None:
            raise NotFound("That link has no proposed change any more (it was edited or re-checked).")
        return await self._library.edit(resource_id, {"url": check.moved_to}, guild_id=guild_id)


class WeeklyLinkCheck:
    """The scheduler's due work (bot/scheduler.py): a full check a week after the last one."""

    def __init__(self, health: LinkHealth, clock: Clock, policy: CheckPolicy = DEFAULT_POLICY) -> None:
        self._health = health
        self._clock = clock
        self._policy = policy

    async def next_due(self) -> datetime | None:
        last = await self._health.last_run()
        return self._clock.now() + FIRST_CHECK_AFTER if last is None else last + CHECK_EVERY

    async def run_due(self, now: datetime) -> None:
        async with link_session(self._policy) as session:
            report = await self._health.check(LinkChecker(session, self._policy))
        log.info("resource links checked: %d (%s), %d changed since verified",
                 report.checked, dict(report.statuses), report.changed)
