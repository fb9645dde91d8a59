"""LocalDiscord: a Discord-compatible REST + gateway server on 127.0.0.1 for tests and the sandbox.

Real discord.py connects to it unmodified except for two base URLs (see ``point_discord_py_at``).
Every JSON body (and ``payload_json`` and the files of multipart bodies) is checked against the limits Discord
enforces and, when Discord's OpenAPI spec is found (see spec.py), against the spec; a violation is
answered like Discord (400 and an ``errors`` object) and recorded in ``violations``. Unknown
routes answer 404 and are recorded in ``unknown_routes``. The state and its rules live in
``model.DiscordModel``; the handlers in the route modules' tables; this module is the front:
the aiohttp application, the gateway, and the plumbing every API request goes through.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from localdiscord import limits, routes_channels, routes_core, routes_guilds
from localdiscord.gateway import Gateway
from localdiscord.http import API, Call, DiscordError, Router, json_response
from localdiscord.model import DiscordModel
from localdiscord.state import RequestRecord, content_type_of

log = logging.getLogger("localdiscord")

ROUTER = Router([routes_channels.routes, routes_guilds.routes, routes_core.routes])


class LocalDiscord(DiscordModel):
    """The server. ``await server.start()``; ``server.api_base`` and ``server.gateway_url``."""

    def __init__(
        self,
        *,
        validate: bool = True,
        interaction_deadline: float = 3.0,
        application_id: int | None = None,
        bot_name: str = "FMG Bot",
        clock: Callable[[], float] | None = None,
        stable_ids: bool = False,
    ) -> None:
        super().__init__(validate=validate, interaction_deadline=interaction_deadline,
                         application_id=application_id, bot_name=bot_name, clock=clock,
                         stable_ids=stable_ids)
        self.gateway = Gateway(self)
        self._runner: web.AppRunner | None = None
        self._router = ROUTER

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway DISPATCH to every identified session (and tell local listeners)."""
        self.gateway.dispatch(event, data)
        super().dispatch(event, data)

    # ----------------------------------------------------------------- lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> LocalDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/attachments/{aid}/{filename}", self._serve_file)
        app.router.add_route("*", "/{tail:.*}", self._dispatch_rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.cancel_waiters()

    async def __aenter__(self) -> LocalDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- gateway faults
    def drop_gateway(self, *, mid_dispatch: bool = False) -> None:
        """Close the bot's gateway connection (resumable); ``mid_dispatch``: cut the next event."""
        self.gateway.drop(mid_dispatch=mid_dispatch)

    def send_reconnect(self) -> None:
        """Send op 7 RECONNECT: the bot should reconnect and RESUME."""
        self.gateway.reconnect()

    def send_invalid_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; not resumable means a fresh IDENTIFY (after 5 s in discord.py)."""
        self.gateway.invalidate(resumable=resumable)

    # ----------------------------------------------------------------- REST plumbing
    async def _dispatch_rest(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.path
        method = request.method
        path = raw_path[len(API):] if raw_path.startswith(API) else raw_path
        try:
            body, files = await self._read_body(request)
        except ValueError as exc:
            return json_response({"message": str(exc), "code": 50109}, 400)
        record = RequestRecord(method, path, dict(request.query), body,
                               files=[(f[1], f[2]) for f in files])
        if self.record_requests:
            self.requests.append(record)
        found = self._router.match(method, path) if raw_path.startswith(API) else None
        if found is None:
            record.status = 404
            self.unknown_routes.append(record)
            log.warning("unknown route %s %s", method, raw_path)
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        delay = self.faults.delay_for(path)
        if delay:
            await asyncio.sleep(delay)
        fault = self.faults.take(method, path)
        if fault is not None:
            record.status = fault.status
            return self._fault_response(fault)
        handler, params = found
        if self.validator is not None and body is not None:
            problems = [(e.path, e.message) for e in self.validator.validate(method, path, body)]
            if problems:
                record.status = 400
                return self.violation("spec", method, path, problems, body)
        if files and (problems := limits.check_files(body, files)):
            record.status = 400
            return self.violation("limit", method, path, problems, body)
        call = Call(request, method, path, params, body, files)
        try:
            response = await handler(self, call)
        except DiscordError as err:
            payload: dict[str, Any] = {"message": err.message, "code": err.code}
            if err.errors:
                payload["errors"] = err.errors
            response = json_response(payload, err.status)
        except Exception as exc:  # a request localdiscord cannot handle: fail fast and loudly
            # (a 5xx would make discord.py retry for ~25 s). Recorded, so the test fails.
            log.exception("localdiscord could not handle %s %s", method, path)
            response = self.violation(
                "unhandled", method, path, [((), f"localdiscord could not handle it: {exc!r}")], body
            )
        record.status = response.status
        self.notify()
        return response

    def _fault_response(self, fault: Any) -> web.Response:
        if fault.status == 429:
            headers = {"Via": "1.1 google", "Retry-After": str(max(1, int(fault.retry_after + 0.999))),
                       "X-RateLimit-Scope": "global" if fault.is_global else "user"}
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            return json_response({"message": "You are being rate limited.",
                                  "retry_after": fault.retry_after, "global": fault.is_global,
                                  "code": 0}, 429, headers)
        return json_response({"message": "Server Error", "code": 0}, fault.status)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[tuple[str, str, bytes, str]]]:
        if not request.can_read_body:
            return None, []
        ctype = request.content_type
        if ctype == "multipart/form-data":
            body: Any = None
            files = []
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(data)
                else:
                    files.append((part.name or "", part.filename or "file",  # type: ignore[union-attr]
                                  bytes(data), part.headers.get("Content-Type", "application/octet-stream")))  # type: ignore[union-attr]
            return body, files
        raw = await request.read()
        if not raw:
            return None, []
        if ctype != "application/json":
            raise ValueError(f"Unsupported content type {ctype!r}")
        try:
            return json.loads(raw), []
        except ValueError as exc:
            raise ValueError("The request body contains invalid JSON.") from exc

    async def _serve_file(self, request: web.Request) -> web.Response:
        """The CDN: an attachment's bytes, with the type its name implies; each download is
        recorded (a test can tell that a bot refused a file without fetching it)."""
        aid = int(request.match_info["aid"])
        data = self.files.get(aid)
        if data is None:
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        self.downloads.append(aid)
        return web.Response(body=data, content_type=content_type_of(request.match_info["filename"]))
