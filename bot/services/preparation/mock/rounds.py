"""Weekly rounds: moderators set when they close, members join and leave, the close pairs them.

A server has one open round at a time. Its close is a row of the one outbox (kind
``mock_close``, ref_id the round, a key per round and instant), so it happens once, also across
restarts: the claim's transaction pairs the members, closes the round, opens next week's and
enqueues its close, each pair's thread and the DMs. A round whose close fell due while the bot
was down closes when it comes back (late, not lost); the next close is the next weekly instant
after that, never a burst of missed weeks.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock, from_epoch
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.outbox import Done, DueItem, Handler, NewRow, Outbox, Outcome, Policy, Skip
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation.mock._models import ROLES, Entry, MockStatus, Schedule
from bot.services.preparation.mock._store import MockStore
from bot.services.preparation.mock.pairing import LEAD, pair_round, session_times
from bot.services.timezones import check_timezone

CLOSE, PAIR, DM = "mock_close", "mock_pair", "mock_dm"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def next_close(weekday: int, close_minute: int, zone: str, after: datetime) -> datetime:
    """The first ``weekday`` at ``close_minute`` past midnight in ``zone`` strictly after
    ``after`` (the wall time holds across DST: each week is built from its own date)."""
    tz = ZoneInfo(zone)
    local = after.astimezone(tz)
    at = time(close_minute // 60, close_minute % 60)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    candidate = datetime.combine(day, at, tzinfo=tz)
    if candidate <= after:
        candidate = datetime.combine(day + timedelta(days=7), at, tzinfo=tz)
    return candidate


def parse_time(text: str) -> int:
    """``HH:MM`` (24-hour) -> minutes past midnight."""
    hours, sep, minutes = text.strip().partition(":")
    if sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        h, m = int(hours), int(minutes)
        if 0 <= h < 24 and 0 <= m < 60:
            return h * 60 + m
    raise InvalidInput(f"`{text[:20]}` is not a time I can read: use 24-hour HH:MM, e.g. 18:00.")


def specialty_key(text: str) -> str:
    """A specialty's key from its key or its label as typed (any case)."""
    typed = " ".join(text.split()).casefold()
    for key, label in SPECIALTIES.items():
        if typed in (key, label.casefold()):
            return key
    raise InvalidInput(f"`{text[:40]}` is not a specialty I know: pick one from the list as "
                       "you type.")


