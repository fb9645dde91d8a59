"""Walking the bot's commands: from the tree (who may) and from what was synced (how to call)."""

from __future__ import annotations

from typing import Any

from discord import app_commands

from bot.app import FmgBot
from bot.checks import is_moderator_command
from localdiscord.driver import Driver

APOLOGY = "something went wrong on our side"
MODERATOR_REFUSAL = "This is a moderator command"


def moderator_commands(bot: FmgBot) -> list[str]:
    """Qualified names of every leaf slash command that carries `moderator_only()`."""
    return sorted(
        c.qualified_name for c in bot.tree.walk_commands()
        if not isinstance(c, app_commands.Group) and is_moderator_command(c)
    )


def plain_value(driver: Driver, option: dict[str, Any]) -> Any:
    """An ordinary valid value for a synced option (what a member would pick first)."""
    if option.get("choices"):
        return option["choices"][0]["value"]
    kind = option["type"]
    if kind == 3:
        return "a" * max(1, option.get("min_length") or 1) if option.get("min_length") else "hello"
    if kind in (4, 10):
        return option.get("min_value", 1)
    if kind == 5:
        return True
    if kind in (6, 9):
        return driver.world.member("bob")
    if kind == 7:
        allowed = option.get("channel_types")
        for channel in driver.world.channels.values():
            if not allowed or channel.type in allowed:
                return channel
        raise AssertionError(f"no seeded channel of types {allowed}")
    if kind == 8:
        return driver.world.roles["mentors"]
    if kind == 11:
        return ("note.txt", b"hello")
    raise AssertionError(f"unknown option type {kind}")


def required_values(driver: Driver, leaf: dict[str, Any]) -> dict[str, Any]:
    return {o["name"]: plain_value(driver, o) for o in leaf.get("options") or [] if o.get("required")}
