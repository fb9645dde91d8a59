"""Link health: is every link of the library still alive, and still the page we verified?

One check asks each link with HEAD, and with GET when HEAD is refused (any error status but
429: many servers mishandle HEAD). Redirects are followed by hand: a chain of permanent ones
(301/308) to a live page is a proposed edit ("moved"). 404 and 410, or a host that cannot be
reached, mean dead; 403, 429, timeouts and server errors prove nothing and count as unknown.
Errors worth retrying (timeouts, unreachable, 5xx) are retried `retries` times. Requests to one
host are spaced by `per_host_interval`, whatever the concurrency. A live HTML page is read (its
first 64 KiB) for its title, which tells a page that changed since it was verified.

Only public addresses are asked. Links come from curators and from members' suggestions, and
a link (or a redirect, or a name whose DNS answer changed) pointing at loopback, a private
network or the cloud's metadata address (169.254.169.254) would make the bot fetch from inside
its own network. Each hop's host is checked before it is asked (an address typed as such, or
every address its name resolves to), and the session made by `link_session` connects only to
addresses its resolver kept, so a name that resolves again between the check and the connect
cannot swap in a private one. `CheckPolicy.private_networks` turns this off (tests, intranets).

The service stores the results (`resource_links`); nothing here touches the database.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

LinkStatus = Literal["ok", "dead", "unknown", "moved"]
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEAD = frozenset({404, 410})
TITLE_BYTES = 64 * 1024
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)


@dataclass(frozen=True)
class CheckPolicy:
    timeout: float = 20.0  # seconds, per request
    retries: int = 2
    retry_delay: float = 3.0  # seconds before a retry
    per_host_interval: float = 2.0  # seconds between two requests to one host
    concurrency: int = 4
    max_redirects: int = 5
    user_agent: str = "fmg-bot-link-check/1.0 (a community library checking its links weekly)"
    private_networks: bool = False  # ask loopback/private addresses too (tests, intranets)


DEFAULT_POLICY = CheckPolicy()


@dataclass(frozen=True)
class Probe:
    """What one check of one link found."""

    status: LinkStatus
    http_status: int | None = None
    moved_to: str | None = None
    title: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class LinkCheck:
    """A link's latest stored check."""

    url: str
    status: LinkStatus
    http_status: int | None
    moved_to: str | None
    title: str | None
    verified_title: str | None
    detail: str
    checked_at: datetime

    @property
    def changed(self) -> bool:
        """The page's title differs from the one it had when the entry was last verified."""
        return None not in (self.title, self.verified_title) and self.title != self.verified_title

    @property
    def needs_attention(self) -> bool:
        return self.status == "dead" or self.changed


@dataclass(frozen=True)
class _Answer:
    status: int
    location: str | None
    html: bool


class _Unreachable(Exception):
    """The request failed without an HTTP answer, after its retries."""

    def __init__(self, probe: Probe) -> None:
        super().__init__(probe.detail)
        self.probe = probe


