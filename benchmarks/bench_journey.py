"""The journey at scale: Match-calendar reminders for 10,000 followers falling due on one
date, and forming cohorts from 5,000 members' exam dates.

- planning: 10,000 members follow (rows inserted directly), then one `/cycle edit` re-plans
  every follower (`Reminders.replan_guild`: one query for the followers and their profiles).
- fan-out: the day-of reminders of one step for every follower fall due at once; the outbox
  claims and sends them (engine as shipped: batches of 100, 16 concurrent sends) through a
  sender that admits DMs at a fixed rate, as the bot does when Discord rate-limits it (the
  real limit is Discord's, 50 requests/s globally for a bot; the sender here admits
  ``DM_RATE`` per second so the run stays short). Per batch (the engine claims 100 rows, then
  sends them): the delay the bot adds before a batch's first DM, after the previous batch's
  last one (claiming and preparing the rows), p99 over batches; target < 1 s. Also the total
  the bot added by the last DM: when it was sent minus when it could have been at that rate
  (n / DM_RATE after the rows fell due).
- cohorts: `/cohort form`'s plan for 5,000 members with dates over a year (the query plus the
  greedy clustering by date window, language and waking hours), then confirming it (every
  cohort's study group, members, weekly slot and closing row in one transaction). Target < 2 s
  each.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.figures import Figure, percentile
from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import DueItem, Outbox, Receipt
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey import REMINDER_KIND, JourneyService, ReminderDm, parse_calendar
from bot.services.journey.reminders import due_at
from bot.services.study_groups import StudyGroupService

GUILD, MOD = 910000000000000001, 1
DM_RATE = 2000.0  # DMs per second the fake Discord admits
CALENDAR = {"version": 1, "cycles": [{
    "id": "2027", "name": "2027", "starts": date(2026, 6, 1), "ends": date(2027, 7, 31),
    "steps": [{"id": f"step_{i}", "title": f"Step {i}", "at": f"2027-03-{10 + i:02d}T13:00",
               "zone": "America/New_York", "applies_to": ["everyone"], "status": "confirmed",
               "source": "https://www.nrmp.org/x/", "verified": date(2026, 12, 6)}
              for i in range(5)],
}]}
ZONES = ("Asia/Kolkata", "Africa/Lagos", "America/New_York", "Asia/Manila", "Europe/London",
         "Asia/Karachi", "Africa/Cairo", "Asia/Dhaka")


class _RateLimitedDms:
    """Admits one DM every 1/DM_RATE s (in arrival order), like a rate-limited Discord."""

    def __init__(self, expected: int) -> None:
        self.sent_at: dict[int, float] = {}
        self.expected = expected
        self._next = 0.0
        self.finished = asyncio.Event()

    async def send(self, item: DueItem, message: ReminderDm) -> Receipt:
        now = time.perf_counter()
        slot = max(now, self._next)
        self._next = slot + 1 / DM_RATE
        await asyncio.sleep(slot - now)
        self.sent_at[item.id] = time.perf_counter()
        if len(self.sent_at) >= self.expected:
            self.finished.set()
        return Receipt(len(self.sent_at))


async def _followers(db: Database, count: int) -> None:
    async with db.transaction():
        await db.executemany(
            "INSERT INTO journey_follows (guild_id, user_id, followed_at) VALUES (?, ?, 0)",
            [(GUILD, 10_000 + i) for i in range(count)],
        )
        await db.executemany(
            "INSERT INTO member_timezones (user_id, zone, updated_at) VALUES (?, ?, 0)",
            [(10_000 + i, ZONES[i % len(ZONES)]) for i in range(count)],
        )


async def _exam_dates(db: Database, count: int) -> None:
    rng = random.Random(7)
    start = date(2027, 1, 1)
    async with db.transaction():
        await db.executemany(
            "INSERT INTO journey_exams (guild_id, user_id, exam, day, month_only, updated_at) "
            "VALUES (?, ?, 'step2ck', ?, 0, 0)",
            [(GUILD, 100_000 + i, (start + timedelta(days=rng.randrange(365))).isoformat())
             for i in range(count)],
        )
        await db.executemany(
            "INSERT OR IGNORE INTO member_timezones (user_id, zone, updated_at) VALUES (?, ?, 0)",
            [(100_000 + i, rng.choice(ZONES)) for i in range(count)],
        )
        await db.executemany(
            "INSERT INTO mentees (guild_id, user_id, specialty, visa, stage, languages, timezone, "
            "created_at, updated_at) VALUES (?, ?, 'internal_medicine', 'j1', 'step1', ?, 'UTC', 0, 0)",
            [(GUILD, 100_000 + i, rng.choice(("en", "en,hi", "es", "ar,en", "en,ur")))
             for i in range(count)],
        )


def _describe(first: date, last: date, slot: datetime | None) -> str:
    return f"{first} to {last}, slot {slot}"


def _batches(sent_at: dict[int, float]) -> list[list[float]]:
    """Send times grouped as the engine claimed them: 100 rows at a time, in id order."""
    times = [sent_at[i] for i in sorted(sent_at)]
    return [times[i:i + 100] for i in range(0, len(times), 100)]


async def run(quick: bool) -> list[Figure]:
    followers = 2000 if quick else 10_000
    members = 5000
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        await db.migrate()
        clock = ManualClock(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
        outbox = Outbox(db, clock)
        settings = GuildSettingsService(db, clock)
        journey = JourneyService(db, clock, outbox, settings,
                                 StudyGroupService(db, clock, settings, outbox=outbox),
                                 cycles=parse_calendar(CALENDAR))
        try:
            await _followers(db, followers)
            step = await journey.calendar.step(GUILD, "2027/step_2")
            due = due_at(step, 0)
            clock.set(due - timedelta(minutes=1))  # only this step's day-of reminders fall due next
            started = time.perf_counter()
            await journey.calendar.edit(GUILD, MOD, "2027/step_0", "", confirmed=True)
            plan_s = time.perf_counter() - started
            planned = await db.fetchval("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")

            sink = _RateLimitedDms(followers)
            outbox.attach_sender(REMINDER_KIND, sink)
            clock.set(due)
            fell_due = time.perf_counter()
            sent = 0
            while sent < followers:  # one run sends at most 5,000 rows; the timer runs again
                report = await outbox.run_due(due)
                if not report.sent:
                    break
                sent += report.sent
            batches = _batches(sink.sent_at)
            gaps = [min(batches[0]) - fell_due] + [
                min(b) - max(a) for a, b in itertools.pairwise(batches)]
            total_excess = max(sink.sent_at.values()) - fell_due - followers / DM_RATE

            await _exam_dates(db, members)
            started = time.perf_counter()
            cohorts = await journey.cohorts.plan(GUILD, "step2ck", 6)
            cohort_s = time.perf_counter() - started
            await settings.set(GUILD, "study_groups_per_server", 10_000)  # room for them all
            started = time.perf_counter()
            formed = await journey.cohorts.form(cohorts, MOD, _describe)
            create_s = time.perf_counter() - started
        finally:
            await db.close()

    assert sent == followers, (sent, report)
    p99 = percentile(gaps, 99)
    placed = sum(len(c.members) for c in cohorts.cohorts)
    return [
        Figure("journey_replan_s", plan_s, "s", target="< 2 s", ok=plan_s < 2.0,
               note=f"{followers:,} followers, {planned:,} reminder rows planned"),
        Figure("journey_fanout_batch_p99_s", p99, "s", target="< 1 s", ok=p99 < 1.0,
               note=f"{followers:,} DMs due at once, {len(gaps)} batches, admitted at "
               f"{DM_RATE:.0f}/s"),
        Figure("journey_fanout_total_excess_s", total_excess, "s",
               note=f"the last of {followers:,} DMs, beyond {followers / DM_RATE:.0f} s at "
               f"{DM_RATE:.0f}/s"),
        Figure("journey_cohort_form_s", cohort_s, "s", target="< 2 s", ok=cohort_s < 2.0,
               note=f"{members:,} members, {len(cohorts.cohorts):,} cohorts, {placed:,} placed"),
        Figure("journey_cohort_create_s", create_s, "s", target="< 2 s", ok=create_s < 2.0,
               note=f"confirming that preview: {len(formed.cohorts):,} study groups with their "
               "members and weekly slots, one transaction"),
    ]


if __name__ == "__main__":
    for figure in asyncio.run(run(quick=False)):
        print(figure)
