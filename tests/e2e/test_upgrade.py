"""An upgrade: a database written at schema version 6 (before the one outbox), with due work
in every state, is opened by this version, migrated on start, and everything owed is
delivered exactly once through the real bot on localdiscord: mentor offers and reminders
ahead, queued and half-sent anonymous posts, study announcements due before and after the
clocks change (New York, 8 March 2026)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.db.database import load_migrations
from bot.outbox import SOURCE_NAME as OUTBOX

NOW = datetime(2026, 3, 5, 23, 50, tzinfo=UTC)  # 18:50 in New York, the Thursday before DST
T = int(NOW.timestamp())
BEFORE = int(datetime(2026, 3, 6, 0, 0, tzinfo=UTC).timestamp())  # Thu 5 Mar 19:00 EST
AFTER = int(datetime(2026, 3, 12, 23, 0, tzinfo=UTC).timestamp())  # Thu 12 Mar 19:00 EDT
HOUR = 3600


def _version_6(path: Path) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in load_migrations():
        if migration.version <= 6:
            conn.executescript(migration.sql)
    conn.execute("PRAGMA user_version = 6")
    return conn


def _seed(conn: sqlite3.Connection, world, channels, roles) -> None:
    """What fmg-bot at schema 6 had written, in its own tables."""
    gid = world.guild_id
    alice, bob, ada = (world.members[n].id for n in ("alice", "bob", "ada"))
    run = conn.execute
    for key, value in (("mentoring_channel", channels.general.id),
                       ("anonymous_channel", channels.anonymous.id),
                       ("announcements_channel", channels.announcements.id),
                       ("moderator_role", roles.moderators.id)):
        run("INSERT INTO guild_settings VALUES (?, ?, ?, ?)", (gid, key, str(value), T))
    # -- mentoring: alice's request waits for bob (offer sent; reminder and timeout ahead) ----
    for user, specialty in ((bob, "internal_medicine"), (ada, "family_medicine")):
        run("INSERT INTO mentors (guild_id, user_id, specialties, visas, stage, languages, "
            "timezone, capacity, status, created_at, updated_at) VALUES (?, ?, ?, 'j1', "
            "'matched', 'en', 'America/New_York', 2, 'approved', ?, ?)",
            (gid, user, specialty, T - 9 * HOUR, T - 9 * HOUR))
    run("INSERT INTO mentees (guild_id, user_id, specialty, visa, stage, languages, timezone, "
        "goals, created_at, updated_at) VALUES (?, ?, 'internal_medicine', 'j1', 'step1', 'en', "
        "'Asia/Kolkata', 'Match in IM', ?, ?)", (gid, alice, T - 8 * HOUR, T - 8 * HOUR))
    run("INSERT INTO mentor_requests (id, guild_id, mentee_id, status, created_at) "
        "VALUES (1, ?, 1, 'pending', ?)", (gid, T - HOUR))
    run("INSERT INTO mentor_offers (id, request_id, mentor_id, status, offered_at, expires_at) "
        "VALUES (1, 1, 1, 'pending', ?, ?)", (T - HOUR, T + 71 * HOUR))
    notices = [  # (kind, user, offer, body, due, claimed_at, attempts, sent_at, message_id)
        ("offer", bob, 1, "", T - HOUR, T - HOUR, 1, T - HOUR, 5),  # delivered before
        ("reminder", bob, 1, "", T + 35 * HOUR, None, 0, None, None),  # ahead
        ("mentee_update", alice, None, f"Your request now goes to <@{bob}>.", T - 60, None, 0,
         None, None),  # owed now
        ("mentee_update", alice, None, "A second update, claimed when the bot died.", T - 90,
         T - 30, 1, None, None),  # claimed, never confirmed
    ]
    run_many = conn.executemany
    run_many("INSERT INTO mentor_notices (guild_id, kind, user_id, offer_id, body, due_at, "
             "claimed_at, attempts, sent_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [(gid, *n) for n in notices])
    # -- anonymous: a queued question, one claimed before a crash, one still ahead ----------
    for qid, title in ((1, "Visa after residency?"), (2, "Step 2 retake?"), (3, "IMG letters?")):
        run("INSERT INTO anon_questions (id, guild_id, title, body, code_salt, code_hash) "
            "VALUES (?, ?, ?, 'Any advice?', x'00', x'00')", (qid, gid, title))
    run_many("INSERT INTO anon_outbox (question_id, kind, due_at, state, attempts, nonce) "
             "VALUES (?, 'question', ?, ?, ?, ?)",
             [(1, T - 10, "pending", 0, "anon-nonce-1"), (2, T - 60, "sending", 1, "anon-nonce-2"),
              (3, T + 100, "pending", 0, "anon-nonce-3")])
    # -- study groups: a session before the clock change and one after it --------------------
    run("INSERT INTO study_groups (id, guild_id, name, topic, owner_id, role_id, created_at) "
        "VALUES (1, ?, 'Step 3 crew', 'Step 3', ?, ?, ?)", (gid, alice, roles.mentors.id, T))
    for sid, (title, start, wall) in enumerate((("Before DST", BEFORE, "2026-03-05T19:00"),
                                                ("After DST", AFTER, "2026-03-12T19:00")), 1):
        run("INSERT INTO study_series (id, group_id, title, zone, first_local, duration_minutes, "
            "created_by, created_at, materialized_until, exhausted) VALUES (?, 1, ?, "
            "'America/New_York', ?, 60, ?, ?, ?, 1)", (sid, title, wall, alice, T, start + 1))
        run("INSERT INTO study_occurrences (id, series_id, starts_at, ends_at) VALUES (?, ?, ?, ?)",
            (sid, sid, start, start + HOUR))
    rows = [  # (occurrence, lead, state, claimed_by, claimed_at, message_id, sent_at)
        (1, 86400, "sent", "old-worker", BEFORE - 86400, 7, BEFORE - 86400),  # delivered before
        (1, 900, "claimed", "old-worker", T - 30, None, None),  # claimed, never confirmed
        (1, 0, "pending", None, None, None, None),
        (2, 86400, "pending", None, None, None, None),
        (2, 900, "pending", None, None, None, None),
        (2, 0, "pending", None, None, None, None),
    ]
    run_many("INSERT INTO study_outbox (occurrence_id, kind, lead_seconds, due_at, "
             "next_attempt_at, nonce, state, attempts, claimed_by, claimed_at, message_id, "
             "sent_at, channel_id) VALUES (?, 'announce', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [(occ, lead, start - lead, start - lead, f"study-{occ}-{lead}", state,
               int(state != "pending"), by, at, mid, sent,
               channels.announcements.id if state == "sent" else None)
              for occ, lead, state, by, at, mid, sent in rows
              for start in [BEFORE if occ == 1 else AFTER]])


async def test_a_version_6_database_is_migrated_and_everything_owed_arrives_once(
    e2e, discord, clock, alice, bob, ada, channels, roles
):
    await e2e.stop_bot()
    clock.set(NOW)
    conn = _version_6(e2e.settings.database_path)
    try:
        _seed(conn, e2e.world, channels, roles)
    finally:
        conn.close()

    await e2e.start_bot()  # migrates to the one outbox and delivers what is due at once
    assert await e2e.bot.db.schema_version() == load_migrations()[-1].version
    server = e2e.server
    assert await server.wait_until(lambda: len(discord.dms_of(alice)) >= 1)
    assert await server.wait_until(lambda: len(discord.messages_in(channels.anonymous)) >= 2)
    assert await server.wait_until(lambda: len(discord.messages_in(channels.announcements)) >= 1)
    await e2e.bot.scheduler.run_now(OUTBOX)

    def announced(epoch: int) -> list[str]:
        return [m.content for m in discord.messages_in(channels.announcements)
                if f"<t:{epoch}:F>" in m.content]

    # The claimed update is retried two minutes after its claim, as schema 6 would have.
    assert [m.text for m in discord.dms_of(alice)] == [f"Your request now goes to <@{bob.id}>."]
    assert [m.text for m in discord.dms_of(bob)] == []  # the offer went out before the upgrade
    questions = [m.content for m in discord.messages_in(channels.anonymous)]
    assert len(questions) == 2 and sum("Visa after residency?" in q for q in questions) == 1
    assert sum("Step 2 retake?" in q for q in questions) == 1
    [late] = announced(BEFORE)  # the 15-minute one, resent with its nonce; 24 h was sent before
    assert late.startswith(f"<@&{roles.mentors.id}> **Step 3 crew**: Before DST")

    # Then time passes: every row still ahead goes out once, at its time.
    for instant in (NOW + timedelta(minutes=2), datetime.fromtimestamp(BEFORE, UTC),
                    datetime.fromtimestamp(AFTER - 86400, UTC),
                    datetime.fromtimestamp(AFTER - 900, UTC), datetime.fromtimestamp(AFTER, UTC),
                    NOW + timedelta(hours=35), NOW + timedelta(hours=71)):
        clock.set(instant)
        await e2e.bot.scheduler.run_now(OUTBOX)
        await e2e.bot.scheduler.run_now(OUTBOX)  # a second pass sends nothing twice

    assert discord.dms_of(alice)[1].text == "A second update, claimed when the bot died."
    assert len(announced(BEFORE)) == 2  # 15 min (resent once) and at the start
    after = announced(AFTER)
    assert len(after) == 3 and all("After DST" in text for text in after)
    assert sum("IMG letters?" in m.content for m in discord.messages_in(channels.anonymous)) == 1
    reminder, *rest = discord.dms_of(bob)
    assert reminder.text.startswith("Reminder") and rest == []
    # Bob never answered: at 72 h the request moved on to ada, and alice was told, once each.
    assert len(discord.dms_of(ada)) == 1 and alice.mention in discord.dms_of(ada)[0].text
    assert len(discord.dms_of(alice)) == 3 and ada.mention in discord.dms_of(alice)[-1].text
    owed = await e2e.bot.db.fetchall(
        "SELECT kind, state FROM outbox WHERE state IN ('pending', 'claimed') "
        "AND next_attempt_at <= ?", (int(clock.now().timestamp()),))
    assert owed == []
    states = dict(await e2e.bot.db.fetchall("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
    assert states["done"] == 1 and "failed" not in states  # the timeout; nothing given up
    tables = {r[0] for r in await e2e.bot.db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"mentor_notices", "anon_outbox", "study_outbox"}
