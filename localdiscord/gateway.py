"""Gateway v10 over a websocket: HELLO, IDENTIFY/READY, RESUME, heartbeats, dispatch, faults.

A client that asks for ``compress=zlib-stream`` (discord.py does, unless zstandard is installed)
gets one zlib stream of binary frames, each ending in a Z_SYNC_FLUSH, as from Discord, so
discord.py's decompression path runs too; otherwise frames are plain text JSON. Each session
buffers its dispatches so a RESUME replays what the client missed, which is what makes "drop
the connection mid-dispatch" recoverable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from localdiscord.http import dumps
from localdiscord.model import DiscordModel

log = logging.getLogger("localdiscord.gateway")

HEARTBEAT_INTERVAL_MS = 41250
HEARTBEAT_ACK_DELAY_S = 0.05  # a network round trip (see _on_frame)
BUFFER_SIZE = 5000

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
GUILD_SCHEDULED_EVENTS = 1 << 16
# The intent a session needs to receive each event (None: always sent), as Discord filters them.
EVENT_INTENTS = {
    "MESSAGE_CREATE": GUILD_MESSAGES, "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES, "CHANNEL_PINS_UPDATE": GUILDS,
    "CHANNEL_CREATE": GUILDS, "CHANNEL_UPDATE": GUILDS, "CHANNEL_DELETE": GUILDS,
    "THREAD_CREATE": GUILDS, "THREAD_UPDATE": GUILDS, "THREAD_DELETE": GUILDS,
    "THREAD_MEMBERS_UPDATE": GUILDS, "GUILD_ROLE_CREATE": GUILDS, "GUILD_ROLE_UPDATE": GUILDS,
    "GUILD_ROLE_DELETE": GUILDS, "GUILD_MEMBER_UPDATE": GUILD_MEMBERS,
    "GUILD_SCHEDULED_EVENT_CREATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": GUILD_SCHEDULED_EVENTS,
}
DM_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "CHANNEL_PINS_UPDATE"}


def _on_shard(session: Session, guild_id: int | None) -> bool:
    """Discord's routing: a guild's events go to shard (guild_id >> 22) % count; DMs to shard 0."""
    shard_id, count = session.shard
    if guild_id is None:
        return shard_id == 0
    return (guild_id >> 22) % count == shard_id


def _valid_shard(value: Any) -> tuple[int, int] | None:
    """IDENTIFY's ``shard``: ``[shard_id, num_shards]`` with 0 <= shard_id < num_shards."""
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        return None
    shard_id, count = value
    return (shard_id, count) if 0 <= shard_id < count else None


def required_intent(event: str, data: dict[str, Any]) -> int | None:
    if event in DM_EVENTS and not data.get("guild_id"):
        return DIRECT_MESSAGES
    return EVENT_INTENTS.get(event)


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    queue: asyncio.Queue[tuple[float, bytes] | None] = field(default_factory=asyncio.Queue)
    session: Session | None = None
    closing: bool = False
    close_code: int = 1000
    compressor: Any = None  # a zlib compressobj for compress=zlib-stream


@dataclass(eq=False)
class Session:
    id: str
    token: str
    seq: int = 0
    buffer: deque[tuple[int, bytes]] = field(default_factory=lambda: deque(maxlen=BUFFER_SIZE))
    conn: Connection | None = None
    intents: int = (1 << 25) - 1
    shard: tuple[int, int] = (0, 1)
    identifies: int = 1
    resumes: int = 0


