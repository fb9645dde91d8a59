"""The sandbox's prompt: one ``Sandbox`` per session runs each line (a slash command or one of
the verbs in ``SANDBOX_HELP``) as the current member and prints what they would see."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from localdiscord.sandbox_views import (
    FORUM_TYPES,
    THREAD_TYPES,
    describe_duration,
    file_text,
    parse_duration,
    thread_line,
)
from localdiscord.state import EPHEMERAL
from localdiscord.visibility import MemberView

if TYPE_CHECKING:
    from datetime import tzinfo

    from localdiscord.driver import Attachment, Driver, Message, Reply
    from localdiscord.harness import BotHarness
    from localdiscord.render import Renderer

OPTION_TYPES = {3: "text", 4: "integer", 5: "true/false", 6: "member", 7: "channel", 8: "role",
                9: "member or role", 10: "number", 11: "file path"}
#: ``wait`` moves the clock a minute at a time and runs what fell due after each minute, so
#: every announcement and reminder goes out at its own time (the bot marks work sent more than
#: a minute late "(delayed)").
WAIT_STEP = timedelta(minutes=1)
SETTLE_S = 0.08
ZoneLookup = Callable[[int], Awaitable[str | None]]


class SandboxError(Exception):
    """A line the sandbox cannot run; shown to the person, the prompt continues."""


class SandboxClock:
    """The machine's time plus however far ``wait`` moved it (the bot and localdiscord share it)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class Sandbox:
    def __init__(self, harness: BotHarness, out: TextIO, tz: tzinfo | None, *,
                 clock: SandboxClock | None = None, zone_of: ZoneLookup | None = None) -> None:
        from localdiscord.render import Renderer

        assert harness.discord is not None
        self.harness = harness
        self.driver: Driver = harness.discord
        self.server = harness.server
        self.out = out
        self.fixed_tz = tz  # --tz: every member's times in this zone
        self.zone_of = zone_of  # else each member's zone from the bot (/timezone set)
        self.clock = clock
        self.render: Renderer = Renderer(self.server, tz)
        self.user = self.driver.default_user
        self.where = self.driver.default_channel.id  # the open channel or thread
        self.shown: set[int] = set()
        self.rendered: dict[int, str] = {}  # last text shown per message, to skip repeats
        self.replies: list[Reply] = []
        self.recent: list[int] = []  # message ids shown, newest last (targets for click/select)
        self.chosen: dict[int, dict[str, list[str]]] = {}  # message -> menu -> labels chosen
        self.listing: list[tuple[str, Any]] = []  # what `open N` means: the last numbered list
        self.seen_violations = 0
        self.server.listeners.append(self._on_event)
        # What the bot posted before the prompt (while starting, e.g. work that fell due while
        # the sandbox was closed) is shown with the first output.
        self._pending: list[int] = sorted(
            mid for mid, m in self.server.messages.items()
            if m["author"]["id"] == str(self.server.app_id) and not m["flags"] & EPHEMERAL)

    # ----------------------------------------------------------------- output
    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    @property
    def prompt(self) -> str:
        if self.where == self.driver.default_channel.id:
            return f"{self.user.name}> "
        return f"{self.user.name} in {self.place(self.where)}> "

    def place(self, cid: int) -> str:
        """How a channel is named to a member: ``#general``, ``#questions > Title``, ``DM``."""
        channel = self.server.channels.get(cid, {})
        if channel.get("type") == 1:
            return f"DM to {channel['recipients'][0]['username']}"
        if channel.get("type") in THREAD_TYPES:
            parent = self.server.channels.get(int(channel["parent_id"]), {})
            return f"#{parent.get('name', '?')} > {channel['name']}"
        return f"#{channel.get('name', cid)}"

    def _on_event(self, event: str, data: dict[str, Any]) -> None:
        # Messages the bot posts on its own (announcements, thread replies...) are shown too.
        if event == "MESSAGE_CREATE" and data["author"]["id"] == str(self.server.app_id):
            self._pending.append(int(data["id"]))

    def flush_unsolicited(self) -> None:
        from localdiscord.driver import Message

        for reply in self.replies:  # late followups (ephemeral ones are not gateway events)
            for followup in reply.followups:
                if followup.id not in self.shown:
                    self.show(followup)
        pending, self._pending = self._pending, []
        for mid in pending:
            if mid in self.shown or mid not in self.server.messages:
                continue
            message = Message(self.server, mid)
            self.show(message, header=f"[{self.place(message.channel_id)}] "
                                      f"{self.server.bot_user['username']}:")
        self.report_violations()

    def show(self, message: Message, header: str = "", *, again: bool = False) -> None:
        """Print a message; one shown before and unchanged since is only noted as such
        (after a click or a choice), unless asked for ``again`` (``show``, ``open``)."""
        self.shown.add(message.id)
        if message.id in self.recent:
            self.recent.remove(message.id)
        self.recent.append(message.id)
        text = self.render.message(message.data, header=header, chosen=self.chosen.get(message.id))
        if self.rendered.get(message.id) == text and not again:
            self.say("(ok, the message is unchanged)")
            return
        self.rendered[message.id] = text
        self.say(text)

    def show_reply(self, reply: Reply) -> None:
        self.replies.append(reply)
        for message in reply.messages:
            self.show(message)

    def report_violations(self) -> None:
        for violation in self.server.violations[self.seen_violations:]:
            self.say(f"! Discord would refuse this: {violation}")
        self.seen_violations = len(self.server.violations)
        for route in self.server.unknown_routes:
            self.say(f"! the bot called an unknown route: {route.method} {route.path}")
        self.server.unknown_routes.clear()

    async def use_members_zone(self) -> None:
        """Show times as the current member's client would: in their zone (``--tz`` wins)."""
        if self.fixed_tz is None and self.zone_of is not None:
            name = await self.zone_of(self.user.id)
            self.render.tz = ZoneInfo(name) if name else None

    def zone_name(self) -> str:
        tz = self.render.tz
        if tz is None:
            return "this machine's zone until /timezone set"
        return f"{tz}" + (" (--tz)" if self.fixed_tz is not None else "")

    # ----------------------------------------------------------------- commands
    async def run_line(self, line: str, read_line: Any) -> bool:
        """Run one line; False means quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word in ("quit", "exit"):
            return False
        await self.use_members_zone()
        if line.startswith("/"):
            await self.slash(line, read_line)
        elif word in SIMPLE_VERBS:
            getattr(self, SIMPLE_VERBS[word])(rest)
        elif word in ASYNC_VERBS:
            await getattr(self, ASYNC_VERBS[word])(rest, read_line)
        else:
            raise SandboxError(f"unknown input {word!r}: type help")
        await self.settle()
        await self.use_members_zone()  # /timezone set, or `as` someone else
        return True

    async def settle(self) -> None:
        """Let the work a line set off in the background finish (a DM the mentoring request
        sends, a thread it opens), so the next line sees it, as a person typing would:
        until the bot has made no request to Discord for SETTLE_S (at most 2 s)."""
        seen = -1
        for _ in range(int(2 / SETTLE_S)):
            if len(self.server.requests) == seen:
                return
            seen = len(self.server.requests)
            await asyncio.sleep(SETTLE_S)

    def parse_slash(self, line: str) -> tuple[str, dict[str, Any]]:
        text = line.lstrip("/").strip()
        words = text.split()
        path: list[str] = []
        for w in words:
            if ":" in w:
                break
            path.append(w)
        _, _, leaf = self.driver.find_command(" ".join(path))
        rest = text.split(None, len(path))[len(path)] if len(words) > len(path) else ""
        option_names = [o["name"] for o in leaf.get("options") or []]
        options: dict[str, Any] = {}
        if not rest:
            return " ".join(path), options
        if not option_names:
            raise SandboxError(f"/{' '.join(path)} takes no options")
        pattern = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, option_names)) + r"):")
        matches = list(pattern.finditer(rest))
        if not matches or rest[: matches[0].start()].strip():
            raise SandboxError(f"expected option:value, options are {', '.join(option_names)}")
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
            value = rest[match.end():end].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            options[match.group(1)] = value
        kinds = {o["name"]: o["type"] for o in leaf.get("options") or []}
        for name, value in options.items():
            if kinds[name] == 11:  # attachment: a file path on this machine
                path_ = Path(value).expanduser()
                options[name] = (path_.name, path_.read_bytes())
        return " ".join(path), options

    async def slash(self, line: str, read_line: Any) -> None:
        path, options = self.parse_slash(line)
        reply = await self.driver.invoke(path, user=self.user, options=options, in_channel=self.where)
        await self.finish(reply, read_line)

    async def complete(self, line: str, read_line: Any) -> None:
        path, options = self.parse_slash(line)
        if not options:
            raise SandboxError("give the option to complete, e.g. complete /resources search query:vis")
        focused = list(options)[-1]
        value = options.pop(focused)
        choices = await self.driver.autocomplete(path, focused, str(value), user=self.user,
                                                 options=options, in_channel=self.where)
        self.say("\n".join(f"  {c.name}  ({focused}:{c.value})" for c in choices) or "(no suggestions)")

    async def as_member(self, name: str, read_line: Any) -> None:
        self.user = self.driver.world.member(name)
        await self.use_members_zone()
        self.say(f"you are now {self.user.name} (times in {self.zone_name()})")

    @property
    def view(self) -> MemberView:
        """What the current member can see."""
        return MemberView(self.server, self.driver.world.guild_id, self.user.id)

    def _targets(self) -> list[Message]:
        """Recent messages the current member can act on (not another member's private
        replies), newest first."""
        from localdiscord.driver import Message

        return [Message(self.server, m) for m in self.view.visible(self.recent[::-1])]

    async def click(self, label: str, read_line: Any) -> None:
        """The newest button labelled ``label`` (or whose label starts with it)."""
        if not label:
            raise SandboxError("click what? e.g. click Accept")
        key = label.lower()
        for exact in (True, False):
            for message in self._targets():
                for button in message.buttons:
                    names = ((button.get("label") or "").lower(), button.get("custom_id", "").lower())
                    if key in names if exact else names[0].startswith(key):
                        found: dict[str, Any] = ({"custom_id": button["custom_id"]} if "custom_id" in button
                                 else {"label": button.get("label")})
                        reply = await self.driver.click(message, user=self.user, **found)
                        await self.finish(reply, read_line)
                        return
        raise SandboxError(f"no button {label!r} on the recent messages")

    async def select(self, text: str, read_line: Any) -> None:
        """``select [MENU:] VALUE[, VALUE]``: each VALUE goes to the menu (of the newest
        message that has them all) offering it, so ``select Neurology, Pediatrics`` fills both
        "Specialties A-O" and "O-V"; with MENU only menus whose placeholder contains it.
        ``none`` clears a menu. The menu then shows what is chosen, as Discord does."""
        placeholder, sep, rest = text.partition(":")
        if not sep:
            placeholder, rest = "", text
        placeholder = placeholder.strip().lower()
        wanted = [v.strip() for v in rest.split(",") if v.strip()]
        if not wanted:
            raise SandboxError("select what? e.g. select Neurology, Pediatrics (or MENU: none)")
        clear = [v.lower() for v in wanted] == ["none"]
        for message in self._targets():
            menus = [m for m in message.selects
                     if placeholder in (m.get("placeholder") or "").lower()]
            plan = _clearing(menus) if clear else _placing(menus, wanted)
            if plan is None:
                continue
            for menu, values in plan:
                reply = await self.driver.select(message, values, custom_id=menu["custom_id"],
                                                 user=self.user)
                self.chosen.setdefault(message.id, {})[menu["custom_id"]] = _labels(menu, values)
                if reply.messages and reply.messages[0].id == message.id:
                    self.replies.append(reply)
                else:
                    await self.finish(reply, read_line)
            self.show(message)
            return
        if not any(m.selects for m in self._targets()):
            raise SandboxError("no select menu on the recent messages")
        if clear:
            raise SandboxError("say which menu to clear, e.g. select Visa: none")
        raise SandboxError(f"no select menu on the recent messages offers {', '.join(wanted)}")

    async def app(self, name: str, read_line: Any) -> None:
        """A message command (right-click, Apps) on the newest member's message here."""
        if not name:
            raise SandboxError("which app? e.g. app Mark mentor answer")
        target = next((m for m in reversed(self.driver.messages_in(self.where))
                       if m.author_id != self.server.app_id), None)
        if target is None:
            raise SandboxError(f"no member's message in {self.place(self.where)} to use it on")
        reply = await self.driver.message_command(name, target, user=self.user)
        await self.finish(reply, read_line)

    async def finish(self, reply: Reply, read_line: Any) -> None:
        """Show a reply; if it is a modal, ask its fields and submit, then show that reply."""
        while reply.modal is not None:
            modal = reply.modal
            self.say(f"== {modal.title} == (a form: answer each field; empty skips a field not "
                     "marked required)")
            values: dict[str, str] = {}
            for field in modal.fields:
                # Like Discord, mark the required fields only: the bot's labels may already say
                # "(optional)", and saying it again reads "(optional) (optional)".
                hints = ["required"] if field.required else []
                if field.max_length:
                    hints.append(f"max {field.max_length}")
                if field.style == 2:
                    hints.append("\\n for a new line")
                shown = f"{field.label} ({', '.join(hints)})" if hints else field.label
                answer = await read_line(f"{shown}: ")
                if answer is None:
                    self.say("(form cancelled)")
                    return
                values[field.custom_id] = answer.rstrip("\n").replace("\\n", "\n")
            reply = await self.driver.submit_modal(modal, values, user=self.user)
        self.show_reply(reply)

    # ----------------------------------------------------------------- places
    def _channel_named(self, name: str) -> int:
        try:
            return self.driver.world.channel(name).id
        except KeyError:
            thread = self.view.thread_named(name)
            if thread is None:
                raise
            return int(thread["id"])

    def show_channel(self, name: str) -> None:
        cid = self._channel_named(name) if name else self.where
        channel = self.server.channels[cid]
        if channel["type"] in FORUM_TYPES:
            self.show_forum(channel)
            return
        messages = self.driver.messages_in(cid)[-10:]
        if not messages:
            self.say(f"(no messages in {self.place(cid)})")
        for message in messages:
            author = self.server.users[message.author_id]["username"]
            self.show(message, header=f"[{self.place(cid)}] {author}:", again=True)
            started = self.server.channels.get(message.id)  # a thread started from it
            if started is not None and started["type"] in THREAD_TYPES and message.id != cid:
                count = len(self.driver.messages_in(message.id))
                self.say(f"  (thread {started['name']!r} with {count} message"
                         f"{'' if count == 1 else 's'}: open {started['name']})")

    def show_forum(self, forum: dict[str, Any]) -> None:
        tags = {t["id"]: t["name"] for t in forum.get("available_tags") or []}
        posts = [t for t in self.view.threads() if t.get("parent_id") == forum["id"]]
        self.say(f"#{forum['name']} is a forum: {len(posts)} post{'' if len(posts) == 1 else 's'}"
                 + (" (open N or open TITLE to read one)" if posts else ""))
        self._list_threads(posts, tags)

    def threads(self, _: str = "") -> None:
        threads = self.view.threads()
        if not threads:
            self.say("(no threads you can see)")
            return
        tags = {t["id"]: t["name"] for c in self.server.channels.values()
                for t in c.get("available_tags") or []}
        self._list_threads(threads, tags)

    def _list_threads(self, threads: list[dict[str, Any]], tags: dict[str, str]) -> None:
        self.listing = [("thread", int(t["id"])) for t in threads]
        for i, thread in enumerate(threads, 1):
            parent = self.server.channels.get(int(thread["parent_id"]))
            count = len(self.driver.messages_in(int(thread["id"])))
            self.say(f"  {i}. {thread_line(thread, parent, tags, count)}")

    def open(self, name: str) -> None:
        if not name:
            raise SandboxError("open what? a thread, a #channel or a file (see threads, files)")
        if name.isdigit():
            index = int(name) - 1
            if not 0 <= index < len(self.listing):
                raise SandboxError(f"no item {name} in the last list (run threads or files)")
            kind, item = self.listing[index]
            if kind == "file":
                self.print_file(*item)
            else:
                self.go(item)
            return
        found = next(((m, a) for m, a in self.view.files() if a.filename.lower() == name.lower()),
                     None)
        if found is not None:
            self.print_file(*found)
            return
        self.go(self._channel_named(name))

    def go(self, cid: int) -> None:
        channel = self.server.channels[cid]
        if channel["type"] in FORUM_TYPES:
            self.show_forum(channel)
            return
        self.where = cid
        self.say(f"(you are in {self.place(cid)}; reply TEXT posts here, slash commands run here)")
        self.show_channel("")

    def reply(self, text: str) -> None:
        if not text:
            raise SandboxError("reply what? e.g. reply Thanks, that helped")
        channel = self.server.channels[self.where]
        if channel["type"] in THREAD_TYPES and channel["thread_metadata"].get("locked"):
            raise SandboxError(f"{self.place(self.where)} is locked")
        if channel["type"] == 12 and self.user.id not in self.server.thread_members.get(self.where, {}):
            raise SandboxError(f"{self.user.name} is not in this private thread")
        message = self.driver.post(self.where, text, user=self.user)
        self.show(message, header=f"[{self.place(self.where)}] {self.user.name}:")

    # ----------------------------------------------------------------- files
    def files(self, _: str = "") -> None:
        found = self.view.files()
        if not found:
            self.say("(no files you can see)")
            return
        self.listing = [("file", item) for item in found]
        for i, (message, attachment) in enumerate(found, 1):
            private = " (only you)" if message.ephemeral else ""
            self.say(f"  {i}. {attachment.filename}, {len(attachment.data)} bytes, in "
                     f"{self.place(message.channel_id)}{private}")

    def print_file(self, message: Message, attachment: Attachment) -> None:
        self.say(f"== {attachment.filename} ==")
        self.say(file_text(attachment.filename, attachment.data, self.render.tz))

    # ----------------------------------------------------------------- time
    def clock_text(self) -> str:
        now = datetime.fromtimestamp(self.server.now(), UTC).astimezone(self.render.tz)
        return f"{now:%a %d %b %Y %H:%M %Z}"

    def time(self, _: str = "") -> None:
        ahead = self.clock.offset if self.clock is not None else timedelta(0)
        moved = f"; wait has moved the clock {describe_duration(ahead)} ahead" if ahead else ""
        self.say(f"It is {self.clock_text()} for {self.user.name} (times in {self.zone_name()}){moved}.")

    async def wait(self, text: str, read_line: Any) -> None:
        """Move the sandbox clock forward, running the bot's due work as each minute passes."""
        if self.clock is None or self.harness.bot is None:
            raise SandboxError("this sandbox's clock cannot move")
        left = parse_duration(text or "1m")
        while left > timedelta(0):
            step = min(left, WAIT_STEP)
            self.clock.advance(step)
            left -= step
            await self.harness.bot.scheduler.run_now()
            if self._pending:  # what the bot posted at this minute, shown as of this minute
                await asyncio.sleep(0.1)  # and what those posts set off (DMs, edits)
                self.say(f"-- {self.clock_text()} --")
                self.flush_unsolicited()
        self.time()

    # ----------------------------------------------------------------- the rest
    def dms(self, _: str = "") -> None:
        for message in self.driver.dms_of(self.user)[-10:]:
            self.show(message, header=f"[DM to {self.user.name}] {self.server.bot_user['username']}:")

    def who(self, _: str = "") -> None:
        world = self.driver.world
        guild = self.server.guilds[world.guild_id]
        roles = {r["id"]: r["name"] for r in guild["roles"]}
        for name, user in world.members.items():
            member_roles = [roles[r] for r in guild["_members"][user.id]["roles"]]
            marker = "*" if user.id == self.user.id else " "
            self.say(f"{marker} {name:6} {', '.join(member_roles) or 'member'}")

    def help(self, _: str = "") -> None:
        self.say("Slash commands (options marked * are required):")
        for command in sorted(self.driver.commands(), key=lambda c: c["name"]):
            for path, node in _leaves(command):
                opts = " ".join(
                    f"{o['name']}{'*' if o.get('required') else ''}:<{_kind(o)}>"
                    for o in node.get("options") or []
                )
                self.say(f"  /{path} {opts}".rstrip() + f"  - {node.get('description', '')}")
        self.say(SANDBOX_HELP)


