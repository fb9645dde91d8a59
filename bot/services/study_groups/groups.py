"""Groups, membership and member time zones."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.db.database import Transaction
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import Outbox
from bot.services.confusables import skeleton
from bot.services.notices import MemberNotices
from bot.services.study_groups.models import DEFAULT_OFFSETS_MINUTES, TOPICS, Group, Member
from bot.services.study_groups.outbox import ANNOUNCE, DM, KINDS, due_row, lead_sql
from bot.services.study_groups.quotas import Quotas
from bot.services.text import md, sanitize, sanitize_line
from bot.services.timezones import DEFAULT_ZONE, resolve_zone

NAME_MAX = 60
DESCRIPTION_MAX = 500
CAPACITY_MAX = 1000
MAX_OFFSETS = 5
MAX_OFFSET_MINUTES = 7 * 24 * 60
#: a LIMIT that reads every row (SQLite's -1 and PostgreSQL's ALL are not portable)
ALL_ROWS = 1 << 62

_GROUP_COLUMNS = (
    "g.id, g.guild_id, g.name, g.topic, g.description, g.capacity, g.owner_id, g.role_id, "
    "g.announce_offsets, g.created_at, g.archived_at, "
    "(SELECT COUNT(*) FROM study_group_members m WHERE m.group_id = g.id) AS member_count"
)


def group_from_row(row: sqlite3.Row) -> Group:
    return Group(
        id=row["id"],
        guild_id=row["guild_id"],
        name=row["name"],
        topic=row["topic"],
        description=row["description"],
        capacity=row["capacity"],
        owner_id=row["owner_id"],
        role_id=row["role_id"],
        announce_offsets=parse_offsets(row["announce_offsets"]),
        created_at=from_epoch(row["created_at"]),
        archived_at=None if row["archived_at"] is None else from_epoch(row["archived_at"]),
        member_count=row["member_count"],
    )


def parse_offsets(text: str) -> tuple[int, ...]:
    """"1440,15,0" -> (1440, 15, 0): minutes before the start, largest first."""
    return tuple(sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True))


def parse_offsets_input(text: str) -> tuple[int, ...]:
    """What a member types for announcement times: "24h, 15m, 0" / "1d 2h 0"."""
    out: set[int] = set()
    for token in text.replace(",", " ").split():
        t = token.strip().lower()
        unit = 1
        if t.endswith("d"):
            unit, t = 1440, t[:-1]
        elif t.endswith("h"):
            unit, t = 60, t[:-1]
        elif t.endswith("m"):
            t = t[:-1]
        if not t.isdigit():
            raise InvalidInput(
                f"`{token[:20]}` is not a lead time. Write e.g. `24h, 15m, 0` (0 = at the start)."
            )
        minutes = int(t) * unit
        if minutes > MAX_OFFSET_MINUTES:
            raise InvalidInput("Announcements can go out at most 7 days before a session.")
        out.add(minutes)
    if not out:
        raise InvalidInput("Give at least one announcement time, e.g. `24h, 15m, 0`.")
    if len(out) > MAX_OFFSETS:
        raise InvalidInput(f"At most {MAX_OFFSETS} announcements per session.")
    return tuple(sorted(out, reverse=True))


def _list_where(
    guild_id: int, include_archived: bool, member_id: int | None
) -> tuple[str, tuple[object, ...]]:
    where = ["g.guild_id = ?"]
    params: list[object] = [guild_id]
    if not include_archived:
        where.append("g.archived_at IS NULL")
    if member_id is not None:
        where.append(
            "EXISTS (SELECT 1 FROM study_group_members m WHERE m.group_id = g.id AND m.user_id = ?)"
        )
        params.append(member_id)
    return " AND ".join(where), tuple(params)


def _clean_name(name: str) -> str:
    cleaned = sanitize_line(name)
    if not 2 <= len(cleaned) <= NAME_MAX:
        raise InvalidInput(f"A group name has 2 to {NAME_MAX} characters.")
    return cleaned


def _clean_topic(topic: str) -> str:
    for known in TOPICS:
        if topic.strip().lower() == known.lower():
            return known
    raise InvalidInput(f"Pick a topic from: {', '.join(TOPICS)}.")


def _clean_description(text: str) -> str:
    cleaned = sanitize(text)
    if len(cleaned) > DESCRIPTION_MAX:
        raise InvalidInput(f"A description has at most {DESCRIPTION_MAX} characters.")
    return cleaned


def _clean_capacity(capacity: int | None) -> int | None:
    if capacity is None:
        return None
    if not 2 <= capacity <= CAPACITY_MAX:
        raise InvalidInput(f"Capacity is 2 to {CAPACITY_MAX} members (leave it empty for no limit).")
    return capacity


class Timezones:
    """Each member's IANA zone (one per person, across servers)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def set(self, user_id: int, zone_name: str) -> str:
        zone = resolve_zone(zone_name).key
        now = int(self._clock.now().timestamp())
        await self._db.execute(
            "INSERT INTO member_timezones (user_id, zone, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET zone = excluded.zone, updated_at = excluded.updated_at",
            (user_id, zone, now),
        )
        return zone

    async def get(self, user_id: int) -> str | None:
        return await self._db.fetchval(
            "SELECT zone FROM member_timezones WHERE user_id = ?", (user_id,)
        )

    async def zone_for(self, user_id: int) -> ZoneInfo:
        """The member's zone, or UTC while they have none."""
        return ZoneInfo(await self.get(user_id) or DEFAULT_ZONE)

    async def zones_of(self, user_ids: Sequence[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = await self._db.fetchall(
            f"SELECT user_id, zone FROM member_timezones WHERE zone IS NOT NULL "
            f"AND user_id IN ({marks})",
            tuple(user_ids),
        )
        return {row["user_id"]: row["zone"] for row in rows}

    async def should_ask(self, user_id: int) -> bool:
        """True exactly once for a member without a zone: the adapter then asks them privately."""
        now = int(self._clock.now().timestamp())
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT zone, prompted_at FROM member_timezones WHERE user_id = ?", (user_id,)
            )
            if row is not None and (row["zone"] is not None or row["prompted_at"] is not None):
                return False
            await tx.execute(
                "INSERT INTO member_timezones (user_id, zone, prompted_at, updated_at) "
                "VALUES (?, NULL, ?, ?) ON CONFLICT (user_id) DO UPDATE SET prompted_at = ?",
                (user_id, now, now, now),
            )
            return True


class Groups:
    """Study groups in a guild and who is in them.

    ``changed`` is called after a commit that changes what the study groups' timer must do
    (scheduled events to edit or cancel); the outbox wakes itself for announcements."""

    def __init__(self, db: Database, clock: Clock, outbox: Outbox,
                 changed: Callable[[], None], quotas: Quotas,
                 notices: MemberNotices) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self._changed = changed
        self._quotas = quotas
        self._notices = notices

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    async def create(
        self,
        guild_id: int,
        owner_id: int,
        name: str,
        topic: str,
        description: str = "",
        capacity: int | None = None,
        role_id: int | None = None,
        *,
        role_trusted: bool = False,
    ) -> Group:
        """``role_trusted``: see bot/services/study_groups/pings.py (the adapter checks the role
        with ``attach_trust`` first)."""
        limits = await self._quotas.limits(guild_id)
        async with self._db.transaction() as tx:
            return await self.create_in(tx, limits, guild_id, owner_id, name, topic, description,
                                        capacity, role_id, role_trusted=role_trusted)

    async def create_in(
        self,
        tx: Transaction,
        limits: dict[str, int],
        guild_id: int,
        owner_id: int,
        name: str,
        topic: str,
        description: str = "",
        capacity: int | None = None,
        role_id: int | None = None,
        *,
        role_trusted: bool = False,
        members: Sequence[int] = (),
    ) -> Group:
        """`create` inside the caller's transaction (``limits``: `Quotas.limits`, read before
        it), with ``members`` joined beside the owner: for a service whose change makes groups
        (cohort forming makes all its groups in one transaction)."""
        name = _clean_name(name)
        capacity = _clean_capacity(capacity)
        values = (
            guild_id, name, _clean_topic(topic), _clean_description(description),
            capacity, owner_id, role_id, int(role_trusted and role_id is not None),
            ",".join(map(str, DEFAULT_OFFSETS_MINUTES)), self._now(),
        )
        if capacity is not None and 1 + len(members) > capacity:
            raise Conflict(f"**{md(name)}** would hold more than its {capacity} members.")
        if taken := await _live_name_taken(tx, guild_id, name):
            raise Conflict(f"There is already a group called **{md(taken)}** here.")
        await self._quotas.check_group(tx, limits, guild_id, owner_id)
        group_id = await tx.fetchval(
            "INSERT INTO study_groups (guild_id, name, topic, description, capacity, owner_id, "
            "role_id, role_trusted, announce_offsets, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            values,
        )
        await tx.executemany(
            "INSERT INTO study_group_members (group_id, user_id, joined_at) VALUES (?, ?, ?)",
            [(group_id, user_id, self._now()) for user_id in (owner_id, *members)],
        )
        return await _group(tx, guild_id, group_id)

    async def get(self, guild_id: int, group_id: int) -> Group:
        async with self._db.transaction() as tx:
            return await _group(tx, guild_id, group_id)

    async def find(self, guild_id: int, ref: str) -> Group:
        """A group by the id autocomplete sends, or by its exact (case-insensitive) name."""
        ref = ref.strip()
        nocase = self._db.dialect.nocase
        async with self._db.transaction() as tx:
            if ref.isdigit():
                row = await tx.fetchone(
                    f"SELECT {_GROUP_COLUMNS} FROM study_groups g WHERE g.guild_id = ? AND g.id = ?",
                    (guild_id, int(ref)),
                )
                if row is not None:
                    return group_from_row(row)
            row = await tx.fetchone(
                f"SELECT {_GROUP_COLUMNS} FROM study_groups g WHERE g.guild_id = ? "
                f"AND {nocase('g.name')} = {nocase('?')} "
                "ORDER BY g.archived_at IS NOT NULL, g.id DESC",
                (guild_id, " ".join(ref.split())),
            )
        if row is None:
            raise NotFound(f"No study group called **{ref[:60]}** here. See `/studygroup list`.")
        return group_from_row(row)

    async def list(
        self, guild_id: int, *, include_archived: bool = False, member_id: int | None = None,
        limit: int = ALL_ROWS, offset: int = 0,
    ) -> list[Group]:
        """Groups by name; ``limit``/``offset`` read one page (a paged reply loads each page
        when shown instead of holding the whole list)."""
        where, params = _list_where(guild_id, include_archived, member_id)
        rows = await self._db.fetchall(
            f"SELECT {_GROUP_COLUMNS} FROM study_groups g WHERE {where} "
            f"ORDER BY {self._db.dialect.nocase('g.name')}, g.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [group_from_row(r) for r in rows]

    async def count(
        self, guild_id: int, *, include_archived: bool = False, member_id: int | None = None
    ) -> int:
        where, params = _list_where(guild_id, include_archived, member_id)
        return int(await self._db.fetchval(f"SELECT COUNT(*) FROM study_groups g WHERE {where}", params))

    async def search(self, guild_id: int, query: str, limit: int = 25) -> list[Group]:
        """Live groups whose name contains ``query`` (for autocomplete)."""
        dialect = self._db.dialect
        pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await self._db.fetchall(
            f"SELECT {_GROUP_COLUMNS} FROM study_groups g WHERE g.guild_id = ? "
            f"AND g.archived_at IS NULL AND g.name {dialect.like_nocase} ? ESCAPE '\\' "
            f"ORDER BY {dialect.nocase('g.name')} LIMIT ?",
            (guild_id, pattern, limit),
        )
        return [group_from_row(r) for r in rows]

    async def join(self, guild_id: int, group_id: int, user_id: int) -> Group:
        async with self._db.transaction() as tx:
            group = await _group(tx, guild_id, group_id)
            _require_live(group)
            if await _is_member(tx, group_id, user_id):
                raise Conflict(f"You are already in **{md(group.name)}**.")
            if group.capacity is not None and group.member_count >= group.capacity:
                raise Conflict(f"**{md(group.name)}** is full ({group.capacity} members).")
            await tx.execute(
                "INSERT INTO study_group_members (group_id, user_id, joined_at) VALUES (?, ?, ?)",
                (group_id, user_id, self._now()),
            )
            return await _group(tx, guild_id, group_id)

    async def leave(self, guild_id: int, group_id: int, user_id: int) -> Group:
        async with self._db.transaction() as tx:
            group = await _group(tx, guild_id, group_id)
            if not await _is_member(tx, group_id, user_id):
                raise NotFound(f"You are not in **{md(group.name)}**.")
            if group.owner_id == user_id and not group.archived:
                raise Conflict(
                    "You own this group: hand it over with `/studygroup transfer` "
                    "(or archive it) before leaving."
                )
            await tx.execute(
                "DELETE FROM study_group_members WHERE group_id = ? AND user_id = ?",
                (group_id, user_id),
            )
            # their pending DM reminders go with them
            await tx.execute(
                "UPDATE outbox SET state = 'cancelled' WHERE state = 'pending' AND kind = ? "
                "AND recipient_id = ? AND ref_id IN (SELECT o.id FROM study_occurrences o "
                "JOIN study_series s ON s.id = o.series_id WHERE s.group_id = ?)",
                (DM, user_id, group_id),
            )
            return await _group(tx, guild_id, group_id)

    async def members(
        self, guild_id: int, group_id: int, *, limit: int = ALL_ROWS, offset: int = 0
    ) -> list[Member]:
        await self.get(guild_id, group_id)  # NotFound for another guild's group
        rows = await self._db.fetchall(
            "SELECT m.user_id, m.joined_at, m.remind_minutes, t.zone FROM study_group_members m "
            "LEFT JOIN member_timezones t ON t.user_id = m.user_id WHERE m.group_id = ? "
            "ORDER BY m.joined_at, m.user_id LIMIT ? OFFSET ?",
            (group_id, limit, offset),
        )
        return [
            Member(r["user_id"], from_epoch(r["joined_at"]), r["zone"], r["remind_minutes"])
            for r in rows
        ]

    async def edit(
        self,
        guild_id: int,
        group_id: int,
        actor_id: int,
        is_moderator: bool,
        *,
        name: str | None = None,
        topic: str | None = None,
        description: str | None = None,
        capacity: int | None = None,
        role_id: int | None = None,
        role_trusted: bool = False,
        clear_role: bool = False,
        announce_offsets: str | None = None,
    ) -> Group:
        changes: dict[str, object] = {}
        if name is not None:
            changes["name"] = _clean_name(name)
        if topic is not None:
            changes["topic"] = _clean_topic(topic)
        if description is not None:
            changes["description"] = _clean_description(description)
        if capacity is not None:
            changes["capacity"] = _clean_capacity(capacity)
        if role_id is not None:
            changes["role_id"] = role_id
            changes["role_trusted"] = int(role_trusted)
        elif clear_role:
            changes["role_id"] = None
            changes["role_trusted"] = 0
        if announce_offsets is not None:
            changes["announce_offsets"] = ",".join(map(str, parse_offsets_input(announce_offsets)))
        if not changes:
            raise InvalidInput("Nothing to change: give at least one new value.")
        async with self._db.transaction() as tx:
            group = await _group(tx, guild_id, group_id)
            _require_live(group)
            require_manager(group, actor_id, is_moderator)
            new_name = changes.get("name")
            if isinstance(new_name, str) and (
                taken := await _live_name_taken(tx, guild_id, new_name, except_id=group_id)
            ):
                raise Conflict(f"There is already a group called **{md(taken)}** here.")
            if (
                isinstance(changes.get("capacity"), int)
                and group.member_count > changes["capacity"]  # type: ignore[operator]
            ):
                raise Conflict(
                    f"**{md(group.name)}** already has {group.member_count} members; "
                    "capacity cannot be lower than that."
                )
            assignments = ", ".join(f"{column} = ?" for column in changes)  # fixed column names
            await tx.execute(
                f"UPDATE study_groups SET {assignments} WHERE id = ?",
                (*changes.values(), group_id),
            )
            if "announce_offsets" in changes:
                await _reschedule_announcements(
                    tx, self._outbox, guild_id, group_id,
                    parse_offsets(str(changes["announce_offsets"])), self._now(),
                )
            if "name" in changes or "description" in changes:
                self._db.after_commit(self._changed)  # their scheduled events are edited
                await tx.execute(
                    "UPDATE study_occurrences SET event_state = 'stale' WHERE event_state = 'created' "
                    "AND cancelled_at IS NULL AND series_id IN "
                    "(SELECT id FROM study_series WHERE group_id = ?)",
                    (group_id,),
                )
            return await _group(tx, guild_id, group_id)

    async def ping_trusted(self, occurrence_id: int, role_id: int) -> bool:
        """Whether the role of ``occurrence_id``'s group is ``role_id`` and was attached by
        someone who could mention it even while unmentionable."""
        trusted = await self._db.fetchval(
            "SELECT g.role_trusted FROM study_occurrences o JOIN study_series s ON s.id = o.series_id "
            "JOIN study_groups g ON g.id = s.group_id WHERE o.id = ? AND g.role_id = ?",
            (occurrence_id, role_id),
        )
        return bool(trusted)

    async def transfer(
        self, guild_id: int, group_id: int, actor_id: int, is_moderator: bool, new_owner_id: int
    ) -> Group:
        limits = await self._quotas.limits(guild_id)
        async with self._db.transaction() as tx:
            group = await _group(tx, guild_id, group_id)
            _require_live(group)
            require_manager(group, actor_id, is_moderator)
            if new_owner_id == group.owner_id:
                raise Conflict("They already own this group.")
            await self._quotas.check_owner(tx, limits, guild_id, new_owner_id, "They already own")
            if not await _is_member(tx, group_id, new_owner_id):
                raise Conflict("The new owner must be a member of the group: ask them to join first.")
            await tx.execute(
                "UPDATE study_groups SET owner_id = ? WHERE id = ?", (new_owner_id, group_id)
            )
            facts = {"group": group.name, "by": actor_id}
            await self._notices.notify("group_given", guild_id=guild_id, user_id=new_owner_id,
                                       facts=facts, ref_id=group_id)
            if actor_id != group.owner_id:  # a moderator decided it: the owner is told too
                await self._notices.notify("group_taken", guild_id=guild_id,
                                           user_id=group.owner_id, facts=facts, ref_id=group_id)
            return await _group(tx, guild_id, group_id)

    async def archive(
        self, guild_id: int, group_id: int, actor_id: int, is_moderator: bool
    ) -> tuple[Group, int]:
        """Archive the group and cancel its future sessions; returns (group, sessions cancelled)."""
        now = self._now()
        async with self._db.transaction() as tx:
            group = await _group(tx, guild_id, group_id)
            _require_live(group)
            require_manager(group, actor_id, is_moderator)
            await tx.execute("UPDATE study_groups SET archived_at = ? WHERE id = ?", (now, group_id))
            await tx.execute(
                "UPDATE study_series SET cancelled_at = ? WHERE group_id = ? AND cancelled_at IS NULL",
                (now, group_id),
            )
            cancelled = await cancel_future_occurrences(
                tx, "series_id IN (SELECT id FROM study_series WHERE group_id = ?)", (group_id,), now
            )
            if actor_id != group.owner_id:  # a moderator decided it: the owner is told
                await self._notices.notify(
                    "group_archived", guild_id=guild_id, user_id=group.owner_id,
                    facts={"group": group.name, "by": actor_id, "cancelled": cancelled},
                    ref_id=group_id,
                )
            self._db.after_commit(self._changed)  # their scheduled events are cancelled
            return await _group(tx, guild_id, group_id), cancelled

    async def restore_in(self, tx: Transaction, limits: dict[str, int], guild_id: int,
                         group_id: int, actor_id: int) -> Group:
        """Bring back an archived group, in the caller's transaction (a cohort archives
        itself; its owner may undo that). The sessions cancelled when it was archived stay
        cancelled: its members schedule anew."""
        group = await _group(tx, guild_id, group_id)
        if not group.archived:
            raise Conflict(f"**{md(group.name)}** is not archived.")
        require_manager(group, actor_id, False)
        if taken := await _live_name_taken(tx, guild_id, group.name, except_id=group_id):
            raise Conflict(f"There is already a group called **{md(taken)}** here.")
        await self._quotas.check_group(tx, limits, guild_id, group.owner_id)
        await tx.execute("UPDATE study_groups SET archived_at = NULL WHERE id = ?", (group_id,))
        return await _group(tx, guild_id, group_id)


async def cancel_future_occurrences(
    tx: Transaction, where: str, params: Sequence[object], now: int
) -> int:
    """Cancel not-yet-ended occurrences matching ``where`` and their pending outbox rows."""
    ids = [
        r["id"]
        for r in await tx.fetchall(
            f"SELECT id FROM study_occurrences WHERE {where} AND cancelled_at IS NULL AND ends_at > ?",
            (*params, now),
        )
    ]
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        marks = ",".join("?" * len(part))
        await tx.execute(
            f"UPDATE study_occurrences SET cancelled_at = ? WHERE id IN ({marks})", (now, *part)
        )
        await tx.execute(
            f"UPDATE outbox SET state = 'cancelled' WHERE state = 'pending' "
            f"AND kind IN (?, ?) AND ref_id IN ({marks})",
            (*KINDS, *part),
        )
    return len(ids)


async def _reschedule_announcements(
    tx: Transaction, outbox: Outbox, guild_id: int, group_id: int, offsets: Sequence[int],
    now: int,
) -> None:
    """Apply new announcement times to the group's upcoming sessions: pending rows for dropped
    times are cancelled, rows for new times are added (unless already due)."""
    leads = [m * 60 for m in offsets]
    future = (
        "SELECT o.id FROM study_occurrences o JOIN study_series s ON s.id = o.series_id "
        "WHERE s.group_id = ? AND o.cancelled_at IS NULL AND o.starts_at > ?"
    )
    marks = ",".join("?" * len(leads))
    await tx.execute(
        f"UPDATE outbox SET state = 'cancelled', last_error = 'announcement times changed' "
        f"WHERE state = 'pending' AND kind = ? AND {lead_sql(tx.dialect)} NOT IN ({marks}) "
        f"AND ref_id IN ({future})",
        (ANNOUNCE, *leads, group_id, now),
    )
    rows = await tx.fetchall(
        "SELECT o.id, o.starts_at FROM study_occurrences o JOIN study_series s "
        "ON s.id = o.series_id WHERE s.group_id = ? AND o.cancelled_at IS NULL AND o.starts_at > ?",
        (group_id, now),
    )
    await outbox.enqueue_many(
        ANNOUNCE,
        [
            due_row(guild_id, r["id"], None, lead, r["starts_at"] - lead)
            for r in rows
            for lead in leads
            if r["starts_at"] - lead >= now
        ],
        revive_from=from_epoch(now),
    )


def require_manager(group: Group, actor_id: int, is_moderator: bool) -> None:
    if not (is_moderator or actor_id == group.owner_id):
        raise Forbidden(f"Only the owner of **{md(group.name)}** or a moderator can do that.")


def _require_live(group: Group) -> None:
    if group.archived:
        raise Conflict(f"**{md(group.name)}** is archived.")


async def _group(tx: Transaction, guild_id: int, group_id: int) -> Group:
    row = await tx.fetchone(
        f"SELECT {_GROUP_COLUMNS} FROM study_groups g WHERE g.guild_id = ? AND g.id = ?",
        (guild_id, group_id),
    )
    if row is None:
        raise NotFound("That study group does not exist here. See `/studygroup list`.")
    return group_from_row(row)


async def _is_member(tx: Transaction, group_id: int, user_id: int) -> bool:
    return (
        await tx.fetchval(
            "SELECT 1 FROM study_group_members WHERE group_id = ? AND user_id = ?",
            (group_id, user_id),
        )
        is not None
    )


async def _live_name_taken(
    tx: Transaction, guild_id: int, name: str, except_id: int | None = None
) -> str | None:
    """The live group whose name reads the same as ``name`` (case, and look-alike letters:
    a Cyrillic C in "Step 1 Crew"), if any. A server has few live groups (a quota)."""
    rows = await tx.fetchall(
        "SELECT id, name FROM study_groups WHERE guild_id = ? AND archived_at IS NULL", (guild_id,)
    )
    look = _look(name)
    return next((r["name"] for r in rows if r["id"] != except_id and _look(r["name"]) == look),
                None)


@functools.lru_cache(maxsize=4096)
def _look(name: str) -> str:
    """How a group name reads (`same_look`'s skeleton), cached: the names of a server's live
    groups are compared again with each new one (cohort forming makes hundreds at once)."""
    return skeleton(name.casefold())

