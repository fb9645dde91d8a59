"""The journey's channel posts, each turned on by a server's moderators (`/cycle posts`) and
posted in the announcements channel through the one outbox:

- ``journey_weekly``: "This week in the Match" every Monday 09:00 US Eastern, listing the
  steps of the coming seven days (a week with none is skipped). Each post's row enqueues the
  next week's in the same transaction, so the chain survives restarts and never doubles (one
  row per server and week, by key).
- ``journey_match_day``: on the evening of each Match Day (20:00 US Eastern), a count-only
  digest: "N members shared that they matched this year". Nobody is named.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.outbox import DueItem, Handler, NewRow, Outbox, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService
from bot.services.journey._models import ChannelPost, MatchDayDigest, WeeklyPost
from bot.services.journey._store import JourneyStore
from bot.services.journey.calendar import MatchCalendar

WEEKLY, MATCH_DAY = "journey_weekly", "journey_match_day"
KINDS = (WEEKLY, MATCH_DAY)
EASTERN = ZoneInfo("America/New_York")
WEEKLY_AT = time(9, 0)
DIGEST_AT = time(20, 0)
MATCH_DAY_STEP = "match_day"
#: A weekly post later than this (the bot was down) is skipped: the week is under way.
STALE = timedelta(hours=12)


def next_monday(after: datetime) -> datetime:
    """The first Monday 09:00 US Eastern strictly after ``after``."""
    local = after.astimezone(EASTERN)
    day = local.date() + timedelta(days=(7 - local.weekday()) % 7)
    candidate = datetime.combine(day, WEEKLY_AT, tzinfo=EASTERN)
    return candidate if candidate > after else candidate + timedelta(days=7)


class ChannelPosts(Handler):
    policy = Policy(max_attempts=5, backoff_base_s=30, backoff_max_s=900)

    def __init__(self, store: JourneyStore, clock: Clock, calendar: MatchCalendar,
                 outbox: Outbox, guild_settings: GuildSettingsService) -> None:
        self._store = store
        self._clock = clock
        self._calendar = calendar
        self._outbox = outbox
        self._guild_settings = guild_settings
        for kind in KINDS:
            outbox.register(kind, self)

    async def set(self, guild_id: int, moderator_id: int, *, weekly: bool | None,
                  match_day: bool | None) -> tuple[bool, bool]:
        """Turn the posts on or off (None: unchanged); returns what is on now."""
        current = await self._store.posts(guild_id)
        wanted = (current[0] if weekly is None else weekly,
                  current[1] if match_day is None else match_day)
        async with self._store.db.transaction():
            await self._store.save_posts(guild_id, *wanted, moderator_id, self._clock.now())
            for kind, on in zip(KINDS, wanted, strict=True):
                await self._outbox.cancel([kind], guild_id, "a moderator turned it off")
                if on:
                    await self._outbox.enqueue_many(kind, await self._rows(kind, guild_id),
                                                    revive_from=self._clock.now())
        return wanted

    async def _rows(self, kind: str, guild_id: int) -> list[NewRow]:
        now = self._clock.now()
        if kind == WEEKLY:
            due = next_monday(now)
            return [NewRow(due=due, guild_id=guild_id, ref_id=guild_id,
                           key=f"{guild_id}:{due.date().isoformat()}")]
        rows = []
        for step in await self._calendar.steps(guild_id):
            if step.id != MATCH_DAY_STEP:
                continue
            due = datetime.combine(step.at.astimezone(EASTERN).date(), DIGEST_AT, tzinfo=EASTERN)
            if due > now:
                rows.append(NewRow(due=due, guild_id=guild_id, ref_id=guild_id,
                                   data={"cycle": step.cycle_id},
                                   key=f"{guild_id}:{step.cycle_id}"))
        return rows

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        weekly_on, digest_on = await self._store.posts(item.guild_id)
        if item.kind == WEEKLY:
            if not weekly_on:
                return Skip("the weekly post was turned off", state="cancelled")
            # the next week's row, in this claim's transaction: the chain never breaks
            await self._outbox.enqueue_many(WEEKLY, await self._rows(WEEKLY, item.guild_id))
            if now - item.due_at > STALE:
                return Skip("the bot was down past the week's start; next week's is planned")
            week_start = item.due_at.astimezone(EASTERN)
            end = week_start + timedelta(days=7)
            steps = tuple(s for s in await self._calendar.steps(item.guild_id)
                          if week_start <= s.at < end)
            if not steps:
                return Skip("nothing to say")
            return await self._post(item.guild_id, lambda channel_id: WeeklyPost(
                channel_id, item.nonce, week_start, steps))
        if not digest_on:
            return Skip("the Match Day digest was turned off", state="cancelled")
        matched = await self._matched(item.guild_id, str(item.data["cycle"]))
        if not matched:
            return Skip("nothing to say")
        return await self._post(item.guild_id, lambda channel_id: MatchDayDigest(
            channel_id, item.nonce, matched))

    async def _post(self, guild_id: int, post: Callable[[int], ChannelPost]) -> Outcome:
        """``post`` in the server's announcements channel, or failed at once without one."""
        value = (await self._guild_settings.get(guild_id)).get("announcements_channel")
        if not value:
            return Skip("no announcements channel is set (/settings channel)", state="failed")
        return Send(post(int(value)))

    async def _matched(self, guild_id: int, cycle_id: str) -> int:
        """How many members shared that they matched in the cycle (0 if it is unknown)."""
        cycle = next((c for c in self._calendar.cycles if c.id == cycle_id), None)
        if cycle is None:
            return 0
        since = datetime.combine(cycle.starts, time(0), tzinfo=EASTERN)
        return await self._store.matched_count(guild_id, since)
