"""Work nobody can receive is skipped: lag past Discord's 3 s window, measured so that a
skewed host clock neither drops everything nor hides a real backlog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import discord
import pytest

from bot.callbacks import EchoFreeAdapter
from bot.deadline import ANSWER_WINDOW_S, FLOOR_WINDOW_S, SHED_AFTER_S, Deadline, expired

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_clock_ten_seconds_ahead_is_not_lag_but_a_backlog_is() -> None:
    ticks = [0.0]
    deadline = Deadline(monotonic=lambda: ticks[0])
    skew = timedelta(seconds=10)  # the host's clock runs 10 s ahead of Discord's
    for n in range(5):
        created = T0 + timedelta(seconds=n)
        assert deadline.lag(created, created + skew + timedelta(milliseconds=40 + n)) < 0.01
    backlog = T0 + timedelta(seconds=6)
    assert deadline.lag(backlog, backlog + skew + timedelta(seconds=4)) == pytest.approx(3.96)


def test_the_floor_follows_a_corrected_clock_within_two_windows() -> None:
    ticks = [0.0]
    deadline = Deadline(monotonic=lambda: ticks[0])
    deadline.lag(T0, T0 - timedelta(seconds=30))  # the clock was 30 s behind: age -30 s
    fixed = T0 + timedelta(seconds=1)
    assert deadline.lag(fixed, fixed + timedelta(milliseconds=50)) > ANSWER_WINDOW_S  # stale floor
    for _ in range(2):
        ticks[0] += FLOOR_WINDOW_S
        deadline.lag(fixed, fixed + timedelta(milliseconds=50))
    assert deadline.lag(fixed, fixed + timedelta(milliseconds=60)) < 0.05


async def test_answerable_skips_what_waited_too_long_and_says_so_once(caplog) -> None:
    deadline = Deadline()
    now = discord.utils.utcnow()
    fresh = SimpleNamespace(created_at=now - timedelta(milliseconds=20))
    stale = SimpleNamespace(created_at=now - timedelta(seconds=2.5))
    assert deadline.answerable(fresh, now)  # type: ignore[arg-type]
    assert not deadline.answerable(stale, now)  # type: ignore[arg-type]
    assert not deadline.answerable(stale, now)  # type: ignore[arg-type]
    assert deadline.answerable(fresh, now)  # type: ignore[arg-type]
    assert [r.getMessage() for r in caplog.records if r.name == "bot.deadline"] == [
        "the bot was overloaded: skipped 2 interactions that waited 2 s or more, 0 answers came "
        "after Discord's 3 s window"]
    assert SHED_AFTER_S < ANSWER_WINDOW_S  # a second is left for the work and the answer's trip


def test_expired_means_discord_refused_the_answer_as_unknown_interaction() -> None:
    response = SimpleNamespace(status=404, reason="Not Found")
    assert expired(discord.NotFound(response, {"code": 10062, "message": "Unknown interaction"}))
    assert not expired(discord.NotFound(response, {"code": 10008, "message": "Unknown Message"}))
    assert not expired(RuntimeError("boom"))


@pytest.mark.parametrize(("callback_type", "swallowed"), [(8, True), (4, False)])
async def test_a_late_autocomplete_answer_is_dropped_quietly_but_a_late_reply_is_not(
    callback_type: int, swallowed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = discord.NotFound(SimpleNamespace(status=404, reason="Not Found"),
                               {"code": 10062, "message": "Unknown interaction"})

    async def request(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise refused

    adapter = EchoFreeAdapter()
    monkeypatch.setattr(adapter, "request", request)
    params = SimpleNamespace(files=None, payload={"type": callback_type, "data": {}})
    call = adapter.create_interaction_response(1234, "token", session=None, params=params)  # type: ignore[arg-type]
    if swallowed:
        assert await call == {"interaction": {"id": "1234"}}
    else:
        with pytest.raises(discord.NotFound):
            await call


def test_a_clock_stepped_forward_sheds_for_at_most_two_windows() -> None:
    ticks = [0.0]
    deadline = Deadline(monotonic=lambda: ticks[0])
    skew = timedelta(0)
    late_for = 0.0
    for second in range(60):  # one interaction a second, each delivered in 40 ms
        ticks[0] = float(second)
        if second == 7:
            skew = timedelta(seconds=5)  # NTP moves the host clock 5 s forward
        created = T0 + timedelta(seconds=second)
        if deadline.lag(created, created + skew + timedelta(milliseconds=40)) >= SHED_AFTER_S:
            late_for = second - 7 + 1
    assert 0 < late_for <= 2 * FLOOR_WINDOW_S
