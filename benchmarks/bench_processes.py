"""Three bot processes x four shards on one database, under bench_load's command mix.

The production bot (``fmg-bot run``) runs as three processes holding shards 0,1 / 2 / 3 of 4
(``localdiscord.clibot.SHARD_SPLIT``) on one database: PostgreSQL (a throwaway server) when its
binaries are installed, the engine meant for several processes, SQLite otherwise (the figures'
notes say which). One guild per shard, each prepared as bench_load's guild (200 members with
mentee profiles, 60 mentors, three study groups); the mix is fired round-robin over the four
guilds at fixed rates (``RATES``), so the process holding two shards takes half of it.

Per process (named by its shards: ``s01``, ``s2``, ``s3``), for each rate: interactions answered,
p50/p99 round trip at localdiscord, CPU % (utime + stime from /proc/PID/stat over the step's wall
time); over the run: errors (its guilds' interactions unanswered or answered with the apology,
and the ERROR lines of its own log), CPU seconds, peak RSS. Totals: p99 and answers per rate,
errors, and ``procs_wrong_process``: answers that did not come from the process holding the
guild's shard. localdiscord records the TCP port each answer came from; the benchmark maps the
ports to processes from their open sockets (/proc/PID/fd and /proc/net/tcp), so the
cross-check does not take the shard routing on trust. For context, per rate: the CPU of this
process (localdiscord and the load generator) and how busy the whole machine was (neighbours
included).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from benchmarks.bench_load import MEMBERS, add_members, build_mix, count_errors, error_lines, prepare_database
from benchmarks.bench_pong import P99_LIMIT_MS
from benchmarks.figures import Figure, percentile
from localdiscord.clibot import (
    SHARD_COUNT,
    SHARD_SPLIT,
    RealBot,
    cpu_seconds,
    shard_env,
    spawn_real_bot,
    tcp_ports,
    wait_ready,
)
from localdiscord.connect import FAKE_TOKEN
from localdiscord.driver import Driver
from localdiscord.load import quiet, run_step
from localdiscord.seed import User, World, seed_shards
from localdiscord.server import LocalDiscord
from localdiscord.state import Interaction
from tests.pg_server import PgServer, find_bin

RATES = (100, 400)


def step_seconds(quick: bool) -> float:
    return 3.0 if quick else 30.0


@dataclass
class Process:
    """One bot process, the shards it holds, and the client ports seen in its sockets."""

    ids: str
    bot: RealBot
    log: Path
    ports: set[int] = field(default_factory=set)
    cpu: list[float] = field(default_factory=list)  # CPU seconds before and after each step
    answer_errors: int = 0  # its guilds' interactions unanswered or answered with the apology
    log_errors: int = 0

    @property
    def label(self) -> str:
        return "s" + self.ids.replace(",", "")

    @property
    def shards(self) -> set[int]:
        return {int(i) for i in self.ids.split(",")}


@dataclass
class Step:
    rate: float
    span: range  # indexes into the fired records
    wall: float
    sent: int
    planned: int
    server_cpu: float  # CPU seconds of this process: localdiscord and the load generator
    machine_busy: float  # the share of all cores busy (0..1), from /proc/stat


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot: /proc/stat's first line."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4], sum(values)  # idle and iowait are not busy


@dataclass
class Run:
    engine: str
    labels: list[str]
    processes: list[Process]
    fired: list[Interaction]
    steps: list[Step]
    rss_kb: dict[str, int]
    load_average: float


def owner(processes: list[Process], guild_id: int) -> Process:
    shard = (guild_id >> 22) % SHARD_COUNT
    return next(p for p in processes if shard in p.shards)


def snapshot_ports(processes: list[Process]) -> None:
    found = tcp_ports([p.bot.pid for p in processes])
    for process in processes:
        process.ports |= found[process.bot.pid]


async def watch_ports(processes: list[Process], stop: asyncio.Event) -> None:
    """Note each process's client ports twice a second: a connection opened and closed between
    two looks would leave its answers unattributed (counted as from the wrong process)."""
    while not stop.is_set():
        await asyncio.to_thread(snapshot_ports, processes)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


def postgresql_version(bin_dir: Path) -> str:
    """``PostgreSQL 15.18`` from ``postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)``."""
    done = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True,
                          text=True, check=False)
    found = re.search(r"\d+(\.\d+)*", done.stdout)
    return f"PostgreSQL {found.group() if found else '(version unknown)'}"


async def start_processes(server: LocalDiscord, worlds: list[World], env: dict[str, str],
                          folder: Path, logs: list[IO[bytes]], processes: list[Process]) -> None:
    """The three processes (added to ``processes`` as they start, for the caller to stop),
    started together as a deploy would, ready once each guild's ``/help`` is answered."""
    for ids in SHARD_SPLIT:
        log_path = folder / f"bot-{ids.replace(',', '')}.log"
        log = log_path.open("wb")
        logs.append(log)
        bot = await spawn_real_bot(server, env | shard_env(ids), log=log)
        processes.append(Process(ids, bot, log_path))
    for world in worlds:
        await wait_ready(server, Driver(server, world), owner(processes, world.guild_id).bot,
                         ready_within=120.0)


