"""The test driver: act as a member (invoke, autocomplete, click, select, submit_modal) and read
what the member saw (``Reply``) or what was posted (``messages_in``).

It builds interactions the way the Discord client does, from the commands the bot synced: typed
options, subcommand groups, resolved users/channels/roles, and the component message a click
came from. Replies are live views over the server's state, so a deferred reply fills in later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from localdiscord.seed import Channel, Role, User, World
from localdiscord.server import LocalDiscord
from localdiscord.state import ATTACHMENT_SIZE_LIMIT, EPHEMERAL, LOADING, Interaction, content_type_of

SELECT_TYPES = {3, 5, 6, 7, 8}


class DriverError(AssertionError):
    """The test asked for something a Discord client could not do (or the bot never answered)."""


@dataclass(frozen=True)
class Choice:
    name: str
    value: Any


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    url: str

    @property
    def text(self) -> str:
        return self.data.decode()


@dataclass(frozen=True)
class TextInput:
    custom_id: str
    label: str
    style: int
    required: bool
    min_length: int | None
    max_length: int | None
    value: str | None
    placeholder: str | None


class Message:
    """A live view of one stored message (its current content, even after edits)."""

    def __init__(self, server: LocalDiscord, message_id: int) -> None:
        self._server = server
        self.id = message_id
        self._last: dict[str, Any] = server.messages[message_id]

    @property
    def data(self) -> dict[str, Any]:
        self._last = self._server.messages.get(self.id, self._last)
        return self._last

    @property
    def deleted(self) -> bool:
        return self.id not in self._server.messages

    @property
    def content(self) -> str:
        return self.data["content"]

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data["embeds"]

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.data["components"]

    @property
    def flags(self) -> int:
        return self.data["flags"]

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    @property
    def channel_id(self) -> int:
        return int(self.data["channel_id"])

    @property
    def author_id(self) -> int:
        return int(self.data["author"]["id"])

    @property
    def pinned(self) -> bool:
        return self.data["pinned"]

    @property
    def attachments(self) -> list[Attachment]:
        return [
            Attachment(a["filename"], a.get("content_type") or "", self._server.files[int(a["id"])], a["url"])
            for a in self.data["attachments"]
        ]

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self._server.message_meta[self.id]["allowed_mentions"]

    @property
    def pinged_users(self) -> set[int]:
        """Users this message notifies (after allowed_mentions), not merely mentions."""
        return set(self._server.message_meta[self.id]["pings"]["users"])

    @property
    def pinged_roles(self) -> set[int]:
        return set(self._server.message_meta[self.id]["pings"]["roles"])

    @property
    def pinged_everyone(self) -> bool:
        return self._server.message_meta[self.id]["pings"]["everyone"]

    @property
    def pings_anyone(self) -> bool:
        return bool(self.pinged_users or self.pinged_roles or self.pinged_everyone)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in _walk(self.components) if c.get("type") == 2]

    @property
    def selects(self) -> list[dict[str, Any]]:
        return [c for c in _walk(self.components) if c.get("type") in SELECT_TYPES]

    @property
    def text(self) -> str:
        """Content plus every embed's visible text, for simple ``in`` assertions."""
        return message_text(self.data)

    def __repr__(self) -> str:
        return f"<Message id={self.id} ephemeral={self.ephemeral} text={self.text[:80]!r}>"


