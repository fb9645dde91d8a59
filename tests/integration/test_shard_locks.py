"""Several bot processes on one database: disjoint shards run together, overlapping ones do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.db.lock import DatabaseInUse, ShardsInUse, hold_database_lock, hold_shard_locks, is_locked
from bot.shards import ALL, ShardScope

HOLDER = """
import sys
from pathlib import Path
from bot.db.lock import hold_shard_locks
from bot.shards import ShardScope
with hold_shard_locks(Path(sys.argv[1]), ShardScope(4, (0, 1))):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_disjoint_shards_run_together_and_overlapping_ones_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    root = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with hold_shard_locks(db, ShardScope(4, (2, 3))):
            assert is_locked(db)  # doctor sees a running bot
        with pytest.raises(ShardsInUse) as caught:
            with hold_shard_locks(db, ShardScope(4, (1, 2))):
                pass
        assert str(caught.value) == (
            f"shard 1 of 4 already runs in another fmg-bot on {db} (it holds "
            f"{db.with_name('bot.sqlite3.shard-1.lock')}): give each process different SHARD_IDS"
        )
        # another SHARD_COUNT would split the same servers differently
        with pytest.raises(ShardsInUse, match="every process must use the same SHARD_COUNT"):
            with hold_shard_locks(db, ShardScope(2, (1,))):
                pass
        with pytest.raises(ShardsInUse):
            with hold_shard_locks(db, ALL):  # a process without SHARD_IDS runs every shard
                pass
        with pytest.raises(DatabaseInUse):  # what `fmg-bot db restore` takes
            with hold_database_lock(db):
                pass
        # the refused attempts left nothing behind: the free shards are still free
        with hold_shard_locks(db, ShardScope(4, (2,))), hold_shard_locks(db, ShardScope(4, (3,))):
            pass
    finally:
        holder.communicate("\n", timeout=30)
    with hold_shard_locks(db, ShardScope(2, (0, 1))):  # everyone stopped: another count is fine
        pass
    assert not is_locked(db)


def test_a_bot_does_not_start_during_a_restore(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    with hold_database_lock(db), pytest.raises(DatabaseInUse):
        with hold_shard_locks(db, ShardScope(4, (0,))):
            pass
