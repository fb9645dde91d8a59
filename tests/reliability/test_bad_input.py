"""Bad input, generated: every synced slash command (and every autocomplete) invoked with
hypothesis-drawn option values: empty, huge, Unicode, mentions, FTS syntax, extremes.

Every answer is a success or a friendly ephemeral error, never no answer, a Discord-refused
payload or the apology that means an unexpected exception; and a command that failed leaves
every table exactly as it was.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.guild_settings import SETTING_SPECS
from localdiscord.driver import Driver
from tests.reliability.commands import APOLOGY

MEMBERS = ["alice", "bob", "mira", "ada"]
# Strings a member might type, or paste, that have broken bots before.
NASTY = [
    "", " ", "\n\n", "@everyone", "@here", "<@{bob}>", "<@&{role}>", "<#{channel}>",
    '"', '"unterminated', "NEAR(usmle step)", "usmle OR", "* OR *", "AND", "NOT visa", "-", "^x",
    "title:usmle", "(", ")", "'; DROP TABLE guild_settings; --", "%", "_", "\\", "\x00",
    "\u202eevil", "🩺" * 60, "\uff55\uff53\uff4d\uff4c\uff45", "Z̴̧a̷l̸g̶o̵", "Asia/Kolkata", "America/New_York",
    "../../etc/passwd", "a" * 6000, "x" * 101,
]
# Values that mean something here, so generated calls also reach the deeper paths.
MEANINGFUL = [
    "Step 1 Crew", "step 1 crew", "Asia/Kolkata", "America/New_York", "19:00", "7pm",
    "tomorrow 18:30", "2026-12-03 19:00", "yesterday 10:00", "mon, thu", "sun", "funday",
    "2026-12-31", "2025-01-01", "https://meet.example.com/room", "javascript:alert(1)", "1", "0",
]


# discord.py names the tasks that run a command, a button, a form or a persistent item.
HANDLER_TASKS = ("CommandTree-invoker", "discord-ui-view-dispatch", "discord-ui-modal-dispatch",
                 "discord-ui-dynamic-item")


async def settle(e2e) -> None:
    """Wait until the bot has finished every handler and every scheduler run (a handler may
    write after it answered, e.g. "ask for a time zone once"), so snapshots belong to one call."""
    quiet = 0
    for _ in range(1000):
        busy = [t for t in asyncio.all_tasks() if not t.done() and t.get_name().startswith(HANDLER_TASKS)]
        quiet = quiet + 1 if not busy and not e2e.bot.scheduler._pending else 0
        if quiet >= 3:
            return
        await asyncio.sleep(0.002)
    raise AssertionError(f"the bot is still busy: {busy}")


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (a committed snapshot, read beside the bot's connection)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def _fit(text: str, option: dict[str, Any]) -> str:
    """Discord's client enforces min/max length before sending; the rest reaches the bot."""
    text = text[: option.get("max_length") or 6000]
    return text.ljust(option.get("min_length") or 0, "x")


def text_values(driver: Driver) -> st.SearchStrategy[str]:
    world = driver.world
    nasty = [s.format(bob=world.member("bob").id, role=world.roles["moderators"].id,
                      channel=world.channel("general").id) for s in NASTY]
    return st.one_of(st.sampled_from(nasty), st.sampled_from(MEANINGFUL), st.text(max_size=120))