SANDBOX_HELP = """Sandbox:
  as NAME              act as alice, bob, mira (moderator) or ada (admin)
  click LABEL          press a button on a recent message
  select [MENU:] A, B  choose in select menus; select MENU: none clears one
  complete /cmd opt:x  what autocomplete suggests
  app NAME             a message command on the newest member's message here
  show [#channel]      recent messages (a forum lists its posts with their tags)
  threads              threads you can see; open N or open NAME goes into one
  open #channel        go back to a channel; slash commands and reply run where you are
  reply TEXT           post TEXT as yourself where you are
  files                files you can see; open N or open FILE prints one
  time, wait 10m       the sandbox time; move it forward (2h, 1d, 1h30m)
  dms, who, quit"""

SIMPLE_VERBS = {"show": "show_channel", "threads": "threads", "open": "open",
                "reply": "reply", "files": "files", "time": "time", "dms": "dms", "who": "who",
                "help": "help"}
ASYNC_VERBS = {"as": "as_member", "complete": "complete", "click": "click", "select": "select", "app": "app",
               "wait": "wait"}


def _offers(menu: dict[str, Any], value: str) -> bool:
    return any(value.lower() in (str(o["label"]).lower(), str(o["value"]).lower())
               for o in menu.get("options") or [])


def _placing(menus: list[dict[str, Any]], wanted: list[str]) -> list[tuple[dict, list[str]]] | None:
    """Each value on the first menu offering it (member, role and channel menus take anything
    when they are the only menu); None when some value fits no menu."""
    plan: dict[str, tuple[dict, list[str]]] = {}
    for value in wanted:
        menu = next((m for m in menus if m["type"] == 3 and _offers(m, value)), None)
        if menu is None and len(menus) == 1 and menus[0]["type"] != 3:
            menu = menus[0]
        if menu is None:
            return None
        plan.setdefault(menu["custom_id"], (menu, []))[1].append(value)
    return list(plan.values())


def _clearing(menus: list[dict[str, Any]]) -> list[tuple[dict, list[str]]] | None:
    if len(menus) != 1:
        return None
    if menus[0].get("min_values", 1) > 0:
        raise SandboxError(f"{menus[0].get('placeholder') or 'this menu'} needs at least "
                           f"{menus[0].get('min_values', 1)} choice(s); it cannot be cleared")
    return [(menus[0], [])]


def _labels(menu: dict[str, Any], values: list[str]) -> list[str]:
    by_key = {k.lower(): o["label"] for o in menu.get("options") or []
              for k in (str(o["label"]), str(o["value"]))}
    return [by_key.get(v.lower(), v) for v in values]


def _kind(option: dict[str, Any]) -> str:
    if option.get("choices"):
        return "|".join(str(c["name"]) for c in option["choices"])
    kind = OPTION_TYPES.get(option["type"], "?")
    return f"{kind}, suggested" if option.get("autocomplete") else kind


def _leaves(node: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    path = f"{prefix} {node['name']}".strip()
    subs = [o for o in node.get("options") or [] if o["type"] in (1, 2)]
    if not subs:
        return [(path, node)]
    return [leaf for sub in subs for leaf in _leaves(sub, path)]
