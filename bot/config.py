"""Settings from the environment (and an optional `.env`), read once into a frozen object.

Every variable is listed, with a comment, in `.env.example`. A missing or malformed value raises
`ConfigError` with one line naming the variable; the CLI prints that line, never a traceback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from dotenv import dotenv_values

from bot.errors import ConfigError
from bot.shards import ALL, ShardScope

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_PATH = PROJECT_ROOT / "data" / "fmg-bot.sqlite3"
# Shipped inside the package (package data), so an installed fmg-bot or the image has it.
DEFAULT_RESOURCES_CATALOG = PROJECT_ROOT / "data" / "resources.yaml"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    discord_token: str | None = None
    database_path: Path = DEFAULT_DATABASE_PATH
    # PostgreSQL instead of the SQLite file (postgresql://user:password@host/database).
    database_url: str | None = None
    log_level: str = "INFO"
    dev_guild_id: int | None = None
    # Hours a mentor has to answer a mentee's request before it moves to the next candidate.
    mentor_request_timeout_hours: int = 72
    # Operations: daily backups, privacy retention, gateway intents and sharding.
    backup_dir: Path | None = None  # None: a `backups` folder beside the database
    backup_keep: int = 7
    member_retention_days: int = 30
    members_intent: bool = False
    shard_count: int | Literal["auto"] | None = None
    # The shards this process runs (None: all of them); needs a numeric shard_count.
    shard_ids: tuple[int, ...] | None = None
    resources_catalog: Path = DEFAULT_RESOURCES_CATALOG
    # A weekly check of every resource link (it calls each linked site; off: run it by hand).
    resources_link_check: bool = False
    # Anonymous questions: a random publish delay in [min, max] seconds hides who just asked.
    anon_publish_delay_min_s: int = 30
    anon_publish_delay_max_s: int = 180
    anon_questions_per_hour: int = 3

    def __post_init__(self) -> None:
        if self.shard_ids is not None:
            if not isinstance(self.shard_count, int):
                raise ConfigError(
                    "SHARD_IDS needs SHARD_COUNT set to a number (every process of the bot must "
                    "agree on how many shards there are), not "
                    f"{'empty' if self.shard_count is None else repr(self.shard_count)}"
                )
            too_big = [i for i in self.shard_ids if i >= self.shard_count]
            if too_big:
                raise ConfigError(
                    f"SHARD_IDS: shard {too_big[0]} does not exist with SHARD_COUNT="
                    f"{self.shard_count} (shards are numbered 0 to {self.shard_count - 1})"
                )
        if self.anon_publish_delay_min_s > self.anon_publish_delay_max_s:
            raise ConfigError(
                "ANON_PUBLISH_DELAY_MIN_S must not be greater than ANON_PUBLISH_DELAY_MAX_S "
                f"({self.anon_publish_delay_min_s} > {self.anon_publish_delay_max_s})"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Parse settings. With ``environ=None``: the process environment over `.env` in the cwd."""
        env = _process_environment() if environ is None else environ
        reader = _Reader(env)
        return cls(
            discord_token=reader.get("DISCORD_TOKEN", _token, None),
            database_path=reader.get("DATABASE_PATH", _path, DEFAULT_DATABASE_PATH),
            database_url=reader.get("DATABASE_URL", _database_url, None),
            log_level=reader.get("LOG_LEVEL", _log_level, "INFO"),
            dev_guild_id=reader.get("DEV_GUILD_ID", _snowflake, None),
            mentor_request_timeout_hours=reader.get(
                "MENTOR_REQUEST_TIMEOUT_HOURS", positive_int, 72
            ),
            backup_dir=reader.get("BACKUP_DIR", _path, None),
            backup_keep=reader.get("BACKUP_KEEP", positive_int, 7),
            member_retention_days=reader.get("MEMBER_RETENTION_DAYS", positive_int, 30),
            members_intent=reader.get("MEMBERS_INTENT", _switch, False),
            shard_count=reader.get("SHARD_COUNT", _shard_count, None),
            shard_ids=reader.get("SHARD_IDS", _shard_ids, None),
            resources_catalog=reader.get("RESOURCES_CATALOG", _existing_file, DEFAULT_RESOURCES_CATALOG),
            resources_link_check=reader.get("RESOURCES_LINK_CHECK", _switch, False),
            anon_publish_delay_min_s=reader.get("ANON_PUBLISH_DELAY_MIN_S", non_negative_int, 30),
            anon_publish_delay_max_s=reader.get("ANON_PUBLISH_DELAY_MAX_S", non_negative_int, 180),
            anon_questions_per_hour=reader.get("ANON_QUESTIONS_PER_HOUR", positive_int, 3),
        )

    @property
    def database(self) -> str | Path:
        """What `Database.open` takes: DATABASE_URL when set, else the SQLite file."""
        return self.database_url if self.database_url is not None else self.database_path

    @property
    def backup_folder(self) -> Path:
        """Where the daily backups go: BACKUP_DIR, else `backups/` beside the database."""
        return self.backup_dir if self.backup_dir is not None else self.database_path.parent / "backups"

    @property
    def shards(self) -> ShardScope:
        """The servers this process acts for (all of them unless SHARD_IDS picks shards)."""
        if not isinstance(self.shard_count, int):
            return ALL  # one process runs every shard, however many Discord advises
        return ShardScope(self.shard_count, self.shard_ids or tuple(range(self.shard_count)))

    @property
    def log_level_number(self) -> int:
        return logging.getLevelName(self.log_level)


