"""The one error path, with a stand-in for discord.py's Interaction (the e2e suite covers the real one)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
from discord import app_commands

from bot.errors import Conflict
from bot.interaction_errors import NotModerator, handle_interaction_error


class FakeResponse:
    def __init__(self, done: bool) -> None:
        self.done = done
        self.sent: list[dict[str, Any]] = []

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


def make_interaction(done: bool = False, closing: bool = False) -> Any:
    return SimpleNamespace(
        client=SimpleNamespace(is_closed=lambda: closing),
        response=FakeResponse(done),
        followup=FakeFollowup(),
        command=SimpleNamespace(qualified_name="mentor request"),
        guild_id=42,
        data={},
        user=SimpleNamespace(id=987654321098765432),
    )


def only_reply(interaction: Any) -> dict[str, Any]:
    sent = interaction.response.sent + interaction.followup.sent
    assert len(sent) == 1
    assert sent[0]["ephemeral"] is True
    return sent[0]


async def test_user_error_is_shown_to_the_member_and_not_logged(caplog) -> None:
    interaction = make_interaction()
    command = SimpleNamespace(name="x", qualified_name="x")
    error = app_commands.CommandInvokeError(command, Conflict("Already in."))
    with caplog.at_level(logging.DEBUG):
        await handle_interaction_error(interaction, error)
    assert only_reply(interaction)["content"] == "Already in."
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (app_commands.MissingPermissions(["manage_guild"]), "You need the **Manage Guild** permission"),
        (NotModerator("This is a moderator command"), "moderator command"),
        (app_commands.NoPrivateMessage(), "only inside a server"),
        (app_commands.CheckFailure(), "can't use this command"),
    ],
)
async def test_failed_checks_say_what_is_needed(error: Exception, expected: str) -> None:
    interaction = make_interaction()
    await handle_interaction_error(interaction, error)
    assert expected in only_reply(interaction)["content"]


async def test_unexpected_error_is_logged_with_a_reference_the_member_also_gets(caplog) -> None:
    interaction = make_interaction(done=True)  # deferred: the apology must be a follow-up
    try:
        raise ZeroDivisionError("division by zero in the matcher")
    except ZeroDivisionError as exc:
        error = app_commands.CommandInvokeError(SimpleNamespace(name="x", qualified_name="x"), exc)
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        await handle_interaction_error(interaction, error)
    reply = only_reply(interaction)
    assert interaction.followup.sent  # not the initial response
    record = next(r for r in caplog.records if r.name == "bot.errors")
    reference = record.args[0]
    assert f"`{reference}`" in reply["content"]
    assert "division by zero" not in reply["content"]
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    assert "/mentor request" in record.getMessage()
    # The member is never named in the log (anonymous questions rely on it).
    assert str(interaction.user.id) not in caplog.text


async def test_replies_never_ping() -> None:
    interaction = make_interaction()
    await handle_interaction_error(interaction, Conflict("@everyone look"))
    mentions = only_reply(interaction)["allowed_mentions"]
    assert not mentions.everyone and not mentions.users and not mentions.roles


async def test_a_long_error_is_clipped_to_what_discord_accepts() -> None:
    interaction = make_interaction()
    await handle_interaction_error(interaction, Conflict("You typed: " + "a" * 5000))
    content = only_reply(interaction)["content"]
    assert len(content) == 2000 and content.startswith("You typed: aaa") and content.endswith("…")


async def test_an_error_while_shutting_down_is_a_warning_with_no_apology(caplog) -> None:
    interaction = make_interaction(closing=True)
    with caplog.at_level(logging.DEBUG):
        await handle_interaction_error(interaction, RuntimeError("Session is closed"))
    assert interaction.response.sent == [] and interaction.followup.sent == []
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "/mentor request was interrupted by shutdown")]
