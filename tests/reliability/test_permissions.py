"""Every moderator command, invoked by a plain member, a member with the configured moderator
role and an administrator: a table says who may, and the bot's own check agrees."""

from __future__ import annotations

import pytest

from tests.reliability.commands import (
    APOLOGY,
    MODERATOR_REFUSAL,
    moderator_commands,
    required_values,
)

# (seeded member, who they are, may they use moderator commands)
WHO_MAY = [
    ("alice", "plain member", False),
    ("mira", "configured moderator role", True),
    ("ada", "administrator", True),
]


@pytest.mark.slow
async def test_moderator_commands_matrix(e2e, discord, log_errors):
    commands = moderator_commands(e2e.bot)
    assert {"settings view", "mentor roster", "mentor review"} <= set(commands)
    leaves = dict(discord.leaf_commands())
    assert set(commands) <= set(leaves), "every moderator command is synced"
    seen: dict[tuple[str, str], bool] = {}
    for path in commands:
        for who, label, _ in WHO_MAY:
            reply = await discord.invoke(path, user=who, options=required_values(discord, leaves[path]))
            text = reply.text
            assert APOLOGY not in text, f"/{path} by {label}: unexpected error: {text!r}"
            refused = MODERATOR_REFUSAL in text
            if refused:
                assert reply.ephemeral, f"/{path}: the refusal must be private"
            seen[(path, label)] = not refused
            # A command under test may have changed settings (e.g. /settings clear): put the
            # moderator role back, as the next row of the table assumes it.
            await e2e.set_setting("moderator_role", e2e.world.roles["moderators"].id)
    expected = {(path, label): may for path in commands for _, label, may in WHO_MAY}
    wrong = sorted(f"/{p} by {who}: {'allowed' if seen[(p, who)] else 'refused'}"
                   for (p, who), may in expected.items() if seen[(p, who)] != may)
    assert len(seen) == 3 * len(commands) and wrong == []
    assert log_errors.lines() == []
