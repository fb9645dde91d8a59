"""Mock interview rounds on a real database: the schedule, joining, the close (once, through
the outbox), the odd one out kept for next week, feedback, no-shows and privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import Outbox
from bot.services.preparation import (
    FeedbackDm,
    MockInterviews,
    PairThread,
    QuestionsDm,
    Rubric,
    SitOutDm,
    UnpairedDm,
)
from bot.services.preparation.mock import next_close
from tests.scan import rows_holding
from tests.unit.preparation.conftest import CHANNEL, GUILD, MOD, Sink, member

ALICE, BOB, CAROL, DAN = 5001, 5002, 5003, 5004
SUNDAY = 6
FIRST_CLOSE = datetime(2026, 1, 11, 23, 0, tzinfo=UTC)  # Sun 18:00 in New York
RUBRIC = Rubric(3, 2, 4, 3)


async def _schedule(mock: MockInterviews) -> None:
    await mock.rounds.schedule(GUILD, MOD, SUNDAY, "18:00", "America/New_York", CHANNEL)


async def _close(mock: MockInterviews, outbox: Outbox, clock: ManualClock) -> datetime:
    """Run the open round's close (and what it enqueued); returns when it closed."""
    schedule = await mock.rounds.schedule_of(GUILD)
    assert schedule is not None
    clock.set(schedule.next_close)
    await outbox.run_due(schedule.next_close)
    return schedule.next_close


async def test_the_close_is_a_weekly_wall_time_in_the_servers_zone(mock, clock) -> None:
    await _schedule(mock)
    schedule = await mock.rounds.schedule_of(GUILD)
    assert schedule is not None and schedule.next_close == FIRST_CLOSE
    # across the US switch to summer time (8 Mar 2026) the close stays 18:00 New York
    after = next_close(SUNDAY, 18 * 60, "America/New_York", datetime(2026, 3, 2, tzinfo=UTC))
    assert after == datetime(2026, 3, 8, 22, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="not a time I can read"):
        await mock.rounds.schedule(GUILD, MOD, SUNDAY, "25:00", "America/New_York", CHANNEL)
    with pytest.raises(InvalidInput):
        await mock.rounds.schedule(GUILD, MOD, SUNDAY, "18:00", "Mars/Olympus", CHANNEL)


async def test_moving_the_close_leaves_one_pending_close(mock, db, outbox, clock, dms) -> None:
    await _schedule(mock)
    await member(db, ALICE)
    await mock.rounds.join(GUILD, ALICE, "both", "internal_medicine")
    await mock.rounds.schedule(GUILD, MOD, 4, "09:00", "America/New_York", CHANNEL)  # Friday
    assert await db.fetchval(
        "SELECT count(*) FROM outbox WHERE kind = 'mock_close' AND state = 'pending'") == 1
    clock.set(FIRST_CLOSE)
    await outbox.run_due(FIRST_CLOSE)  # the old instant: nothing closes
    assert await mock.rounds.entry(GUILD, ALICE) is not None
    await mock.rounds.schedule(GUILD, MOD, SUNDAY, "18:00", "America/New_York", CHANNEL)
    assert (await mock.rounds.schedule_of(GUILD)).next_close == FIRST_CLOSE + timedelta(days=7)


async def test_bad_joins_are_refused_and_change_nothing(mock, db) -> None:
    with pytest.raises(NotFound, match="/mock schedule"):
        await mock.rounds.join(GUILD, ALICE, "both", "internal_medicine")
    await _schedule(mock)
    with pytest.raises(InvalidInput, match="/timezone set"):
        await mock.rounds.join(GUILD, ALICE, "both", "internal_medicine")
    await member(db, ALICE)
    with pytest.raises(InvalidInput, match="not a specialty"):
        await mock.rounds.join(GUILD, ALICE, "both", "astrology")
    with pytest.raises(InvalidInput):
        await mock.rounds.join(GUILD, ALICE, "judge", "internal_medicine")
    assert await db.fetchval("SELECT count(*) FROM mock_entries") == 0
    entry = await mock.rounds.join(GUILD, ALICE, "both", "internal_medicine")
    assert entry.closes_at == FIRST_CLOSE and not entry.carried
    changed = await mock.rounds.join(GUILD, ALICE, "interviewer", " pediatrics ")
    assert (changed.role, changed.specialty) == ("interviewer", "pediatrics")
    typed = await mock.rounds.join(GUILD, ALICE, "both", "internal MEDICINE")  # the label
    assert typed.specialty == "internal_medicine"
    assert await mock.rounds.leave(GUILD, ALICE) and not await mock.rounds.leave(GUILD, ALICE)


