"""The HTTP side shared by the server and the route modules: a request as handlers see it
(``Call``), Discord's error answer (``DiscordError``), JSON responses, and ``RouteTable``, the
declaration of handlers at module level in the style of aiohttp's ``web.RouteTableDef``.

Routes are matched here rather than by aiohttp's router so that the server can validate, record
and inject faults for every API request in one place before the handler runs.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import web

try:  # orjson is optional (the "speed" extra); the output is the same JSON either way.
    orjson = importlib.import_module("orjson")  # by name: type-checks with or without it

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)
except ImportError:  # pragma: no cover - depends on the environment

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()


API = "/api/v10"

Problems = list[tuple[tuple[str | int, ...], str]]
"""Where in a body (a path of keys) and what is wrong, as Discord's ``errors`` object nests them."""


@dataclass
class Call:
    """One API request as handlers see it: path params, parsed JSON body, uploaded files."""

    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    body: Any
    files: list[tuple[str, str, bytes, str]]  # (field, filename, data, content type)

    @property
    def query(self) -> Any:
        return self.request.query

    @property
    def client_port(self) -> int | None:
        """The TCP port the request came from (None when not over TCP)."""
        peer = self.request.transport.get_extra_info("peername") if self.request.transport else None
        return peer[1] if isinstance(peer, tuple) else None


class DiscordError(Exception):
    """Raised by handlers: answered as Discord's error JSON."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py only parses JSON for that exact content type.
    return web.Response(body=dumps(data), status=status, content_type="application/json", headers=headers)


def no_content() -> web.Response:
    return web.Response(status=204)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def parse_iso(value: str) -> float:
    """Epoch seconds of an ISO 8601 timestamp as Discord's clients send it (``Z`` or an offset)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def nested_errors(problems: Problems) -> dict[str, Any]:
    """Discord's ``errors`` object: {"content": {"_errors": [{"code", "message"}]}}."""
    out: dict[str, Any] = {}
    for path, message in problems:
        node = out
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": "BASE_TYPE_INVALID", "message": message})
    return out


S = TypeVar("S")
Handler = Callable[[S, Call], Awaitable[web.StreamResponse]]
"""A route handler: the server state (``model.DiscordModel``) and the request."""


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler[Any]


class RouteTable:
    """Handlers declared where they are defined: ``routes = RouteTable()`` then
    ``@routes.get("/users/{uid}")`` on ``async def handler(s, call)``; ``{name}`` matches one
    path segment, handed over in ``call.params``."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(self, method: str, *templates: str) -> Callable[[Handler[S]], Handler[S]]:
        """Register the decorated handler for ``method`` on each of ``templates``."""
        def register(handler: Handler[S]) -> Handler[S]:
            for template in templates:
                pattern = re.compile(
                    "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
                )
                self.routes.append(Route(method, template, pattern, handler))
            return handler

        return register

    def get(self, *templates: str) -> Callable[[Handler[S]], Handler[S]]:
        return self.route("GET", *templates)

    def post(self, *templates: str) -> Callable[[Handler[S]], Handler[S]]:
        return self.route("POST", *templates)

    def put(self, *templates: str) -> Callable[[Handler[S]], Handler[S]]:
        return self.route("PUT", *templates)

    def patch(self, *templates: str) -> Callable[[Handler[S]], Handler[S]]:
        return self.route("PATCH", *templates)

    def delete(self, *templates: str) -> Callable[[Handler[S]], Handler[S]]:
        return self.route("DELETE", *templates)


class Router:
    """Matches a request against the routes of several tables."""

    def __init__(self, tables: Iterable[RouteTable]) -> None:
        # Literal segments win over parameters (``/messages/pins`` over ``/messages/{mid}``),
        # as when matching spec templates; the sort is stable for equal counts.
        routes = [route for table in tables for route in table.routes]
        self._routes = sorted(routes, key=lambda route: route.template.count("{"))

    def match(self, method: str, path: str) -> tuple[Handler[Any], dict[str, str]] | None:
        for route in self._routes:
            if route.method == method:
                found = route.pattern.match(path)
                if found:
                    return route.handler, found.groupdict()
        return None
