"""localdiscord: a Discord-compatible REST + gateway server on 127.0.0.1.

Used by the e2e tests (tests/e2e), the benchmarks (bench_pong) and ``fmg-bot sandbox``. Real
discord.py connects to it unmodified except for its base URLs (``connect.pointed_at``); every
request body is validated against Discord's OpenAPI spec and limits.
"""

from localdiscord.connect import FAKE_TOKEN, pointed_at, start_client, stop_client
from localdiscord.driver import Choice, Driver, DriverError, Message, Modal, Reply
from localdiscord.seed import Channel, Role, User, World, seed
from localdiscord.server import LocalDiscord

__all__ = [
    "FAKE_TOKEN", "Channel", "Choice", "Driver", "DriverError", "LocalDiscord", "Message",
    "Modal", "Reply", "Role", "User", "World", "pointed_at", "seed", "start_client", "stop_client",
]