async def test_a_round_closes_once_and_the_odd_one_out_is_kept_first(
    mock, db, outbox, clock, threads: Sink, dms: Sink
) -> None:
    await _schedule(mock)
    await member(db, ALICE, "Asia/Kolkata", "en,hi")
    await member(db, BOB, "America/Chicago", "en", mentor=True)
    await member(db, CAROL, "Africa/Lagos", "es")  # shares no language with them
    await mock.rounds.join(GUILD, ALICE, "interviewee", "internal_medicine")
    await mock.rounds.join(GUILD, BOB, "interviewer", "internal_medicine")
    await mock.rounds.join(GUILD, CAROL, "both", "pediatrics")
    closed = await _close(mock, outbox, clock)

    [thread] = threads.of(PairThread)
    assert (thread.interviewer_id, thread.interviewee_id) == (BOB, ALICE)
    assert thread.zones == ("America/Chicago", "Asia/Kolkata") and thread.channel_id == CHANNEL
    assert len(thread.times) == 3 and all(t > closed for t in thread.times)
    [questions] = dms.of(QuestionsDm)
    assert questions.recipient_id == BOB and questions.interviewee_id == ALICE
    categories = [q.category for q in questions.questions]
    assert categories.count("img") == 5 and categories.count("specialty") == 2
    [unpaired] = dms.of(UnpairedDm)
    assert unpaired.recipient_id == CAROL and unpaired.next_close == closed + timedelta(days=7)
    carried = await mock.rounds.entry(GUILD, CAROL)
    assert carried is not None and carried.carried and carried.specialty == "pediatrics"
    assert await mock.rounds.entry(GUILD, ALICE) is None  # a new round: join again

    # another worker on the same rows (a restart) closes nothing twice
    again = Outbox(db, clock, worker_id="worker-2")
    other = MockInterviews(db, clock, again)
    again.attach_sender("mock_pair", threads)
    again.attach_sender("mock_dm", dms)
    await again.run_due(closed)
    await other.rounds.close(GUILD, 1, closed)
    assert len(threads.sent) == 1 and len(dms.sent) == 2
    assert await db.fetchval("SELECT count(*) FROM mock_rounds") == 2
    assert await db.fetchval(
        "SELECT count(*) FROM outbox WHERE kind = 'mock_close' AND state = 'pending'") == 1


async def test_the_rubric_goes_to_the_interviewee_only(mock, db, outbox, clock, threads,
                                                       dms: Sink) -> None:
    await _schedule(mock)
    for who in (ALICE, BOB):
        await member(db, who)
    await mock.rounds.join(GUILD, ALICE, "interviewee", "internal_medicine")
    await mock.rounds.join(GUILD, BOB, "interviewer", "internal_medicine")
    closed = await _close(mock, outbox, clock)
    with pytest.raises(Conflict, match="not happened yet"):
        await mock.feedback.give(GUILD, BOB, partner_showed=True, rubric=RUBRIC)
    clock.set(closed + timedelta(days=8))
    with pytest.raises(NotFound):
        await mock.feedback.give(GUILD, CAROL, partner_showed=True)
    with pytest.raises(InvalidInput, match="Score the interviewee"):
        await mock.feedback.give(GUILD, BOB, partner_showed=True)
    with pytest.raises(InvalidInput, match="Only the interviewer"):
        await mock.feedback.give(GUILD, ALICE, partner_showed=True, rubric=RUBRIC)
    assert await db.fetchval("SELECT count(*) FROM mock_feedback") == 0

    given = await mock.feedback.give(GUILD, BOB, partner_showed=True, rubric=RUBRIC,
                                     comment="Great gaps answer. <@999> Slow down on visa.")
    assert given.as_interviewer and not given.sat_out
    with pytest.raises(Conflict, match="already"):
        await mock.feedback.give(GUILD, BOB, partner_showed=True, rubric=RUBRIC)
    await outbox.run_due(clock.now())
    [feedback] = dms.of(FeedbackDm)
    assert feedback.recipient_id == ALICE and feedback.rubric == RUBRIC
    assert feedback.comment == "Great gaps answer. @member Slow down on visa."
    assert [m.recipient_id for m in dms.sent if not isinstance(m, QuestionsDm)] == [ALICE]
    assert not (await mock.feedback.give(GUILD, ALICE, partner_showed=True)).as_interviewer


