"""Mixed real commands under load: the production bot (a child process, its own core, uvloop and
orjson when installed) on localdiscord, 200 simulated members, against the pong floor.

The mix is every load-worthy command that is synced (a capability not on this branch is simply
not in it; the ``commands_p99_ms`` note lists what was mixed): resource search and its
autocomplete, ``/mentor request`` (top-3 matches from the warm pool) and ``/mentor status``,
upcoming study sessions, ``/ask question`` (opens the form). Members have mentee profiles,
60 approved mentors exist and three study groups hold weekly series, so commands do their real
work rather than refuse.

- ``commands_p99_ms``: round-trip p99 at a steady 100/s (baseline: pong at 100/s, same run).
  Pong, the bot on SQLite and on PostgreSQL run at once, each on its own localdiscord, and their
  30 s at 100/s are cut into six slices taken in turn (`interleave`): the machine's drift over
  the run falls on each alike (measured one after the other, pong's own p99 moved 0.96-2.18 ms
  from run to run, which decided the ratio more than the code did).
- ``pg_commands_p99_ms``: the same on PostgreSQL (baseline: SQLite, interleaved with it).
- ``max_sustained_rps``: the same rate ramp as pong until p99 passes 100 ms or answers go
  missing (baseline: the pong ceiling; target >= 0.5x).
- ``commands_errors``: interactions left unanswered in a sustained step, answers carrying the
  "something went wrong" apology (any step) and ERROR lines in the bot's log (target 0).
- ``rss_mb``: the bot's peak resident memory (VmHWM) over the run (baseline: pong's peak).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_matching import mentees, mentors
from benchmarks.bench_pong import (
    P99_LIMIT_MS,
    RETRIES,
    measure_pong,
    pong_running,
    ramp_rates,
    step_seconds,
)
from benchmarks.figures import Figure, percentile
from bot.clock import SystemClock
from bot.db import Database
from bot.services.guild_settings import SETTING_SPECS, GuildSettingsService
from localdiscord.clibot import RealBot, start_real_bot
from localdiscord.connect import FAKE_TOKEN
from localdiscord.driver import Driver
from localdiscord.load import Fire, StepResult, quiet, ramp, run_step
from localdiscord.seed import User, World, seed
from localdiscord.server import LocalDiscord
from localdiscord.state import Interaction
from tests.pg_server import INSTALL_HINT, PgServer, find_bin

MEMBERS = 200
MENTORS = 60
APOLOGY = "something went wrong on our side"
QUERIES = ["usmle step 1", "ecfmg certification", "j1 waiver", "eras personal statement",
           "observership", "step 2 ck uworld", "h1b residency", "letters of recommendation",
           "match interview tips", "nrmp rank list", "research usce", "oet"]


def add_members(server: LocalDiscord, world: World, count: int) -> list[User]:
    """``count`` plain members (m000...) joined to the seeded guild."""
    users = []
    for number in range(count):
        name = f"m{number:03d}"
        user = server.add_user(name)
        server.add_member(world.guild_id, int(user["id"]), [])
        world.members[name] = User(int(user["id"]), name)
        users.append(world.members[name])
    return users


async def prepare_database(path: Path | str, world: World, members: list[User]) -> None:
    """Migrate, configure the guild as its moderators would, and give members profiles."""
    rng = random.Random(10)
    db = await Database.open(path)
    try:
        await db.migrate()
        settings = GuildSettingsService(db, SystemClock())
        await settings.set(world.guild_id, "moderator_role", world.roles["moderators"].id)
        for key in ("mentoring_channel", "announcements_channel"):
            if key in SETTING_SPECS:
                channel = "general" if key == "mentoring_channel" else "announcements"
                await settings.set(world.guild_id, key, world.channel(channel).id)
        now = int(datetime.now(UTC).timestamp())
        await db.executemany(
            "INSERT INTO mentors (guild_id, user_id, specialties, visas, stage, languages, "
            "timezone, capacity, active, bio, status, paused, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, '', 'approved', 0, ?, ?)",
            [(world.guild_id, 90_000_000 + m.id, ",".join(m.specialties), ",".join(m.visas),
              m.stage, ",".join(m.languages), m.timezone, m.capacity, now, now)
             for m in mentors(MENTORS, rng, max_capacity=10)],
        )
        await db.executemany(
            "INSERT INTO mentees (guild_id, user_id, specialty, visa, stage, languages, "
            "timezone, goals, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
            [(world.guild_id, user.id, e.specialty, e.visa, e.stage, ",".join(e.languages),
              e.timezone, now, now) for user, e in zip(members, mentees(len(members), rng),
                                                       strict=True)],
        )
        await seed_study_groups(db, world, members)
    finally:
        await db.close()


async def seed_study_groups(db: Database, world: World, members: list[User]) -> None:
    """Three groups with weekly series and 50 members each, when study groups are on main."""
    try:
        from bot.services.study_groups import StudyGroupService
    except ImportError:
        return
    service = StudyGroupService(db, SystemClock(), GuildSettingsService(db, SystemClock()))
    for number, topic in enumerate(("Step 1", "Step 2 CK", "OET")):
        owner = members[number]
        group = await service.groups.create(world.guild_id, owner.id, f"{topic} crew", topic)
        for member in members[number * 50 + 1:(number + 1) * 50]:
            await service.groups.join(world.guild_id, group.id, member.id)
        await service.sessions.schedule(world.guild_id, group.id, owner.id, True,
                                        title="Weekly review", start="tomorrow 19:00",
                                        weekdays="mon, thu", count=12)


def _sample(option: dict[str, Any], driver: Driver, rng: random.Random) -> Any:
    if option.get("choices"):
        return option["choices"][0]["value"]
    kind = option["type"]
    if kind == 3:
        return rng.choice(QUERIES)
    if kind in (4, 10):
        return option.get("min_value", 1)
    if kind == 5:
        return True
    if kind in (6, 9):
        return driver.world.member("alice")
    if kind == 7:
        return driver.world.channel("general")
    return driver.world.roles["mentors"]


# (label, does this synced path belong in the mix, autocomplete?)
WISHES: list[tuple[str, Callable[[str], bool], bool]] = [
    ("resources search", lambda p: p.startswith("resource") and p.endswith(" search"), False),
    ("resources autocomplete", lambda p: p.startswith("resource"), True),
    ("mentor request", lambda p: p == "mentor request", False),
    ("mentor status", lambda p: p == "mentor status", False),
    ("session upcoming", lambda p: p.endswith("upcoming"), False),
    ("ask question", lambda p: p in ("ask", "ask question"), False),
]


@dataclass
class Mix:
    """What the load fires: the labels of what was mixed, and each fired record's label."""

    labels: list[str]
    fire: Callable[[], Interaction]
    records: list[Interaction]
    fired_labels: list[str]


