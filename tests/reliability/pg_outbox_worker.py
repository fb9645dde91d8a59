"""An outbox worker in a process of its own, for tests/reliability/test_pg_heartbeat.py:

    python -m tests.reliability.pg_outbox_worker URL API_BASE WORKER_ID BEAT_S STALE_S

The real engine and lease on PostgreSQL (with the heartbeat's constants lowered to BEAT_S and
STALE_S), a `ping` kind whose rows post their data's text to a localdiscord channel with the
row's nonce and enforce_nonce, and `run_due` every 0.1 s. Prints "ready" once its lease is held.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import aiohttp

from bot.clock import SystemClock
from bot.db import Database, _pg_lease
from bot.outbox import DueItem, Handler, Outbox, Outcome, Receipt, Send, SendFailed

KIND = "ping"


class Pings(Handler):
    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        return Send(item.data)


class Poster:
    def __init__(self, session: aiohttp.ClientSession, api_base: str) -> None:
        self._session = session
        self._base = api_base

    async def send(self, item: DueItem, data: dict) -> Receipt:
        payload = {"content": data["text"], "nonce": item.nonce, "enforce_nonce": True,
                   "allowed_mentions": {"parse": []}}
        async with self._session.post(f"{self._base}/channels/{data['channel_id']}/messages",
                                      json=payload) as response:
            if response.status >= 400:
                raise SendFailed(f"HTTP {response.status}")
            return Receipt(int((await response.json())["id"]), channel_id=data["channel_id"])


async def main(url: str, api_base: str, worker_id: str) -> None:
    clock = SystemClock()
    db = await Database.open(url)
    outbox = Outbox(db, clock, worker_id=worker_id)
    outbox.register(KIND, Pings())
    async with aiohttp.ClientSession() as session:
        outbox.attach_sender(KIND, Poster(session, api_base))
        await outbox.run_due(clock.now())
        print("ready", flush=True)
        while True:
            await outbox.run_due(clock.now())
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    _pg_lease.BEAT_S, _pg_lease.STALE_S = float(sys.argv[4]), float(sys.argv[5])
    asyncio.run(main(*sys.argv[1:4]))
