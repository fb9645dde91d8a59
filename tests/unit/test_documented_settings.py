"""Every environment variable the bot reads is in .env.example and README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def read_variables() -> set[str]:
    source = (ROOT / "bot" / "config.py").read_text("utf-8")
    return set(re.findall(r'"([A-Z][A-Z0-9_]+)",\s*(?:_|positive_int|non_negative_int)', source))


def test_every_variable_is_documented() -> None:
    variables = read_variables()
    assert {"DISCORD_TOKEN", "DATABASE_PATH", "MENTOR_REQUEST_TIMEOUT_HOURS"} <= variables
    example = (ROOT / ".env.example").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    missing_example = {v for v in variables if not re.search(rf"^#? ?{v}=", example, re.M)}
    missing_readme = {v for v in variables if f"| `{v}` |" not in readme}
    assert (missing_example, missing_readme) == (set(), set())