def build_mix(driver: Driver, members: list[User], rng: random.Random) -> Mix:
    """A ``Fire`` cycling through every synced command of the mix, remembering what it fired."""
    leaves = driver.leaf_commands()
    prepared: list[tuple[str, int, dict[str, Any]]] = []  # (label, interaction type, data)
    labels = []
    for label, wanted, autocomplete in WISHES:
        for path, leaf in leaves:
            if not wanted(path):
                continue
            options = leaf.get("options") or []
            if autocomplete:
                focus = next((o for o in options if o.get("autocomplete")), None)
                if focus is None:
                    continue
                for text in QUERIES[:4]:
                    values = {o["name"]: _sample(o, driver, rng) for o in options
                              if o.get("required") and o is not focus}
                    values[focus["name"]] = text[:3 + len(text) % 5]  # a few letters typed
                    prepared.append((label, 4, driver.build_command_data(
                        path, values, focused=focus["name"])))
            else:
                for _ in range(4):
                    values = {o["name"]: _sample(o, driver, rng) for o in options if o.get("required")}
                    prepared.append((label, 2, driver.build_command_data(path, values)))
            labels.append(f"{label} (/{path})")
            break
    if not prepared:
        raise RuntimeError("none of the load mix's commands is synced")
    rng.shuffle(prepared)
    cycle = itertools.cycle(prepared)
    users = itertools.cycle([m.id for m in members])
    channel_id = driver.world.channel("general").id
    records: list[Interaction] = []
    fired_labels: list[str] = []

    def fire() -> Interaction:
        label, kind, data = next(cycle)
        record = driver.server.new_interaction(type=kind, user_id=next(users),
                                               channel_id=channel_id, data=data)
        records.append(record)
        fired_labels.append(label)
        return record

    return Mix(labels, fire, records, fired_labels)