def is_public_address(address: str) -> bool:
    """An address anyone on the internet could reach: not loopback, private, link-local (the
    cloud metadata service), shared (CGNAT), multicast, reserved or unspecified."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class PublicResolver(AbstractResolver):
    """Resolves names as aiohttp would, keeping only public addresses."""

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner if inner is not None else DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = [r for r in await self._inner.resolve(host, port, family)
                 if is_public_address(r["host"])]
        if not found:
            raise OSError(f"{host} has no public address")
        return found

    async def close(self) -> None:
        await self._inner.close()


def link_session(policy: CheckPolicy = DEFAULT_POLICY) -> aiohttp.ClientSession:
    """The HTTP session a link check uses: it connects only to public addresses, unless the
    policy allows private networks."""
    if policy.private_networks:
        return aiohttp.ClientSession()
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=PublicResolver()))


async def private_address(url: str) -> str | None:
    """The first non-public address ``url``'s host is or resolves to (None when all are
    public, or when the name does not resolve: the request then fails as unreachable)."""
    host = urlsplit(url).hostname
    if not host:
        return None
    try:
        return None if is_public_address(host) else host
    except ValueError:
        pass  # a name, not an address
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return None
    return next((str(info[4][0]) for info in infos if not is_public_address(str(info[4][0]))), None)


class LinkChecker:
    def __init__(self, session: aiohttp.ClientSession, policy: CheckPolicy = DEFAULT_POLICY) -> None:
        self._session = session
        self._policy = policy
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._host_next: dict[str, float] = {}

    async def check_all(
        self, urls: Iterable[str], progress: Callable[[int, int], None] | None = None
    ) -> dict[str, Probe]:
        """Probe every link (``progress(done, total)`` after each)."""
        todo = list(dict.fromkeys(urls))
        found: dict[str, Probe] = {}
        gate = asyncio.Semaphore(self._policy.concurrency)

        async def one(url: str) -> None:
            async with gate:
                found[url] = await self.probe(url)
            if progress is not None:
                progress(len(found), len(todo))

        await asyncio.gather(*(one(url) for url in todo))
        return {url: found[url] for url in todo}

    async def probe(self, url: str) -> Probe:
        try:
            return await self._probe(url)
        except _Unreachable as failed:
            return failed.probe

    async def _probe(self, url: str) -> Probe:
        current, permanent = url, True
        for _ in range(self._policy.max_redirects + 1):
            answer = await self._ask("HEAD", current)
            if answer.status >= 400 and answer.status != 429:
                answer = await self._ask("GET", current)  # HEAD refused: GET decides
            if answer.status in REDIRECTS and answer.location:
                permanent = permanent and answer.status in PERMANENT
                current = urljoin(current, answer.location)
                continue
            break
        else:
            return Probe("unknown", detail=f"more than {self._policy.max_redirects} redirects")
        status = answer.status
        if 200 <= status < 300:
            title = await self._title(current) if answer.html else None
            if current != url and permanent:
                return Probe("moved", status, moved_to=current, title=title, detail="permanent redirect")
            return Probe("ok", status, title=title)
        if status in DEAD:
            return Probe("dead", status, detail=f"HTTP {status}")
        return Probe("unknown", status, detail=f"HTTP {status}")

    async def _ask(self, method: str, url: str) -> _Answer:
        """One request (retried on timeouts, unreachable hosts and server errors)."""
        attempts = self._policy.retries + 1
        failure = Probe("unknown", detail="not asked")
        await self._refuse_private(url)
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self._policy.retry_delay)
            await self._turn(url)
            try:
                async with self._session.request(
                    method, url, allow_redirects=False, timeout=self._timeout(),
                    headers={"User-Agent": self._policy.user_agent},
                ) as response:
                    answer = _Answer(
                        response.status, response.headers.get("Location"),
                        "html" in response.headers.get("Content-Type", ""),
                    )
            except TimeoutError:
                failure = Probe("unknown", detail="timed out")
                continue
            except aiohttp.ClientError as exc:
                failure = Probe("dead", detail=f"unreachable ({type(exc).__name__})")
                continue
            if answer.status < 500 or attempt == attempts - 1:
                return answer
        raise _Unreachable(failure)

    async def _refuse_private(self, url: str) -> None:
        if self._policy.private_networks:
            return
        address = await private_address(url)
        if address is not None:
            raise _Unreachable(Probe("dead", detail=f"refused: {address} is not a public address"))

    async def _title(self, url: str) -> str | None:
        await self._turn(url)
        try:
            async with self._session.get(
                url, allow_redirects=False, timeout=self._timeout(),
                headers={"User-Agent": self._policy.user_agent},
            ) as response:
                if response.status != 200:
                    return None
                head = await response.content.read(TITLE_BYTES)
        except (TimeoutError, aiohttp.ClientError):
            return None
        match = _TITLE.search(head.decode("utf-8", "replace"))
        if match is None:
            return None
        return " ".join(html.unescape(match.group(1)).split())[:300] or None

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self._policy.timeout)

    async def _turn(self, url: str) -> None:
        """Wait until this host may be asked again."""
        host = urlsplit(url).netloc.lower()
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        async with lock:
            loop = asyncio.get_running_loop()
            wait = self._host_next.get(host, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._host_next[host] = loop.time() + self._policy.per_host_interval
