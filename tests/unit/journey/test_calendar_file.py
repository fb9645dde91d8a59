"""The shipped Match calendar: every step official, recently verified and inside its cycle;
and the loader refuses what would break that."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.journey import (
    DEFAULT_CALENDAR,
    CalendarError,
    Cycle,
    official_source,
    parse_calendar,
    read_calendar,
)

MAX_AGE = timedelta(days=365)


def problems(cycles: tuple[Cycle, ...], today: date) -> list[str]:
    found = []
    for cycle in cycles:
        for step in cycle.steps:
            if not official_source(step.source):
                found.append(f"{step.key}: source {step.source} is not an official https page")
            if today - step.verified > MAX_AGE:
                found.append(f"{step.key}: verified {step.verified}, more than a year ago")
            if step.verified > today:
                found.append(f"{step.key}: verified in the future ({step.verified})")
            local = step.at.astimezone(ZoneInfo(step.zone)).date()
            if not cycle.starts <= local <= cycle.ends:
                found.append(f"{step.key}: {local} is outside its cycle")
            if step.projected and not step.rule:
                found.append(f"{step.key}: projected without the rule it follows")
    return found


def test_every_shipped_step_is_official_recent_and_in_its_cycle() -> None:
    cycles = read_calendar(DEFAULT_CALENDAR)
    assert cycles and all(c.steps for c in cycles)
    assert problems(cycles, datetime.now(UTC).date()) == []


def _raw(**step: object) -> dict:
    base = {"id": "match_day", "title": "Match Day", "at": "2027-03-19T13:00",
            "zone": "America/New_York", "applies_to": ["everyone"], "status": "confirmed",
            "source": "https://www.nrmp.org/x/", "verified": date(2026, 12, 6)}
    base.update(step)
    return {"version": 1, "cycles": [{"id": "2027", "name": "2027", "starts": date(2026, 6, 1),
                                      "ends": date(2027, 7, 31), "steps": [base]}]}


def test_the_check_catches_a_stale_an_unofficial_and_an_out_of_cycle_step() -> None:
    today = date(2026, 12, 6)
    stale = parse_calendar(_raw(verified=date(2025, 11, 1)))
    outside = parse_calendar(_raw(at="2028-03-17T13:00"))
    assert [p.split(":")[-1].strip() for p in problems(stale, today)] == [
        "verified 2025-11-01, more than a year ago"]
    assert problems(outside, today) == ["2027/match_day: 2028-03-17 is outside its cycle"]
    assert problems(parse_calendar(_raw()), today) == []


@pytest.mark.parametrize("bad, message", [
    ({"source": "https://www.residencyadvisor.com/match"}, "`source` must be an https page"),
    ({"source": "http://www.nrmp.org/x/"}, "`source` must be an https page"),
    ({"source": "https://nrmp.org.evil.example/x"}, "`source` must be an https page"),
    ({"status": "projected"}, "states the `rule`"),
    ({"status": "guessed"}, "confirmed or projected"),
    ({"applies_to": ["visa:tourist"]}, "`applies_to`"),
    ({"zone": "Mars/Olympus"}, "bad `at` or `zone`"),
    ({"at": "2027-03-19T13:00-04:00"}, "without an offset"),
    ({"verified": None}, "`verified` is required"),
])
def test_the_loader_refuses_a_step_it_cannot_trust(bad: dict, message: str) -> None:
    with pytest.raises(CalendarError, match="match_day") as caught:
        parse_calendar(_raw(**bad))
    assert message in str(caught.value)


def test_steps_are_instants_in_their_official_zone() -> None:
    cycle = next(c for c in read_calendar(DEFAULT_CALENDAR) if c.id == "2027")
    match_day = next(s for s in cycle.steps if s.id == "match_day")
    assert match_day.at == datetime(2027, 3, 19, 17, 0, tzinfo=UTC)  # 13:00 EDT
    assert match_day.projected and "third week in March" in match_day.rule
    assert match_day.local_text() == "Fri 19 Mar 2027, 13:00 EDT"


ORDER = ("eras_applications_open", "eras_programs_review", "rank_order_list_opens",
         "rank_order_list_deadline", "match_week_begins", "soap_concludes", "match_day",
         "j1_sponsorship_application_complete", "ecfmg_certified_for_july", "residency_starts")


@pytest.mark.parametrize("cycle_id", ["2027", "2028"])
def test_each_coming_cycle_has_the_eras_season_j1_windows_in_order(cycle_id: str) -> None:
    cycle = next(c for c in read_calendar(DEFAULT_CALENDAR) if c.id == cycle_id)
    steps = {s.id: s for s in cycle.steps}
    assert [steps[i].at for i in ORDER] == sorted(steps[i].at for i in ORDER)
    j1 = [s for s in cycle.steps if s.id.startswith("j1_")]
    assert len(j1) == 2 and all(s.applies_to == ("visa:j1",) for s in j1)
    assert steps["j1_sponsorship_application_opens"].at == steps["match_day"].at
    assert all(s.source.startswith("https://www.ecfmg.org/") for s in j1)
    eras = [s for s in cycle.steps if s.id.startswith("eras_")]
    assert eras and all(".aamc.org/" in s.source for s in eras)
    # the rules as computed: Match Day the third Friday of March (the week NRMP calls the
    # third week in March), ERAS submissions the first Wednesday of September
    match_day = steps["match_day"].at.date()
    assert match_day.weekday() == 4 and 15 <= match_day.day <= 21 and match_day.month == 3
    submit = steps["eras_applications_open"].at.date()
    assert submit.weekday() == 2 and submit.day <= 7 and submit.month == 9
    assert steps["eras_programs_review"].at - steps["eras_applications_open"].at == \
        timedelta(weeks=3)