def per_command(mix: Mix, span: range) -> dict[str, tuple[float, float, int]]:
    """Per label of the mix: (p50 ms, p99 ms, answered) over the records fired in ``span``."""
    samples: dict[str, list[float]] = {}
    for index in span:
        latency = mix.records[index].latency
        if latency is not None:
            samples.setdefault(mix.fired_labels[index], []).append(latency * 1000)
    return {label: (percentile(values, 50), percentile(values, 99), len(values))
            for label, values in samples.items()}


def count_errors(server: LocalDiscord, records: list[Interaction], judged: list[range]) -> int:
    """Answers carrying the unexpected-error apology (anywhere), and interactions left
    unanswered within ``judged`` (the steps the bot sustained: past its ceiling, missing answers
    are what "not sustained" means, not a bug)."""
    errors = 0
    for index, record in enumerate(records):
        if not record.responded:
            errors += any(index in span for span in judged)
            continue
        ids = ([record.original_id] if record.original_id else []) + record.followup_ids
        if any(APOLOGY in ((server.messages.get(i) or {}).get("content") or "") for i in ids):
            errors += 1
    return errors


def error_lines(log_path: Path) -> list[str]:
    """The ERROR/CRITICAL lines and tracebacks of a bot's log (the first five echoed)."""
    lines = [line for line in log_path.read_text(errors="replace").splitlines()
             if " ERROR " in line or "CRITICAL" in line or "Traceback" in line]
    for line in lines[:5]:
        print(f"# bot log ({log_path.name}): {line}", file=sys.stderr)
    return lines


class Judge:
    """An ``on_step`` that remembers which records each sustained step fired."""

    def __init__(self, records: list[Interaction]) -> None:
        self.records = records
        self.start = 0
        self.judged: list[range] = []

    def take(self, *, sustained: bool) -> None:
        if sustained:
            self.judged.append(range(self.start, len(self.records)))
        self.start = len(self.records)

    def __call__(self, step: StepResult) -> None:
        self.take(sustained=step.sustained(P99_LIMIT_MS))
        _report(step)


def _report(step: StepResult) -> None:
    stopped = f" (stopped early: {step.sent} of {step.planned} sent)" if step.sent < step.planned else ""
    print(f"# bot {step.rate:g}/s: {step.answered}/{step.sent} answered{stopped}, "
          f"p50 {step.p50_ms:.2f} ms, p99 {step.p99_ms:.2f} ms", file=sys.stderr)


@dataclass
class BotSide:
    """The real bot under load on its own localdiscord: what `interleave` fires at."""

    server: LocalDiscord
    mix: Mix
    bot: RealBot
    log_path: Path

    @property
    def fire(self) -> Fire:
        return self.mix.fire

    def errors(self, judged: list[range]) -> int:
        """Apologies, interactions unanswered within ``judged``, ERROR lines in its log."""
        return count_errors(self.server, self.mix.records, judged) + len(error_lines(self.log_path))


