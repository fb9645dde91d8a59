"""Fault injection for reliability tests: 429s, 5xx bursts, latency (REST side).

Gateway faults act on live connections, so they are methods of the server:
``drop_gateway(mid_dispatch=...)``, ``send_reconnect()``, ``send_invalid_session(resumable=...)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class RestFault:
    """Answer the next ``times`` matching requests with ``status`` (429 or 5xx)."""

    status: int
    times: int
    route: re.Pattern[str] | None = None
    method: str | None = None
    retry_after: float = 0.0
    is_global: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return self.route is None or bool(self.route.search(path))


@dataclass
class Faults:
    """Configured REST faults; the server consults ``take(method, path)`` for every API request."""

    rest: list[RestFault] = field(default_factory=list)
    latency: float = 0.0
    latency_route: re.Pattern[str] | None = None
    gateway_latency: float = 0.0  # seconds added to every gateway frame the server sends
    injected: list[tuple[str, str, int]] = field(default_factory=list)

    def rate_limit(
        self,
        *,
        retry_after: float = 0.05,
        times: int = 1,
        route: str | None = None,
        method: str | None = None,
        is_global: bool = False,
    ) -> None:
        """The next ``times`` requests (matching ``route``, a regex on the API path) get a 429."""
        self.rest.append(
            RestFault(429, times, _compile(route), method, retry_after, is_global)
        )

    def server_errors(
        self, *, status: int = 502, times: int = 1, route: str | None = None, method: str | None = None
    ) -> None:
        """The next ``times`` matching requests get ``status`` (a 5xx burst)."""
        if not 500 <= status <= 599:
            raise ValueError("server_errors needs a 5xx status")
        self.rest.append(RestFault(status, times, _compile(route), method))

    def add_latency(self, seconds: float, *, route: str | None = None) -> None:
        """Delay every matching API answer by ``seconds`` (0 turns it off)."""
        self.latency = seconds
        self.latency_route = _compile(route)

    def clear(self) -> None:
        self.rest.clear()
        self.latency = 0.0
        self.latency_route = None
        self.gateway_latency = 0.0

    def delay_for(self, path: str) -> float:
        if self.latency and (self.latency_route is None or self.latency_route.search(path)):
            return self.latency
        return 0.0

    def take(self, method: str, path: str) -> RestFault | None:
        """The fault to apply to this request, consuming one of its ``times``."""
        for fault in self.rest:
            if fault.times > 0 and fault.matches(method, path):
                fault.times -= 1
                self.injected.append((method, path, fault.status))
                if fault.times == 0:
                    self.rest.remove(fault)
                return fault
        return None


def _compile(route: str | None) -> re.Pattern[str] | None:
    return re.compile(route) if route else None