async def drive(server: LocalDiscord, worlds: list[World], members: dict[int, list[User]],
                processes: list[Process], quick: bool) -> tuple[list[str], list[Interaction], list[Step]]:
    mixes = [build_mix(Driver(server, world), members[world.guild_id], random.Random(7 + i))
             for i, world in enumerate(worlds)]
    turn = itertools.cycle(mixes)
    fired: list[Interaction] = []

    def fire() -> Interaction:
        record = next(turn).fire()
        fired.append(record)
        return record

    await run_step(server, fire, 50, 1.0)  # warm: pools, statement caches (judged too)
    steps = []
    for rate in RATES:
        for process in processes:
            process.cpu.append(cpu_seconds(process.bot.pid))
        start, (busy, total) = len(fired), machine_ticks()
        began, own = time.perf_counter(), time.process_time()
        result = await run_step(server, fire, rate, step_seconds(quick))
        wall, own = time.perf_counter() - began, time.process_time() - own
        for process in processes:
            process.cpu.append(cpu_seconds(process.bot.pid))
        busy_after, total_after = machine_ticks()
        steps.append(Step(rate, range(start, len(fired)), wall, result.sent, result.planned,
                          own, (busy_after - busy) / max(1, total_after - total)))
        print(f"# processes {rate}/s: {result.answered}/{result.sent} answered, "
              f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms", file=sys.stderr)
    # The last step's stragglers, before counting what went unanswered.
    await server.wait_until(lambda: all(r.responded for r in fired), 5.0)
    return mixes[0].labels, fired, steps


async def measure(quick: bool, database_url: str | None, engine: str) -> Run:
    server = await LocalDiscord(validate=False).start()  # as bench_load: measure the bots
    quiet(server)
    worlds = seed_shards(server, SHARD_COUNT)
    members = {world.guild_id: add_members(server, world, MEMBERS) for world in worlds}
    logs: list[IO[bytes]] = []
    processes: list[Process] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = folder / "load.sqlite3"
        for world in worlds:
            await prepare_database(database_url or database, world, members[world.guild_id])
        env = {"DISCORD_TOKEN": FAKE_TOKEN, "DATABASE_PATH": str(database), "LOG_LEVEL": "WARNING"}
        if database_url:
            env["DATABASE_URL"] = database_url
        stop = asyncio.Event()
        try:
            await start_processes(server, worlds, env, folder, logs, processes)
            watcher = asyncio.create_task(watch_ports(processes, stop))
            labels, fired, steps = await drive(server, worlds, members, processes, quick)
            stop.set()
            await watcher
            snapshot_ports(processes)
            rss_kb = {p.label: p.bot.rss_kb("VmHWM") for p in processes}
            load_average = os.getloadavg()[0]
        finally:
            stop.set()
            for process in processes:
                await process.bot.stop()
            for log in logs:
                log.close()
            await server.stop()
        for process in processes:
            process.log_errors = len(error_lines(process.log))
    for process in processes:
        mine = [r for r in fired if owner(processes, r.guild_id or 0) is process]
        process.answer_errors = count_errors(server, mine, [range(len(mine))])
    return Run(engine, labels, processes, fired, steps, rss_kb, load_average)


def _latencies(records: list[Interaction]) -> list[float]:
    return [r.latency * 1000 for r in records if r.latency is not None]


def _pct(samples: list[float], pct: float) -> float:
    """0 when nothing was answered (the ``answered`` and ``errors`` figures say so)."""
    return percentile(samples, pct) if samples else 0.0


def figures(run: Run) -> list[Figure]:
    processes, fired = run.processes, run.fired
    by_port = {port: p.label for p in processes for port in p.ports}
    owners = [owner(processes, r.guild_id or 0).label for r in fired]
    answered = [r for r in fired if r.responded]
    unattributed = sum(1 for r in answered if r.answered_from not in by_port)
    wrong = sum(1 for r, mine in zip(fired, owners, strict=True)
                if r.responded and by_port.get(r.answered_from or -1) != mine)
    out: list[Figure] = []
    for number, step in enumerate(run.steps):
        records = [fired[i] for i in step.span]
        p99 = _pct(_latencies(records), 99)
        note = f"{step.wall:.0f} s"
        if step.sent < step.planned:
            note += f", stopped early: {step.sent} of {step.planned} sent"
        if number == 0:
            note = (f"3 processes (shards {' / '.join(SHARD_SPLIT)} of {SHARD_COUNT}) on "
                    f"{run.engine}; {note}; load average {run.load_average:.2f}; "
                    f"mix: {', '.join(run.labels)}")
        out += [
            Figure(f"procs_{step.rate}rps_p99_ms", p99, "ms", target=f"< {P99_LIMIT_MS:g} ms",
                   ok=0 < p99 < P99_LIMIT_MS, note=note),
            Figure(f"procs_{step.rate}rps_answered", sum(r.responded for r in records), "",
                   target=f"all {len(records)} sent", ok=all(r.responded for r in records)),

            Figure(f"procs_{step.rate}rps_server_cpu_pct", 100 * step.server_cpu / step.wall, "%",
                   note="localdiscord and the load generator (one process)"
                   if number == 0 else ""),
            Figure(f"procs_{step.rate}rps_machine_busy_pct", 100 * step.machine_busy, "%",
                   note=f"of all {os.cpu_count()} cores, anything running" if number == 0 else ""),
        ]
        for process in processes:
            latencies = _latencies([fired[i] for i in step.span if owners[i] == process.label])
            cpu = process.cpu[2 * number + 1] - process.cpu[2 * number]
            name = f"procs_{step.rate}rps_{process.label}"
            out += [
                Figure(f"{name}_answered", len(latencies), ""),
                Figure(f"{name}_p50_ms", _pct(latencies, 50), "ms"),
                Figure(f"{name}_p99_ms", _pct(latencies, 99), "ms"),
                Figure(f"{name}_cpu_pct", 100 * cpu / step.wall, "%"),
            ]
    for process in processes:
        errors = process.answer_errors + process.log_errors
        out += [
            Figure(f"procs_{process.label}_errors", errors, "", target="0", ok=errors == 0,
                   note=f"shards {process.ids}: {process.answer_errors} unanswered or failed, "
                        f"{process.log_errors} ERROR lines in its log"),
            Figure(f"procs_{process.label}_cpu_s", process.cpu[-1] - process.cpu[0], "s"),
            Figure(f"procs_{process.label}_rss_mb", run.rss_kb[process.label] / 1024, "MB"),
        ]
    errors = sum(p.answer_errors + p.log_errors for p in processes)
    out += [
        Figure("procs_errors", errors, "", target="0", ok=errors == 0),
        Figure("procs_wrong_process", wrong, "", target="0", ok=wrong == 0,
               note=f"of {len(answered)} answers, those not from the process holding the "
                    f"guild's shard ({unattributed} from a port no process was seen holding)"),
    ]
    return out


async def run(quick: bool) -> list[Figure]:
    bin_dir = find_bin()
    if bin_dir is None:
        print("# processes: on SQLite (PostgreSQL server binaries not installed)", file=sys.stderr)
        return figures(await measure(quick, None, "SQLite"))
    engine = postgresql_version(bin_dir)
    print(f"# processes: on {engine}", file=sys.stderr)
    pg = PgServer(bin_dir)
    try:
        await asyncio.to_thread(pg.start)
        return figures(await measure(quick, await pg.new_database(migrated=False), engine))
    finally:
        await asyncio.to_thread(pg.stop)
