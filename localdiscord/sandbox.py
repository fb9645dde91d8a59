"""`fmg-bot sandbox`: try the real bot with no Discord account.

One process runs localdiscord (a seeded guild: alice and bob are members, mira a moderator, ada
the admin) and the real bot on its own database file (default ``sandbox-data/sandbox.sqlite3``,
never DATABASE_PATH). A prompt reads stdin line by line:

    /resources search query:visa waiver     run a slash command (values run to the next option;
    /settings channel setting:announcements_channel channel:#announcements    quotes work too)
    complete /resources search query:vis     what autocomplete suggests for the last option
    click Accept                             press a button on the latest message that has it
    select Visa: J-1, H-1B                   choose option(s) in a select menu (by placeholder,
                                             or the newest menu offering those options)
    as bob                                   act as another member
    show #announcements                      the last messages in a channel (dms: your DMs)
    who / help / quit

Modals are asked field by field. Replies are rendered as text, with <t:...> in your local zone
(``--tz`` to choose another). It exits cleanly at end of input, so
``printf '/help\\n' | fmg-bot sandbox`` works in scripts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from datetime import tzinfo

    from bot.config import Settings
    from localdiscord.driver import Driver, Message, Reply
    from localdiscord.harness import BotHarness
    from localdiscord.render import Renderer

DEFAULT_DB = Path("sandbox-data") / "sandbox.sqlite3"
OPTION_TYPES = {3: "text", 4: "integer", 5: "true/false", 6: "member", 7: "channel", 8: "role",
                9: "member or role", 10: "number", 11: "file path"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"the sandbox's own database file (default: {DEFAULT_DB})")
    parser.add_argument("--as", dest="as_user", default="alice",
                        help="who you are at first: alice, bob, mira (moderator) or ada (admin)")
    parser.add_argument("--tz", default=None, help="show times in this IANA zone (default: local)")


class SandboxError(Exception):
    """A line the sandbox cannot run; shown to the person, the prompt continues."""


class Sandbox:
    def __init__(self, harness: BotHarness, out: TextIO, tz: tzinfo | None) -> None:
        from localdiscord.render import Renderer

        assert harness.discord is not None
        self.harness = harness
        self.driver: Driver = harness.discord
        self.server = harness.server
        self.out = out
        self.render: Renderer = Renderer(self.server, tz)
        self.user = self.driver.default_user
        self.shown: set[int] = set()
        self.rendered: dict[int, str] = {}  # last text shown per message, to skip repeats
        self.replies: list[Reply] = []
        self.recent: list[int] = []  # message ids shown, newest last (targets for click/select)
        self.seen_violations = 0
        self.server.listeners.append(self._on_event)
        self._pending: list[int] = []

    # ----------------------------------------------------------------- output
    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

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
            channel = self.server.channels.get(message.channel_id, {})
            if channel.get("type") == 1:
                where = f"DM to {channel['recipients'][0]['username']}"
            else:
                where = f"#{channel.get('name', message.channel_id)}"
            self.show(message, header=f"[{where}] {self.server.bot_user['username']}:")
        self.report_violations()

    def show(self, message: Message, header: str = "") -> None:
        self.shown.add(message.id)
        if message.id in self.recent:
            self.recent.remove(message.id)
        self.recent.append(message.id)
        text = self.render.message(message.data, header=header)
        if self.rendered.get(message.id) == text:
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

    # ----------------------------------------------------------------- commands
    async def run_line(self, line: str, read_line: Any) -> bool:
        """Run one line; False means quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        word = word.lower()
        if word in ("quit", "exit"):
            return False
        if line.startswith("/"):
            await self.slash(line, read_line)
        elif word == "complete":
            await self.complete(rest.strip())
        elif word == "as":
            self.user = self.driver.world.member(rest.strip())
            self.say(f"you are now {self.user.name}")
        elif word == "click":
            await self.click(rest.strip(), read_line)
        elif word == "select":
            await self.select(rest.strip(), read_line)
        elif word == "show":
            self.show_channel(rest.strip() or "general")
        elif word == "dms":
            for message in self.driver.dms_of(self.user)[-10:]:
                self.show(message)
        elif word == "who":
            self.who()
        elif word == "help":
            self.help()
        else:
            raise SandboxError(f"unknown input {word!r}: type help")
        return True

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
        reply = await self.driver.invoke(path, user=self.user, options=options)
        await self.finish(reply, read_line)

    async def complete(self, line: str) -> None:
        path, options = self.parse_slash(line)
        if not options:
            raise SandboxError("give the option to complete, e.g. complete /resources search query:vis")
        focused = list(options)[-1]
        value = options.pop(focused)
        choices = await self.driver.autocomplete(path, focused, str(value), user=self.user, options=options)
        self.say("\n".join(f"  {c.name}  ({focused}:{c.value})" for c in choices) or "(no suggestions)")

    def _targets(self) -> list[Message]:
        from localdiscord.driver import Message

        return [Message(self.server, m) for m in reversed(self.recent) if m in self.server.messages]

    async def click(self, label: str, read_line: Any) -> None:
        if not label:
            raise SandboxError("click what? e.g. click Accept")
        for message in self._targets():
            for button in message.buttons:
                names = ((button.get("label") or "").lower(), button.get("custom_id", "").lower())
                if label.lower() in names:
                    key = {"custom_id": button["custom_id"]} if "custom_id" in button else {"label": label}
                    reply = await self.driver.click(message, user=self.user, **key)
                    await self.finish(reply, read_line)
                    return
        raise SandboxError(f"no button {label!r} on the recent messages")

    async def select(self, text: str, read_line: Any) -> None:
        """``select [PLACEHOLDER:] VALUE[, VALUE]``: the menu is the one whose placeholder starts
        with PLACEHOLDER, else the newest one offering every VALUE (by label or value)."""
        placeholder, sep, rest = text.partition(":")
        if not sep:
            placeholder, rest = "", text
        wanted = [v.strip() for v in rest.split(",") if v.strip()]
        if not wanted:
            raise SandboxError("select what? e.g. select Cardiology, Neurology")
        for message in self._targets():
            for menu in message.selects:
                if placeholder and not (menu.get("placeholder") or "").lower().startswith(
                        placeholder.strip().lower()):
                    continue
                offered = {str(o[k]).lower() for o in menu.get("options") or [] for k in ("label", "value")}
                if menu["type"] == 3 and not all(v.lower() in offered for v in wanted):
                    continue
                reply = await self.driver.select(message, wanted, custom_id=menu["custom_id"],
                                                 user=self.user)
                await self.finish(reply, read_line)
                return
        if placeholder and not any(m.selects for m in self._targets()):
            raise SandboxError("no select menu on the recent messages")
        raise SandboxError(f"no select menu on the recent messages offers {', '.join(wanted)}")

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

    def show_channel(self, name: str) -> None:
        messages = self.driver.messages_in(name)[-10:]
        if not messages:
            self.say(f"(no messages in {name})")
        for message in messages:
            author = self.server.users[message.author_id]["username"]
            self.show(message, header=f"[{name}] {author}:")

    def who(self) -> None:
        world = self.driver.world
        guild = self.server.guilds[world.guild_id]
        roles = {r["id"]: r["name"] for r in guild["roles"]}
        for name, user in world.members.items():
            member_roles = [roles[r] for r in guild["_members"][user.id]["roles"]]
            marker = "*" if user.id == self.user.id else " "
            self.say(f"{marker} {name:6} {', '.join(member_roles) or 'member'}")

    def help(self) -> None:
        self.say("Slash commands (options marked * are required):")
        for command in sorted(self.driver.commands(), key=lambda c: c["name"]):
            for path, node in _leaves(command):
                opts = " ".join(
                    f"{o['name']}{'*' if o.get('required') else ''}:<{_kind(o)}>"
                    for o in node.get("options") or []
                )
                self.say(f"  /{path} {opts}".rstrip() + f"  - {node.get('description', '')}")
        self.say("Sandbox: as NAME (alice, bob, mira=moderator, ada=admin), click LABEL, "
                 "select VALUE[,VALUE], complete /cmd opt:partial, show #channel, dms, who, quit")


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


