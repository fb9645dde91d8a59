"""Is this server set up for fmg-bot? The checks behind `fmg-bot doctor` and `/settings check`.

The checks read plain facts (`GuildFacts`: the guild's channels, roles and the bot's permissions
in each), which the Discord adapter builds from discord.py's cache; so every rule here is
testable without Discord. What each capability needs is declared once, in `PERMISSION_NEEDS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.services.guild_settings import SETTING_SPECS, GuildConfig

ChannelKind = Literal["text", "news", "forum", "voice", "stage", "category", "other"]
Level = Literal["ok", "info", "warning", "error"]

#: Permission flag names as discord.py spells them, with the words Discord's UI uses.
PERMISSION_LABELS: dict[str, str] = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
    "create_public_threads": "Create Public Threads",
    "manage_threads": "Manage Threads",
    "manage_events": "Manage Events",
}


@dataclass(frozen=True)
class Need:
    """What one capability needs: in the channel of ``setting`` (or guild-wide when None)."""

    capability: str
    setting: str | None
    permissions: tuple[str, ...]
    kinds: frozenset[ChannelKind] = frozenset({"text", "news"})
    why: str = ""


#: The one table of what each capability needs from Discord. A channel setting without a row
#: here gets `DEFAULT_CHANNEL_NEED` (read and post), so a new setting is still checked.
PERMISSION_NEEDS: tuple[Need, ...] = (
    Need(
        "Study groups", "announcements_channel",
        ("view_channel", "send_messages", "embed_links", "attach_files",
         "create_public_threads", "send_messages_in_threads"),
        why="session announcements, their discussion threads and .ics files",
    ),
    Need(
        "Mentoring", "mentoring_channel",
        ("view_channel", "send_messages", "embed_links", "create_private_threads",
         "send_messages_in_threads", "manage_messages"),
        why="each new pair gets a private thread with a pinned introduction",
    ),
    Need(
        "Study groups", None, ("manage_events",),
        why="each study session is also a Discord scheduled event",
    ),
    Need(
        "Anonymous questions", "anonymous_channel",
        ("view_channel", "send_messages", "embed_links", "read_message_history",
         "create_public_threads", "send_messages_in_threads", "manage_threads"),
        kinds=frozenset({"text", "forum"}),
        why="each question is posted as a thread (a forum post in a forum); threads are closed",
    ),
    Need(
        "Anonymous questions", "anonymous_review_channel",
        ("view_channel", "send_messages", "read_message_history"),
        kinds=frozenset({"text"}),
        why="reports, and questions waiting for approval, reach moderators there with buttons",
    ),
)
DEFAULT_CHANNEL_NEED = ("view_channel", "send_messages", "embed_links")
KIND_LABELS: dict[str, str] = {
    "text": "text channel", "news": "announcement channel", "forum": "forum",
    "voice": "voice channel", "stage": "stage channel", "category": "category", "other": "channel",
}


@dataclass(frozen=True)
class ChannelFacts:
    id: int
    name: str
    kind: ChannelKind
    #: The bot's effective permissions in this channel (overwrites applied).
    bot_permissions: frozenset[str]
    forum_tags: tuple[str, ...] = ()
    requires_tag: bool = False


@dataclass(frozen=True)
class GuildFacts:
    id: int
    name: str
    channels: Mapping[int, ChannelFacts]
    roles: Mapping[int, str]
    bot_permissions: frozenset[str]
    system_channel_id: int | None = None
    #: Channels in the order a member sees them (used to pick where to post the welcome).
    channel_order: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class Finding:
    level: Level
    subject: str
    message: str
    fix: str = ""

    @property
    def is_problem(self) -> bool:
        return self.level in ("warning", "error")

    def line(self) -> str:
        marks = {"ok": "OK", "info": "--", "warning": "WARN", "error": "FAIL"}
        text = f"[{marks[self.level]}] {self.subject}: {self.message}"
        return f"{text}\n       fix: {self.fix}" if self.fix else text


def needs_for(setting: str) -> tuple[tuple[str, ...], frozenset[ChannelKind]]:
    """The permissions and channel kinds the channel setting ``setting`` needs."""
    permissions: list[str] = []
    kinds: frozenset[ChannelKind] | None = None
    for need in PERMISSION_NEEDS:
        if need.setting == setting:
            permissions.extend(p for p in need.permissions if p not in permissions)
            kinds = need.kinds if kinds is None else kinds & need.kinds
    if kinds is None:
        return DEFAULT_CHANNEL_NEED, frozenset({"text", "news", "forum"})
    return tuple(permissions), kinds


def label_permissions(names: Iterable[str]) -> str:
    return ", ".join(PERMISSION_LABELS.get(n, n.replace("_", " ").title()) for n in names)


def check_guild(facts: GuildFacts, config: GuildConfig) -> list[Finding]:
    """Every problem (and every thing that is fine) with this guild's fmg-bot setup."""
    findings: list[Finding] = []
    for key, spec in SETTING_SPECS.items():
        if spec.kind == "channel":
            findings.extend(_check_channel(facts, key, config.get(key)))
        elif spec.kind == "role":
            findings.append(_check_role(facts, key, config.get(key)))
    findings.extend(_check_guild_permissions(facts))
    return findings


