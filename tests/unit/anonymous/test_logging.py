"""discord.py logs whole gateway payloads at DEBUG; the bot must never let those records exist."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from bot.config import Settings
from bot.factory import create_bot
from bot.logs import GATEWAY_LOGGER, setup_logging

ASKER = 345678901234567890


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger(GATEWAY_LOGGER).level)
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    logging.getLogger(GATEWAY_LOGGER).setLevel(saved[2])


async def test_interaction_payloads_are_not_logged_at_debug(
    settings: Settings, restore_logging: Any
) -> None:
    import discord.gateway

    stream = io.StringIO()
    setup_logging("DEBUG", stream=stream)
    bot = create_bot(settings)
    payload = {
        "op": 0,
        "t": "INTERACTION_CREATE",
        "s": 5,
        "d": {"type": 2, "member": {"user": {"id": str(ASKER), "username": "asker"}}},
    }
    # The exact line discord.py emits for every received gateway event.
    logging.getLogger(discord.gateway.__name__).debug(
        "For Shard ID %s: WebSocket Event: %s", 0, payload
    )
    logging.getLogger("discord.client").debug("control line %s", json.dumps(payload))
    await bot.close()
    log = stream.getvalue()
    assert "control line" in log and str(ASKER) in log  # the capture works and DEBUG is on...
    assert "WebSocket Event" not in log  # ...but the gateway's payload line never exists
    assert not logging.getLogger(GATEWAY_LOGGER).isEnabledFor(logging.DEBUG)
