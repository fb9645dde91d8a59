"""`/cycle follow`: DM reminders 14, 3 and 0 days before each step that applies to the member,
as rows of the one outbox (kind ``journey_reminder``).

Rows are planned when a member follows and again whenever a moderator moves a step (each
row names the step's instant it was planned for, in its data and key, so a move adds new rows;
the old ones are skipped when due, since their step no longer falls then). Exactly once and restarts are the
engine's. This handler decides what a due row means now: a step that has passed is skipped; a
reminder that comes late (the bot was down) is sent marked "(delayed)", unless a nearer
reminder of the same step is also due (one catch-up DM, not two).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.outbox import DueItem, Handler, NewRow, Outbox, Outcome, Policy, Send, Skip
from bot.services.journey._models import MemberProfile, ReminderDm, Step
from bot.services.journey._store import JourneyStore
from bot.services.journey.calendar import MatchCalendar, start_of_day

KIND = "journey_reminder"
#: Days before a step that a follower is reminded (0: the start of the step's own day).
LEADS = (14, 3, 0)
#: A reminder sent later than this after its due time is marked "(delayed)".
LATE_GRACE = timedelta(minutes=10)


def due_at(step: Step, lead: int) -> datetime:
    """Midnight, in the step's official zone, ``lead`` days before the step's day (never after
    the step itself)."""
    return min(start_of_day(step.at, step.zone) - timedelta(days=lead), step.at)


class Reminders(Handler):
    policy = Policy(max_attempts=5, backoff_base_s=10, backoff_max_s=600)

    def __init__(self, store: JourneyStore, clock: Clock, calendar: MatchCalendar,
                 outbox: Outbox) -> None:
        self._store = store
        self._clock = clock
        self._calendar = calendar
        self._outbox = outbox
        outbox.register(KIND, self)
        calendar.on_edit(self.replan_guild)
        calendar.on_profile(self.replan_member)

    async def follow(self, guild_id: int, user_id: int) -> tuple[bool, int]:
        """Start reminders; returns (newly following, reminders now planned)."""
        async with self._store.db.transaction():
            follow_id = await self._store.follow_id(guild_id, user_id)
            new = follow_id is None
            if follow_id is None:
                follow_id = await self._store.add_follow(guild_id, user_id, self._clock.now())
            return new, await self._plan(guild_id, user_id, follow_id)

    async def unfollow(self, guild_id: int, user_id: int) -> int | None:
        """Stop reminders; returns how many planned ones were cancelled (None: not following)."""
        async with self._store.db.transaction():
            follow_id = await self._store.follow_id(guild_id, user_id)
            if follow_id is None:
                return None
            cancelled = await self._outbox.cancel([KIND], follow_id, "the member unfollowed")
            await self._store.remove_follow(follow_id)
            return cancelled

    async def replan_guild(self, guild_id: int) -> None:
        """Plan rows for every follower of a server (after a moderator moved a step)."""
        steps = await self._calendar.steps(guild_id)
        rows = [row for f in await self._store.followers(guild_id)
                for row in self._rows(guild_id, f.user_id, f.follow_id, f.profile, steps)]
        await self._outbox.enqueue_many(KIND, rows)

    async def replan_member(self, guild_id: int, user_id: int) -> None:
        """Plan rows for a member whose profile changed (steps that now apply)."""
        follow_id = await self._store.follow_id(guild_id, user_id)
        if follow_id is not None:
            await self._plan(guild_id, user_id, follow_id)

    async def _plan(self, guild_id: int, user_id: int, follow_id: int) -> int:
        """Plan the member's rows; returns how many reminders lie ahead for them."""
        profile, _ = await self._calendar.profile(guild_id, user_id)
        rows = self._rows(guild_id, user_id, follow_id, profile,
                          await self._calendar.steps(guild_id))
        await self._outbox.enqueue_many(KIND, rows)
        return len(rows)

    def _rows(self, guild_id: int, user_id: int, follow_id: int, profile: MemberProfile,
              steps: list[Step]) -> list[NewRow]:
        """One row per step ahead that applies and lead still to come (the key names the
        instant it is planned for, so planning twice adds nothing)."""
        now = self._clock.now()
        return [
            NewRow(due=due, guild_id=guild_id, ref_id=follow_id, recipient_id=user_id,
                   data={"step": step.key, "lead": lead, "at": int(step.at.timestamp())},
                   key=f"{follow_id}:{step.key}:{lead}:{int(step.at.timestamp())}")
            for step in steps if step.at > now and step.applies(profile)
            for lead in LEADS if (due := due_at(step, lead)) >= now
        ]

    # -- the outbox handler ---------------------------------------------------------------
    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        follower = await self._store.follower(item.ref_id or 0)
        if follower is None:
            return Skip("the member no longer follows the calendar", state="cancelled")
        key, lead = str(item.data["step"]), int(item.data["lead"])
        step = next((s for s in await self._calendar.steps(item.guild_id) if s.key == key), None)
        if step is None:
            return Skip("the step is no longer in the calendar")
        at = int(step.at.timestamp())
        if int(item.data["at"]) != at:
            return Skip("a moderator moved the step (its new reminders are planned)")
        if now >= step.at:
            return Skip("the step had passed before the reminder could be sent")
        if not step.applies(follower.profile):
            return Skip("the step no longer applies to the member")
        delayed = item.late(now, LATE_GRACE)
        if delayed and await self._store.nearer_reminder_due(KIND, follower.follow_id, key, at,
                                                             lead, now):
            return Skip("superseded by a nearer reminder of the same step")
        days = (step.at.date() - now.astimezone(step.at.tzinfo).date()).days
        return Send(ReminderDm(follower.user_id, item.nonce, step, days, follower.zone, delayed))