def _check_channel(facts: GuildFacts, key: str, value: int | bool | None) -> list[Finding]:
    spec = SETTING_SPECS[key]
    subject = f"{spec.capability} · {spec.label}"
    set_it = f"/settings channel setting:{spec.label} channel:#…"
    if value is None:
        return [Finding("warning", subject, "not set, so this capability cannot post", set_it)]
    channel = facts.channels.get(int(value))
    if channel is None:
        return [Finding(
            "error", subject, f"the channel ({value}) no longer exists or the bot cannot see it",
            f"choose another with {set_it}, or give the bot View Channel there",
        )]
    permissions, kinds = needs_for(key)
    if channel.kind not in kinds:
        wanted = " or ".join(label for kind, label in KIND_LABELS.items() if kind in kinds)
        return [Finding(
            "error", subject, f"#{channel.name} is a {KIND_LABELS[channel.kind]}, it must be a {wanted}",
            set_it,
        )]
    findings: list[Finding] = []
    missing = [p for p in permissions if p not in channel.bot_permissions]
    if missing:
        findings.append(Finding(
            "error", subject, f"the bot lacks {label_permissions(missing)} in #{channel.name}",
            f"edit #{channel.name} → Permissions → add the bot's role and allow "
            f"{label_permissions(missing)}",
        ))
    if channel.kind == "forum" and channel.requires_tag:
        findings.append(Finding(
            "error", subject,
            f"the forum #{channel.name} requires a tag on every post, and the bot posts without one",
            f"edit #{channel.name} → turn off \"Require people to select tags when posting\"",
        ))
    if not findings:
        findings.append(Finding("ok", subject, f"#{channel.name} is ready"))
    return findings


def _check_role(facts: GuildFacts, key: str, value: int | bool | None) -> Finding:
    spec = SETTING_SPECS[key]
    subject = f"{spec.capability} · {spec.label}"
    set_it = f"/settings role setting:{spec.label} role:@…"
    if value is None:
        return Finding("info", subject, f"not set ({spec.help})", set_it)
    name = facts.roles.get(int(value))
    if name is None:
        return Finding("error", subject, f"the role ({value}) no longer exists", set_it)
    return Finding("ok", subject, f"@{name}")


def _check_guild_permissions(facts: GuildFacts) -> list[Finding]:
    findings = []
    for need in PERMISSION_NEEDS:
        if need.setting is not None:
            continue
        missing = [p for p in need.permissions if p not in facts.bot_permissions]
        subject = f"{need.capability} · server permissions"
        if missing:
            findings.append(Finding(
                "error", subject, f"the bot lacks {label_permissions(missing)} ({need.why})",
                f"Server Settings → Roles → the bot's role → allow {label_permissions(missing)}",
            ))
        else:
            findings.append(Finding("ok", subject, label_permissions(need.permissions)))
    return findings


def problems(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_problem]


def pick_welcome_channel(facts: GuildFacts) -> int | None:
    """Where to post the setup guide: the system channel if the bot may post there, else the
    first text channel (in the order members see them) where it may; None if nowhere."""
    def can_post(channel_id: int | None) -> bool:
        channel = facts.channels.get(channel_id) if channel_id is not None else None
        return (
            channel is not None
            and channel.kind in ("text", "news")
            and {"view_channel", "send_messages", "embed_links"} <= channel.bot_permissions
        )

    if can_post(facts.system_channel_id):
        return facts.system_channel_id
    order = facts.channel_order or tuple(facts.channels)
    return next((cid for cid in order if can_post(cid)), None)


def setup_guide(findings: Iterable[Finding]) -> str:
    """The short first-run guide for moderators, listing what is still missing."""
    missing = [f for f in findings if f.is_problem or f.level == "info"]
    lines = [
        "**Thanks for adding fmg-bot!** A few steps for moderators (Manage Server):",
        "1. `/settings view` shows every setting; `/settings channel` and `/settings role` set them.",
        "2. `/settings check` tells you what is still missing and how to fix it.",
        "3. `/help` lists what members can do.",
    ]
    if missing:
        lines.append("\n**Still to do:**")
        lines.extend(f"- {f.subject}: {f.message}" for f in missing[:10])
        if len(missing) > 10:
            lines.append(f"- …and {len(missing) - 10} more: run `/settings check`.")
    return "\n".join(lines)