@asynccontextmanager
async def bot_running(database_url: str | None = None) -> AsyncIterator[BotSide]:
    """The real bot, on SQLite or (``database_url``) PostgreSQL, with the load's world."""
    server = await LocalDiscord(validate=False).start()  # as pong: measure the bot, not jsonschema
    quiet(server)
    world = seed(server)
    members = add_members(server, world, MEMBERS)
    driver = Driver(server, world)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / "load.sqlite3"
            await prepare_database(database_url or database, world, members)
            log_path = Path(tmp) / "bot.log"
            with log_path.open("wb") as log:
                env = {"DISCORD_TOKEN": FAKE_TOKEN, "DATABASE_PATH": str(database),
                       "LOG_LEVEL": "WARNING"}
                bot = await start_real_bot(server, driver, env | (
                    {"DATABASE_URL": database_url} if database_url else {}), log=log)
                try:
                    yield BotSide(server, build_mix(driver, members, random.Random(7)), bot,
                                  log_path)
                finally:
                    await bot.stop()
    finally:
        await server.stop()


async def interleave(sides: dict[str, tuple[LocalDiscord, Fire]], rate: float, seconds: float,
                     slices: int) -> dict[str, StepResult]:
    """Each side's steady step, cut into ``slices`` slices taken in turn (the order rotating):
    the machine's drift over the run (a neighbour waking, caches, frequency) falls on every
    side alike, so the same-run ratios compare like with like. The other sides sit idle."""
    parts: dict[str, list[StepResult]] = {name: [] for name in sides}
    names = list(sides)
    for turn in range(slices):
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            server, fire = sides[name]
            parts[name].append(await run_step(server, fire, rate, seconds / slices))
    return {name: StepResult(
        rate=rate, duration=sum(p.duration for p in steps), sent=sum(p.sent for p in steps),
        planned=sum(p.planned for p in steps), answered=sum(p.answered for p in steps),
        latencies_ms=[ms for p in steps for ms in p.latencies_ms],
        send_lag_ms=max(p.send_lag_ms for p in steps)) for name, steps in parts.items()}


def _slug(label: str) -> str:
    """``mentor request (/mentor request)`` -> ``mentor_request``: a figure name's middle."""
    return "_".join(label.split(" (")[0].split())


def command_figures(breakdown: dict[str, tuple[float, float, int]], labels: list[str],
                    pong: StepResult) -> list[Figure]:
    """p50 and p99 of each command of the mix at 100/s, beside pong's (no target each: the
    targets are on the whole mix)."""
    figures = []
    for label in labels:
        if label not in breakdown:
            continue
        p50, p99, count = breakdown[label]
        name = _slug(label)
        figures += [
            Figure(f"cmd_{name}_p50_ms", p50, "ms", baseline=pong.p50_ms, baseline_label="pong",
                   note=f"{count} answers at 100/s"),
            Figure(f"cmd_{name}_p99_ms", p99, "ms", baseline=pong.p99_ms, baseline_label="pong"),
        ]
    return figures


def postgresql_figures(pg: StepResult, pg_errors: int, sqlite: StepResult) -> list[Figure]:
    return [
        Figure("pg_commands_p99_ms", pg.p99_ms, "ms", target="<= 1.3x SQLite p99 at 100/s",
               ok=pg.p99_ms <= 1.3 * sqlite.p99_ms, baseline=sqlite.p99_ms,
               baseline_label="SQLite"),
        Figure("pg_commands_errors", pg_errors, "", target="0", ok=pg_errors == 0),
    ]


