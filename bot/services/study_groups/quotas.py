"""How much one member (and one server) can create in study groups (issue 16, item 10).

Every live group, series and scheduled event costs the bot work and the server attention:
announcements, DM reminders, rows refilled each week, slots in the server's Events list (Discord
allows 100). Without a bound one member took all 80 event slots the bot uses and had 85 daily
series announce 255 times in an hour. Each quota is a server setting (`/settings number`)
with a default below; moderators can raise or lower it. A refusal says the number, what counts,
and how to free room.
"""

from __future__ import annotations

from bot.db.database import Transaction
from bot.errors import Conflict
from bot.services.guild_settings import SETTING_SPECS, GuildSettingsService

DEFAULTS: dict[str, int] = {
    "study_groups_per_member": 3,
    "study_groups_per_server": 100,
    "study_series_per_member": 10,
    "study_series_per_server": 300,
    "study_events_per_member": 3,
}

#: A series is live while it is not cancelled and has a session still to come.
LIVE_SERIES = (
    "s.cancelled_at IS NULL AND g.archived_at IS NULL AND (s.exhausted = 0 OR EXISTS "
    "(SELECT 1 FROM study_occurrences o WHERE o.series_id = s.id AND o.cancelled_at IS NULL "
    "AND o.ends_at > ?))"
)


class Quotas:
    def __init__(self, guild_settings: GuildSettingsService) -> None:
        self._settings = guild_settings

    async def limits(self, guild_id: int) -> dict[str, int]:
        """Every quota of a server. Read it before opening a transaction: the settings are read
        through the database, which a transaction holds."""
        config = await self._settings.get(guild_id)
        return {key: int(config.get(key) or default) for key, default in DEFAULTS.items()}

    async def check_group(
        self, tx: Transaction, limits: dict[str, int], guild_id: int, owner_id: int
    ) -> None:
        """Refuse a new group beyond the member's or the server's quota."""
        await self.check_owner(tx, limits, guild_id, owner_id, "You already own")
        total = await tx.fetchval(
            "SELECT COUNT(*) FROM study_groups WHERE guild_id = ? AND archived_at IS NULL", (guild_id,)
        )
        _refuse_at(limits, "study_groups_per_server", total,
                   "This server already has {n} study groups, its limit",
                   "Join an existing group (`/studygroup list`) instead.")

    async def check_owner(
        self, tx: Transaction, limits: dict[str, int], guild_id: int, owner_id: int, who: str
    ) -> None:
        """Refuse one more group for ``owner_id`` (created, or handed over) beyond their quota."""
        owned = await tx.fetchval(
            "SELECT COUNT(*) FROM study_groups WHERE guild_id = ? AND owner_id = ? "
            "AND archived_at IS NULL",
            (guild_id, owner_id),
        )
        _refuse_at(limits, "study_groups_per_member", owned,
                   who + " {n} study groups here, the most one member may own",
                   "Archive one (`/studygroup archive`) or hand it over first.")

    async def check_series(
        self, tx: Transaction, limits: dict[str, int], guild_id: int, actor_id: int, now: int
    ) -> int:
        """Refuse a new session or series beyond the member's or the server's quota; return how
        many live series the member has besides this one."""
        base = (
            "SELECT COUNT(*) FROM study_series s JOIN study_groups g ON g.id = s.group_id "
            f"WHERE g.guild_id = ? AND {LIVE_SERIES}"
        )
        mine = await tx.fetchval(f"{base} AND s.created_by = ?", (guild_id, now, actor_id))
        _refuse_at(limits, "study_series_per_member", mine,
                   "You already have {n} sessions or series still to come here, the most "
                   "one member may schedule",
                   "Cancel one (`/session cancel`) or wait until one is over.")
        total = await tx.fetchval(base, (guild_id, now))
        _refuse_at(limits, "study_series_per_server", total,
                   "This server already has {n} sessions or series still to come, its limit",
                   "Ask a moderator, or wait until some are over.")
        return int(mine)



def _refuse_at(limits: dict[str, int], key: str, count: int, what: str, how: str) -> None:
    if count >= limits[key]:
        raise Conflict(
            f"{what.format(n=count)} ({limits[key]}). {how} Moderators can change the limit "
            f"with `/settings number setting:{SETTING_SPECS[key].label}`."
        )
