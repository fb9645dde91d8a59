"""Sessions scheduled less than a lead time ahead are announced at once, once, and then at the
later lead times."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.services.study_groups import StudyGroupService
from bot.services.study_groups.leads import plan_leads

from .conftest import ALICE, BOB, GUILD, ROLE, FakeDiscord, dispatch

NOW = 1_000_000
LEADS = (86400, 900, 0)


@pytest.mark.parametrize(
    ("ahead", "rows"),
    [
        (2 * 86400, [(86400, NOW + 86400), (900, NOW + 2 * 86400 - 900), (0, NOW + 2 * 86400)]),
        (86400, [(86400, NOW), (900, NOW + 86400 - 900), (0, NOW + 86400)]),  # exactly due now
        (86399, [(86400, NOW), (900, NOW + 86399 - 900), (0, NOW + 86399)]),
        (3600, [(86400, NOW), (900, NOW + 2700), (0, NOW + 3600)]),
        (900, [(86400, NOW), (900, NOW), (0, NOW + 900)]),
        (600, [(900, NOW), (0, NOW + 600)]),  # two leads passed: one row at once
        (1, [(900, NOW), (0, NOW + 1)]),
        (0, [(0, NOW)]),
        (-60, []),  # already started
    ],
)
def test_plan_leads(ahead: int, rows: list[tuple[int, int]]) -> None:
    assert plan_leads(NOW + ahead, LEADS, NOW) == rows
    assert len({lead for lead, _ in rows}) == len(rows)  # one row per lead: sent once


def test_plan_leads_for_a_single_reminder_lead() -> None:
    assert plan_leads(NOW + 1800, [3600], NOW) == [(3600, NOW)]
    assert plan_leads(NOW + 7200, [3600], NOW) == [(3600, NOW + 3600)]


async def test_a_session_ten_minutes_ahead_is_announced_now_once_then_at_the_start(
    service: StudyGroupService, clock: ManualClock, discord_sink: FakeDiscord
) -> None:
    g = await service.groups.create(GUILD, ALICE, "Quick ones", "Step 1", role_id=ROLE)
    await service.groups.join(GUILD, g.id, BOB)
    await service.sessions.set_reminder(GUILD, g.id, BOB, 60)
    await service.timezones.set(ALICE, "Asia/Kolkata")
    start = clock.now() + timedelta(minutes=10)
    local = start.astimezone(ZoneInfo("Asia/Kolkata"))
    await service.sessions.schedule(GUILD, g.id, ALICE, False, title="Now-ish", start=f"{local:%H:%M}")
    await dispatch(service, clock.now(), discord_sink)
    kinds = sorted(p.kind for p in discord_sink.posts)
    assert kinds == ["announce", "dm"]  # at once: one announcement, Bob's reminder
    assert not any(p.delayed for p in discord_sink.posts)
    clock.advance(timedelta(minutes=5))
    await dispatch(service, clock.now(), discord_sink)
    assert len(discord_sink.posts) == 2  # nothing twice
    clock.advance(timedelta(minutes=5))
    await dispatch(service, clock.now(), discord_sink)
    assert [p.kind for p in discord_sink.posts[2:]] == ["announce"]  # the at-start one