def _process_environment() -> dict[str, str]:
    from_file = {k: v for k, v in dotenv_values(".env").items() if v is not None}
    return from_file | dict(os.environ)


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        raw = self._env.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return parse(raw.strip())
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from None


def _token(raw: str) -> str:
    if any(ch.isspace() for ch in raw) or raw.count(".") < 2:
        # Never echo the value: it may be a real token with a typo.
        raise ValueError("does not look like a Discord bot token (three dot-separated parts)")
    return raw


def _database_url(raw: str) -> str:
    if not raw.startswith(("postgresql://", "postgres://")):
        # Never echo the value: it may hold a password.
        raise ValueError("must start with postgresql:// (SQLite is set with DATABASE_PATH)")
    return raw


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


def _existing_file(raw: str) -> Path:
    path = _path(raw)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    return path


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in _LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}, not {raw!r}")
    return level


def _snowflake(raw: str) -> int:
    if not raw.isdigit() or not 15 <= len(raw) <= 20:
        raise ValueError(f"must be a Discord id (15-20 digits), not {raw!r}")
    return int(raw)


def _whole_number(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"must be a whole number, not {raw!r}") from None


def positive_int(raw: str) -> int:
    """Parser for counts and durations, shared by the capabilities' settings."""
    value = _whole_number(raw)
    if value <= 0:
        raise ValueError(f"must be greater than zero, not {value}")
    return value


def _switch(raw: str) -> bool:
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"must be on or off (true/false, 1/0), not {raw!r}")


def _shard_count(raw: str) -> int | Literal["auto"]:
    if raw.lower() == "auto":
        return "auto"
    try:
        return positive_int(raw)
    except ValueError:
        raise ValueError(f"must be a whole number above zero or 'auto', not {raw!r}") from None


def _shard_ids(raw: str) -> tuple[int, ...]:
    parts = [p.strip() for p in raw.split(",")]
    if any(not p.isdigit() for p in parts):
        raise ValueError(f"must be shard numbers separated by commas (like 0,1), not {raw!r}")
    ids = tuple(int(p) for p in parts)
    if len(set(ids)) != len(ids):
        raise ValueError(f"names a shard twice: {raw!r}")
    return ids


def non_negative_int(raw: str) -> int:
    """Parser for delays that may be zero."""
    value = _whole_number(raw)
    if value < 0:
        raise ValueError(f"must not be negative, not {value}")
    return value
