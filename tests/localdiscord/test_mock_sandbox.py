"""README's mock interview lines run in `fmg-bot sandbox` exactly as written."""

from __future__ import annotations

from pathlib import Path

from tests.localdiscord.test_sandbox import ROOT, sandbox


def _readme_mock() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("**Mock interviews in the sandbox.**", 1)[1]
    return section.split("```text\n", 1)[1].split("```", 1)[0]


def test_the_readmes_mock_interview_round_runs_as_written(tmp_path: Path) -> None:
    result = sandbox(_readme_mock(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert [line for line in out.splitlines() if line.startswith("!")] == []
    assert "Mock interview rounds close every Sunday at 18:00 (America/New_York)" in out
    assert "You are in this week's mock interviews as interviewer (Internal Medicine)" in out
    # the close: bob's questions by DM, the pair's private thread with three times
    assert "[DM to bob] fmg-bot:\nYour mock interview with @alice (Internal Medicine)" in out
    assert "| == The IMG questions ==" in out
    assert "1. #general > Mock interview: Bob & Alice · #1 (private thread, 1 message)" in out
    assert out.count("(Chicago) · ") == 3 * 2  # three times, shown when posted and when opened
    # the rubric reaches alice only
    assert "[DM to alice] fmg-bot:\nFeedback on your mock interview from @bob" in out
    assert "* IMG questions: 4/4 (strong)" in out
    assert '"mock_interviews": {' in out
