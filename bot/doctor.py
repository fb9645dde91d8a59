"""`fmg-bot doctor`: what is wrong with this installation, and how to fix it.

Offline: configuration, whether the bot is running (it holds the database lock, on either
engine), the database file (integrity, schema version, size), backups, the program-intel key
beside the database; on PostgreSQL the server (connection, version, schema version) instead of
the file. Online (with DISCORD_TOKEN): connects briefly with the bot's own intents and runs
`bot.services.health.check_guild` on every guild, the same report moderators get from
`/settings check`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import discord

from bot.config import Settings
from bot.db import Database
from bot.db.backup import inspect_database, list_backups
from bot.db.database import load_migrations
from bot.errors import FmgError
from bot.guild_facts import guild_facts
from bot.services.backups import BACKUP_INTERVAL
from bot.services.guild_settings import GuildSettingsService
from bot.services.health import Finding, check_guild
from bot.services.intel import key_path

LOW_DISK_BYTES = 200 * 1024 * 1024
CONNECT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Section:
    title: str
    findings: list[Finding]


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def offline_report(
    settings: Settings, *, expect_running: bool = False, now: datetime | None = None
) -> list[Section]:
    now = now or datetime.now(UTC)
    return [
        Section("Configuration", _config_findings(settings)),
        Section("Database", [*_process_findings(settings, expect_running),
                             *(_server_findings(settings) if settings.database_url
                               else _database_findings(settings))]),
        Section("Backups", _backup_findings(settings, now)),
        Section("Program-intel key", [_intel_key_finding(settings)]),
    ]


def _config_findings(settings: Settings) -> list[Finding]:
    findings = [Finding("ok", "settings", "every variable parsed")]
    if settings.discord_token:
        findings.append(Finding("ok", "DISCORD_TOKEN", "set (never printed)"))
    else:
        findings.append(Finding(
            "warning", "DISCORD_TOKEN", "not set: `fmg-bot run` cannot connect",
            "put the bot's token in .env (see .env.example)",
        ))
    if settings.resources_catalog.is_file():
        findings.append(Finding("ok", "RESOURCES_CATALOG", str(settings.resources_catalog)))
    else:
        findings.append(Finding(
            "error", "RESOURCES_CATALOG", f"{settings.resources_catalog} does not exist",
            "point RESOURCES_CATALOG at the shipped data/resources.yaml",
        ))
    if settings.shard_count is not None:
        findings.append(Finding("info", "SHARD_COUNT", f"{settings.shard_count}: runs AutoShardedBot"))
    if settings.shard_ids is not None:
        findings.append(Finding("info", "SHARD_IDS", f"this process runs {settings.shards.describe()}"
                                "; other processes must run the rest (shard 0 does global work)"))
    return findings


def _server_findings(settings: Settings) -> list[Finding]:
    """PostgreSQL (DATABASE_URL): the connection, the server's version, the schema version."""
    async def check() -> tuple[str, int]:
        db = await Database.open(settings.database)
        try:
            return str(await db.fetchval("SHOW server_version")), await db.schema_version()
        finally:
            await db.close()

    # A thread of its own: the report may be asked for while an event loop runs.
    with ThreadPoolExecutor(1) as pool:
        try:
            server, version = pool.submit(asyncio.run, check()).result()
        except (FmgError, OSError) as exc:
            return [Finding("error", "PostgreSQL", str(exc),
                            "check DATABASE_URL and that the server accepts connections")]
    findings = [Finding("ok", "PostgreSQL", f"connected, server version {server}")]
    return [*findings, _schema_finding(version)]


def _schema_finding(version: int) -> Finding:
    latest = max((m.version for m in load_migrations()), default=0)
    if version > latest:
        return Finding(
            "error", "schema", f"version {version} is newer than this fmg-bot knows ({latest})",
            "upgrade fmg-bot, or restore a backup made by this version",
        )
    if version < latest:
        return Finding(
            "warning", "schema", f"version {version}, this fmg-bot ships {latest}",
            "`fmg-bot db migrate` (the bot also migrates on start)",
        )
    return Finding("ok", "schema", f"version {version} (up to date)")


def _process_findings(settings: Settings, expect_running: bool) -> list[Finding]:
    """Whether a bot runs on this database: some process holds the database lock (a file lock
    beside SQLite's file, an advisory lock of the PostgreSQL server)."""
    locks = Database.locks(settings.database)
    with ThreadPoolExecutor(1) as pool:  # the report may be asked for while a loop runs
        try:
            running = pool.submit(asyncio.run, locks.running()).result()
        except (FmgError, OSError):
            return []  # no server to ask: the server's own finding says so
    if running:
        return [Finding("ok", "bot process", "running (it holds the database lock)")]
    if expect_running:
        return [Finding("error", "bot process", "not running", "start it: `fmg-bot run`")]
    return [Finding("info", "bot process", "not running")]


