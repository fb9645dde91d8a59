"""Sessions: scheduling one-off and weekly series, their occurrences, RSVPs and reminders.

A series is stored as its rule and IANA zone; its occurrences are materialised as rows (with
their outbox rows) up to HORIZON ahead, and refilled as time passes, so a series that runs
until cancelled still costs a bounded number of rows.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.db.database import Transaction
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import Outbox
from bot.services.links import parse_link
from bot.services.study_groups.groups import (
    Groups,
    Timezones,
    _group,
    _is_member,
    _require_live,
    cancel_future_occurrences,
    require_manager,
)
from bot.services.study_groups.ics import IcsSeries, build_calendar
from bot.services.study_groups.leads import plan_leads
from bot.services.study_groups.models import (
    RSVP_CHOICES,
    Occurrence,
    RsvpChoice,
    RsvpCounts,
    ScheduledSeries,
)
from bot.services.study_groups.outbox import ANNOUNCE, DM, due_row
from bot.services.study_groups.quotas import Quotas
from bot.services.study_groups.recurrence import (
    Recurrence,
    count_occurrences,
    first_occurrence_on_or_after,
    occurrences,
    parse_weekdays,
    place,
)
from bot.services.study_groups.rsvp_refresh import RsvpRefresher
from bot.services.study_groups.suggest import SlotSuggestion, suggest_slots
from bot.services.study_groups.timeparse import parse_date, parse_start
from bot.services.text import md, sanitize_line
from bot.shards import ALL, ShardScope

#: Occurrences (and their outbox rows) exist this far ahead of now.
HORIZON = timedelta(days=35)
#: How far ahead a session may start (or a series end): further is almost surely a typo.
FURTHEST_AHEAD = timedelta(days=2 * 365)
#: Sessions of the same group at the same time that a schedule reply names (of how many).
CLASHES_SHOWN = 3
#: Refill a week at a time, so the refill runs about once a week per series.
REFILL_STEP = timedelta(days=7)
#: A calendar export holds at most this many series, each ending within EXPORT_HORIZON.
EXPORT_SERIES = 50
EXPORT_HORIZON = timedelta(days=5 * 365)
TITLE_MAX = 80
LOCATION_MAX = 200
MIN_DURATION, MAX_DURATION = 15, 8 * 60
MIN_REMIND, MAX_REMIND = 5, 7 * 24 * 60

_OCC_SELECT = (
    "SELECT o.id, o.series_id, o.starts_at, o.ends_at, o.cancelled_at, o.event_id, "
    "s.group_id, s.title, s.zone, s.rrule, s.location, s.channel_id, g.name AS group_name, "
    "g.guild_id, "
    "(SELECT COUNT(*) FROM study_rsvps r WHERE r.occurrence_id = o.id AND r.choice = 'going') AS n_going, "
    "(SELECT COUNT(*) FROM study_rsvps r WHERE r.occurrence_id = o.id AND r.choice = 'maybe') AS n_maybe, "
    "(SELECT COUNT(*) FROM study_rsvps r WHERE r.occurrence_id = o.id AND r.choice = 'no') AS n_no "
    "FROM study_occurrences o JOIN study_series s ON s.id = o.series_id "
    "JOIN study_groups g ON g.id = s.group_id"
)


def occurrence_from_row(row: sqlite3.Row) -> Occurrence:
    return Occurrence(
        id=row["id"],
        series_id=row["series_id"],
        group_id=row["group_id"],
        group_name=row["group_name"],
        title=row["title"],
        starts_at=from_epoch(row["starts_at"]),
        ends_at=from_epoch(row["ends_at"]),
        zone=row["zone"],
        recurring=row["rrule"] is not None,
        location=row["location"],
        channel_id=row["channel_id"],
        cancelled=row["cancelled_at"] is not None,
        event_id=row["event_id"],
        rsvps=RsvpCounts(row["n_going"], row["n_maybe"], row["n_no"]),
    )


class Sessions:
    """Sessions of the groups. ``changed``: as for `Groups` (scheduled events to create or
    cancel); rows of the outbox wake it by themselves."""

    def __init__(self, db: Database, clock: Clock, groups: Groups, timezones: Timezones,
                 outbox: Outbox, changed: Callable[[], None], quotas: Quotas,
                 rsvp_refresh: RsvpRefresher, *, shards: ShardScope = ALL) -> None:
        self._db = db
        self._mine = shards.where("g.guild_id")  # series of this process's servers only
        self._clock = clock
        self._groups = groups
        self._timezones = timezones
        self._outbox = outbox
        self._changed = changed
        self._quotas = quotas
        self._rsvp_refresh = rsvp_refresh

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    # -- scheduling ------------------------------------------------------------------------
    async def schedule(
        self,
        guild_id: int,
        group_id: int,
        actor_id: int,
        is_moderator: bool,
        *,
        title: str,
        start: str,
        duration_minutes: int = 60,
        weekdays: str | None = None,
        every_weeks: int | None = None,
        until: str | None = None,
        count: int | None = None,
        location: str | None = None,
        channel_id: int | None = None,
    ) -> ScheduledSeries:
        """Schedule a session (or a weekly series) whose start is typed in the actor's zone."""
        title = sanitize_line(title)
        if not 2 <= len(title) <= TITLE_MAX:
            raise InvalidInput(f"A session title has 2 to {TITLE_MAX} characters.")
        if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
            raise InvalidInput("A session lasts 15 minutes to 8 hours.")
        location = _clean_location(location)
        zone = await self._timezones.zone_for(actor_id)
        now = self._clock.now()
        start_local = parse_start(start, zone, now)
        recurrence: Recurrence | None = None
        first_wall = start_local.replace(tzinfo=None)
        total: int | None = 1
        if weekdays or every_weeks or until or count:
            days = parse_weekdays(weekdays) if weekdays else (start_local.weekday(),)
            until_date = parse_date(until, start_local.date()) if until else None
            if until_date is not None and until_date < start_local.date():
                raise InvalidInput("The end date is before the first session.")
            recurrence = Recurrence(days, every_weeks or 1, until_date, count)
            first_wall = first_occurrence_on_or_after(first_wall, recurrence)
            total = count_occurrences(first_wall, recurrence)
        first_instant = place(first_wall, zone)
        stored_first = first_wall.isoformat(timespec="minutes")
        if first_wall == start_local.replace(tzinfo=None) and start_local.fold:
            # the second of a repeated hour's two instants: keep which one (see occurrences)
            first_instant = start_local.astimezone(UTC)
            stored_first = start_local.isoformat(timespec="minutes")
        _check_not_too_far(first_instant, now, "starts")
        if recurrence is not None and recurrence.until is not None:
            _check_not_too_far(place(datetime.combine(recurrence.until, first_wall.time()), zone),
                               now, "ends")
        now_s = int(now.timestamp())
        limits = await self._quotas.limits(guild_id)
        async with self._db.transaction() as tx:
            group = await _group(tx, guild_id, group_id)
            _require_live(group)
            require_manager(group, actor_id, is_moderator)
            others = await self._quotas.check_series(tx, limits, guild_id, actor_id, now_s)
            series_id = await tx.fetchval(
                "INSERT INTO study_series (group_id, title, zone, first_local, rrule, "
                "duration_minutes, location, channel_id, created_by, created_at, "
                "materialized_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    group_id, title, zone.key, stored_first,
                    recurrence.to_rrule() if recurrence else None, duration_minutes, location,
                    channel_id, actor_id, now_s, int(first_instant.timestamp()),
                ),
            )
            target = max(now + HORIZON, first_instant + timedelta(seconds=1))
            await materialize(tx, self._outbox, series_id, int(target.timestamp()), now_s)
            self._db.after_commit(self._changed)  # its scheduled events are created
            rows = await tx.fetchall(
                f"{_OCC_SELECT} WHERE o.series_id = ? ORDER BY o.starts_at LIMIT 5", (series_id,)
            )
            clashes = await tx.fetchall(
                f"{_OCC_SELECT} WHERE o.id IN (SELECT other.id FROM study_occurrences mine "
                "JOIN study_occurrences other ON other.starts_at < mine.ends_at "
                "AND mine.starts_at < other.ends_at JOIN study_series os ON os.id = other.series_id "
                "WHERE mine.series_id = ? AND os.group_id = ? AND os.id != ? "
                "AND mine.cancelled_at IS NULL AND other.cancelled_at IS NULL) "
                "ORDER BY o.starts_at LIMIT ?",
                (series_id, group_id, series_id, CLASHES_SHOWN),
            )
        return ScheduledSeries(
            series_id=series_id,
            group=group,
            title=title,
            zone=zone.key,
            first_start=first_instant,
            rule_text=recurrence.describe() if recurrence else None,
            total=total,
            upcoming=tuple(occurrence_from_row(r) for r in rows),
            events_limit=(limits["study_events_per_member"]
                          if others >= limits["study_events_per_member"] else None),
            clashes=tuple(occurrence_from_row(r) for r in clashes),
        )

    async def refill(self, now: datetime) -> int:
        """Materialise occurrences of open-ended or long series up to HORIZON ahead."""
        now_s = int(now.timestamp())
        target = int((now + HORIZON + REFILL_STEP).timestamp())
        ids = [
            r["id"]
            for r in await self._db.fetchall(
                "SELECT s.id FROM study_series s JOIN study_groups g ON g.id = s.group_id "
                "WHERE s.exhausted = 0 AND s.cancelled_at IS NULL AND s.materialized_until < ? "
                f"AND {self._mine}",
                (int((now + HORIZON).timestamp()),),
            )
        ]
        for series_id in ids:
            async with self._db.transaction() as tx:
                await materialize(tx, self._outbox, series_id, target, now_s)
        return len(ids)

    async def next_refill(self) -> datetime | None:
        earliest = await self._db.fetchval(
            "SELECT MIN(s.materialized_until) FROM study_series s JOIN study_groups g "
            f"ON g.id = s.group_id WHERE s.exhausted = 0 AND s.cancelled_at IS NULL "
            f"AND {self._mine}"
        )
        return None if earliest is None else from_epoch(earliest) - HORIZON

    # -- cancelling and listing --------------------------------------------------------------
    async def cancel(
        self,
        guild_id: int,
        occurrence_id: int,
        actor_id: int,
        is_moderator: bool,
        *,
        whole_series: bool = False,
    ) -> tuple[Occurrence, int]:
        """Cancel one occurrence or the rest of its series; returns it and how many were cancelled."""
        now = self._now()
        async with self._db.transaction() as tx:
            occ = await _occurrence(tx, guild_id, occurrence_id)
            group = await _group(tx, guild_id, occ.group_id)
            require_manager(group, actor_id, is_moderator)
            if whole_series or not occ.recurring:
                await tx.execute(
                    "UPDATE study_series SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
                    (now, occ.series_id),
                )
                # "this and all later": the chosen session and those after it, never earlier ones
                cancelled = await cancel_future_occurrences(
                    tx, "series_id = ? AND starts_at >= ?",
                    (occ.series_id, int(occ.starts_at.timestamp())), now,
                )
            else:
                if occ.cancelled:
                    raise Conflict("That session is already cancelled.")
                cancelled = await cancel_future_occurrences(tx, "id = ?", (occurrence_id,), now)
            if cancelled == 0:
                raise Conflict("Nothing left to cancel: that session is over or already cancelled.")
            self._db.after_commit(self._changed)  # their scheduled events are cancelled
            return replace(occ, cancelled=True), cancelled

    async def get(self, guild_id: int, occurrence_id: int) -> Occurrence:
        async with self._db.transaction() as tx:
            return await _occurrence(tx, guild_id, occurrence_id)

    async def upcoming(
        self,
        guild_id: int,
        *,
        group_id: int | None = None,
        member_id: int | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Occurrence]:
        """Sessions not yet ended, soonest first (a group's, a member's groups', or all)."""
        where, params = self._upcoming_where(guild_id, group_id, member_id)
        rows = await self._db.fetchall(
            f"{_OCC_SELECT} WHERE {where} ORDER BY o.starts_at, o.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [occurrence_from_row(r) for r in rows]

    async def count_upcoming(
        self, guild_id: int, *, group_id: int | None = None, member_id: int | None = None
    ) -> int:
        """How many sessions `upcoming` would list with no limit."""
        where, params = self._upcoming_where(guild_id, group_id, member_id)
        return int(await self._db.fetchval(
            "SELECT COUNT(*) FROM study_occurrences o JOIN study_series s ON s.id = o.series_id "
            f"JOIN study_groups g ON g.id = s.group_id WHERE {where}", params,
        ) or 0)

    def _upcoming_where(
        self, guild_id: int, group_id: int | None, member_id: int | None
    ) -> tuple[str, list[object]]:
        where = ["g.guild_id = ?", "o.cancelled_at IS NULL", "o.ends_at > ?", "g.archived_at IS NULL"]
        params: list[object] = [guild_id, self._now()]
        if group_id is not None:
            where.append("s.group_id = ?")
            params.append(group_id)
        if member_id is not None:
            where.append(
                "s.group_id IN (SELECT group_id FROM study_group_members WHERE user_id = ?)"
            )
            params.append(member_id)
        return " AND ".join(where), params

    # -- RSVPs and reminders ------------------------------------------------------------------
    async def rsvp(
        self, guild_id: int, occurrence_id: int, user_id: int, choice: str
    ) -> tuple[Occurrence, RsvpCounts]:
        if choice not in RSVP_CHOICES:
            raise InvalidInput("Answer going, maybe or no.")
        rsvp: RsvpChoice = choice
        now = self._now()
        async with self._db.transaction() as tx:
            occ = await _occurrence(tx, guild_id, occurrence_id)
            if occ.cancelled:
                raise Conflict("That session was cancelled.")
            if occ.ends_at.timestamp() <= now:
                raise Conflict("That session is over.")
            if not await _is_member(tx, occ.group_id, user_id):
                raise Forbidden(
                    f"Join **{md(occ.group_name)}** first (`/studygroup join`) to answer for its sessions."
                )
            await tx.execute(
                "INSERT INTO study_rsvps (occurrence_id, user_id, choice, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (occurrence_id, user_id) DO UPDATE SET "
                "choice = excluded.choice, updated_at = excluded.updated_at",
                (occurrence_id, user_id, rsvp, now),
            )
            await self._rsvp_refresh.after_rsvp(occurrence_id, self._clock.now())
            if rsvp == "no":  # no reminder for a session they will miss
                await tx.execute(
                    "UPDATE outbox SET state = 'cancelled' WHERE state = 'pending' "
                    "AND kind = ? AND ref_id = ? AND recipient_id = ?",
                    (DM, occurrence_id, user_id),
                )
            else:
                await tx.execute(
                    "UPDATE outbox SET state = 'pending' WHERE state = 'cancelled' "
                    "AND kind = ? AND ref_id = ? AND recipient_id = ? AND due_at >= ?",
                    (DM, occurrence_id, user_id, now),
                )
                self._outbox.wake_after_commit()
            fresh = await _occurrence(tx, guild_id, occurrence_id)
        return fresh, fresh.rsvps

    async def set_reminder(
        self, guild_id: int, group_id: int, user_id: int, minutes: int | None
    ) -> int:
        """Set (or with None, turn off) the member's DM reminder lead for a group's sessions.

        Returns how many upcoming sessions now have a reminder for them.
        """
        if minutes is not None and not MIN_REMIND <= minutes <= MAX_REMIND:
            raise InvalidInput("Choose a reminder 5 minutes to 7 days before (or turn it off).")
        now = self._now()
        async with self._db.transaction() as tx:
            group = await _group(tx, guild_id, group_id)
            _require_live(group)
            if not await _is_member(tx, group_id, user_id):
                raise Forbidden(f"Join **{md(group.name)}** first (`/studygroup join`).")
            await tx.execute(
                "UPDATE study_group_members SET remind_minutes = ? WHERE group_id = ? AND user_id = ?",
                (minutes, group_id, user_id),
            )
            await tx.execute(
                "UPDATE outbox SET state = 'cancelled' WHERE state = 'pending' AND kind = ? "
                "AND recipient_id = ? AND ref_id IN (SELECT o.id FROM study_occurrences o "
                "JOIN study_series s ON s.id = o.series_id WHERE s.group_id = ?)",
                (DM, user_id, group_id),
            )
            if minutes is None:
                return 0
            rows = await tx.fetchall(
                "SELECT o.id, o.starts_at FROM study_occurrences o "
                "JOIN study_series s ON s.id = o.series_id WHERE s.group_id = ? "
                "AND o.cancelled_at IS NULL AND o.starts_at - ? >= ? AND NOT EXISTS "
                "(SELECT 1 FROM study_rsvps r WHERE r.occurrence_id = o.id AND r.user_id = ? "
                "AND r.choice = 'no')",
                (group_id, minutes * 60, now, user_id),
            )
            await self._outbox.enqueue_many(
                DM,
                [due_row(guild_id, r["id"], user_id, minutes * 60, r["starts_at"] - minutes * 60)
                 for r in rows],
                revive_from=from_epoch(now),
            )
            return len(rows)

    # -- planning help -----------------------------------------------------------------------
    async def suggest(
        self, guild_id: int, group_id: int, duration_minutes: int = 60
    ) -> tuple[list[SlotSuggestion], list[int]]:
        """The 3 best weekly slots, and the members who have no zone (left out of the count)."""
        members = await self._groups.members(guild_id, group_id)
        zones = {m.user_id: m.zone for m in members if m.zone}
        unknown = [m.user_id for m in members if not m.zone]
        # 168 hours x every member's zone: off the event loop (a group can have 1,000 members)
        slots = await asyncio.to_thread(
            suggest_slots, zones, self._clock.now(), duration=timedelta(minutes=duration_minutes)
        )
        return slots, unknown

    async def calendar(self, guild_id: int, group_id: int) -> bytes:
        """The group's sessions as an .ics file (RRULE, EXDATE, VTIMEZONE).

        Bounded, and built off the event loop (issue 16, item 9): at most EXPORT_SERIES series
        (running ones first), each ending within EXPORT_HORIZON, so the file's time-zone rules
        span a few years, not the centuries a series every 52 weeks for 730 sessions covers."""
        group = await self._groups.get(guild_id, group_id)
        now = self._clock.now()
        horizon = (now + EXPORT_HORIZON).date()
        series_rows = await self._db.fetchall(
            "SELECT * FROM study_series WHERE group_id = ? "
            "ORDER BY cancelled_at IS NOT NULL, id LIMIT ?",
            (group_id, EXPORT_SERIES),
        )
        items: list[IcsSeries] = []
        for s in series_rows:
            zone = ZoneInfo(s["zone"])
            occ = await self._db.fetchall(
                "SELECT starts_at, cancelled_at FROM study_occurrences WHERE series_id = ? "
                "ORDER BY starts_at",
                (s["id"],),
            )
            kept = [o["starts_at"] for o in occ if o["cancelled_at"] is None]
            cancelled = [o["starts_at"] for o in occ if o["cancelled_at"] is not None]
            recurrence = Recurrence.from_rrule(s["rrule"]) if s["rrule"] else None
            if recurrence is not None and recurrence.until is not None and recurrence.until > horizon:
                recurrence = Recurrence(recurrence.weekdays, recurrence.interval, until=horizon)
            if s["cancelled_at"] is not None:
                if not kept:
                    continue
                if recurrence is not None:  # the series stops after its last kept session
                    last = from_epoch(kept[-1]).astimezone(zone).date()
                    recurrence = Recurrence(recurrence.weekdays, recurrence.interval, until=last)
                    cancelled = [c for c in cancelled if c < kept[-1]]
            elif recurrence is None and not kept:
                continue

            description = f"{group.name} ({group.topic})"
            if s["channel_id"]:
                description += f"\nDiscord channel id {s['channel_id']}"
            items.append(
                IcsSeries(
                    uid=f"fmg-study-series-{s['id']}-{guild_id}@fmg-bot",
                    summary=f"{group.name}: {s['title']}",
                    description=description,
                    zone=s["zone"],
                    first_local=datetime.fromisoformat(s["first_local"]),
                    duration=timedelta(minutes=s["duration_minutes"]),
                    recurrence=recurrence,
                    location=s["location"],
                    cancelled=tuple(from_epoch(c) for c in cancelled) if recurrence else (),
                )
            )
        return await asyncio.to_thread(build_calendar, f"{group.name} study sessions", items, now)


async def materialize(tx: Transaction, outbox: Outbox, series_id: int, target: int,
                      now: int) -> int:
    """Create the occurrences of ``series_id`` starting before ``target`` (epoch) and their
    outbox rows (announcements at the group's offsets, DMs for members who opted in), planned
    by plan_leads: a lead already passed is due at once. Returns how many were created."""
    s = await tx.fetchone(
        "SELECT s.*, g.announce_offsets, g.guild_id FROM study_series s JOIN study_groups g "
        "ON g.id = s.group_id WHERE s.id = ?",
        (series_id,),
    )
    if s is None or s["materialized_until"] >= target:
        return 0
    zone = ZoneInfo(s["zone"])
    recurrence = Recurrence.from_rrule(s["rrule"]) if s["rrule"] else None
    first_wall = datetime.fromisoformat(s["first_local"])
    after = from_epoch(s["materialized_until"])
    before = from_epoch(target)
    starts = list(occurrences(first_wall, zone, recurrence, after=after, before=before))
    offsets = [int(x) * 60 for x in s["announce_offsets"].split(",") if x.strip()]
    reminders = await tx.fetchall(
        "SELECT user_id, remind_minutes FROM study_group_members WHERE group_id = ? "
        "AND remind_minutes IS NOT NULL",
        (s["group_id"],),
    )
    duration = s["duration_minutes"] * 60
    created = 0
    announcements, reminders_due = [], []
    for start in starts:
        start_s = int(start.timestamp())
        occ_id = await tx.fetchval(
            "INSERT INTO study_occurrences (series_id, starts_at, ends_at) VALUES (?, ?, ?) "
            "ON CONFLICT (series_id, starts_at) DO NOTHING RETURNING id",
            (series_id, start_s, start_s + duration),
        )
        if not occ_id:
            continue
        created += 1
        for lead, due in plan_leads(start_s, offsets, now):
            announcements.append(due_row(s["guild_id"], occ_id, None, lead, due))
        for r in reminders:
            for lead, due in plan_leads(start_s, [r["remind_minutes"] * 60], now):
                reminders_due.append(due_row(s["guild_id"], occ_id, r["user_id"], lead, due))
    if announcements:
        await outbox.enqueue_many(ANNOUNCE, announcements)
    if reminders_due:
        await outbox.enqueue_many(DM, reminders_due)
    exhausted = recurrence is None or next(
        occurrences(first_wall, zone, recurrence, after=before), None
    ) is None
    await tx.execute(
        "UPDATE study_series SET materialized_until = ?, exhausted = ? WHERE id = ?",
        (target, int(exhausted), series_id),
    )
    return created


async def _occurrence(tx: Transaction, guild_id: int, occurrence_id: int) -> Occurrence:
    row = await tx.fetchone(f"{_OCC_SELECT} WHERE o.id = ? AND g.guild_id = ?", (occurrence_id, guild_id))
    if row is None:
        raise NotFound("That session does not exist here. See `/session upcoming`.")
    return occurrence_from_row(row)


def _clean_location(location: str | None) -> str | None:
    if location is None or not location.strip():
        return None
    return parse_link(location, max_length=LOCATION_MAX).url


def _check_not_too_far(instant: datetime, now: datetime, what: str) -> None:
    if instant - now > FURTHEST_AHEAD:
        raise InvalidInput(
            f"That session {what} more than two years from now ({instant:%Y-%m-%d}): check the "
            "year, or schedule it closer to the time."
        )
