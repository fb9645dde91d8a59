"""`/exam set` and `/exam clear`: a member's own exam dates (a day or a month; private)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.errors import InvalidInput
from bot.services.journey._models import EXAMS, ExamDate
from bot.services.journey._store import JourneyStore

#: How far from today an exam date may be (a typo such as 2207 is refused).
WINDOW = timedelta(days=2 * 366)


class Exams:
    def __init__(self, store: JourneyStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def set(self, guild_id: int, user_id: int, exam: str, when: str) -> ExamDate:
        if exam not in EXAMS:
            raise InvalidInput("Pick the exam from the list.")
        parsed = parse_exam_date(exam, when, self._clock.now())
        await self._store.save_exam(guild_id, user_id, parsed, self._clock.now())
        return parsed

    async def clear(self, guild_id: int, user_id: int, exam: str | None) -> int:
        if exam is not None and exam not in EXAMS:
            raise InvalidInput("Pick the exam from the list.")
        return await self._store.clear_exams(guild_id, user_id, exam)

    async def of(self, guild_id: int, user_id: int) -> list[ExamDate]:
        return await self._store.exams(guild_id, user_id)


def parse_exam_date(exam: str, text: str, now: datetime) -> ExamDate:
    """``2027-03-14`` (a day) or ``2027-03`` (a month), within two years of today."""
    cleaned = text.strip()
    try:
        if len(cleaned) == 7:
            day, month_only = date.fromisoformat(f"{cleaned}-01"), True
        else:
            day, month_only = date.fromisoformat(cleaned), False
    except ValueError:
        raise InvalidInput(
            f"`{cleaned[:30]}` is not a date I can read: use 2027-03-14, or 2027-03 for a month."
        ) from None
    today = now.date()
    if abs(day - today) > WINDOW:
        raise InvalidInput("That date is more than two years from today: check the year.")
    return ExamDate(exam, day, month_only)
