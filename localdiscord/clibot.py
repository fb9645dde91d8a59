"""The production bot, exactly as ``fmg-bot run`` starts it, in a child process on a LocalDiscord.

``python -m localdiscord.clibot API_BASE GATEWAY_URL`` points discord.py's two base URLs at the
server and then runs ``bot.cli.main(["run"])``: settings from the environment (DISCORD_TOKEN,
DATABASE_PATH, LOG_LEVEL...), redacting log setup, the database lock, uvloop when installed.
``bench_load`` (its own core, its log checked for errors) and the secrets test (a canary token
at DEBUG) start it with `start_real_bot`, which waits until the bot answers a first interaction.
Several processes over the shards of one bot (``SHARD_SPLIT``: the reliability test that kills
them, ``bench_processes``) are started with `spawn_real_bot` and waited for with `wait_ready`.
(``localdiscord.realbot`` is the lighter variant: ``create_bot`` on given settings, no CLI.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from localdiscord.driver import Driver
from localdiscord.server import LocalDiscord

ROOT = Path(__file__).resolve().parents[1]
#: Four shards over three processes (one holds two), as the several-process tests run them.
SHARD_COUNT = 4
SHARD_SPLIT = ("0,1", "2", "3")


class RealBot:
    """A running child process; ``rss_kb()`` reads its resident memory from /proc."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_kb(self, field: str = "VmRSS") -> int:
        return proc_status_kb(self.proc.pid, field)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()

    async def stop(self, grace: float = 10.0) -> int:
        """SIGTERM (the bot closes cleanly), then SIGKILL if it does not exit in time."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), grace)
            except TimeoutError:
                self.kill()
                await self.proc.wait()
        assert self.proc.returncode is not None
        return self.proc.returncode


def proc_status_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def cpu_seconds(pid: int) -> float:
    """The CPU time ``pid`` used so far: user + system, from /proc/PID/stat (clock ticks)."""
    # The command name (field 2) may hold spaces: count fields from after its closing ")".
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tcp_ports(pids: Iterable[int]) -> dict[int, set[int]]:
    """The local ports of the TCP sockets each of ``pids`` holds open (its client connections:
    what a server sees as the peer port), from /proc/PID/fd and /proc/net/tcp{,6} (read once:
    the children share this process's network namespace)."""
    owner: dict[str, int] = {}
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        owner[target[8:-1]] = pid
    ports: dict[int, set[int]] = {pid: set() for pid in pids}
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in owner:
                    ports[owner[fields[9]]].add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


async def spawn_real_bot(server: LocalDiscord, env: Mapping[str, str], *,
                         log: IO[bytes] | int | None = None) -> RealBot:
    """Start the child with ``env`` (over a minimal copy of ours), without waiting for it.
    ``log`` receives its stderr (the bot's log)."""
    child_env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    child_env["PYTHONPATH"] = str(ROOT)
    child_env.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "localdiscord.clibot", server.api_base, server.gateway_url,
        # A neutral cwd: Settings.from_env reads `.env` from the working directory.
        cwd=os.path.dirname(env["DATABASE_PATH"]),
        env=child_env, stdout=asyncio.subprocess.DEVNULL,
        stderr=log if log is not None else asyncio.subprocess.DEVNULL,
    )
    return RealBot(proc)


def shard_env(ids: str, count: int = SHARD_COUNT) -> dict[str, str]:
    """The settings of a process holding shards ``ids`` (``"0,1"``) of ``count``."""
    return {"SHARD_COUNT": str(count), "SHARD_IDS": ids}


async def start_real_bot(server: LocalDiscord, driver: Driver, env: Mapping[str, str], *,
                         log: IO[bytes] | int | None = None, probe_user: str = "alice",
                         ready_within: float = 30.0) -> RealBot:
    """Start the child with ``env`` (over a minimal copy of ours) and wait until ``/help``
    is answered. ``log`` receives its stderr (the bot's log)."""
    bot = await spawn_real_bot(server, env, log=log)
    await wait_ready(server, driver, bot, probe_user=probe_user, ready_within=ready_within)
    return bot


async def wait_ready(server: LocalDiscord, driver: Driver, bot: RealBot, *,
                     probe_user: str = "alice", ready_within: float = 30.0) -> None:
    """Wait until ``/help`` in ``driver``'s guild is answered (by ``bot`` when the guild is on
    its shards); kill ``bot`` if it exits or does not answer in time."""
    proc = bot.proc
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ready_within
    while True:
        if proc.returncode is not None:
            raise RuntimeError(f"the bot exited with {proc.returncode} before it was ready")
        if server.gateway.connected and server.command_syncs:
            record = server.new_interaction(
                type=2, user_id=driver.world.member(probe_user).id,
                channel_id=driver.world.channel("general").id,
                data=driver.build_command_data("help", {}))
            if await server.wait_until(lambda r=record: r.responded, 1.0):
                return
        else:
            await asyncio.sleep(0.1)
        if loop.time() > deadline:
            bot.kill()
            await proc.wait()
            raise TimeoutError("the real bot did not answer /help on localdiscord")


def main(argv: list[str] | None = None) -> int:
    import discord.http
    import yarl
    from discord.gateway import DiscordWebSocket

    from bot.cli import main as cli_main

    api_base, gateway_url = (argv if argv is not None else sys.argv[1:])[:2]
    discord.http.Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    return cli_main(["run"])


if __name__ == "__main__":
    sys.exit(main())