async def run_sandbox(settings: Settings, *, db_path: Path = DEFAULT_DB, as_user: str = "alice",
                      tz: str | None = None, stdin: TextIO | None = None,
                      stdout: TextIO | None = None) -> int:
    """Run the prompt until ``quit`` or end of input; returns the exit status."""
    from bot.clock import SystemClock
    from localdiscord.driver import DriverError
    from localdiscord.harness import BotHarness
    from localdiscord.spec import spec_available

    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    db_path = db_path.expanduser()
    if db_path.resolve() == Path(settings.database_path).expanduser().resolve():
        print("fmg-bot sandbox: refusing to use DATABASE_PATH; pass --db another file", file=sys.stderr)
        return 2
    try:
        zone = ZoneInfo(tz) if tz else None
    except (ValueError, ZoneInfoNotFoundError):
        print(f"fmg-bot sandbox: unknown time zone {tz!r} (try America/New_York)", file=sys.stderr)
        return 2
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # The bot's INFO lines would drown the conversation; warnings (and violations) still show.
    logging.getLogger().setLevel(max(settings.log_level_number, logging.WARNING))
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # "PyNaCl is not installed"
    sandbox_settings = dataclasses.replace(settings, database_path=db_path, discord_token=None,
                                           dev_guild_id=None)
    validate = spec_available()
    if not validate:
        print("fmg-bot sandbox: Discord's OpenAPI spec is not beside the project (../shared), so "
              "requests are not validated against it; set LOCALDISCORD_SPEC to check them.",
              file=sys.stderr)
    harness = BotHarness(sandbox_settings, SystemClock(), stable_ids=True, validate=validate)
    await harness.start()
    interactive = stdin.isatty()
    sandbox = Sandbox(harness, out, zone)
    sandbox.user = harness.world.member(as_user) if harness.world else sandbox.user
    loop = asyncio.get_running_loop()

    if interactive and stdin is sys.stdin:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()

    async def read_line(prompt: str = "") -> str | None:
        """One line; interactive: input() with the prompt; scripted: the line is echoed after
        the prompt so the transcript reads like a session."""
        if interactive and stdin is sys.stdin:
            try:
                return await loop.run_in_executor(None, input, prompt)
            except EOFError:
                return None
        if interactive:
            print(prompt, end="", file=out, flush=True)
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            return None
        if not interactive and (line.strip() or not prompt.endswith("> ")):
            sandbox.say(prompt + line.rstrip("\n"))
        return line

    if interactive:
        sandbox.say("fmg-bot sandbox: a local Discord server with the real bot (no account needed).")
        sandbox.say(f"You are {sandbox.user.name}. Type help for commands, quit to leave.")
    try:
        while True:
            sandbox.flush_unsolicited()
            line = await read_line(f"{sandbox.user.name}> ")
            if line is None:
                break
            try:
                if not await sandbox.run_line(line, read_line):
                    break
            except (SandboxError, DriverError, KeyError, ValueError, OSError) as exc:
                sandbox.say(f"! {exc.args[0] if exc.args else exc}")
            sandbox.report_violations()
        await asyncio.sleep(0.2)  # let last followups and announcements arrive
        sandbox.flush_unsolicited()
    finally:
        await harness.stop()
    return 0