async def test_two_no_shows_in_a_row_sit_the_member_out_of_one_round(
    mock, db, outbox, clock, threads, dms: Sink
) -> None:
    await _schedule(mock)
    for who in (ALICE, BOB, CAROL):
        await member(db, who)
    for partner in (BOB, CAROL):
        await mock.rounds.join(GUILD, ALICE, "interviewee", "internal_medicine")
        await mock.rounds.join(GUILD, partner, "interviewer", "internal_medicine")
        closed = await _close(mock, outbox, clock)
        clock.set(closed + timedelta(days=6))
        await mock.rounds.join(GUILD, ALICE, "interviewee", "internal_medicine")  # next week
        result = await mock.feedback.give(GUILD, partner, partner_showed=False)
        assert result.sat_out == (partner == CAROL)
    await outbox.run_due(clock.now())
    [told] = dms.of(SitOutDm)
    sitting_out = await mock.rounds.schedule_of(GUILD)
    assert told.recipient_id == ALICE and told.round_closes == sitting_out.next_close
    assert await mock.rounds.entry(GUILD, ALICE) is None  # taken out of the round she was in
    with pytest.raises(Forbidden, match="two of your sessions in a row"):
        await mock.rounds.join(GUILD, ALICE, "interviewee", "internal_medicine")
    await _close(mock, outbox, clock)
    assert (await mock.rounds.join(GUILD, ALICE, "interviewee", "internal_medicine")).role


@pytest.mark.sqlite_only  # the scan reads the SQLite file and its WAL
async def test_export_then_delete_leaves_no_id(mock, db, outbox, clock, threads, dms,
                                               settings) -> None:
    await _schedule(mock)
    for who in (ALICE, BOB):
        await member(db, who)
    await mock.rounds.join(GUILD, ALICE, "interviewee", "internal_medicine")
    await mock.rounds.join(GUILD, BOB, "interviewer", "internal_medicine")
    closed = await _close(mock, outbox, clock)
    clock.set(closed + timedelta(days=8))
    await mock.feedback.give(GUILD, BOB, partner_showed=True, rubric=RUBRIC, comment="Good")
    await mock.rounds.join(GUILD, ALICE, "both", "pediatrics")

    exported = await mock.privacy.export_member(GUILD, ALICE)
    assert [e["specialty"] for e in exported["entries"]] == ["internal_medicine", "pediatrics"]
    [session] = exported["sessions"]
    assert session["as"] == "interviewee" and session["partner_id"] == str(BOB)
    assert session["feedback_received"]["Structure"] == 3
    assert session["feedback_received"]["comment"] == "Good"
    assert "feedback_received" not in (await mock.privacy.export_member(GUILD, BOB))["sessions"][0]

    await mock.privacy.pause_member(GUILD, ALICE)  # she left the server: out of the round
    assert await mock.rounds.entry(GUILD, ALICE) is None
    await mock.rounds.join(GUILD, ALICE, "both", "pediatrics")  # she came back

    await mock.privacy.delete_member(GUILD, ALICE)
    await db.execute("DELETE FROM member_timezones WHERE user_id = ?", (ALICE,))
    assert rows_holding(settings.database_path, ALICE) == []
    assert await db.fetchval("SELECT count(*) FROM mock_feedback") == 0
    bob = await mock.privacy.export_member(GUILD, BOB)
    assert bob["sessions"][0]["partner_id"] == "0"  # Bob keeps his session, naming nobody
    with pytest.raises(NotFound, match="deleted their data"):
        await mock.feedback.give(GUILD, BOB, partner_showed=False)


async def test_a_close_missed_while_down_happens_once_and_the_next_is_next_week(
    mock, db, outbox, clock, threads: Sink, dms
) -> None:
    await _schedule(mock)
    for who in (ALICE, BOB):
        await member(db, who)
    await mock.rounds.join(GUILD, ALICE, "interviewee", "internal_medicine")
    await mock.rounds.join(GUILD, BOB, "interviewer", "internal_medicine")
    back = FIRST_CLOSE + timedelta(days=17, hours=5)  # down across three Sunday closes
    clock.set(back)
    await outbox.run_due(back)
    [thread] = threads.of(PairThread)
    assert all(t > back for t in thread.times)  # times in the week ahead of now, not then
    assert await db.fetchval("SELECT count(*) FROM mock_rounds") == 2
    schedule = await mock.rounds.schedule_of(GUILD)
    assert schedule.next_close == FIRST_CLOSE + timedelta(days=21)
    await outbox.run_due(back)
    assert len(threads.sent) == 1