class Gateway:
    """Sessions and live connections of one LocalDiscord."""

    def __init__(self, server: DiscordModel) -> None:
        self.server = server
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self._drop_next_dispatch = False
        self.stats = {"identify": 0, "resume": 0, "resumed": 0, "invalid_session": 0,
                      "reconnect": 0, "dropped": 0, "heartbeats": 0,
                      "invalid_shard": 0}

    # ----------------------------------------------------------------- public helpers
    @property
    def connected(self) -> bool:
        """Whether an identified session currently has a live connection."""
        return any(s.conn is not None and not s.conn.closing for s in self.sessions.values())

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        needed = required_intent(event, data)
        guild_id = data.get("guild_id") or (data.get("id") if event.startswith("GUILD_CREATE") else None)
        for session in list(self.sessions.values()):
            if needed is not None and not session.intents & needed:
                continue
            if not _on_shard(session, int(guild_id) if guild_id else None):
                continue
            session.seq += 1
            frame = dumps({"op": 0, "t": event, "s": session.seq, "d": data})
            session.buffer.append((session.seq, frame))
            conn = session.conn
            if conn is None or conn.closing:
                continue
            if self._drop_next_dispatch:
                self._drop_next_dispatch = False
                self.stats["dropped"] += 1
                self._close(conn, 4000)
                continue
            self._send(conn, frame)

    def drop(self, *, mid_dispatch: bool = False) -> None:
        """Close live connections (code 4000, resumable). With ``mid_dispatch`` the next dispatch
        is sequenced and buffered but the connection closes before it is sent."""
        if mid_dispatch:
            self._drop_next_dispatch = True
            return
        for conn in list(self.connections):
            self.stats["dropped"] += 1
            self._close(conn, 4000)

    def reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should close and RESUME."""
        self.stats["reconnect"] += 1
        for conn in list(self.connections):
            self._send(conn, dumps({"op": 7, "d": None}))

    def invalidate(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; a non-resumable one forgets the sessions (re-IDENTIFY)."""
        self.stats["invalid_session"] += 1
        for conn in list(self.connections):
            self._send(conn, dumps({"op": 9, "d": resumable}))
        if not resumable:
            self.sessions.clear()

    async def close_all(self) -> None:
        for conn in list(self.connections):
            self._close(conn, 1001)
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)
        self.sessions.clear()


    # ----------------------------------------------------------------- connection handling
    def _close(self, conn: Connection, code: int) -> None:
        if conn.closing:
            return
        conn.closing = True
        if conn.session is not None and conn.session.conn is conn:
            conn.session.conn = None
        conn.queue.put_nowait(None)
        conn.close_code = code

    def _send_unless_closed(self, conn: Connection, frame: bytes) -> None:
        if not conn.closing:
            self._send(conn, frame)

    def _send(self, conn: Connection, frame: bytes) -> None:
        """Queue a frame; with ``faults.gateway_latency`` it leaves that much later (in order)."""
        due = asyncio.get_running_loop().time() + self.server.faults.gateway_latency
        conn.queue.put_nowait((due, frame))

    async def _writer(self, conn: Connection) -> None:
        ws = conn.ws
        loop = asyncio.get_running_loop()
        while True:
            item = await conn.queue.get()
            if item is None:
                break
            due, frame = item
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            try:
                if conn.compressor is not None:
                    await ws.send_bytes(conn.compressor.compress(frame)
                                        + conn.compressor.flush(zlib.Z_SYNC_FLUSH))
                else:
                    await ws.send_str(frame.decode())
            except (ConnectionError, RuntimeError):
                break
        with contextlib.suppress(Exception):
            await ws.close(code=conn.close_code)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws)
        if request.query.get("compress") == "zlib-stream":
            conn.compressor = zlib.compressobj()
        self.connections.add(conn)
        writer = asyncio.create_task(self._writer(conn))
        self._send(conn, dumps(
            {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": ["localdiscord"]}}
        ))
        try:
            async for msg in ws:
                if conn.closing:
                    break
                if msg.type != WSMsgType.TEXT:
                    continue
                self._on_frame(conn, json.loads(msg.data))
        finally:
            if not conn.closing:
                self._close(conn, 1000)
            self.connections.discard(conn)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(writer, 2)
        return ws

    def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d") or {}
        if op == 1:
            self.stats["heartbeats"] += 1
            # Not at once: discord.py's keep-alive thread notes when its heartbeat went out
            # only after the loop sent it, and measures the ACK from that note. An ACK faster
            # than the thread (localhost answers in microseconds) is measured from the previous
            # heartbeat, an interval ago ("Can't keep up ... 41.3s behind"). Discord's ACK
            # crosses a network; this keeps the order real clients see.
            asyncio.get_running_loop().call_later(
                HEARTBEAT_ACK_DELAY_S, self._send_unless_closed, conn, dumps({"op": 11, "d": None}))
        elif op == 2:
            self._identify(conn, data)
        elif op == 6:
            self._resume(conn, data)
        elif op == 8:
            self._request_members(conn, data)
        # op 3 presence and op 4 voice state are accepted and ignored.

    def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        self.stats["identify"] += 1
        token = data.get("token", "")
        session = Session(id=secrets.token_hex(16), token=token)
        if isinstance(data.get("intents"), int):
            session.intents = data["intents"]
        if data.get("shard") is not None:
            shard = _valid_shard(data["shard"])
            if shard is None:  # Discord: 4010 Invalid shard (not reconnectable)
                self.stats["invalid_shard"] += 1
                self._close(conn, 4010)
                return
            session.shard = shard
        for sid, old in list(self.sessions.items()):  # one live session per token and shard
            if old.token == token and old.shard == session.shard:
                if old.conn is not None:
                    self._close(old.conn, 4009)
                del self.sessions[sid]
        self.sessions[session.id] = session
        session.conn = conn
        conn.session = session
        server = self.server
        ready = {
            "v": 10, "user": server.bot_user, "session_id": session.id,
            "resume_gateway_url": server.gateway_url, "session_type": "normal",
            "guilds": [{"id": str(gid), "unavailable": True} for gid in server.guilds
                       if _on_shard(session, gid)],
            "application": {"id": str(server.app_id), "flags": 0},
            "private_channels": [], "relationships": [], "presences": [],
            "geo_ordered_rtc_regions": [], "guild_join_requests": [], "auth": {},
            "user_settings": {}, "_trace": ["localdiscord"],
        }
        if data.get("shard") is not None:
            ready["shard"] = data["shard"]
        self._send_dispatch(session, "READY", ready)
        for gid in server.guilds:
            if not _on_shard(session, gid):
                continue
            guild = server.guild_create_payload(gid)
            if not session.intents & GUILD_MEMBERS:
                # Without the (privileged) members intent Discord sends only the bot's own member;
                # a cog that relies on guild.get_member() for others fails here as in production.
                guild["members"] = [m for m in guild["members"] if m["user"]["id"] == str(server.app_id)]
            self._send_dispatch(session, "GUILD_CREATE", guild)
        server.notify()

    def _send_dispatch(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = dumps({"op": 0, "t": event, "s": session.seq, "d": data})
        session.buffer.append((session.seq, frame))
        if session.conn is not None:
            self._send(session.conn, frame)

    def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        self.stats["resume"] += 1
        session = self.sessions.get(data.get("session_id", ""))
        seq = data.get("seq") or 0
        oldest = session.buffer[0][0] if session and session.buffer else 0
        if session is None or session.token != data.get("token") or (oldest and seq < oldest - 1):
            self._send(conn, dumps({"op": 9, "d": False}))
            return
        if session.conn is not None and session.conn is not conn:
            self._close(session.conn, 4000)
        session.conn = conn
        session.resumes += 1
        conn.session = session
        for s, frame in session.buffer:
            if s > seq:
                self._send(conn, frame)
        self.stats["resumed"] += 1
        self._send_dispatch(session, "RESUMED", {"_trace": ["localdiscord"]})
        self.server.notify()

    def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        server = self.server
        gid = int(data["guild_id"])
        guild = server.guilds.get(gid)
        if guild is None or conn.session is None:
            return
        user_ids = {int(u) for u in (data.get("user_ids") or [])}
        query = (data.get("query") or "").lower()
        members = []
        for uid in guild["_members"]:
            user = server.users[uid]
            if user_ids and uid not in user_ids:
                continue
            if query and not user["username"].lower().startswith(query):
                continue
            members.append(server.member_payload(gid, uid))
        limit = data.get("limit") or 0
        if limit:
            members = members[:limit]
        chunk = {"guild_id": str(gid), "members": members, "chunk_index": 0, "chunk_count": 1,
                 "not_found": [], "presences": []}
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        self._send_dispatch(conn.session, "GUILD_MEMBERS_CHUNK", chunk)
