"""Mentorships that are followed up (issue 20): the cadence a pair chooses, check-ins at weeks
2, 6 and 12 (outbox rows made with the pairing, cancelled when it ends), the one alert to the
coordinator role when a pair answers "not yet" at two check-ins in a row, and call times that
fall inside both members' waking hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import DueItem, Handler, NewRow, Outbox, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring._models import (
    CADENCES,
    CHECKIN,
    CHECKIN_WEEKS,
    STALLED,
    CheckIn,
    CheckInAnswer,
    CheckInResult,
    Pairing,
    StalledAlert,
    now_s,
)
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.overlap import call_times

NOT_IN_PAIR = "Only the two members of this mentorship can do that."


class FollowUp:
    def __init__(self, store: MentoringStore, clock: Clock, outbox: Outbox) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox

    async def schedule(self, pairing_id: int, guild_id: int, started: datetime) -> None:
        """The pairing's check-ins, in the transaction that made it (a key per week: never two)."""
        await self._outbox.enqueue_many(CHECKIN, [
            NewRow(due=started + timedelta(weeks=week), guild_id=guild_id, ref_id=pairing_id,
                   data={"week": week}, key=f"{pairing_id}:{week}")
            for week in CHECKIN_WEEKS
        ])

    async def cancel(self, pairing_id: int) -> None:
        """A pairing that ended asks nothing more (in the transaction that ends it)."""
        await self._outbox.cancel([CHECKIN], pairing_id, "the pairing ended")

    async def pairing_of_member(self, pairing_id: int, user_id: int) -> Pairing:
        """The open pairing, if ``user_id`` is one of its two members (else a refusal)."""
        pairing = await self._store.pairing(pairing_id)
        if pairing is None:
            raise NotFound("That mentorship no longer exists.")
        if user_id not in (pairing.mentor_user_id, pairing.mentee_user_id):
            raise Forbidden(NOT_IN_PAIR)
        if pairing.status != "active":
            raise Conflict("This mentorship has ended.")
        return pairing

    async def set_cadence(self, pairing_id: int, user_id: int, cadence: str) -> Pairing:
        if cadence not in CADENCES:
            raise InvalidInput(f"Choose one of: {', '.join(CADENCES.values())}.")
        async with self._store.db.transaction():
            await self.pairing_of_member(pairing_id, user_id)
            await self._store.set_cadence(pairing_id, cadence)
            pairing = await self._store.pairing(pairing_id)
        assert pairing is not None
        return pairing

    async def answer_checkin(self, pairing_id: int, week: int, user_id: int,
                             answer: CheckInAnswer) -> CheckInResult:
        """Record a check-in's answer (the latest of either member counts). A "not yet" after
        a "not yet" at the previous check-in alerts the coordinators, once per pairing."""
        if week not in CHECKIN_WEEKS or answer not in ("met", "not_yet"):
            raise InvalidInput("That check-in does not exist.")
        now = now_s(self._clock)
        alerted = False
        async with self._store.db.transaction():
            pairing = await self.pairing_of_member(pairing_id, user_id)
            await self._store.save_checkin(pairing_id, week, answer, user_id, now)
            earlier = CHECKIN_WEEKS.index(week)
            if (answer == "not_yet" and earlier > 0
                    and await self._store.checkin_answer(pairing_id,
                                                         CHECKIN_WEEKS[earlier - 1]) == "not_yet"
                    and await self._store.mark_stalled(pairing_id, now)):
                await self._outbox.enqueue(STALLED, due=now, guild_id=pairing.guild_id,
                                           ref_id=pairing_id)
                alerted = True
        return CheckInResult(answer, alerted)

    async def suggest_call(self, pairing_id: int, user_id: int) -> list[datetime]:
        """Three call times this week inside both members' waking hours (their stored zones)."""
        pairing = await self.pairing_of_member(pairing_id, user_id)
        mentor = await self._store.mentor(pairing.guild_id, pairing.mentor_user_id)
        mentee = await self._store.mentee(pairing.guild_id, pairing.mentee_user_id)
        if mentor is None or mentee is None:
            raise NotFound("That mentorship no longer exists.")
        # Two 16-hour waking days always share at least 8 hours: there are always times.
        return call_times(mentor.timezone, mentee.timezone, self._clock.now())


class CheckIns(Handler):
    """Due check-ins: posted in the pair's thread while the pairing is open."""

    policy = Policy(max_attempts=5, backoff_base_s=60, backoff_max_s=900)

    def __init__(self, store: MentoringStore) -> None:
        self._store = store

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        pairing = await self._store.pairing(item.ref)
        if pairing is None or pairing.status != "active":
            return Skip("the pairing ended", state="cancelled")
        if pairing.thread_id is None:
            return Skip("the pairing has no thread to ask in", state="failed")
        week = int(item.data["week"])
        later = [w for w in CHECKIN_WEEKS if w > week]
        if later and pairing.started_at + timedelta(weeks=later[0]) <= now:
            return Skip("a later check-in is due already (the bot was down)")
        return Send(CheckIn(pairing, week))


class StalledAlerts(Handler):
    """The coordinators' alert, in the mentoring channel, when both settings are there."""

    policy = Policy(max_attempts=5, backoff_base_s=60, backoff_max_s=900)

    def __init__(self, store: MentoringStore, guild_settings: GuildSettingsService) -> None:
        self._store = store
        self._guild_settings = guild_settings

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        pairing = await self._store.pairing(item.ref)
        if pairing is None:
            return Skip("the pairing no longer exists", state="cancelled")
        config = await self._guild_settings.get(item.guild_id)
        role, channel = config.get("mentor_coordinator_role"), config.get("mentoring_channel")
        if not role or not channel:
            return Skip("no coordinator role or mentoring channel is set")
        return Send(StalledAlert(pairing, int(role), int(channel)))
