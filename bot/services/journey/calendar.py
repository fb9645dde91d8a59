"""The Match calendar: the shipped steps, each server's corrections, a member's timeline."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.clock import Clock, from_epoch
from bot.errors import InvalidInput, NotFound
from bot.services.journey._models import Cycle, MemberProfile, Step, Timeline, pick_profile
from bot.services.journey._store import JourneyStore
from bot.services.mentoring.vocab import EXAM_STAGES, VISA_ROUTES

#: Called in the edit's transaction with the server whose steps changed (reminders re-plan).
OnEdit = Callable[[int], Awaitable[None]]
#: Called in the change's transaction with the member whose visa route or stage changed.
OnProfile = Callable[[int, int], Awaitable[None]]


class MatchCalendar:
    def __init__(self, store: JourneyStore, clock: Clock, cycles: Sequence[Cycle]) -> None:
        self._store = store
        self._clock = clock
        self.cycles = tuple(cycles)
        self._cycle_by_id = {c.id: c for c in self.cycles}
        self._on_edit: list[OnEdit] = []
        self._on_profile: list[OnProfile] = []

    def on_edit(self, callback: OnEdit) -> None:
        self._on_edit.append(callback)

    def on_profile(self, callback: OnProfile) -> None:
        self._on_profile.append(callback)

    async def profile_changed(self, guild_id: int, user_id: int) -> None:
        """Tell who cares (in the caller's transaction) that a member's profile changed."""
        for callback in self._on_profile:
            await callback(guild_id, user_id)

    async def steps(self, guild_id: int) -> list[Step]:
        """Every step of every cycle as this server sees it (its corrections applied), by time."""
        overrides = {(r["cycle_id"], r["step_id"]): r for r in await self._store.overrides(guild_id)}
        steps = []
        for cycle in self.cycles:
            for step in cycle.steps:
                row = overrides.get((cycle.id, step.id))
                if row is not None:
                    step = dataclasses.replace(
                        step, at=from_epoch(row["at"]).astimezone(ZoneInfo(step.zone)),
                        status=row["status"], edited_by=row["edited_by"],
                        edited_at=from_epoch(row["edited_at"]),
                    )
                steps.append(step)
        return sorted(steps, key=lambda s: (s.at, s.key))

    async def step(self, guild_id: int, key: str) -> Step:
        for step in await self.steps(guild_id):
            if step.key == key:
                return step
        raise NotFound("There is no such step in the Match calendar: pick one from the list.")

    async def search(self, guild_id: int, query: str, limit: int = 25) -> list[Step]:
        """Steps for autocomplete: upcoming ones first, matching ``query`` in title or key."""
        needle = query.strip().casefold()
        now = self._clock.now()
        steps = [s for s in await self.steps(guild_id)
                 if needle in s.title.casefold() or needle in s.key.casefold()]
        return sorted(steps, key=lambda s: (s.at < now, s.at))[:limit]

    async def profile(self, guild_id: int, user_id: int) -> tuple[MemberProfile, str]:
        """The member's visa route and stage: told to the journey, else their mentee profile."""
        return pick_profile(await self._store.journey_profile(guild_id, user_id),
                            await self._store.mentee_profile(guild_id, user_id))

    async def timeline(self, guild_id: int, user_id: int, *, visa: str | None = None,
                       stage: str | None = None) -> Timeline:
        """The steps ahead that apply to the member. ``visa``/``stage`` given: remembered."""
        if visa is not None or stage is not None:
            await self.set_profile(guild_id, user_id, visa=visa, stage=stage)
        profile, source = await self.profile(guild_id, user_id)
        now = self._clock.now()
        steps = tuple(s for s in await self.steps(guild_id) if s.at >= now and s.applies(profile))
        exams = tuple(e for e in await self._store.exams(guild_id, user_id)
                      if e.day >= now.date() or (e.month_only and e.day.month == now.month
                                                 and e.day.year == now.year))
        return Timeline(profile, source, steps, exams)  # type: ignore[arg-type]

    async def set_profile(self, guild_id: int, user_id: int, *, visa: str | None,
                          stage: str | None) -> MemberProfile:
        if visa is not None and visa not in VISA_ROUTES:
            raise InvalidInput("Pick your visa route from the list.")
        if stage is not None and stage not in EXAM_STAGES:
            raise InvalidInput("Pick your exam stage from the list.")
        async with self._store.db.transaction():
            current, _ = await self.profile(guild_id, user_id)
            profile = MemberProfile(visa or current.visa, stage or current.stage)
            await self._store.save_profile(guild_id, user_id, profile, self._clock.now())
            await self.profile_changed(guild_id, user_id)
        return profile

    async def edit(self, guild_id: int, moderator_id: int, key: str, when: str, *,
                   confirmed: bool) -> Step:
        """A moderator confirms (``confirmed``) or corrects a step for this server.

        ``when`` is ``YYYY-MM-DD`` (the time of day kept) or ``YYYY-MM-DD HH:MM``, in the step's
        official zone; empty keeps the date (to confirm a projected one as it stands)."""
        step = await self.step(guild_id, key)
        at = parse_when(when, step) if when.strip() else step.at
        cycle = self._cycle_by_id[step.cycle_id]
        local = at.astimezone(ZoneInfo(step.zone)).date()
        if not cycle.starts <= local <= cycle.ends:
            raise InvalidInput(
                f"That date is outside the {cycle.name} ({cycle.starts:%d %b %Y} to "
                f"{cycle.ends:%d %b %Y}): check the year."
            )
        status = "confirmed" if confirmed else step.status
        async with self._store.db.transaction():
            await self._store.save_override(guild_id, step.cycle_id, step.id, at, status,
                                            moderator_id, self._clock.now())
            for callback in self._on_edit:
                await callback(guild_id)
        return await self.step(guild_id, key)


def parse_when(text: str, step: Step) -> datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` in the step's zone, as an aware instant."""
    cleaned = " ".join(text.strip().replace("T", " ").split())
    zone = ZoneInfo(step.zone)
    try:
        if len(cleaned) == 10:
            wall = datetime.combine(date.fromisoformat(cleaned), step.at.astimezone(zone).time())
        else:
            day_text, time_text = cleaned.split(" ")
            wall = datetime.combine(date.fromisoformat(day_text), time.fromisoformat(time_text))
    except ValueError:
        raise InvalidInput(
            f"`{text.strip()[:40]}` is not a date I can read: use 2027-03-19 or 2027-03-19 13:00 "
            f"({step.zone} time, the step's official zone)."
        ) from None
    return wall.replace(tzinfo=zone)


def start_of_day(instant: datetime, zone: str) -> datetime:
    local = instant.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), time(0), tzinfo=ZoneInfo(zone))
