"""Per-guild settings: the channels, roles and switches each capability needs.

Keys are declared once in `SETTING_SPECS`; the `/settings` command, `/settings check` and the
help text are generated from it. Values are cached in memory: every command's permission check
reads them, and they change only through `set`/`clear`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.errors import InvalidInput

SettingKind = Literal["channel", "role", "bool", "int"]


@dataclass(frozen=True)
class SettingSpec:
    kind: SettingKind
    label: str
    capability: str
    help: str
    #: the smallest value an "int" setting takes
    minimum: int = 1


SETTING_SPECS: dict[str, SettingSpec] = {
    "announcements_channel": SettingSpec(
        "channel", "Announcements channel", "Study groups",
        "Where study-session announcements are posted.",
    ),
    "anonymous_channel": SettingSpec(
        "channel", "Anonymous questions channel", "Anonymous questions",
        "A forum or text channel where anonymous questions are posted.",
    ),
    "anonymous_review_channel": SettingSpec(
        "channel", "Anonymous review channel", "Anonymous questions",
        "Moderators-only channel for reports (and approvals when pre-approval is on).",
    ),
    "anonymous_preapproval": SettingSpec(
        "bool", "Anonymous pre-approval", "Anonymous questions",
        "When on, a moderator approves each anonymous question before it is posted.",
    ),
    "mentor_coordinator_role": SettingSpec(
        "role", "Mentor coordinator role", "Mentoring",
        "Members with this role are told about new mentor registrations.",
    ),
    "mentoring_channel": SettingSpec(
        "channel", "Mentoring channel", "Mentoring",
        "A text channel where each new mentor/mentee pair gets a private thread.",
    ),
    "moderator_role": SettingSpec(
        "role", "Moderator role", "Server",
        "Members with this role may use moderator commands (as do Manage Server admins).",
    ),
    "review_retention_days": SettingSpec(
        "int", "Document retention (days)", "Application preparation",
        "Days a reviewed document is kept after its review ends, then erased (default 14).",
    ),
    # Quotas (bot/services/study_groups/quotas.py has the defaults used while unset).
    "study_groups_per_member": SettingSpec(
        "int", "Study groups per member", "Study groups",
        "Live study groups one member may own (default 3).",
    ),
    "study_groups_per_server": SettingSpec(
        "int", "Study groups per server", "Study groups",
        "Live study groups in this server (default 100).",
    ),
    "study_series_per_member": SettingSpec(
        "int", "Sessions per member", "Study groups",
        "Sessions or weekly series still to come that one member may have scheduled (default 10).",
    ),
    "study_series_per_server": SettingSpec(
        "int", "Sessions per server", "Study groups",
        "Sessions or weekly series still to come in this server (default 300).",
    ),
    "study_events_per_member": SettingSpec(
        "int", "Events per member", "Study groups",
        "Entries in the server's Events list for one member's sessions (default 3; the bot uses "
        "at most 80 per server).",
    ),
    # Program intel (bot/services/intel/_models.py has the defaults used while unset).
    "intel_min_reporters": SettingSpec(
        "int", "Intel reporters needed", "Program intel",
        "Distinct members who must report a field before anything about it shows (default 5, "
        "at least 3).", minimum=3,
    ),
    "intel_min_days": SettingSpec(
        "int", "Intel days in server to report", "Program intel",
        "Days a member must have been in this server before they may report (default 7).",
    ),
}


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    values: Mapping[str, int | bool]

    def get(self, key: str) -> int | bool | None:
        if key not in SETTING_SPECS:
            raise KeyError(key)
        return self.values.get(key)


class GuildSettingsService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self._cache: dict[int, GuildConfig] = {}

    async def get(self, guild_id: int) -> GuildConfig:
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        rows = await self._db.fetchall(
            "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        values = {
            row["key"]: _decode(SETTING_SPECS[row["key"]].kind, row["value"])
            for row in rows
            if row["key"] in SETTING_SPECS
        }
        config = GuildConfig(guild_id, values)
        self._cache[guild_id] = config
        return config

    async def set(self, guild_id: int, key: str, value: int | bool) -> GuildConfig:
        spec = _spec(key)
        encoded = _encode(spec, value)
        await self._db.execute(
            "INSERT INTO guild_settings (guild_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            (guild_id, key, encoded, int(self._clock.now().timestamp())),
        )
        self._cache.pop(guild_id, None)
        return await self.get(guild_id)

    async def clear(self, guild_id: int, key: str) -> GuildConfig:
        _spec(key)
        await self._db.execute(
            "DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
        )
        self._cache.pop(guild_id, None)
        return await self.get(guild_id)


def _spec(key: str) -> SettingSpec:
    spec = SETTING_SPECS.get(key)
    if spec is None:
        raise InvalidInput(f"There is no setting called `{key}`.")
    return spec


def _encode(spec: SettingSpec, value: int | bool) -> str:
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise InvalidInput(f"{spec.label} must be on or off.")
        return "1" if value else "0"
    if isinstance(value, bool) or not isinstance(value, int) or value < spec.minimum:
        raise InvalidInput(f"{spec.label} must be a whole number of at least {spec.minimum}.")
    return str(value)


def _decode(kind: SettingKind, raw: str) -> int | bool:
    return raw == "1" if kind == "bool" else int(raw)