def _database_findings(settings: Settings) -> list[Finding]:
    path = settings.database_path
    findings: list[Finding] = []
    if not path.exists():
        findings.append(Finding(
            "warning", str(path), "does not exist yet",
            "`fmg-bot db migrate` creates it (so does the bot's first start)",
        ))
        return findings
    try:
        damage, version = inspect_database(path)
    except FmgError as exc:
        return [*findings, Finding("error", str(path), str(exc), "restore a backup: `fmg-bot db restore`")]
    if damage:
        findings.append(Finding(
            "error", "integrity", f"{len(damage)} problem(s), first: {damage[0]}",
            "stop the bot and `fmg-bot db restore` the newest good backup",
        ))
    else:
        findings.append(Finding("ok", "integrity", "PRAGMA integrity_check: ok"))
    findings.append(_schema_finding(version))
    wal = path.with_name(path.name + "-wal")
    size = path.stat().st_size
    wal_size = wal.stat().st_size if wal.exists() else 0
    findings.append(Finding("info", "size", f"{_megabytes(size)} (+ {_megabytes(wal_size)} write-ahead log)"))
    free = shutil.disk_usage(path.parent).free
    if free < LOW_DISK_BYTES:
        findings.append(Finding(
            "warning", "disk", f"only {_megabytes(free)} free beside the database",
            "free some space: SQLite and the backups need room to write",
        ))
    return findings


def _backup_findings(settings: Settings, now: datetime) -> list[Finding]:
    folder = settings.backup_folder
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not os.access(existing, os.W_OK):
        return [Finding(
            "error", str(folder), "cannot be written, so the daily backup fails",
            f"make {existing or folder} writable for the bot's user, or set BACKUP_DIR",
        )]
    backups = list_backups(folder)
    if not backups:
        return [Finding(
            "warning", str(folder), "no scheduled backup yet",
            "the running bot writes one a day; or run `fmg-bot db backup PATH` now",
        )]
    newest, path = backups[-1]
    age = now - newest
    summary = f"{len(backups)} kept (BACKUP_KEEP={settings.backup_keep}), newest {path.name}"
    if age > BACKUP_INTERVAL + timedelta(hours=12):
        return [Finding(
            "warning", str(folder), f"{summary} is {age.days} day(s) old",
            "is the bot running? it backs up daily while it runs",
        )]
    return [Finding("ok", str(folder), summary)]


def _intel_key_finding(settings: Settings) -> Finding:
    """The program-intel key: backed up apart from the database (README, Backups)."""
    path = key_path(settings.database_path)
    if not path.exists():
        return Finding("info", str(path), "not made yet (the bot makes it on its first start)")
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        return Finding("warning", str(path), "readable by other users",
                       f"chmod 600 {path} (the bot also narrows it when it starts)")
    return Finding("ok", str(path), "mode 0600; keep a copy apart from the database backups")


async def online_report(settings: Settings, intents: discord.Intents) -> list[Section]:
    """Connect with the bot's token and check every guild it is in."""
    if not settings.discord_token:
        return [Section("Discord", [Finding(
            "warning", "Discord", "skipped: DISCORD_TOKEN is not set", "set it, or use --offline",
        )])]
    client = discord.Client(intents=intents)
    ready = asyncio.Event()
    client.event(_on_ready(ready))
    async with client:
        await client.login(settings.discord_token)
        connecting = asyncio.create_task(client.connect(reconnect=False))
        waiting = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait(
            {connecting, waiting}, timeout=CONNECT_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
        )
        if waiting not in done:
            waiting.cancel()
            if connecting in done:
                connecting.result()  # raises what stopped the connection
            raise FmgError(f"Discord did not answer within {CONNECT_TIMEOUT_S:.0f} s")
        try:
            sections = await _guild_sections(settings, client.guilds)
        finally:
            await client.close()
            await asyncio.gather(connecting, return_exceptions=True)
    return sections


def _on_ready(ready: asyncio.Event):
    async def on_ready() -> None:
        ready.set()

    return on_ready


async def _guild_sections(settings: Settings, guilds: Sequence[discord.Guild]) -> list[Section]:
    if not guilds:
        return [Section("Discord", [Finding(
            "warning", "guilds", "the bot is in no server yet",
            "invite it (README: Creating the Discord application)",
        )])]
    if settings.database_url is None and not settings.database_path.exists():
        raise FmgError(f"no database at {settings.database_path}: run `fmg-bot db migrate` first")
    db = await Database.open(settings.database)
    try:
        service = GuildSettingsService(db)
        return [
            Section(
                f"Server {guild.name} ({guild.id})",
                check_guild(guild_facts(guild), await service.get(guild.id)),
            )
            for guild in guilds
        ]
    finally:
        await db.close()


def render(sections: list[Section]) -> str:
    lines: list[str] = []
    for section in sections:
        lines.append(f"== {section.title}")
        lines.extend(finding.line() for finding in section.findings)
    errors = sum(f.level == "error" for s in sections for f in s.findings)
    warnings = sum(f.level == "warning" for s in sections for f in s.findings)
    lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def has_errors(sections: list[Section]) -> bool:
    return any(f.level == "error" for s in sections for f in s.findings)
