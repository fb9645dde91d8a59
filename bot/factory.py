"""The composition root: `create_bot` picks the bot class for the settings (sharded or not) and
wires it with a clock. Everything it builds at start-up is in `bot.app.FmgBot.setup_hook`."""

from __future__ import annotations

from bot.app import FmgBot, ShardedFmgBot
from bot.clock import Clock, SystemClock
from bot.config import Settings


def create_bot(settings: Settings, *, clock: Clock | None = None) -> FmgBot:
    """An `FmgBot`; a `ShardedFmgBot` when SHARD_COUNT is set (``auto``: Discord's advice),
    running the shards SHARD_IDS names (all of them without it)."""
    clock = clock or SystemClock()
    if settings.shard_count is None:
        return FmgBot(settings, clock)
    shard_count = None if settings.shard_count == "auto" else settings.shard_count
    return ShardedFmgBot(settings, clock, shard_count=shard_count,
                         shard_ids=list(settings.shard_ids) if settings.shard_ids else None)
