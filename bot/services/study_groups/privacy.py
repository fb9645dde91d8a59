"""What study groups hold about a member, for /privacy export, delete and the retention sweep.

Deleting keeps the groups working: an owner's groups pass to their longest-standing member (who
is told, by a member notice) or are archived when nobody is left; the sessions they scheduled
stay but no longer name them.
"""

from __future__ import annotations

from typing import Any

from bot.clock import Clock, from_epoch
from bot.db import Database
from bot.services.notices import MemberNotices
from bot.services.privacy import PrivacyContributor
from bot.services.study_groups.groups import cancel_future_occurrences
from bot.services.study_groups.outbox import DM
from bot.services.study_groups.rsvp_refresh import RsvpRefresher, posted_with_rsvps

#: created_by of a session whose scheduler's data was deleted.
DELETED_MEMBER = 0

_GUILD_OCCURRENCES = (
    "SELECT o.id FROM study_occurrences o JOIN study_series s ON s.id = o.series_id "
    "JOIN study_groups g ON g.id = s.group_id WHERE g.guild_id = ?"
)


class StudyGroupPrivacy:
    def __init__(self, db: Database, clock: Clock, notices: MemberNotices,
                 rsvp_refresh: RsvpRefresher) -> None:
        self._db = db
        self._clock = clock
        self._notices = notices
        self._rsvp_refresh = rsvp_refresh

    def contributor(self) -> PrivacyContributor:
        return PrivacyContributor(
            "study_groups", self.export_member, self.delete_member, self.pause_member,
            summary="Study groups: your memberships, RSVPs, reminders and time zone (groups you "
            "own pass to their longest-standing member, or are archived if nobody is left).",
        )

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        zone = await self._db.fetchval("SELECT zone FROM member_timezones WHERE user_id = ?", (user_id,))
        memberships = await self._db.fetchall(
            "SELECT g.name, g.owner_id, m.joined_at, m.remind_minutes FROM study_group_members m "
            "JOIN study_groups g ON g.id = m.group_id WHERE g.guild_id = ? AND m.user_id = ? "
            "ORDER BY m.joined_at",
            (guild_id, user_id),
        )
        rsvps = await self._db.fetchall(
            "SELECT g.name, s.title, o.starts_at, r.choice FROM study_rsvps r "
            "JOIN study_occurrences o ON o.id = r.occurrence_id JOIN study_series s ON s.id = o.series_id "
            "JOIN study_groups g ON g.id = s.group_id WHERE g.guild_id = ? AND r.user_id = ? "
            "ORDER BY o.starts_at",
            (guild_id, user_id),
        )
        scheduled = await self._db.fetchall(
            "SELECT g.name, s.title, s.created_at FROM study_series s JOIN study_groups g "
            "ON g.id = s.group_id WHERE g.guild_id = ? AND s.created_by = ? ORDER BY s.created_at",
            (guild_id, user_id),
        )
        reminders = await self._db.fetchval(
            f"SELECT COUNT(*) FROM outbox WHERE kind = ? AND recipient_id = ? "
            f"AND ref_id IN ({_GUILD_OCCURRENCES})",
            (DM, user_id, guild_id),
        )
        if not (zone or memberships or rsvps or scheduled or reminders):
            return {}
        return {
            "time_zone": zone,
            "groups": [
                {"name": m["name"], "owner": m["owner_id"] == user_id,
                 "joined_at": from_epoch(m["joined_at"]).isoformat(),
                 "dm_reminder_minutes": m["remind_minutes"]}
                for m in memberships
            ],
            "rsvps": [
                {"group": r["name"], "session": r["title"],
                 "starts_at": from_epoch(r["starts_at"]).isoformat(), "answer": r["choice"]}
                for r in rsvps
            ],
            "sessions_scheduled": [
                {"group": s["name"], "title": s["title"],
                 "scheduled_at": from_epoch(s["created_at"]).isoformat()}
                for s in scheduled
            ],
            "dm_reminders_stored": reminders,
        }

    async def pause_member(self, guild_id: int, user_id: int) -> None:
        """They left the server: no more DM reminders from its groups."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE study_group_members SET remind_minutes = NULL WHERE user_id = ? AND group_id IN "
                "(SELECT id FROM study_groups WHERE guild_id = ?)",
                (user_id, guild_id),
            )
            await tx.execute(
                f"UPDATE outbox SET state = 'cancelled' WHERE state = 'pending' AND kind = ? "
                f"AND recipient_id = ? AND ref_id IN ({_GUILD_OCCURRENCES})",
                (DM, user_id, guild_id),
            )

    async def delete_member(self, guild_id: int, user_id: int) -> None:
        now = int(self._clock.now().timestamp())
        async with self._db.transaction() as tx:
            owned = await tx.fetchall(
                "SELECT id, name FROM study_groups WHERE guild_id = ? AND owner_id = ?",
                (guild_id, user_id),
            )
            for group in owned:
                heir = await tx.fetchval(
                    "SELECT user_id FROM study_group_members WHERE group_id = ? AND user_id != ? "
                    "ORDER BY joined_at, user_id LIMIT 1",
                    (group["id"], user_id),
                )
                if heir is not None:
                    await tx.execute("UPDATE study_groups SET owner_id = ? WHERE id = ?", (heir, group["id"]))
                    await self._notices.notify("group_inherited", guild_id=guild_id, user_id=heir,
                                               facts={"group": group["name"]}, ref_id=group["id"])
                    continue
                await tx.execute(
                    "UPDATE study_groups SET owner_id = ?, archived_at = COALESCE(archived_at, ?) "
                    "WHERE id = ?",
                    (DELETED_MEMBER, now, group["id"]),
                )
                await tx.execute(
                    "UPDATE study_series SET cancelled_at = COALESCE(cancelled_at, ?) WHERE group_id = ?",
                    (now, group["id"]),
                )
                await cancel_future_occurrences(
                    tx, "series_id IN (SELECT id FROM study_series WHERE group_id = ?)", (group["id"],), now
                )
            await tx.execute(
                "DELETE FROM study_group_members WHERE user_id = ? AND group_id IN "
                "(SELECT id FROM study_groups WHERE guild_id = ?)",
                (user_id, guild_id),
            )
            # Posted announcements still count their RSVPs: refreshed once these are gone.
            counted = await posted_with_rsvps(
                self._db, f"SELECT occurrence_id FROM study_rsvps WHERE user_id = ? "
                f"AND occurrence_id IN ({_GUILD_OCCURRENCES})", (user_id, guild_id),
            )
            await tx.execute(
                f"DELETE FROM study_rsvps WHERE user_id = ? AND occurrence_id IN ({_GUILD_OCCURRENCES})",
                (user_id, guild_id),
            )
            await self._rsvp_refresh.enqueue(counted, self._clock.now())
            await tx.execute(
                f"DELETE FROM outbox WHERE kind = ? AND recipient_id = ? "
                f"AND ref_id IN ({_GUILD_OCCURRENCES})",
                (DM, user_id, guild_id),
            )
            await tx.execute(
                "UPDATE study_series SET created_by = ? WHERE created_by = ? AND group_id IN "
                "(SELECT id FROM study_groups WHERE guild_id = ?)",
                (DELETED_MEMBER, user_id, guild_id),
            )
            # the zone is one per person across servers; a deletion request removes it too
            await tx.execute("DELETE FROM member_timezones WHERE user_id = ?", (user_id,))
