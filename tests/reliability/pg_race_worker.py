"""One racing OS process for tests/reliability/test_pg_races.py: says "ready", waits for the
go file, runs its share of one action with a connection per racer, and prints one outcome per
racer ("ok" or the error's class name)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.anonymous import AnonymousLimits, AnonymousService
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MentoringService
from bot.services.study_groups import StudyGroupService

GUILD = 1
CLOCK = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


async def _racer(url: str, act: Callable[[Database, ManualClock], Awaitable[object]]) -> str:
    db = await Database.open(url)
    try:
        await act(db, ManualClock(CLOCK))
        return "ok"
    except Exception as exc:
        return type(exc).__name__
    finally:
        await db.close()


def _join(group_id: int, user_id: int) -> Callable[[Database, ManualClock], Awaitable[object]]:
    async def act(db: Database, clock: ManualClock) -> object:
        service = StudyGroupService(db, clock, GuildSettingsService(db, clock),
                                    outbox=Outbox(db, clock))
        return await service.groups.join(GUILD, group_id, user_id)
    return act


def _mentor(action: str, request_id: int, mentor_user_id: int
            ) -> Callable[[Database, ManualClock], Awaitable[object]]:
    async def act(db: Database, clock: ManualClock) -> object:
        service = MentoringService(db, clock, request_timeout=timedelta(hours=72))
        return await getattr(service, action)(request_id, mentor_user_id)
    return act


def _approve(question_id: int) -> Callable[[Database, ManualClock], Awaitable[object]]:
    async def act(db: Database, clock: ManualClock) -> object:
        service = AnonymousService(db, GuildSettingsService(db, clock), clock,
                                   AnonymousLimits(30, 180, 3))
        return await service.approve(GUILD, question_id)
    return act


async def main(url: str, action: str, args: list[int]) -> None:
    if action == "join":
        group_id, *users = args
        acts = [_join(group_id, u) for u in users]
    elif action == "approve":  # QUESTION
        acts = [_approve(args[0])]
    else:  # accept / decline REQUEST MENTOR_USER
        acts = [_mentor(action, args[0], args[1])]
    for outcome in await asyncio.gather(*(_racer(url, a) for a in acts)):
        print(outcome)


if __name__ == "__main__":
    print("ready", flush=True)  # imported: the test starts every racer at once
    while not Path(sys.argv[2]).exists():
        time.sleep(0.005)
    asyncio.run(main(sys.argv[1], sys.argv[3], [int(a) for a in sys.argv[4:]]))
