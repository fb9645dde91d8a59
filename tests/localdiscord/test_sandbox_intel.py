"""README's program-intel sandbox lines run as written: the sandbox loads the sample programs,
three members report, the field shows from the third (k = 3), a search finds it, a void hides it."""

from __future__ import annotations

from pathlib import Path

from tests.localdiscord.test_sandbox import ROOT, sandbox


def _readme_intel_lines() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### Program intel:", 1)[1].split("\n### ", 1)[0]
    return section.split("In the sandbox", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]


def test_the_readmes_intel_lines_run_as_written(tmp_path: Path) -> None:
    result = sandbox(_readme_intel_lines(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert [line for line in out.splitlines() if line.startswith("!")] == []
    assert "Montefiore Medical Center/Albert Einstein College of Medicine" in out
    assert "pseudonymous, not anonymous" in out
    shown = out.split("/intel program program:1403521287")
    assert len(shown) == 4  # alice's view, mira's after three reports, after the void
    assert "not enough reports yet" in shown[1] and "Yes (" not in shown[1]
    assert "Yes (3-9 reports)" in shown[2].split("/intel search")[0]
    assert "Most reported: 250-259 (3-9 reports)" in shown[2]
    assert "Montefiore" in shown[2].split("/intel search", 1)[1].split("/intel void")[0]
    assert "Voided this server's reports" in shown[2]
    assert "Yes (" not in shown[3]
