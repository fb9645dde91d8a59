"""Crash safety: SIGKILL a process running the real services against a database file, at a
random point of its writes, 20 times in a row on the same file (each run starts from what the
previous kill left). After every kill the file is intact and no operation is half-applied."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = 20


#: (what is broken, a query returning the rows that break it): portable SQL, so the same checks
#: run on PostgreSQL (tests/reliability/test_pg_races.py)
INVARIANTS: list[tuple[str, str]] = [
    ("mentor capacity != active pairings",
     "SELECT m.id, m.active FROM mentors m WHERE m.active != (SELECT count(*) "
     "FROM mentor_pairings p WHERE p.mentor_id = m.id AND p.status = 'active')"),
    ("pending request without exactly one pending offer",
     "SELECT r.id FROM mentor_requests r WHERE r.status = 'pending' AND (SELECT count(*) "
     "FROM mentor_offers o WHERE o.request_id = r.id AND o.status = 'pending') != 1"),
    ("pending offer of a closed request",
     "SELECT o.id FROM mentor_offers o JOIN mentor_requests r ON r.id = o.request_id "
     "WHERE o.status = 'pending' AND r.status != 'pending'"),
    ("accepted request without its pairing",
     "SELECT r.id FROM mentor_requests r WHERE r.status = 'accepted' AND NOT EXISTS "
     "(SELECT 1 FROM mentor_pairings p WHERE p.request_id = r.id)"),
    ("offer without its notice",
     "SELECT o.id FROM mentor_offers o WHERE NOT EXISTS (SELECT 1 FROM outbox n "
     "WHERE n.ref_id = o.id AND n.kind = 'mentor_offer')"),
    ("pending offer without its pending timeout",
     "SELECT o.id FROM mentor_offers o WHERE o.status = 'pending' AND NOT EXISTS "
     "(SELECT 1 FROM outbox n WHERE n.ref_id = o.id AND n.kind = 'mentor_timeout' "
     "AND n.state = 'pending')"),
    ("pairing without its thread notice",
     "SELECT p.id FROM mentor_pairings p WHERE NOT EXISTS (SELECT 1 FROM outbox n "
     "WHERE n.ref_id = p.id AND n.kind = 'mentor_thread')"),
    ("outbox row sent without a message id, or with one but not sent",
     "SELECT id, kind, state FROM outbox WHERE (state = 'sent') != "
     "(message_id IS NOT NULL AND sent_at IS NOT NULL)"),
    ("RSVP 'no' with a reminder still pending",
     "SELECT r.occurrence_id, r.user_id FROM study_rsvps r JOIN outbox ob ON "
     "ob.ref_id = r.occurrence_id AND ob.recipient_id = r.user_id WHERE "
     "r.choice = 'no' AND ob.kind = 'study_dm' AND ob.state = 'pending'"),
    ("reminder pending for someone not in the group",
     "SELECT ob.id FROM outbox ob JOIN study_occurrences o ON o.id = ob.ref_id "
     "JOIN study_series s ON s.id = o.series_id WHERE ob.kind = 'study_dm' AND "
     "ob.state = 'pending' AND NOT EXISTS (SELECT 1 FROM study_group_members m WHERE "
     "m.group_id = s.group_id AND m.user_id = ob.recipient_id)"),
    ("anonymous question published without its sent post (or the other way round)",
     "SELECT q.id FROM anon_questions q WHERE (q.state = 'published' AND q.message_id IS NULL) "
     "OR (q.state = 'waiting' AND EXISTS (SELECT 1 FROM outbox o WHERE o.ref_id = "
     "q.id AND o.kind = 'anon_question' AND o.state = 'sent'))"),
    ("cancelled session with an announcement still pending",
     "SELECT ob.id FROM outbox ob JOIN study_occurrences o ON o.id = ob.ref_id "
     "WHERE ob.kind IN ('study_announce', 'study_dm') AND o.cancelled_at IS NOT NULL "
     "AND ob.state = 'pending'"),
]


def problems(path: Path) -> list[str]:
    """Every broken invariant, as readable lines (empty when the database is consistent)."""
    conn = sqlite3.connect(path)
    found: list[str] = []

    def rows(label: str, sql: str) -> None:
        found.extend(f"{label}: {tuple(r)}" for r in conn.execute(sql).fetchall())

    try:
        [(integrity,)] = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != "ok":
            found.append(f"integrity_check: {integrity}")
        rows("foreign key", "PRAGMA foreign_key_check")
        for label, sql in INVARIANTS:
            rows(label, sql)
    finally:
        conn.close()
    return found


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("mentors", "mentor_requests", "mentor_pairings", "outbox",
                          "study_rsvps", "study_occurrences", "anon_questions")}
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_during_writes_never_leaves_half_an_operation(tmp_path: Path) -> None:
    database = tmp_path / "crash.sqlite3"
    rng = random.Random(2026)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    total = 0
    for run in range(RUNS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_worker", str(database), str(run)],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
            target = rng.randint(5, 150)
            for _ in range(target):
                line = proc.stdout.readline()
                assert line.startswith("ok "), (line, proc.poll())
            time.sleep(rng.random() * 0.005)  # land somewhere inside the next operation
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
            if proc.stdout:
                proc.stdout.close()
            stderr = proc.stderr.read() if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL, stderr
        total += target
        broken = problems(database)
        assert broken == [], f"after kill {run + 1} (~{total} operations): {broken}"
    made = counts(database)
    # The load did real work across the kills: requests, pairings and notices all exist.
    assert made["mentor_requests"] > 10 and made["mentor_pairings"] > 3 and made["outbox"] > 10, made
    assert made["study_rsvps"] > 5 and made["study_occurrences"] > 10 and made["anon_questions"] > 3, made
    conn = sqlite3.connect(database)
    sent = conn.execute("SELECT count(*) FROM outbox WHERE state = 'sent' "
                        "AND kind = 'study_announce'").fetchone()[0]
    conn.close()
    assert sent > 0
