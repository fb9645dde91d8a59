"""Moderator insights: whether the community works, per topic (mentoring, study groups,
anonymous questions, resource searches), over a period. Read-only: figures come from the
other capabilities' tables (``_store``) and the mentoring service's public functions. Nothing
in them identifies an anonymous asker or a searcher.

``InsightsService.topic`` returns one topic's figures; ``charts.chart`` renders them as a PNG
and ``lines`` as text; ``as_json`` is what `fmg-bot stats --json` prints."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Protocol

from bot.clock import Clock
from bot.db import Database
from bot.services.insights._figures import (
    anonymous_figures,
    mentoring_figures,
    resource_figures,
    study_figures,
)
from bot.services.insights._models import (
    PERIOD_DAYS,
    AnonymousFigures,
    Insights,
    MentoringFigures,
    Period,
    ResourceFigures,
    SearchCount,
    SessionRsvps,
    StudyFigures,
    Supply,
    TopicAnswers,
)
from bot.services.insights._store import InsightsStore
from bot.services.insights.text import lines
from bot.services.mentoring import MentoringService

Figures = MentoringFigures | StudyFigures | AnonymousFigures | ResourceFigures
#: topic key -> its label, in the order `/stats` shows them
TOPICS: dict[str, str] = {
    "mentoring": "Mentoring",
    "study": "Study groups",
    "anonymous": "Anonymous questions",
    "resources": "Resource searches",
}

__all__ = [
    "PERIOD_DAYS",
    "TOPICS",
    "AnonymousFigures",
    "Figures",
    "Insights",
    "InsightsService",
    "MentoringFigures",
    "Period",
    "ResourceFigures",
    "SearchCount",
    "SessionRsvps",
    "StudyFigures",
    "Supply",
    "TopicAnswers",
    "as_json",
    "lines",
]


class SearchCounts(Protocol):
    """The resource library's search counts, gathered in memory before they are written."""

    async def flush(self) -> None: ...


class InsightsService:
    def __init__(self, db: Database, clock: Clock, mentoring: MentoringService, *,
                 searches: SearchCounts | None = None) -> None:
        self._store = InsightsStore(db)
        self._clock = clock
        self._mentoring = mentoring
        #: this process's search counts not yet written (none in a CLI process)
        self._searches = searches

    def period(self, days: int | None) -> Period:
        """The last ``days`` (7, 30 or 90; None: all time) up to now."""
        return Period.of(days, self._clock.now())

    async def topic(self, topic: str, guild_id: int, period: Period) -> Figures:
        if topic == "mentoring":
            return await mentoring_figures(self._store, self._mentoring, guild_id, period)
        if topic == "study":
            return await study_figures(self._store, guild_id, period)
        if topic == "anonymous":
            return await anonymous_figures(self._store, guild_id, period)
        if topic == "resources":
            if self._searches is not None:
                await self._searches.flush()
            return await resource_figures(self._store, guild_id, period)
        raise ValueError(f"unknown topic {topic!r}")

    async def all(self, guild_id: int, period: Period) -> Insights:
        figures: dict[str, Any] = {t: await self.topic(t, guild_id, period) for t in TOPICS}
        return Insights(guild_id, figures["mentoring"], figures["study"], figures["anonymous"],
                        figures["resources"])

    async def guild_ids(self) -> list[int]:
        return await self._store.guild_ids()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def as_json(insights: Insights) -> dict[str, Any]:
    """Every figure as JSON-ready data (instants as ISO 8601 UTC)."""
    return _plain(dataclasses.asdict(insights))
