"""Run a bot in its own process (its own core) against a LocalDiscord in this process.

Benchmarks use it so the server + load generator and the bot do not share one event loop:
``bench_pong`` runs ``localdiscord.pongbot``; a benchmark of the real bot runs
``localdiscord.realbot`` (``create_bot`` on a given database) the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from localdiscord.server import LocalDiscord


async def spawn_bot(server: LocalDiscord, module: str, *args: str,
                    ready_timeout: float = 60.0) -> asyncio.subprocess.Process:
    """Start ``python -m module API_BASE GATEWAY_URL *args``; wait for its ``ready`` line."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, server.api_base, server.gateway_url, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), ready_timeout)
    except TimeoutError:
        line = b""
    if line.strip() != b"ready":
        await stop_bot(proc)
        raise RuntimeError(f"{module} did not become ready on localdiscord")
    return proc


async def stop_bot(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            with contextlib.suppress(ProcessLookupError):
                await proc.wait()
