"""House rules that are cheap to check mechanically."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_services_never_import_discord() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in _imports(path) if n.split(".")[0] == "discord")
        for path in (ROOT / "bot" / "services").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_import_check_would_catch_discord(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from discord import ui\nimport discord.ext.commands\n")
    assert {"discord", "discord.ext.commands"} <= _imports(sample)


# SELECT counts only when a column list follows, so discord.py's own `ui.Select` menu class
# (which every select menu in a cog names) is not taken for SQL.
SQL = re.compile(
    r"\bSELECT\s+[\w*(]|\b(INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b", re.IGNORECASE
)


def test_the_sql_check_tells_sql_from_select_menus() -> None:
    for sql in ("SELECT id FROM t", "select * from t", "INSERT INTO t", "update t set x = 1",
                "DELETE FROM t", "SELECT count(*) FROM t"):
        assert SQL.search(sql), sql
    for code in ("menu = discord.ui.Select(options=opts)", "@discord.ui.select(row=1)",
                 "def pick(self, select: discord.ui.Select) -> None:", "select.values"):
        assert not SQL.search(code), code


def test_cogs_hold_no_sql() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "cogs").rglob("*.py")
        if SQL.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def _pokes(source: str) -> list[int]:
    """Lines that reach a scheduler's ``poke`` (called, or taken to call later)."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr == "poke")


def test_the_poke_check_would_catch_a_hand_written_wake() -> None:
    sample = (
        "async def cmd(self, interaction):\n"
        "    await self.service.request(1, 2)\n"
        "    self.bot.scheduler.poke('mentoring')\n"
        "    wake = bot_of(interaction).scheduler.poke\n"
    )
    assert _pokes(sample) == [3, 4]
    assert _pokes("self.bot.services.outbox.enqueue('k', due=now)\n") == []


def test_no_cog_wakes_the_scheduler_by_hand() -> None:
    """Due work wakes its timer itself, after the commit that wrote it (the outbox's enqueue,
    or a service's own waker): a wake that every caller must remember gets forgotten."""
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "cogs").rglob("*.py")
        if (lines := _pokes(path.read_text("utf-8")))
    }
    assert offenders == {}
