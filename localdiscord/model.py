"""Discord's state and rules, kept in memory: guilds, members, channels, threads, messages,
pins, scheduled events, files and interactions with snowflake ids, and the violations recorded
when a request breaks Discord's rules. ``server.LocalDiscord`` serves it over HTTP and the
gateway; the route modules change it through this class's methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import re
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

from aiohttp import web

from localdiscord.faults import Faults
from localdiscord.http import API, Call, DiscordError, iso, json_response, nested_errors
from localdiscord.spec import optional_validator
from localdiscord.state import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    ATTACHMENT_SIZE_LIMIT,
    EPHEMERAL,
    EVERYONE_PERMISSIONS,
    LOADING,
    Interaction,
    RequestRecord,
    Snowflakes,
    Violation,
)

log = logging.getLogger("localdiscord")

TOKEN_LIFETIME = 15 * 60
STABLE_EPOCH = 1735689600.0  # 2025-01-01T00:00:00Z
MENTION_RE = re.compile(r"<@!?(\d+)>|<@&(\d+)>|@(everyone|here)")


class DiscordModel:
    """Discord's state and rules, without the HTTP and websocket fronts (see server.LocalDiscord)."""

    def __init__(
        self,
        *,
        validate: bool = True,
        interaction_deadline: float = 3.0,
        application_id: int | None = None,
        bot_name: str = "FMG Bot",
        clock: Callable[[], float] | None = None,
        stable_ids: bool = False,
    ) -> None:
        # ``clock`` (epoch seconds) lets tests share the bot's ManualClock, so timestamps, token
        # expiry and "event in the past" checks agree with what the bot believes the time is.
        self._clock = clock or time.time
        # With ``stable_ids`` every id minted before ``ids.follow(...)`` is the same on each run.
        self.ids = Snowflakes((lambda: STABLE_EPOCH) if stable_ids else self.now)
        self.interaction_deadline = interaction_deadline
        # What GET /gateway/bot advises: the shard count, and how many shards may IDENTIFY at
        # once (Discord's max_concurrency: 1, or 16 and more for large bots).
        self.recommended_shards = 1
        self.max_concurrency = 1
        # ``validate``: check bodies against Discord's OpenAPI spec when it is found (see spec.py);
        # the limits checks always run. ``validator`` is None when that layer is off.
        self.validator = optional_validator() if validate else None
        self.time_offset = 0.0
        self.faults = Faults()
        self.violations: list[Violation] = []
        self.unknown_routes: list[RequestRecord] = []
        self.requests: list[RequestRecord] = []
        self.record_requests = True
        self.app_id = application_id or self.ids.next()
        self.bot_user = self._user_payload(self.app_id, bot_name.lower().replace(" ", "-"), bot=True)
        self.bot_user["global_name"] = bot_name
        self.users: dict[int, dict[str, Any]] = {self.app_id: self.bot_user}
        self.guilds: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.message_meta: dict[int, dict[str, Any]] = {}
        self.history: dict[int, list[int]] = {}
        self.files: dict[int, bytes] = {}
        #: attachment ids in the order they were downloaded (GET /attachments/...)
        self.downloads: list[int] = []
        self.thread_members: dict[int, dict[int, float]] = {}
        self.pins: dict[int, list[tuple[int, float]]] = {}
        self.events: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}
        self.dm_closed: set[int] = set()
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.command_syncs = 0
        self.interactions: dict[int, Interaction] = {}
        self._by_token: dict[str, Interaction] = {}
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    # ----------------------------------------------------------------- clock
    def now(self) -> float:
        """Wall-clock seconds, shifted by ``advance_time`` (timestamps, token expiry)."""
        return self._clock() + self.time_offset

    def monotonic(self) -> float:
        return time.perf_counter() + self.time_offset

    def advance_time(self, seconds: float) -> None:
        """Pretend ``seconds`` passed (expire interaction tokens, nonces) without waiting."""
        self.time_offset += seconds

    # ----------------------------------------------------------------- waiting
    def notify(self) -> None:
        """Re-check every waiter's predicate after a state change."""
        if not self._waiters:
            return
        remaining = []
        for predicate, fut in self._waiters:
            if fut.done():
                continue
            try:
                ok = predicate()
            except Exception as exc:  # a broken predicate fails its waiter, not the server
                fut.set_exception(exc)
                continue
            if ok:
                fut.set_result(None)
            else:
                remaining.append((predicate, fut))
        self._waiters = remaining

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until ``predicate()`` holds after some request; False on timeout."""
        if predicate():
            return True
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, fut))
        try:
            await asyncio.wait_for(fut, timeout)
            return True
        except TimeoutError:
            return predicate()

    @contextlib.contextmanager
    def expect_violation(self, match: str) -> Iterator[list[Violation]]:
        """Within the block a violation whose text contains ``match`` must be recorded; the
        matching ones are then removed (so the e2e teardown check passes) and handed back."""
        before = len(self.violations)
        found: list[Violation] = []
        yield found
        new = self.violations[before:]
        found += [v for v in new if match in str(v)]
        if not found:
            raise AssertionError(f"expected a violation matching {match!r}, got {[str(v) for v in new]}")
        self.violations[before:] = [v for v in new if v not in found]

    def cancel_waiters(self) -> None:
        """Cancel every pending ``wait_until`` (the server is stopping)."""
        for _, fut in self._waiters:
            if not fut.done():
                fut.cancel()
        self._waiters.clear()

    def clear_problems(self) -> None:
        """Forget recorded violations and unknown routes (after a test provoked them on purpose)."""
        self.violations.clear()
        self.unknown_routes.clear()

    # ----------------------------------------------------------------- dispatch
    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Tell local listeners of an event (the server also sends it over the gateway)."""
        for listener in list(self.listeners):
            listener(event, data)

    # ----------------------------------------------------------------- world building
    def _user_payload(self, uid: int, name: str, *, bot: bool = False) -> dict[str, Any]:
        return {
            "id": str(uid), "username": name, "discriminator": "0", "global_name": name.title(),
            "avatar": None, "bot": bot, "system": False, "public_flags": 0, "flags": 0,
            "banner": None, "accent_color": None, "avatar_decoration_data": None,
        }

    def add_guild(self, name: str, *, owner_id: int | None = None,
                  shard: tuple[int, int] | None = None) -> dict[str, Any]:
        """A new guild; with ``shard`` (id, count), one whose events go to that shard."""
        gid = self.ids.next() if shard is None else self.ids.next_on_shard(*shard)
        guild = {
            "id": str(gid), "name": name, "icon": None, "splash": None, "discovery_splash": None,
            "banner": None, "description": None, "owner_id": str(owner_id or self.app_id),
            "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0,
            "default_message_notifications": 1, "explicit_content_filter": 0, "mfa_level": 0,
            "nsfw_level": 0, "premium_tier": 0, "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False, "preferred_locale": "en-US", "features": [],
            "system_channel_id": None, "system_channel_flags": 0, "rules_channel_id": None,
            "public_updates_channel_id": None, "safety_alerts_channel_id": None,
            "vanity_url_code": None, "application_id": None, "max_members": 500000,
            "max_video_channel_users": 25, "emojis": [], "stickers": [],
            "roles": [{
                "id": str(gid), "name": "@everyone", "color": 0, "colors": {"primary_color": 0},
                "hoist": False, "icon": None, "unicode_emoji": None, "position": 0,
                "permissions": str(EVERYONE_PERMISSIONS), "managed": False, "mentionable": False,
                "flags": 0,
            }],
            "_members": {},
        }
        self.guilds[gid] = guild
        self.add_member(gid, self.app_id)
        return guild

    def add_role(self, guild_id: int, name: str, permissions: int = 0, **extra: Any) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        role = {
            "id": str(self.ids.next()), "name": name, "color": 0, "colors": {"primary_color": 0},
            "hoist": False, "icon": None, "unicode_emoji": None, "position": len(guild["roles"]),
            "permissions": str(permissions), "managed": False, "mentionable": True, "flags": 0,
        }
        role.update(extra)
        guild["roles"].append(role)
        return role

    def add_user(self, name: str, *, bot: bool = False) -> dict[str, Any]:
        uid = self.ids.next()
        self.users[uid] = self._user_payload(uid, name, bot=bot)
        return self.users[uid]

    def add_member(self, guild_id: int, user_id: int, roles: list[int] | None = None) -> dict[str, Any]:
        member = {
            "roles": [str(r) for r in roles or []], "nick": None, "avatar": None, "banner": None,
            "joined_at": iso(self.now()), "premium_since": None, "deaf": False, "mute": False,
            "flags": 0, "pending": False, "communication_disabled_until": None,
        }
        self.guilds[guild_id]["_members"][user_id] = member
        return member

    def add_channel(self, guild_id: int | None, name: str, type: int = 0, *,
                    channel_id: int | None = None, **extra: Any) -> dict[str, Any]:
        cid = channel_id or self.ids.next()
        channel: dict[str, Any] = {
            "id": str(cid), "type": type, "name": name, "position": len(self.channels),
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "flags": 0,
        }
        if guild_id is not None:
            channel["guild_id"] = str(guild_id)
        if type in (0, 5, 15, 16):
            channel.update({"topic": None, "rate_limit_per_user": 0, "last_message_id": None})
        if type in (15, 16):
            channel.update({
                "available_tags": [], "default_reaction_emoji": None, "default_sort_order": None,
                "default_forum_layout": 0, "default_thread_rate_limit_per_user": 0,
            })
        if type == 2:
            channel.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None,
                            "rate_limit_per_user": 0, "last_message_id": None})
        channel.update(extra)
        self.channels[cid] = channel
        self.history[cid] = []
        return channel

    def dm_channel(self, user_id: int) -> int:
        """The bot's DM channel with ``user_id`` (created on first use)."""
        if user_id not in self.dm_channels:
            channel = self.add_channel(None, "", 1)
            for key in ("name", "position", "permission_overwrites", "nsfw", "parent_id"):
                channel.pop(key, None)
            channel.update({"recipients": [self.users[user_id]], "last_message_id": None})
            self.dm_channels[user_id] = int(channel["id"])
        return self.dm_channels[user_id]

    def member_payload(self, guild_id: int, user_id: int, *, with_user: bool = True) -> dict[str, Any]:
        member = dict(self.guilds[guild_id]["_members"][user_id])
        if with_user:
            member["user"] = self.users[user_id]
        return member

    def permissions_of(self, guild_id: int, user_id: int) -> int:
        """Guild-level permissions (roles only; overwrites are not modelled)."""
        guild = self.guilds[guild_id]
        if int(guild["owner_id"]) == user_id:
            return ALL_PERMISSIONS
        member = guild["_members"].get(user_id)
        role_ids = {str(guild_id), *(member["roles"] if member else [])}
        perms = 0
        for role in guild["roles"]:
            if role["id"] in role_ids:
                perms |= int(role["permissions"])
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def guild_create_payload(self, guild_id: int) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        payload = {k: v for k, v in guild.items() if not k.startswith("_")}
        channels = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)]
        payload.update({
            "unavailable": False, "large": False, "lazy": True,
            "member_count": len(guild["_members"]), "joined_at": iso(self.now()),
            "channels": [c for c in channels if c["type"] not in (10, 11, 12)],
            "threads": [c for c in channels if c["type"] in (10, 11, 12)
                        and not c["thread_metadata"]["archived"]],
            "members": [self.member_payload(guild_id, uid) for uid in guild["_members"]],
            "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [e for e in self.events.values()
                                       if e["guild_id"] == str(guild_id)],
            "soundboard_sounds": [],
        })
        return payload

    def violation(self, kind: str, method: str, path: str,
                   problems: list[tuple[tuple[str | int, ...], str]], body: Any,
                   *, status: int = 400, code: int = 50035, message: str = "Invalid Form Body",
                   interaction: Interaction | None = None) -> web.Response:
        violation = Violation(kind, method, path, problems, body)
        self.violations.append(violation)
        if interaction is not None:
            interaction.errors.append(violation)
        log.warning("%s", violation)
        self.notify()
        return json_response({"message": message, "code": code, "errors": nested_errors(problems)}, status)

    def limit_error(self, call: Call, problems: list[tuple[tuple[str | int, ...], str]],
                    interaction: Interaction | None = None) -> web.Response | None:
        if not problems:
            return None
        return self.violation("limit", call.method, call.path, problems, call.body,
                               interaction=interaction)

    # ----------------------------------------------------------------- messages
    def _pings(self, content: str, allowed: dict[str, Any] | None,
               replied_user: int | None) -> dict[str, Any]:
        """Who this message actually notifies, given its content and allowed_mentions."""
        users, roles, everyone = set(), set(), False
        for user, role, special in MENTION_RE.findall(content or ""):
            if user:
                users.add(int(user))
            elif role:
                roles.add(int(role))
            elif special:
                everyone = True
        if allowed is not None:
            parse = set(allowed.get("parse") or [])
            allowed_users = {int(u) for u in allowed.get("users") or []}
            allowed_roles = {int(r) for r in allowed.get("roles") or []}
            users = {u for u in users if "users" in parse or u in allowed_users}
            roles = {r for r in roles if "roles" in parse or r in allowed_roles}
            everyone = everyone and "everyone" in parse
            if replied_user is not None and allowed.get("replied_user", True):
                users.add(replied_user)
        elif replied_user is not None:
            users.add(replied_user)
        return {"users": users, "roles": roles, "everyone": everyone}

    def _attachments(self, body: dict[str, Any], files: list[tuple[str, str, bytes, str]],
                     existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        by_index = {}
        for fieldname, filename, data, ctype in files:
            found = re.match(r"files\[(\d+)\]", fieldname)
            by_index[found.group(1) if found else str(len(by_index))] = (filename, data, ctype)
        out: list[dict[str, Any]] = []
        keep = {a["id"]: a for a in existing or []}
        entries = body.get("attachments")
        if entries is None:
            entries = [{"id": k, "filename": v[0]} for k, v in by_index.items()]
            out += list(keep.values())
        for entry in entries:
            key = str(entry.get("id"))
            if key in keep:
                out.append(keep[key])
                continue
            if key not in by_index:
                continue
            filename, data, ctype = by_index[key]
            aid = self.ids.next()
            self.files[aid] = data
            name = entry.get("filename") or filename
            if ctype == "application/octet-stream":  # Discord names the type from the file
                ctype = mimetypes.guess_type(name)[0] or ctype
            out.append({
                "id": str(aid), "filename": name, "size": len(data),
                "url": f"{self.base_url}/attachments/{aid}/{name}",
                "proxy_url": f"{self.base_url}/attachments/{aid}/{name}",
                "content_type": ctype, "description": entry.get("description"),
                "ephemeral": False,
            })
        return out

    def create_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[tuple[str, str, bytes, str]] | None = None,
        *,
        author_id: int | None = None,
        ephemeral: bool = False,
        interaction: Interaction | None = None,
        message_type: int = 0,
        extra_flags: int = 0,
        echo: bool = True,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """Store a message (the bot's, or a member's when the driver posts) and echo it."""
        channel = self.channels[channel_id]
        author_id = author_id or self.app_id
        mid = message_id or self.ids.next()
        guild_id = int(channel["guild_id"]) if channel.get("guild_id") else None
        flags = (body.get("flags") or 0) | extra_flags | (EPHEMERAL if ephemeral else 0)
        reference = body.get("message_reference")
        replied_user = None
        if reference and reference.get("message_id"):
            ref = self.messages.get(int(reference["message_id"]))
            replied_user = int(ref["author"]["id"]) if ref else None
        pings = self._pings(body.get("content") or "", body.get("allowed_mentions"), replied_user)
        message: dict[str, Any] = {
            "id": str(mid), "channel_id": str(channel_id), "author": self.users[author_id],
            "content": body.get("content") or "", "timestamp": iso(self.now()),
            "edited_timestamp": None, "tts": bool(body.get("tts")),
            "mention_everyone": pings["everyone"],
            "mentions": [self.users[u] for u in pings["users"] if u in self.users],
            "mention_roles": [str(r) for r in pings["roles"]],
            "attachments": self._attachments(body, files or []),
            "embeds": body.get("embeds") or [], "components": body.get("components") or [],
            "reactions": [], "pinned": False, "type": message_type, "flags": flags,
        }
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if reference:
            message["message_reference"] = {**reference, "channel_id": str(channel_id), "type": 0}
            ref_msg = self.messages.get(int(reference.get("message_id") or 0))
            if ref_msg:
                message["referenced_message"] = ref_msg
        if interaction is not None:
            message["webhook_id"] = str(self.app_id)
            message["application_id"] = str(self.app_id)
            message["interaction_metadata"] = {
                "id": str(interaction.id), "type": interaction.type,
                "user": self.users[interaction.user_id],
                "authorizing_integration_owners": {"0": str(interaction.guild_id or 0)},
            }
        self.messages[mid] = message
        self.message_meta[mid] = {
            "allowed_mentions": body.get("allowed_mentions"), "pings": pings,
            "interaction_id": interaction.id if interaction else None,
            "created": self.now(),
        }
        if not ephemeral:
            self.history.setdefault(channel_id, []).append(mid)
            channel["last_message_id"] = str(mid)
            if channel["type"] in (10, 11, 12):
                channel["message_count"] = channel.get("message_count", 0) + 1
                channel["total_message_sent"] = channel.get("total_message_sent", 0) + 1
            if echo:
                event = dict(message)
                if guild_id is not None and author_id in self.guilds[guild_id]["_members"]:
                    event["member"] = self.member_payload(guild_id, author_id, with_user=False)
                self.dispatch("MESSAGE_CREATE", event)
        self.notify()
        return message

    def edit_message(self, mid: int, body: dict[str, Any],
                     files: list[tuple[str, str, bytes, str]] | None = None) -> dict[str, Any]:
        message = self.messages[mid]
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if "flags" in body and body["flags"] is not None:
            keep = message["flags"] & (EPHEMERAL | (1 << 15))
            message["flags"] = keep | (body["flags"] & ~EPHEMERAL)
        if "attachments" in body or files:
            message["attachments"] = self._attachments(body, files or [], message["attachments"])
        if "allowed_mentions" in body or "content" in body:
            meta = self.message_meta[mid]
            allowed = body.get("allowed_mentions", meta["allowed_mentions"])
            meta["allowed_mentions"] = allowed
            meta["pings"] = self._pings(message["content"], allowed, None)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = iso(self.now())
        if not message["flags"] & EPHEMERAL:
            self.dispatch("MESSAGE_UPDATE", dict(message))
        self.notify()
        return message

    def delete_message(self, mid: int) -> None:
        message = self.messages.pop(mid)
        cid = int(message["channel_id"])
        if mid in self.history.get(cid, []):
            self.history[cid].remove(mid)
        if not message["flags"] & EPHEMERAL:
            event = {"id": str(mid), "channel_id": str(cid)}
            if message.get("guild_id"):
                event["guild_id"] = message["guild_id"]
            self.dispatch("MESSAGE_DELETE", event)
        self.notify()

    def channel_or_404(self, cid: str | int) -> dict[str, Any]:
        try:
            return self.channels[int(cid)]
        except (KeyError, ValueError):
            raise DiscordError(404, 10003, "Unknown Channel") from None

    def message_or_404(self, cid: str | int, mid: str | int) -> dict[str, Any]:
        message = self.messages.get(int(mid))
        # Ephemeral messages exist only for their interaction's webhook, never in the channel.
        if message is None or message["channel_id"] != str(cid) or message["flags"] & EPHEMERAL:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    # ----------------------------------------------------------------- interactions
    def new_interaction(self, *, type: int, user_id: int, channel_id: int, data: dict[str, Any],
                        message_id: int | None = None, dispatch: bool = True) -> Interaction:
        """Create and (by default) dispatch an INTERACTION_CREATE, as a member's click would."""
        channel = self.channels[channel_id]
        guild_id = int(channel["guild_id"]) if channel.get("guild_id") else None
        record = Interaction(
            id=self.ids.next(), token="aW50ZXJhY3Rpb24" + secrets.token_urlsafe(24), type=type,
            user_id=user_id, channel_id=channel_id, guild_id=guild_id, data=data,
            created=self.monotonic(), created_wall=self.now(), message_id=message_id,
        )
        self.interactions[record.id] = record
        self._by_token[record.token] = record
        if dispatch:
            self.dispatch("INTERACTION_CREATE", self.interaction_payload(record))
        return record

    def interaction_payload(self, record: Interaction) -> dict[str, Any]:
        channel = self.channels[record.channel_id]
        payload: dict[str, Any] = {
            "id": str(record.id), "application_id": str(self.app_id), "type": record.type,
            "data": record.data, "channel_id": str(record.channel_id), "channel": channel,
            "token": record.token, "version": 1, "locale": "en-US", "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if record.guild_id is not None:
            perms = self.permissions_of(record.guild_id, record.user_id)
            member = self.member_payload(record.guild_id, record.user_id)
            member["permissions"] = str(perms)
            payload.update({
                "guild_id": str(record.guild_id), "member": member, "guild_locale": "en-US",
                "guild": {"id": str(record.guild_id), "locale": "en-US", "features": []},
                "app_permissions": str(self.permissions_of(record.guild_id, self.app_id)),
                "authorizing_integration_owners": {"0": str(record.guild_id)}, "context": 0,
            })
        else:
            payload.update({"user": self.users[record.user_id], "context": 1,
                            "app_permissions": str(ALL_PERMISSIONS),
                            "authorizing_integration_owners": {"1": str(record.user_id)}})
        if record.message_id is not None:
            payload["message"] = self.messages[record.message_id]
        return payload

    def interaction_for_webhook(self, call: Call) -> Interaction:
        if int(call.params["app"]) != self.app_id:
            raise DiscordError(404, 10015, "Unknown Webhook")
        record = self._by_token.get(call.params["token"])
        if record is None:
            self.violation("interaction", call.method, call.path,
                            [((), "unknown interaction token")], call.body)
            raise DiscordError(404, 10015, "Unknown Webhook")
        if self.now() - record.created_wall > TOKEN_LIFETIME:
            self.violation("interaction", call.method, call.path,
                            [((), "interaction token used after 15 minutes")], call.body,
                            interaction=record)
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        if not record.responded:
            self.violation("interaction", call.method, call.path,
                            [((), "webhook used before the initial interaction response")],
                            call.body, interaction=record)
            raise DiscordError(404, 10015, "Unknown Webhook")
        return record