async def measure(quick: bool) -> dict[str, Any]:
    """Pong, the bot on SQLite and (when PostgreSQL's binaries are installed) on PostgreSQL,
    all running at once; their steady steps at 100/s interleaved, then the SQLite bot's ramp."""
    async with AsyncExitStack() as stack:
        pong_server, pong_fire, _ = await stack.enter_async_context(pong_running())
        sqlite = await stack.enter_async_context(bot_running())
        sides = {"pong": (pong_server, pong_fire), "sqlite": (sqlite.server, sqlite.fire)}
        bin_dir = find_bin()
        pg: BotSide | None = None
        if bin_dir is None:
            print(f"# load on PostgreSQL skipped: {INSTALL_HINT}", file=sys.stderr)
        else:
            server = PgServer(bin_dir)
            await asyncio.to_thread(server.start)
            stack.push_async_callback(asyncio.to_thread, server.stop)
            pg = await stack.enter_async_context(
                bot_running(await server.new_database(migrated=False)))
            sides["postgresql"] = (pg.server, pg.fire)
        for side_server, fire in sides.values():  # warm: pools, statement caches
            await run_step(side_server, fire, 100, 1.0 if quick else 5.0)
        before = {name: len(side.mix.records) for name, side in (("sqlite", sqlite), ("pg", pg))
                  if side is not None}
        steady = await interleave(sides, 100, 3.0 if quick else 30.0, 3 if quick else 6)
        breakdown = per_command(sqlite.mix, range(before["sqlite"], len(sqlite.mix.records)))
        if pg is not None:
            on_pg = per_command(pg.mix, range(before["pg"], len(pg.mix.records)))
            print("# PostgreSQL per command at 100/s (p50/p99 ms, SQLite's beside): " + "; ".join(
                f"{label.split(' (')[0]} {p50:.2f}/{p99:.2f} ({breakdown[label][0]:.2f}/"
                f"{breakdown[label][1]:.2f})" for label, (p50, p99, _) in on_pg.items()
                if label in breakdown), file=sys.stderr)
        judge = Judge(sqlite.mix.records)
        judge.take(sustained=True)  # the warm-up and the steady step: every answer counts
        result = await ramp(sqlite.server, sqlite.fire, ramp_rates(quick),
                            step_seconds=step_seconds(quick), p99_limit_ms=P99_LIMIT_MS,
                            retries=RETRIES, on_step=judge)
        # Let the last step's stragglers finish before counting what went unanswered.
        await sqlite.server.wait_until(lambda: all(r.responded for r in sqlite.mix.records), 5.0)
        return {"labels": sqlite.mix.labels, "steady": steady, "ramp": result,
                "rss_kb": sqlite.bot.rss_kb("VmHWM"), "errors": sqlite.errors(judge.judged),
                "breakdown": breakdown,
                "pg_errors": None if pg is None else pg.errors([range(len(pg.mix.records))])}


async def run(quick: bool) -> list[Figure]:
    pong = await measure_pong(quick)  # the ceiling and memory floor (its steady: bench_pong)
    bot = await measure(quick)
    steady: StepResult = bot["steady"]["sqlite"]
    floor: StepResult = bot["steady"]["pong"]
    best = bot["ramp"].max_sustained_rps
    mixed = ", ".join(bot["labels"])
    print(f"# load mix: {mixed}", file=sys.stderr)
    labels = [label.split(" (")[0] for label in bot["labels"]]
    on_pg = [] if bot["pg_errors"] is None else postgresql_figures(
        bot["steady"]["postgresql"], bot["pg_errors"], steady)
    return [
        *on_pg,
        Figure("commands_p50_ms", steady.p50_ms, "ms", baseline=floor.p50_ms,
               baseline_label="pong"),
        Figure("commands_p99_ms", steady.p99_ms, "ms", target="<= 1.5x pong p99 at 100/s",
               ok=steady.p99_ms <= 1.5 * floor.p99_ms, baseline=floor.p99_ms,
               baseline_label="pong", note=f"mix: {mixed}; 100/s steps of the bots and pong "
               "interleaved"),
        *command_figures(bot["breakdown"], labels, floor),
        Figure("max_sustained_rps", best, "/s", target=">= 0.8x pong ceiling",
               ok=best >= 0.8 * pong.ceiling, baseline=pong.ceiling, baseline_label="pong"),
        Figure("commands_errors", bot["errors"], "", target="0", ok=bot["errors"] == 0,
               baseline=pong.errors, baseline_label="pong"),
        Figure("rss_mb", bot["rss_kb"] / 1024, "MB", target="< 200 MB",
               ok=bot["rss_kb"] / 1024 < 200, baseline=pong.rss_kb / 1024,
               baseline_label="pong"),
    ]
