"""Render Discord messages as terminal text for the sandbox: content, embeds, buttons, files.

``<t:EPOCH:STYLE>`` is shown in the reader's zone, as a Discord client shows it; mentions are
shown by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

TIMESTAMP_RE = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
USER_RE = re.compile(r"<@!?(\d+)>")
ROLE_RE = re.compile(r"<@&(\d+)>")
CHANNEL_RE = re.compile(r"<#(\d+)>")
BUTTON_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link", 6: "premium"}


def format_timestamp(epoch: int, style: str | None, tz: tzinfo | None, now: datetime) -> str:
    """One Discord timestamp as an en-US client shows it, in ``tz`` (None: the local zone),
    with the zone's abbreviation so a terminal reader knows which zone it is."""
    moment = datetime.fromtimestamp(epoch, UTC).astimezone(tz)
    if style == "R":
        return relative(moment, now)
    hour = moment.hour % 12 or 12
    short_time = f"{hour}:{moment:%M} {moment:%p}"
    long_time = f"{hour}:{moment:%M:%S} {moment:%p}"
    date_long = f"{moment:%B} {moment.day}, {moment.year}"
    texts = {
        "t": short_time, "T": long_time, "d": f"{moment.month}/{moment.day}/{moment.year}",
        "D": date_long, "f": f"{date_long} {short_time}",
        "F": f"{moment:%A}, {date_long} {short_time}",
    }
    text = texts.get(style or "f", texts["f"])
    return text if style in ("d", "D") else f"{text} {moment:%Z}"


def relative(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    amount = abs(seconds)
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400),
                       ("hour", 3600), ("minute", 60), ("second", 1)):
        if amount >= size or unit == "second":
            count = int(amount // size)
            label = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {label}" if seconds >= 0 else f"{label} ago"
    raise AssertionError("unreachable")


class Renderer:
    """Turns message payloads into text. ``names`` resolves ids (users, roles, channels)."""

    def __init__(self, server: Any, tz: tzinfo | None = None) -> None:
        self.server = server
        self.tz = tz
        self._chosen: Mapping[str, Sequence[str]] = {}

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.server.now(), UTC)

    def inline(self, text: str) -> str:
        now = self.now()
        text = TIMESTAMP_RE.sub(lambda m: format_timestamp(int(m.group(1)), m.group(2), self.tz, now), text)
        text = ROLE_RE.sub(lambda m: "@" + self._role(int(m.group(1))), text)
        text = USER_RE.sub(lambda m: "@" + self._user(int(m.group(1))), text)
        text = CHANNEL_RE.sub(lambda m: "#" + self._channel(int(m.group(1))), text)
        text = re.sub(r"(?m)^-# ", "", text)  # subtext
        text = re.sub(r"(?m)^#{1,3} (.+)$", lambda m: m.group(1).upper(), text)  # headings
        return text.replace("**", "").replace("__", "")  # bold and underline markers

    def _user(self, uid: int) -> str:
        user = self.server.users.get(uid)
        return user["username"] if user else str(uid)

    def _role(self, rid: int) -> str:
        for guild in self.server.guilds.values():
            for role in guild["roles"]:
                if role["id"] == str(rid):
                    return role["name"]
        return str(rid)

    def _channel(self, cid: int) -> str:
        channel = self.server.channels.get(cid)
        return channel.get("name") or str(cid) if channel else str(cid)

    def message(self, data: dict[str, Any], *, header: str = "",
                chosen: Mapping[str, Sequence[str]] | None = None) -> str:
        """``chosen``: per select menu (custom_id), the labels the reader picked in it."""
        self._chosen = chosen or {}
        lines: list[str] = []
        flags = data.get("flags") or 0
        if header:
            lines.append(header)
        if flags & 64:
            lines.append("(only you can see this)")
        if data.get("content"):
            lines += self.inline(data["content"]).splitlines()
        for embed in data.get("embeds") or []:
            lines += self.embed(embed)
        for item in data.get("components") or []:
            lines += self.component(item)
        for attachment in data.get("attachments") or []:
            name = attachment["filename"]
            lines.append(f"[file: {name}, {attachment.get('size', 0)} bytes; open {name} to read it]")
        if not lines or lines == [header]:
            lines.append("(empty message)")
        return "\n".join(lines)

    def embed(self, embed: dict[str, Any]) -> list[str]:
        body: list[str] = []
        if (embed.get("author") or {}).get("name"):
            body.append(self.inline(embed["author"]["name"]))
        if embed.get("title"):
            body.append(f"== {self.inline(embed['title'])} ==")
        if embed.get("description"):
            body += self.inline(embed["description"]).splitlines()
        for field in embed.get("fields") or []:
            body.append(f"* {self.inline(field.get('name') or '')}")
            body += ["    " + line for line in self.inline(field.get("value") or "").splitlines()]
        if (embed.get("footer") or {}).get("text"):
            body.append(f"-- {self.inline(embed['footer']['text'])}")
        if embed.get("timestamp"):
            moment = datetime.fromisoformat(embed["timestamp"].replace("Z", "+00:00"))
            body.append(f"-- {format_timestamp(int(moment.timestamp()), 'f', self.tz, self.now())}")
        return ["| " + line if line else "|" for line in body]

    def component(self, item: dict[str, Any]) -> list[str]:
        ctype = item.get("type")
        if ctype == 1:
            parts = [self.control(c) for c in item.get("components") or []]
            return ["  ".join(p for p in parts if p)]
        if ctype == 10:
            return self.inline(item.get("content") or "").splitlines()
        if ctype in (17, 9):  # container / section
            lines: list[str] = []
            for child in item.get("components") or []:
                lines += self.component(child)
            if isinstance(item.get("accessory"), dict):
                lines.append(self.control(item["accessory"]))
            return lines
        control = self.control(item)
        return [control] if control else []

    def control(self, comp: dict[str, Any]) -> str:
        ctype = comp.get("type")
        if ctype == 2:
            label = comp.get("label") or (comp.get("emoji") or {}).get("name") or "?"
            extra = " (disabled)" if comp.get("disabled") else ""
            if comp.get("style") == 5:
                return f"[{label} -> {comp.get('url')}]{extra}"
            return f"[{label}]{extra}"
        if ctype == 3:
            options = comp.get("options") or []
            # What the menu shows as chosen: the reader's picks, else the bot's defaults.
            chosen = self._chosen.get(comp.get("custom_id", ""))
            if chosen is None:
                chosen = [o["label"] for o in options if o.get("default")]
            text = f"<{comp.get('placeholder') or 'choose'}: {' | '.join(o['label'] for o in options)}>"
            return text + (f"\n  chosen: {', '.join(chosen)}" if chosen else "")
        if ctype in (5, 6, 7, 8):
            kind = {5: "member", 6: "role", 7: "member or role", 8: "channel"}[ctype]
            return f"<{comp.get('placeholder') or 'choose a ' + kind}>"
        return ""
