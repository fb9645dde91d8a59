"""The type checker (pyright, basic mode, configured in pyproject.toml) finds nothing in the
shipped code, and an unneeded `# type: ignore` is itself an error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pyright(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Check the project whose pyproject.toml is in ``cwd`` (named, so no configuration file
    in a parent folder is picked up instead)."""
    return subprocess.run(
        [sys.executable, "-m", "basedpyright", "--pythonpath", sys.executable,
         "--project", str(cwd / "pyproject.toml")],
        capture_output=True, text=True, timeout=300, cwd=cwd,
    )


@pytest.mark.slow
def test_pyright_finds_nothing() -> None:
    result = _pyright(cwd=ROOT)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "0 errors" in result.stdout


@pytest.mark.slow
def test_the_type_check_can_fail(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pyright]\ntypeCheckingMode = "basic"\nreportUnnecessaryTypeIgnoreComment = "error"\n'
    )
    (tmp_path / "sample.py").write_text(
        "def half(n: int) -> int:\n    return n // 2\n\n\n"
        'half("four")\n'
        "x: int = 1  # type: ignore[assignment]\n"
    )
    result = _pyright(cwd=tmp_path)
    assert result.returncode != 0
    assert "reportArgumentType" in result.stdout and "Unnecessary" in result.stdout