def option_values(driver: Driver, option: dict[str, Any]) -> st.SearchStrategy[Any]:
    world = driver.world
    if option.get("choices"):
        return st.sampled_from([c["value"] for c in option["choices"]])
    kind = option["type"]
    if kind == 3:
        return text_values(driver).map(lambda s: _fit(s, option))
    if kind in (4, 10):
        lo = option.get("min_value", -(2**53) + 1)
        hi = option.get("max_value", 2**53 - 1)
        edges = st.sampled_from(sorted({lo, hi, min(max(0, lo), hi), min(max(1, lo), hi)}))
        if kind == 4:
            return st.one_of(edges, st.integers(int(lo), int(hi)))
        return st.one_of(edges, st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    if kind == 5:
        return st.booleans()
    if kind == 6:
        return st.sampled_from([*(world.member(m) for m in MEMBERS), world.bot])
    if kind == 9:
        return st.sampled_from([*(world.member(m) for m in MEMBERS), *world.roles.values()])
    if kind == 7:
        allowed = option.get("channel_types")
        return st.sampled_from([c for c in world.channels.values() if not allowed or c.type in allowed])
    if kind == 8:
        return st.sampled_from(list(world.roles.values()))
    if kind == 11:
        return st.tuples(st.sampled_from(["a.txt", "résumé.pdf", "x" * 200]), st.binary(max_size=64))
    raise AssertionError(f"unknown option type {kind}")


@st.composite
def invocations(draw: st.DrawFn, driver: Driver) -> tuple[str, dict[str, Any], str, str | None]:
    """(command path, options, member, focused option for an autocomplete or None)."""
    path, leaf = draw(st.sampled_from(driver.leaf_commands()))
    options: dict[str, Any] = {}
    for option in leaf.get("options") or []:
        if option.get("required") or draw(st.booleans()):
            options[option["name"]] = draw(option_values(driver, option))
    focusable = [o["name"] for o in leaf.get("options") or [] if o.get("autocomplete")]
    focused = None
    if focusable and draw(st.booleans()):
        focused = draw(st.sampled_from(focusable))
        options[focused] = draw(text_values(driver))
    return path, options, draw(st.sampled_from(MEMBERS)), focused


@pytest.fixture
def errored(monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """Ids of interactions that took the error path (commands, views, modals alike)."""
    import bot.interaction_errors
    import bot.ui

    ids: set[int] = set()
    original = bot.interaction_errors.handle_interaction_error

    async def recording(interaction, error, **kwargs):
        ids.add(interaction.id)
        await original(interaction, error, **kwargs)

    monkeypatch.setattr(bot.interaction_errors, "handle_interaction_error", recording)
    monkeypatch.setattr(bot.ui, "handle_interaction_error", recording)
    return ids


def check_answer(e2e, reply, errored: set[int], before, what: str) -> None:
    assert not e2e.server.violations, e2e.problems()
    assert APOLOGY not in reply.text, f"{what}: {reply.text!r}"
    if reply.record.id in errored:
        assert reply.ephemeral, f"{what}: an error must be private"
        assert reply.text.strip(), f"{what}: an error must say what went wrong"
        assert dump(e2e.settings.database_path) == before, f"{what} failed but changed the database"


@pytest.fixture
async def seeded(e2e, discord, channels) -> None:
    """Something for commands to act on: the channels each capability needs, and a study group
    with a weekly series."""
    for key, channel in (("mentoring_channel", channels.general), ("announcements_channel",
                         channels.announcements), ("anonymous_channel", channels.anonymous),
                         ("anonymous_review_channel", channels.mod_review)):
        if key in SETTING_SPECS:
            await e2e.set_setting(key, channel.id)
    paths = {path for path, _ in discord.leaf_commands()}
    if {"studygroup create", "session schedule"} <= paths:
        create = discord.find_command("studygroup create")[2]
        topic = next(o for o in create["options"] if o["name"] == "topic")["choices"][0]["value"]
        made = await discord.invoke("studygroup create", user="mira", name="Step 1 Crew", topic=topic)
        assert "is open" in made.text, made.text
        scheduled = await discord.invoke("session schedule", user="mira", group="Step 1 Crew",
                                         title="Cardio", start="tomorrow 18:30",
                                         options={"repeat_on": "mon, thu", "times": 6})
        assert APOLOGY not in scheduled.text and scheduled.text, scheduled.text
    # Let due work the setup caused (scheduled events, announcements) finish before examples
    # compare snapshots: with the clock stopped nothing else falls due afterwards.
    for _ in range(3):
        await e2e.bot.scheduler.run_now()
        await e2e.server.wait_until(lambda: False, 0.3)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_every_command_survives_generated_input(e2e, discord, seeded, errored, log_errors,
                                                      data):
    # One bot for every example (the fixtures are set up once); each example checks its own
    # invocation against a snapshot of the database taken just before it.
    e2e.server.clear_problems()  # each example answers for its own requests (and shrinks alone)
    path, options, user, focused = data.draw(invocations(discord), label="invocation")
    # Drawn now, whatever the answer: what is drawn must not depend on the bot's state.
    form_texts = data.draw(st.lists(text_values(discord), min_size=5, max_size=5), label="form")
    if focused is not None:
        others = {k: v for k, v in options.items() if k != focused}
        choices = await discord.autocomplete(path, focused, options[focused], user=user, options=others)
        assert len(choices) <= 25
        assert all(1 <= len(c.name) <= 100 for c in choices)
        assert not e2e.server.violations, e2e.problems()
        assert log_errors.lines() == []
        return
    database = e2e.settings.database_path
    await settle(e2e)
    before = dump(database)
    reply = await discord.invoke(path, user=user, options=options)
    await settle(e2e)
    check_answer(e2e, reply, errored, before, f"/{path} {options!r}")
    if reply.modal is not None:  # fill the form it opened with more of the same
        values = {}
        for field, drawn in zip(reply.modal.fields, form_texts, strict=False):
            text = _fit(drawn, field.__dict__)
            values[field.custom_id] = text or ("x" if field.required else "")
        before = dump(database)
        submitted = await discord.submit_modal(reply, values, user=user)
        await settle(e2e)
        check_answer(e2e, submitted, errored, before, f"/{path} form {values!r}")
    assert log_errors.lines() == []
