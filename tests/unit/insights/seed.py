"""A seeded database for the insights figures: every row written here with known instants, so
the tests compare the figures exactly (see the expectations beside each block)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import to_epoch
from bot.db import Database

G = 1
OTHER = 2  # another server's rows never count
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


async def seed(db: Database, now: datetime, guild: int = G) -> None:
    """Rows of server ``guild`` (and a few of ``OTHER``, which never count)."""
    def at(delta: timedelta) -> int:
        return to_epoch(now + delta)

    async with db.transaction() as tx:
        # -- mentoring ----------------------------------------------------------------------
        mentors = [  # id, user, specialties, visas, languages, capacity, active, status, paused
            (1, 101, "internal_medicine,psychiatry", "j1", "en", 3, 1, "approved", 0),
            (2, 102, "pediatrics", "h1b", "en,es", 2, 2, "approved", 0),
            (3, 103, "internal_medicine", "j1", "en", 2, 0, "approved", 1),
            (4, 104, "pediatrics", "h1b", "pt", 2, 0, "pending", 0),
        ]
        for mid, user, specs, visas, langs, cap, active, status, paused in mentors:
            await tx.execute(
                "INSERT INTO mentors (id, guild_id, user_id, specialties, visas, stage, languages, "
                "timezone, capacity, active, status, paused, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'matched', ?, 'UTC', ?, ?, ?, ?, 0, 0)",
                (mid, guild, user, specs, visas, langs, cap, active, status, paused),
            )
        await tx.execute(
            "INSERT INTO mentors (id, guild_id, user_id, specialties, visas, stage, languages, "
            "timezone, capacity, active, status, created_at, updated_at) VALUES "
            "(9, ?, 109, 'pediatrics', 'h1b', 'matched', 'pt', 'UTC', 5, 0, 'approved', 0, 0)",
            (OTHER,),
        )
        mentees = [  # id, user, specialty, visa, languages
            (1, 201, "internal_medicine", "j1", "en"),
            (2, 202, "internal_medicine", "j1", "en"),
            (3, 203, "pediatrics", "h1b", "pt"),
            (4, 204, "psychiatry", "j1", "en,es"),
            (5, 205, "internal_medicine", "j1", "en"),
        ]
        for eid, user, spec, visa, langs in mentees:
            await tx.execute(
                "INSERT INTO mentees (id, guild_id, user_id, specialty, visa, stage, languages, "
                "timezone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'step1', ?, 'UTC', 0, 0)",
                (eid, guild, user, spec, visa, langs),
            )
        requests = [  # id, mentee, status, created, closed
            (1, 1, "accepted", at(-10 * DAY), at(-10 * DAY + 2 * HOUR)),
            (2, 2, "accepted", at(-20 * DAY), at(-20 * DAY + 6 * HOUR)),
            (3, 3, "exhausted", at(-4 * DAY), at(-3 * DAY)),
            (4, 4, "exhausted", at(-5 * DAY), at(-2 * DAY)),
            (5, 5, "exhausted", at(-41 * DAY), at(-40 * DAY)),
            (6, 5, "accepted", at(-50 * DAY), at(-49 * DAY)),
        ]
        for rid, eid, status, created, closed in requests:
            await tx.execute(
                "INSERT INTO mentor_requests (id, guild_id, mentee_id, status, created_at, "
                "closed_at) VALUES (?, ?, ?, ?, ?, ?)", (rid, guild, eid, status, created, closed),
            )
        for rid, mid, status in ((4, 1, "declined"), (4, 2, "timeout"), (1, 1, "accepted")):
            await tx.execute(
                "INSERT INTO mentor_offers (request_id, mentor_id, status, offered_at, expires_at) "
                "VALUES (?, ?, ?, 0, 0)", (rid, mid, status),
            )
        pairings = [  # mentor, mentee, status, started, ended, rating
            (1, 1, "active", at(-10 * DAY + 2 * HOUR), None, None),
            (1, 2, "ended", at(-20 * DAY + 6 * HOUR), at(-5 * DAY), 4),
            (2, 5, "ended", at(-70 * DAY), at(-60 * DAY), 2),
        ]
        for mid, eid, status, started, ended, rating in pairings:
            await tx.execute(
                "INSERT INTO mentor_pairings (guild_id, mentor_id, mentee_id, status, started_at, "
                "ended_at, rating) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (guild, mid, eid, status, started, ended, rating),
            )
        # -- study groups -------------------------------------------------------------------
        for gid, server in ((1, guild), (2, OTHER)):
            await tx.execute(
                "INSERT INTO study_groups (id, guild_id, name, topic, owner_id, created_at) "
                "VALUES (?, ?, 'IM Step 2 crew', 'step2ck', 301, 0)", (gid, server),
            )
            await tx.execute(
                "INSERT INTO study_series (id, group_id, title, zone, first_local, "
                "duration_minutes, created_by, created_at, materialized_until) "
                "VALUES (?, ?, 'Weekly', 'UTC', '2025-01-01T19:00', 60, 301, 0, 0)", (gid, gid),
            )
        sessions = [  # id, series, starts, cancelled, (going, maybe, no)
            (1, 1, at(-6 * DAY), None, (3, 1, 1)),
            (2, 1, at(-2 * DAY), at(-3 * DAY), (1, 0, 0)),
            (3, 1, at(DAY), None, (4, 0, 0)),
            (4, 1, at(-45 * DAY), None, (2, 0, 0)),
            (5, 2, at(-1 * DAY), None, (7, 0, 0)),
        ]
        user = 400
        for oid, series, starts, cancelled, choices in sessions:
            await tx.execute(
                "INSERT INTO study_occurrences (id, series_id, starts_at, ends_at, cancelled_at) "
                "VALUES (?, ?, ?, ?, ?)", (oid, series, starts, starts + 3600, cancelled),
            )
            for choice, count in zip(("going", "maybe", "no"), choices, strict=True):
                for _ in range(count):
                    user += 1
                    await tx.execute(
                        "INSERT INTO study_rsvps (occurrence_id, user_id, choice, updated_at) "
                        "VALUES (?, ?, ?, 0)", (oid, user, choice),
                    )
        # -- anonymous questions ------------------------------------------------------------
        questions = [  # server, tag, state, published, closed, mentor answer
            (guild, "visa", "published", at(-1 * DAY), 1, None),
            (guild, "visa", "published", at(-2 * DAY), 0, 555),
            (guild, "visa", "published", at(-3 * DAY), 0, None),
            (guild, None, "published", at(-4 * DAY), 1, 556),
            (guild, "step 1", "review", None, 0, None),
            (guild, "visa", "published", at(-40 * DAY), 1, None),
            (OTHER, "visa", "published", at(-1 * DAY), 1, 557),
        ]
        for number, (server, tag, state, published, closed, answer) in enumerate(questions, 1):
            await tx.execute(
                "INSERT INTO anon_questions (guild_id, number, title, body, tag, code_salt, "
                "code_hash, state, closed, mentor_answer_message_id, published_at) "
                "VALUES (?, ?, 't', 'b', ?, ?, ?, ?, ?, ?, ?)",
                (server, number, tag, b"\0", b"\0", state, closed, answer, published),
            )
        # -- resource searches --------------------------------------------------------------
        today = to_epoch(now) // 86_400
        searches = [  # server, day, query, searches, empty
            (guild, today, "ecfmg", 5, 0), (guild, today - 3, "ecfmg", 2, 1),
            (guild, today - 1, "observership boise", 3, 3), (guild, today - 40, "visa", 10, 0),
            (OTHER, today, "ecfmg", 50, 0),
        ]
        for row in searches:
            await tx.execute(
                "INSERT INTO resource_search_days (guild_id, day, query, searches, empty) "
                "VALUES (?, ?, ?, ?, ?)", row,
            )