def message_text(data: dict[str, Any]) -> str:
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for field in embed.get("fields") or []:
            parts += [field.get("name") or "", field.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
        parts.append((embed.get("author") or {}).get("name") or "")
    for comp in _walk(data.get("components") or []):
        if comp.get("type") == 10:  # Components V2 text display
            parts.append(comp.get("content") or "")
    return "\n".join(p for p in parts if p)


def _walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for comp in items:
        out.append(comp)
        out += _walk(comp.get("components") or [])
        if isinstance(comp.get("component"), dict):
            out += _walk([comp["component"]])
        if isinstance(comp.get("accessory"), dict):
            out += _walk([comp["accessory"]])
    return out


class Modal:
    """A modal the bot opened (callback type 9); submit it with ``driver.submit_modal``."""

    def __init__(self, record: Interaction) -> None:
        assert record.modal is not None
        self.record = record
        self.raw = record.modal
        self.custom_id: str = self.raw["custom_id"]
        self.title: str = self.raw["title"]

    @property
    def fields(self) -> list[TextInput]:
        return [
            TextInput(c["custom_id"], c.get("label") or self._label_of(c), c.get("style", 1),
                      c.get("required", True), c.get("min_length"), c.get("max_length"),
                      c.get("value"), c.get("placeholder"))
            for c in _walk(self.raw.get("components") or []) if c.get("type") == 4
        ]

    def _label_of(self, component: dict[str, Any]) -> str:
        for comp in _walk(self.raw.get("components") or []):
            if comp.get("type") == 18 and comp.get("component") is component:
                return comp.get("label") or ""
        return component["custom_id"]

    def __repr__(self) -> str:
        return f"<Modal {self.title!r} fields={[f.label for f in self.fields]}>"


class Reply:
    """What a member saw after an interaction: the initial response and any followups."""

    def __init__(self, driver: Driver, record: Interaction) -> None:
        self._driver = driver
        self.record = record

    @property
    def response_type(self) -> int | None:
        return self.record.response_type

    @property
    def message(self) -> Message | None:
        """The response message (for clicks answered with 6/7: the updated message)."""
        if self.record.original_id is None or self.record.original_id not in self._driver.server.messages:
            return None
        return Message(self._driver.server, self.record.original_id)

    @property
    def followups(self) -> list[Message]:
        server = self._driver.server
        return [Message(server, m) for m in self.record.followup_ids if m in server.messages]

    @property
    def messages(self) -> list[Message]:
        """The response message (if any) then the followups."""
        return ([self.message] if self.message else []) + self.followups

    @property
    def modal(self) -> Modal | None:
        return Modal(self.record) if self.record.modal is not None else None

    @property
    def choices(self) -> list[Choice]:
        return [Choice(c["name"], c["value"]) for c in self.record.choices or []]

    def _main(self) -> Message:
        if self.message is None:
            raise DriverError(f"no response message (callback type {self.response_type})")
        return self.message

    @property
    def content(self) -> str:
        return self._main().content

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self._main().embeds

    @property
    def components(self) -> list[dict[str, Any]]:
        return self._main().components

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return self._main().buttons

    @property
    def attachments(self) -> list[Attachment]:
        return self._main().attachments

    @property
    def ephemeral(self) -> bool:
        return self._main().ephemeral

    @property
    def text(self) -> str:
        """All visible text of the response and followups."""
        return "\n".join(m.text for m in self.messages)

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        ok = await self._driver.server.wait_until(lambda: len(self.record.followup_ids) >= count, timeout)
        if not ok:
            raise DriverError(f"expected {count} followup(s), got {len(self.record.followup_ids)}")
        return self.followups

    def __repr__(self) -> str:
        if self.modal is not None:
            return f"<Reply modal={self.modal!r}>"
        return f"<Reply type={self.response_type} text={self.text[:120]!r}>"


class Driver:
    """Acts as members of the seeded guild. ``user`` defaults to ``default_user`` (alice)."""

    def __init__(self, server: LocalDiscord, world: World, *, default_user: str = "alice",
                 default_channel: str = "general", timeout: float = 5.0,
                 bot_idle: Callable[[float], Awaitable[bool]] | None = None) -> None:
        self.server = server
        self.world = world
        # When the bot runs in this process, ``bot_idle`` tells when its interaction handlers
        # have finished, so a deferred update (type 6) needs no guessed settle time.
        self.bot_idle = bot_idle
        self.default_user = world.member(default_user)
        self.default_channel = world.channel(default_channel)
        self.timeout = timeout

    # ----------------------------------------------------------------- lookups
    def commands(self) -> list[dict[str, Any]]:
        """Chat-input commands visible in the guild (guild commands first, then global)."""
        guild = self.server.guild_commands.get(self.world.guild_id, [])
        return [c for c in guild + self.server.global_commands if c.get("type", 1) == 1]

    def leaf_commands(self) -> list[tuple[str, dict[str, Any]]]:
        """Every invocable chat-input command as (path such as "mentor request", the node
        holding its options), walking subcommand groups."""
        found: list[tuple[str, dict[str, Any]]] = []

        def walk(prefix: str, node: dict[str, Any]) -> None:
            subs = [o for o in node.get("options") or [] if o["type"] in (1, 2)]
            if not subs:
                found.append((prefix, node))
            for sub in subs:
                walk(f"{prefix} {sub['name']}", sub)

        for command in self.commands():
            walk(command["name"], command)
        return found

    def find_command(self, path: str) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
        """(top-level command, [group, sub] names, the leaf node holding the options)."""
        words = path.strip().lstrip("/").split()
        if not words:
            raise DriverError("empty command")
        for command in self.commands():
            if command["name"] != words[0]:
                continue
            node, names = command, []
            for word in words[1:]:
                sub = next((o for o in node.get("options") or [] if o["type"] in (1, 2)
                            and o["name"] == word), None)
                if sub is None:
                    have = [o["name"] for o in node.get("options") or [] if o["type"] in (1, 2)]
                    raise DriverError(f"/{command['name']} has no subcommand {word!r} (has {have})")
                node = sub
                names.append(word)
            if any(o["type"] in (1, 2) for o in node.get("options") or []):
                raise DriverError(f"/{path} needs a subcommand: "
                                  f"{[o['name'] for o in node['options'] if o['type'] in (1, 2)]}")
            return command, names, node
        have = sorted(c["name"] for c in self.commands())
        raise DriverError(f"no command /{words[0]} synced (have {have})")

    def _user(self, user: User | str | None) -> User:
        if user is None:
            return self.default_user
        return self.world.member(user) if isinstance(user, str) else user

    def _channel(self, channel: Channel | str | int | None) -> int:
        if channel is None:
            return self.default_channel.id
        if isinstance(channel, Channel):
            return channel.id
        if isinstance(channel, int):
            return channel
        return self.world.channel(channel).id

    # ----------------------------------------------------------------- option building
    def _option_value(self, option: dict[str, Any], value: Any, resolved: dict[str, dict]) -> Any:
        otype = option["type"]
        name = option["name"]
        if otype == 3:
            value = str(value)
            if option.get("min_length") and len(value) < option["min_length"]:
                raise DriverError(f"{name}: Discord requires at least {option['min_length']} characters")
            if option.get("max_length") and len(value) > option["max_length"]:
                raise DriverError(f"{name}: Discord allows at most {option['max_length']} characters")
        elif otype == 4:
            value = int(value)
        elif otype == 10:
            value = float(value)
        elif otype == 5:
            value = _truthy(value)
        elif otype in (6, 9) and not isinstance(value, Role):
            user = self._as_user(value)
            if user is not None:
                resolved.setdefault("users", {})[str(user.id)] = self.server.users[user.id]
                member = self.server.guilds[self.world.guild_id]["_members"].get(user.id)
                if member is not None:
                    payload = dict(member)
                    payload["permissions"] = str(self.server.permissions_of(self.world.guild_id, user.id))
                    resolved.setdefault("members", {})[str(user.id)] = payload
                value = str(user.id)
            elif otype == 9:
                role = self._as_role(value)
                resolved.setdefault("roles", {})[str(role.id)] = self._role_payload(role.id)
                value = str(role.id)
            else:
                raise DriverError(f"{name}: no member {value!r}")
        elif otype in (8, 9):
            role = self._as_role(value)
            resolved.setdefault("roles", {})[str(role.id)] = self._role_payload(role.id)
            value = str(role.id)
        elif otype == 7:
            given: Any = value  # a channel, its id or "#name" (the Role check above is not for 7)
            cid = self._channel(given.lstrip("#") if isinstance(given, str) else given)
            channel = self.server.channels[cid]
            allowed = option.get("channel_types")
            if allowed and channel["type"] not in allowed:
                raise DriverError(f"{name}: channel type {channel['type']} not allowed ({allowed})")
            keys = ("id", "name", "type", "parent_id", "guild_id", "thread_metadata", "permissions")
            entry = {k: channel[k] for k in keys if k in channel}
            entry["permissions"] = str(self.server.permissions_of(self.world.guild_id, self.server.app_id))
            resolved.setdefault("channels", {})[str(cid)] = entry
            value = str(cid)
        elif otype == 11:
            given = value  # bytes, a file object, or (filename, bytes)
            filename, data = given if isinstance(given, tuple) else (getattr(given, "name", "file"), given)
            if len(data) > ATTACHMENT_SIZE_LIMIT:  # the client refuses it before any upload
                raise DriverError(f"{name}: {len(data)} bytes is over Discord's upload limit "
                                  f"({ATTACHMENT_SIZE_LIMIT} bytes)")
            aid = self.server.ids.next()
            self.server.files[aid] = bytes(data)
            url = f"{self.server.base_url}/attachments/{aid}/{filename}"
            resolved.setdefault("attachments", {})[str(aid)] = {
                "id": str(aid), "filename": filename, "size": len(data), "url": url,
                "proxy_url": url, "content_type": content_type_of(filename), "ephemeral": True,
            }
            value = str(aid)
        choices = option.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            # The client shows choice names; accept a name as the member would pick it.
            by_name = {str(c["name"]).lower(): c["value"] for c in choices}
            value = by_name.get(str(value).lower(), value)
        if choices and value not in [c["value"] for c in choices]:
            raise DriverError(f"{name}: {value!r} is not one of the choices "
                              f"{[c['value'] for c in choices]}")
        if otype in (4, 10):
            if option.get("min_value") is not None and value < option["min_value"]:
                raise DriverError(f"{name}: below min_value {option['min_value']}")
            if option.get("max_value") is not None and value > option["max_value"]:
                raise DriverError(f"{name}: above max_value {option['max_value']}")
        return value

    def _as_user(self, value: Any) -> User | None:
        if isinstance(value, User):
            return value
        if isinstance(value, int):
            return User(value, self.server.users[value]["username"]) if value in self.server.users else None
        text = str(value).strip()
        if text.startswith("<@") and not text.startswith("<@&"):
            uid = int(text.strip("<@!>"))
            return User(uid, self.server.users[uid]["username"])
        try:
            return self.world.member(text)
        except KeyError:
            return None

    def _as_role(self, value: Any) -> Role:
        if isinstance(value, Role):
            return value
        text = str(value).strip().lstrip("@").lower()
        for role in self.world.roles.values():
            if text in (role.name.lower(), str(role.id)):
                return role
        for role in self.server.guilds[self.world.guild_id]["roles"]:
            if text in (role["name"].lower(), role["id"]):
                return Role(int(role["id"]), role["name"])
        raise DriverError(f"no role {value!r}")

    def _role_payload(self, role_id: int) -> dict[str, Any]:
        roles = self.server.guilds[self.world.guild_id]["roles"]
        return next(r for r in roles if r["id"] == str(role_id))

    def build_command_data(self, path: str, options: dict[str, Any],
                           focused: str | None = None) -> dict[str, Any]:
        """The ``data`` of a type 2 (or, with ``focused``, type 4) interaction."""
        command, names, leaf = self.find_command(path)
        resolved: dict[str, dict] = {}
        defined = {o["name"]: o for o in leaf.get("options") or []}
        values = []
        for key, value in options.items():
            if value is None:
                continue
            option = defined.get(key)
            if option is None:
                raise DriverError(f"/{path} has no option {key!r} (has {sorted(defined)})")
            if key == focused:
                values.append({"name": key, "type": option["type"], "value": str(value), "focused": True})
            else:
                values.append({"name": key, "type": option["type"],
                               "value": self._option_value(option, value, resolved)})
        if focused is None:
            missing = [n for n, o in defined.items() if o.get("required") and n not in options]
            if missing:
                raise DriverError(f"/{path}: missing required option(s) {missing}")
        elif focused not in defined or not defined[focused].get("autocomplete"):
            raise DriverError(f"/{path}: option {focused!r} has no autocomplete")
        for name in reversed(names):
            sub_type = 1 if name == names[-1] else 2
            values = [{"name": name, "type": sub_type, "options": values}]
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1,
                                "options": values}
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    # ----------------------------------------------------------------- actions
    async def invoke(self, command: str, *, user: User | str | None = None,
                     in_channel: Channel | str | int | None = None,
                     options: dict[str, Any] | None = None, wait: bool = True,
                     timeout: float | None = None, **kw: Any) -> Reply:
        """Run ``/command`` as ``user`` in ``in_channel`` and return what they saw.

        Options are keyword arguments; an option whose name clashes with a parameter here
        (``user``, ``options``...) goes in ``options={...}``.
        """
        data = self.build_command_data(command, {**(options or {}), **kw})
        record = await self._new_interaction(type=2, user_id=self._user(user).id,
                                             channel_id=self._channel(in_channel), data=data)
        return await self._reply(record, wait, timeout)

    async def message_command(self, name: str, message: Message, *,
                              user: User | str | None = None, wait: bool = True,
                              timeout: float | None = None) -> Reply:
        """Run the message command ``name`` (right-click a message, Apps) on ``message``."""
        guild = self.server.guild_commands.get(self.world.guild_id, [])
        command = next((c for c in guild + self.server.global_commands
                        if c.get("type") == 3 and c["name"].lower() == name.lower()), None)
        if command is None:
            have = sorted(c["name"] for c in guild + self.server.global_commands if c.get("type") == 3)
            raise DriverError(f"no message command {name!r} (have {have})")
        data = {"id": command["id"], "name": command["name"], "type": 3,
                "target_id": str(message.id),
                "resolved": {"messages": {str(message.id): message.data}}}
        record = await self._new_interaction(type=2, user_id=self._user(user).id,
                                             channel_id=message.channel_id, data=data)
        return await self._reply(record, wait, timeout)

    async def autocomplete(self, command: str, option: str, value: str, *,
                           user: User | str | None = None,
                           in_channel: Channel | str | int | None = None,
                           options: dict[str, Any] | None = None,
                           timeout: float | None = None, **others: Any) -> list[Choice]:
        """The choices the bot suggests while ``user`` types ``value`` into ``option``."""
        data = self.build_command_data(command, {**(options or {}), **others, option: value},
                                       focused=option)
        record = await self._new_interaction(type=4, user_id=self._user(user).id,
                                             channel_id=self._channel(in_channel), data=data)
        reply = await self._reply(record, True, timeout)
        return reply.choices

    def _message_of(self, target: Reply | Message, predicate: Any) -> Message:
        candidates = target.messages if isinstance(target, Reply) else [target]
        for message in reversed(candidates):
            if any(predicate(c) for c in _walk(message.components)):
                return message
        raise DriverError(f"no matching component in {candidates!r}")

    async def click(self, target: Reply | Message, *, label: str | None = None,
                    custom_id: str | None = None, user: User | str | None = None,
                    wait: bool = True, timeout: float | None = None) -> Reply:
        """Press a button (by label or custom_id) on a message or a reply's messages."""
        if label is None and custom_id is None:
            raise DriverError("click needs label= or custom_id=")

        def matches(c: dict[str, Any]) -> bool:
            return c.get("type") == 2 and (
                (label is not None and (c.get("label") or "").lower() == label.lower())
                or (custom_id is not None and c.get("custom_id") == custom_id))

        message = self._message_of(target, matches)
        button = next(c for c in _walk(message.components) if matches(c))
        if button.get("disabled"):
            raise DriverError(f"button {button.get('label')!r} is disabled")
        if button.get("style") == 5 or "custom_id" not in button:
            raise DriverError(f"button {button.get('label')!r} is a link, not clickable by the bot")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._component(message, data, user, wait, timeout)

    async def select(self, target: Reply | Message, values: list[Any], *,
                     custom_id: str | None = None, placeholder: str | None = None,
                     user: User | str | None = None, wait: bool = True,
                     timeout: float | None = None) -> Reply:
        """Choose ``values`` in a select menu (string values, or members/roles/channels)."""
        def matches(c: dict[str, Any]) -> bool:
            return c.get("type") in SELECT_TYPES and (custom_id is None or c.get("custom_id") == custom_id) \
                and (placeholder is None or c.get("placeholder") == placeholder)

        message = self._message_of(target, matches)
        menu = next(c for c in _walk(message.components) if matches(c))
        if menu.get("disabled"):
            raise DriverError("select is disabled")
        lo, hi = menu.get("min_values", 1), menu.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise DriverError(f"select takes {lo}..{hi} values, got {len(values)}")
        data: dict[str, Any] = {"custom_id": menu["custom_id"], "component_type": menu["type"]}
        if menu["type"] == 3:
            allowed = {o["value"]: o for o in menu.get("options") or []}
            by_label = {o["label"].lower(): o["value"] for o in menu.get("options") or []}
            chosen = []
            for value in values:
                value = str(value)
                if value not in allowed and value.lower() in by_label:
                    value = by_label[value.lower()]
                if value not in allowed:
                    raise DriverError(f"{value!r} is not an option ({sorted(allowed)})")
                chosen.append(value)
            data["values"] = chosen
        else:
            resolved: dict[str, dict] = {}
            kind = {5: 6, 6: 8, 7: 9, 8: 7}[menu["type"]]
            data["values"] = [self._option_value({"type": kind, "name": "select"}, v, resolved)
                              for v in values]
            data["resolved"] = resolved
        return await self._component(message, data, user, wait, timeout)

    async def _component(self, message: Message, data: dict[str, Any], user: User | str | None,
                         wait: bool, timeout: float | None) -> Reply:
        record = await self._new_interaction(type=3, user_id=self._user(user).id,
                                             channel_id=message.channel_id, data=data,
                                             message_id=message.id)
        return await self._reply(record, wait, timeout)

    async def submit_modal(self, modal: Modal | Reply, values: dict[str, str] | None = None, *,
                           user: User | str | None = None, wait: bool = True,
                           timeout: float | None = None, **kw: str) -> Reply:
        """Fill a modal's fields (keyed by custom_id or label, case-insensitive) and submit it."""
        if isinstance(modal, Reply):
            if modal.modal is None:
                raise DriverError(f"{modal!r} did not open a modal")
            modal = modal.modal
        given = {k.lower(): v for k, v in {**(values or {}), **kw}.items()}
        fields = {f.custom_id: f for f in modal.fields}
        filled: dict[str, str] = {}
        for field in fields.values():
            value = given.pop(field.custom_id.lower(), None)
            if value is None:
                value = given.pop(field.label.lower(), None)
            if value is None:
                value = field.value or ""
            if field.required and not value:
                raise DriverError(f"modal field {field.label!r} is required")
            if value and field.min_length and len(value) < field.min_length:
                raise DriverError(f"{field.label!r} needs at least {field.min_length} characters")
            if field.max_length and len(value) > field.max_length:
                raise DriverError(f"{field.label!r} allows at most {field.max_length} characters")
            filled[field.custom_id] = value
        if given:
            have = [f.label for f in fields.values()]
            raise DriverError(f"modal has no fields {sorted(given)} (has {have})")
        components = []
        for row in modal.raw.get("components") or []:
            if row.get("type") == 1:
                components.append({"type": 1, "components": [
                    {"type": 4, "custom_id": c["custom_id"], "value": filled[c["custom_id"]]}
                    for c in row.get("components") or [] if c.get("type") == 4]})
            elif row.get("type") == 18 and (row.get("component") or {}).get("type") == 4:
                inner = row["component"]
                components.append({"type": 18, "id": row.get("id", 0), "component": {
                    "type": 4, "id": inner.get("id", 0), "custom_id": inner["custom_id"],
                    "value": filled[inner["custom_id"]]}})
        origin = modal.record
        record = await self._new_interaction(
            type=5, user_id=self._user(user).id if user else origin.user_id,
            channel_id=origin.channel_id,
            data={"custom_id": modal.custom_id, "components": components},
            message_id=origin.message_id,
        )
        return await self._reply(record, wait, timeout)

    async def _new_interaction(self, **kw: Any) -> Interaction:
        """Dispatch an interaction once the bot has a gateway session (after a non-resumable
        INVALID_SESSION the bot re-identifies, after discord.py's 5 s identify pause; a member
        acting in that gap would be lost)."""
        if not self.server.gateway.sessions:
            await self.server.wait_until(lambda: bool(self.server.gateway.sessions), self.timeout + 10)
        return self.server.new_interaction(**kw)

    async def _reply(self, record: Interaction, wait: bool, timeout: float | None) -> Reply:
        reply = Reply(self, record)
        if not wait:
            return reply
        timeout = self.timeout if timeout is None else timeout
        ok = await self.server.wait_until(lambda: record.responded or bool(record.errors), timeout)
        if ok and not record.responded:
            # Discord refused an answer; the bot's error path may still answer (an apology)
            # while the interaction's window is open, as a member would then see.
            window = record.created + self.server.interaction_deadline - self.server.monotonic()
            ok = await self.server.wait_until(lambda: record.responded, min(window, timeout))
        if not ok or not record.responded:
            errors = "; ".join(str(v) for v in record.errors) or "no response"
            what = record.data.get("name") or record.data.get("custom_id")
            raise DriverError(f"the bot did not answer interaction {what!r} "
                              f"within {timeout:g} s ({errors})")
        if record.response_type == 5:  # deferred: wait for the edit or the first followup
            ok = await self.server.wait_until(
                lambda: record.original_edited or bool(record.followup_ids)
                or record.original_id not in self.server.messages, timeout)
            if not ok:
                raise DriverError("the bot deferred but never sent its reply")
        elif record.response_type == 6:  # deferred update: an edit or followup may follow
            if self.bot_idle is not None:
                await self.bot_idle(timeout)
            else:
                await self.server.wait_until(
                    lambda: record.original_edited or bool(record.followup_ids), 0.3)
        return reply

    # ----------------------------------------------------------------- reading
    def messages_in(self, channel: Channel | str | int) -> list[Message]:
        """Non-ephemeral messages in a channel or thread, oldest first."""
        cid = self._channel(channel)
        return [Message(self.server, m) for m in self.server.history.get(cid, [])]

    def threads_in(self, channel: Channel | str | int) -> list[dict[str, Any]]:
        cid = str(self._channel(channel))
        return [c for c in self.server.channels.values() if c.get("parent_id") == cid
                and c["type"] in (10, 11, 12)]

    def dm_channel(self, user: User | str) -> int:
        """The DM channel between ``user`` and the bot (``invoke(..., in_channel=...)`` there
        runs a command in DMs, where the interaction carries ``user`` and no ``member``)."""
        return self.server.dm_channel(self._user(user).id)

    def dms_of(self, user: User | str) -> list[Message]:
        """Messages the bot sent ``user`` in DMs, oldest first."""
        cid = self.server.dm_channels.get(self._user(user).id)
        return [] if cid is None else [Message(self.server, m) for m in self.server.history.get(cid, [])]

    async def wait_for_message(self, channel: Channel | str | int, predicate: Any = None,
                               timeout: float | None = None) -> Message:
        """The first message in ``channel`` (posted before or during the wait) matching predicate."""
        cid = self._channel(channel)

        def find() -> Message | None:
            for mid in self.server.history.get(cid, []):
                msg = Message(self.server, mid)
                if predicate is None or predicate(msg):
                    return msg
            return None

        limit = self.timeout if timeout is None else timeout
        ok = await self.server.wait_until(lambda: find() is not None, limit)
        if not ok:
            raise DriverError(f"no matching message in channel {cid}")
        found = find()
        assert found is not None
        return found

    def post(self, channel: Channel | str | int, content: str, *, user: User | str | None = None) -> Message:
        """A member posts a plain message (dispatched as MESSAGE_CREATE)."""
        message = self.server.create_message(self._channel(channel), {"content": content},
                                             author_id=self._user(user).id)
        return Message(self.server, int(message["id"]))


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1", "on"):
        return True
    if text in ("false", "no", "n", "0", "off"):
        return False
    raise DriverError(f"not a boolean: {value!r}")