class MockRounds(Handler):
    """The ``mock_close`` kind: work done in the database (pairing), nothing to send itself."""

    policy = Policy(max_attempts=5, backoff_base_s=30, backoff_max_s=900, sends=False)

    def __init__(self, store: MockStore, clock: Clock, outbox: Outbox) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        outbox.register(CLOSE, self)

    # -- moderators -----------------------------------------------------------------------
    async def schedule(self, guild_id: int, moderator_id: int, weekday: int, at: str, zone: str,
                       channel_id: int) -> Schedule:
        """Set when rounds close and where pairs get their threads; the open round (made if
        there is none) moves to the next such instant."""
        if weekday not in range(7):
            raise InvalidInput("Pick a day of the week.")
        minute = parse_time(at)
        zone = check_timezone(zone)
        now = self._clock.now()
        closes = next_close(weekday, minute, zone, now)
        async with self._store.db.transaction():
            await self._store.save_settings(guild_id, weekday, minute, zone, channel_id,
                                            moderator_id, now)
            current = await self._store.open_round(guild_id)
            if current is None:
                round_id = await self._store.add_round(guild_id, closes, _seed())
            else:
                round_id = current["id"]
                await self._outbox.cancel([CLOSE], round_id, "a moderator moved the close")
                await self._store.move_round(round_id, closes)
            await self._enqueue_close(guild_id, round_id, closes, revive=True)
        return Schedule(guild_id, weekday, minute, zone, channel_id, closes)

    async def schedule_of(self, guild_id: int) -> Schedule | None:
        settings = await self._store.settings(guild_id)
        current = await self._store.open_round(guild_id)
        if settings is None or current is None:
            return None
        return Schedule(guild_id, settings["weekday"], settings["close_minute"], settings["zone"],
                        settings["channel_id"], from_epoch(current["closes_at"]))

    async def _enqueue_close(self, guild_id: int, round_id: int, closes: datetime, *,
                             revive: bool = False) -> None:
        row = NewRow(due=closes, guild_id=guild_id, ref_id=round_id,
                     key=f"{round_id}:{int(closes.timestamp())}")
        await self._outbox.enqueue_many(CLOSE, [row],
                                        revive_from=self._clock.now() if revive else None)

    # -- members --------------------------------------------------------------------------
    async def join(self, guild_id: int, user_id: int, role: str, specialty: str) -> Entry:
        """Enter (or change one's entry in) this week's round."""
        if role not in ROLES:
            raise InvalidInput("Choose interviewer, interviewee or both.")
        specialty = specialty_key(specialty)
        async with self._store.db.transaction():
            current = await self._open(guild_id)
            _, sit_out = await self._store.member(guild_id, user_id)
            if sit_out == current["id"]:
                raise Forbidden(
                    "You sit out this week's mock interviews: two of your sessions in a row were "
                    "missed (your partners reported it). You can join again after this round "
                    f"closes, <t:{current['closes_at']}:F>.")
            if await self._store.member_zone(guild_id, user_id) is None:
                raise InvalidInput("Pairing needs your waking hours: set your time zone first with "
                                   "`/timezone set`, then join again.")
            existing = await self._store.entry(current["id"], user_id)
            await self._store.save_entry(current["id"], user_id, role, specialty,
                                         existing is not None and existing.carried,
                                         self._clock.now())
            entry = await self._store.entry(current["id"], user_id)
        assert entry is not None
        return entry

    async def leave(self, guild_id: int, user_id: int) -> bool:
        """Leave this week's round; False if the member was not in it."""
        async with self._store.db.transaction():
            current = await self._open(guild_id)
            return await self._store.delete_entry(current["id"], user_id)

    async def status(self, guild_id: int, user_id: int) -> MockStatus:
        current = await self._store.open_round(guild_id)
        entry = None if current is None else await self._store.entry(current["id"], user_id)
        _, sit_out = await self._store.member(guild_id, user_id)
        pair = await self._store.latest_pair(guild_id, user_id)
        given = pair is not None and (
            pair.interviewee_showed if user_id == pair.interviewer_id
            else pair.interviewer_showed) is not None
        return MockStatus(None if current is None else from_epoch(current["closes_at"]), entry,
                          current is not None and sit_out == current["id"], pair, given)

    async def entry(self, guild_id: int, user_id: int) -> Entry | None:
        current = await self._store.open_round(guild_id)
        return None if current is None else await self._store.entry(current["id"], user_id)

    async def _open(self, guild_id: int) -> dict:
        current = await self._store.open_round(guild_id)
        if current is None:
            raise NotFound("Mock interviews are not set up in this server yet: a moderator sets "
                           "when rounds close with `/mock schedule`.")
        return dict(current)

    # -- the close ------------------------------------------------------------------------
    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        current = await self._store.round(item.ref)
        if current is None or current["closed_at"] is not None:
            return Skip("the round is closed already", state="cancelled")
        if current["closes_at"] > int(now.timestamp()):
            return Skip("the round was moved to a later close", state="cancelled")
        await self.close(item.guild_id, item.ref, now)
        return Done()

    async def close(self, guild_id: int, round_id: int, now: datetime) -> None:
        """Pair the round (in the caller's transaction) and open the next one."""
        current = await self._store.round(round_id)
        settings = await self._store.settings(guild_id)
        assert current is not None and settings is not None
        if not await self._store.mark_closed(round_id, now):
            return
        members = await self._store.participants(round_id, guild_id)
        by_id = {m.user_id: m for m in members}
        pairing = pair_round(members, await self._store.past_pairs(guild_id),
                             (now + LEAD).date(), current["seed"])
        pair_rows, dm_rows = [], []
        for pair in pairing.pairs:
            times = session_times(by_id[pair.interviewer].zone, by_id[pair.interviewee].zone, now)
            pair_id = await self._store.add_pair(round_id, guild_id, pair.interviewer,
                                                 pair.interviewee, pair.specialty, times, now)
            pair_rows.append(NewRow(due=now, guild_id=guild_id, ref_id=pair_id))
            dm_rows.append(NewRow(due=now, guild_id=guild_id, ref_id=pair_id,
                                  recipient_id=pair.interviewer, data={"event": "questions"}))
        closes = next_close(settings["weekday"], settings["close_minute"], settings["zone"], now)
        next_id = await self._store.add_round(guild_id, closes, _seed())
        await self._enqueue_close(guild_id, next_id, closes)
        for user_id in pairing.unpaired:
            left = by_id[user_id]
            await self._store.save_entry(next_id, user_id, left.role, left.specialty, True, now)
            dm_rows.append(NewRow(due=now, guild_id=guild_id, ref_id=next_id, recipient_id=user_id,
                                  data={"event": "unpaired"}))
        await self._outbox.enqueue_many(PAIR, pair_rows)
        await self._outbox.enqueue_many(DM, dm_rows)


def _seed() -> int:
    return secrets.randbelow(2**31)
