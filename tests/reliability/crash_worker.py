"""The write load the crash test kills: the real services on a real database file, forever.

``python -m tests.reliability.crash_worker DB SEED`` opens (and migrates) DB, then runs random
member and moderator operations through `Services` (what the cogs call) and plays the due-work
sender (claim notices, mark them sent with a message id), printing ``ok N`` after each one.
Its parent SIGKILLs it at a random point and checks what is left (test_crash.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.errors import UserError
from bot.services import Services
from bot.services.anonymous import KINDS as ANONYMOUS_KINDS
from bot.services.mentoring import SENT_KINDS
from bot.services.mentoring.profiles import MenteeInput, MentorInput
from bot.services.mentoring.vocab import EXAM_STAGES, LANGUAGES, SPECIALTIES, VISA_ROUTES
from bot.services.study_groups import KINDS as STUDY_KINDS
from bot.services.study_groups.models import TOPICS
from tests.outbox_recorder import Recorder

GUILD = 4242
ZONES = ["Asia/Kolkata", "America/New_York", "Europe/London", "Asia/Karachi", "Africa/Lagos"]


class Worker:
    def __init__(self, db: Database, services: Services, clock: ManualClock, rng: random.Random):
        self.db, self.services, self.clock, self.rng = db, services, clock, rng
        self.mentoring = services.mentoring

    def _user(self) -> int:
        return self.rng.randrange(1, 400)

    async def _pick(self, sql: str) -> list:
        rows = await self.db.fetchall(sql)
        return [self.rng.choice(rows)] if rows else []

    async def register_mentor(self) -> None:
        rng = self.rng
        data = MentorInput.validated(
            specialties=rng.sample(list(SPECIALTIES), 2), visas=rng.sample(list(VISA_ROUTES), 1),
            stage=rng.choice(list(EXAM_STAGES)[3:]), languages=["en", rng.choice(list(LANGUAGES))],
            timezone=rng.choice(ZONES), capacity=rng.randint(1, 3), bio="crash test")
        user = self._user()
        await self.mentoring.register_mentor(GUILD, user, data)
        await self.mentoring.moderate(GUILD, user, "approve")

    async def mentee_profile(self) -> None:
        rng = self.rng
        data = MenteeInput.validated(
            specialty=rng.choice(list(SPECIALTIES)), visa=rng.choice(list(VISA_ROUTES)),
            stage=rng.choice(list(EXAM_STAGES)[:3]), languages=["en"],
            timezone=rng.choice(ZONES), goals="match")
        await self.mentoring.set_mentee_profile(GUILD, self._user(), data)

    async def request(self) -> None:
        for row in await self._pick("SELECT user_id FROM mentees"):
            candidates = await self.mentoring.candidates(GUILD, row["user_id"])
            if candidates:
                await self.mentoring.request(GUILD, row["user_id"], candidates[0].mentor.id)

    async def _pending_offer(self) -> list:
        return await self._pick(
            "SELECT o.request_id, m.user_id FROM mentor_offers o JOIN mentors m "
            "ON m.id = o.mentor_id WHERE o.status = 'pending'")

    async def accept(self) -> None:
        for row in await self._pending_offer():
            await self.mentoring.accept(row["request_id"], row["user_id"])

    async def decline(self) -> None:
        for row in await self._pending_offer():
            await self.mentoring.decline(row["request_id"], row["user_id"])

    async def withdraw(self) -> None:
        for row in await self._pick("SELECT e.user_id FROM mentor_requests r JOIN mentees e "
                                    "ON e.id = r.mentee_id WHERE r.status = 'pending'"):
            await self.mentoring.withdraw(GUILD, row["user_id"])

    async def end(self) -> None:
        for row in await self._pick("SELECT e.user_id FROM mentor_pairings p JOIN mentees e "
                                    "ON e.id = p.mentee_id WHERE p.status = 'active'"):
            await self.mentoring.end_pairing(GUILD, row["user_id"], partner_user_id=None,
                                             rating=self.rng.randint(1, 5), feedback="thanks")

    async def pause(self) -> None:
        for row in await self._pick("SELECT user_id, paused FROM mentors"):
            await self.mentoring.set_paused(GUILD, row["user_id"], not row["paused"])

    async def match_all(self) -> None:
        plan = await self.mentoring.plan_match_all(GUILD)
        await self.mentoring.apply_plan(plan)

    async def due_work(self) -> None:
        """What the outbox's timer does, with a fake Discord that always succeeds."""
        await self.services.outbox.run_due(self.clock.now())

    # -- study groups ------------------------------------------------------------------------
    async def create_group(self) -> None:
        await self.services.study_groups.groups.create(
            GUILD, self._user(), f"Group {self.rng.randrange(60)}", self.rng.choice(TOPICS))

    async def join(self) -> None:
        for row in await self._pick("SELECT id FROM study_groups WHERE archived_at IS NULL"):
            await self.services.study_groups.groups.join(GUILD, row["id"], self._user())

    async def leave(self) -> None:
        for row in await self._pick("SELECT group_id, user_id FROM study_group_members"):
            await self.services.study_groups.groups.leave(GUILD, row["group_id"], row["user_id"])

    async def schedule(self) -> None:
        for row in await self._pick("SELECT id, owner_id FROM study_groups WHERE archived_at IS NULL"):
            start = self.clock.now() + timedelta(hours=self.rng.randint(1, 96))
            weekly = self.rng.random() < 0.5
            await self.services.study_groups.sessions.schedule(
                GUILD, row["id"], row["owner_id"], True, title="Cardio review",
                start=start.strftime("%Y-%m-%d %H:%M"), weekdays="mon, thu" if weekly else None,
                count=4 if weekly else None)

    async def _occurrence_member(self) -> list:
        return await self._pick(
            "SELECT o.id, m.user_id, s.group_id FROM study_occurrences o JOIN study_series s "
            "ON s.id = o.series_id JOIN study_group_members m ON m.group_id = s.group_id "
            "WHERE o.cancelled_at IS NULL")

    async def rsvp(self) -> None:
        for row in await self._occurrence_member():
            await self.services.study_groups.sessions.rsvp(
                GUILD, row["id"], row["user_id"], self.rng.choice(["going", "maybe", "no"]))

    async def remind(self) -> None:
        for row in await self._occurrence_member():
            await self.services.study_groups.sessions.set_reminder(
                GUILD, row["group_id"], row["user_id"], self.rng.choice([None, 30, 120]))

    async def cancel(self) -> None:
        for row in await self._occurrence_member():
            await self.services.study_groups.sessions.cancel(
                GUILD, row["id"], 0, True, whole_series=self.rng.random() < 0.3)

    async def outbox(self) -> None:
        """The outbox's dispatch with a sender that always gets a message id back."""
        await self.services.outbox.run_due(self.clock.now())

    # -- anonymous questions -----------------------------------------------------------------
    async def ask(self) -> None:
        await self.services.anonymous.ask(GUILD, self._user(), "Visa question",
                                          "Can I switch from J-1 to H-1B after residency?", None)

    async def anonymous_posts(self) -> None:
        """The outbox's timer again (one engine sends every kind)."""
        await self.services.outbox.run_due(self.clock.now())

    async def run(self) -> None:
        ops = [(self.register_mentor, 3), (self.mentee_profile, 4), (self.request, 6),
               (self.accept, 3), (self.decline, 2), (self.withdraw, 1), (self.end, 2),
               (self.pause, 1), (self.match_all, 1), (self.due_work, 4),
               (self.create_group, 2), (self.join, 4), (self.leave, 1), (self.schedule, 3),
               (self.rsvp, 5), (self.remind, 2), (self.cancel, 1), (self.outbox, 4),
               (self.ask, 1), (self.anonymous_posts, 2)]
        actions, weights = zip(*ops, strict=True)
        done = 0
        while True:
            op = self.rng.choices(actions, weights)[0]
            try:
                await op()
            except UserError:
                pass  # a conflict a member could meet too (already registered, no slot...)
            self.clock.advance(timedelta(minutes=self.rng.randint(0, 240)))
            done += 1
            print(f"ok {done}", flush=True)


async def main(path: str, seed: int) -> None:
    db = await Database.open(Path(path))
    await db.migrate()
    # Resume the worker's own clock from the database, so offers expire across restarts.
    latest = await db.fetchval("SELECT max(updated_at) FROM mentors")
    start = SystemClock().now() if latest is None else datetime.fromtimestamp(latest, tz=UTC)
    clock = ManualClock(start)
    settings = dataclasses.replace(Settings.from_env({}), database_path=Path(path))
    services = Services.build(db, settings, clock)
    for key, channel in (("announcements_channel", 777), ("anonymous_channel", 778),
                         ("anonymous_review_channel", 779)):
        await services.guild_settings.set(GUILD, key, channel)
    sender = Recorder()
    for kind in (*SENT_KINDS, *ANONYMOUS_KINDS, *STUDY_KINDS):
        services.outbox.attach_sender(kind, sender)
    worker = Worker(db, services, clock, random.Random(seed))
    print("ready", flush=True)
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
