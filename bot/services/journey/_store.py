"""Every SQL statement of the journey (the sub-features call these; no SQL elsewhere)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from bot.clock import from_epoch, to_epoch
from bot.db import Database
from bot.services.journey._models import (
    EXAM_TOPICS,
    Candidate,
    ExamDate,
    Follower,
    MemberProfile,
    Milestone,
    pick_profile,
)


class JourneyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- calendar overrides ---------------------------------------------------------------
    async def overrides(self, guild_id: int) -> list[sqlite3.Row]:
        return await self.db.fetchall(
            "SELECT cycle_id, step_id, at, status, edited_by, edited_at "
            "FROM journey_step_overrides WHERE guild_id = ?", (guild_id,),
        )

    async def save_override(self, guild_id: int, cycle_id: str, step_id: str, at: datetime,
                            status: str, edited_by: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO journey_step_overrides (guild_id, cycle_id, step_id, at, status, "
            "edited_by, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, cycle_id, step_id) DO UPDATE SET at = excluded.at, "
            "status = excluded.status, edited_by = excluded.edited_by, edited_at = excluded.edited_at",
            (guild_id, cycle_id, step_id, to_epoch(at), status, edited_by, to_epoch(now)),
        )

    # -- profiles -------------------------------------------------------------------------
    async def journey_profile(self, guild_id: int, user_id: int) -> MemberProfile | None:
        row = await self.db.fetchone(
            "SELECT visa, stage FROM journey_profiles WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return None if row is None else MemberProfile(row["visa"], row["stage"])

    async def mentee_profile(self, guild_id: int, user_id: int) -> MemberProfile | None:
        """The visa route and stage the member gave mentoring, if they have a mentee profile."""
        row = await self.db.fetchone(
            "SELECT visa, stage FROM mentees WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return None if row is None else MemberProfile(row["visa"], row["stage"])

    async def save_profile(self, guild_id: int, user_id: int, profile: MemberProfile,
                           now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO journey_profiles (guild_id, user_id, visa, stage, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
            "visa = excluded.visa, stage = excluded.stage, updated_at = excluded.updated_at",
            (guild_id, user_id, profile.visa, profile.stage, to_epoch(now)),
        )

    async def known_stages(self, guild_id: int, user_id: int) -> list[str]:
        """Every exam stage the member's profiles hold (journey, mentee, mentor)."""
        rows = await self.db.fetchall(
            "SELECT stage FROM journey_profiles WHERE guild_id = ?1 AND user_id = ?2 "
            "UNION ALL SELECT stage FROM mentees WHERE guild_id = ?1 AND user_id = ?2 "
            "UNION ALL SELECT stage FROM mentors WHERE guild_id = ?1 AND user_id = ?2",
            (guild_id, user_id),
        )
        return [r["stage"] for r in rows if r["stage"] is not None]

    async def raise_stage(self, guild_id: int, user_id: int, stage: str, now: datetime) -> None:
        """Set ``stage`` on each of the member's profiles (the journey's, made if missing, and
        the mentee and mentor profiles mentor scoring reads); the caller checked it is ahead."""
        for table in ("mentees", "mentors"):
            await self.db.execute(
                f"UPDATE {table} SET stage = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
                (stage, to_epoch(now), guild_id, user_id),
            )
        visa = (await self.journey_profile(guild_id, user_id) or MemberProfile()).visa
        await self.save_profile(guild_id, user_id, MemberProfile(visa, stage), now)

    # -- follows --------------------------------------------------------------------------
    async def follow_id(self, guild_id: int, user_id: int) -> int | None:
        return await self.db.fetchval(
            "SELECT id FROM journey_follows WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )

    async def add_follow(self, guild_id: int, user_id: int, now: datetime) -> int:
        return await self.db.fetchval(
            "INSERT INTO journey_follows (guild_id, user_id, followed_at) VALUES (?, ?, ?) "
            "RETURNING id",
            (guild_id, user_id, to_epoch(now)),
        )

    async def remove_follow(self, follow_id: int) -> None:
        await self.db.execute("DELETE FROM journey_follows WHERE id = ?", (follow_id,))

    _FOLLOWERS = (
        "SELECT f.id, f.user_id, t.zone, p.visa AS own_visa, p.stage AS own_stage, "
        "m.id AS mentee_id, m.visa AS mentee_visa, m.stage AS mentee_stage "
        "FROM journey_follows f LEFT JOIN journey_profiles p "
        "ON p.guild_id = f.guild_id AND p.user_id = f.user_id "
        "LEFT JOIN mentees m ON m.guild_id = f.guild_id AND m.user_id = f.user_id "
        "LEFT JOIN member_timezones t ON t.user_id = f.user_id "
    )

    async def followers(self, guild_id: int) -> list[Follower]:
        """Every follower of a server with the profile that filters their steps (one query)."""
        rows = await self.db.fetchall(f"{self._FOLLOWERS}WHERE f.guild_id = ? ORDER BY f.id",
                                      (guild_id,))
        return [_follower(r) for r in rows]

    async def follower(self, follow_id: int) -> Follower | None:
        """One follow with its member's profile and zone (what a due reminder needs)."""
        row = await self.db.fetchone(f"{self._FOLLOWERS}WHERE f.id = ?", (follow_id,))
        return None if row is None else _follower(row)

    async def nearer_reminder_due(self, kind: str, follow_id: int, step_key: str, at: int,
                                  lead: int, due_by: datetime) -> bool:
        """Whether a smaller-lead reminder of the same step at the same instant ``at`` (not
        one planned for a date the step has since moved from) is also due by ``due_by``."""
        dialect = self.db.dialect
        return bool(await self.db.fetchval(
            "SELECT 1 FROM outbox WHERE kind = ? AND ref_id = ? "
            f"AND {dialect.json_text('data', 'step')} = ? AND {dialect.json_int('data', 'at')} = ? "
            f"AND {dialect.json_int('data', 'lead')} < ? AND due_at <= ? "
            "AND state IN ('pending', 'claimed', 'sent') LIMIT 1",
            (kind, follow_id, step_key, at, lead, to_epoch(due_by)),
        ))

    # -- exams ----------------------------------------------------------------------------
    async def save_exam(self, guild_id: int, user_id: int, exam: ExamDate, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO journey_exams (guild_id, user_id, exam, day, month_only, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id, exam) DO UPDATE SET "
            "day = excluded.day, month_only = excluded.month_only, updated_at = excluded.updated_at",
            (guild_id, user_id, exam.exam, exam.day.isoformat(), int(exam.month_only), to_epoch(now)),
        )

    async def clear_exams(self, guild_id: int, user_id: int, exam: str | None) -> int:
        rows = await self.db.fetchall(
            "DELETE FROM journey_exams WHERE guild_id = ? AND user_id = ? "
            "AND (CAST(? AS TEXT) IS NULL OR exam = ?) RETURNING 1",
            (guild_id, user_id, exam, exam),
        )
        return len(rows)

    async def exams(self, guild_id: int, user_id: int) -> list[ExamDate]:
        rows = await self.db.fetchall(
            "SELECT exam, day, month_only FROM journey_exams WHERE guild_id = ? AND user_id = ? "
            "ORDER BY day", (guild_id, user_id),
        )
        return [ExamDate(r["exam"], date.fromisoformat(r["day"]), bool(r["month_only"]))
                for r in rows]

    # -- cohorts ------------------------------------------------------------------------
    async def exam_candidates(self, guild_id: int, exam: str, *,
                              without_group: bool = False) -> list[Candidate]:
        """Members with a date for ``exam``, their languages (mentee or mentor profile) and
        zone; ``without_group``: only those in no live study group of the exam's topic."""
        lonely = (
            "AND NOT EXISTS (SELECT 1 FROM study_group_members sm JOIN study_groups g "
            "ON g.id = sm.group_id WHERE sm.user_id = e.user_id AND g.guild_id = e.guild_id "
            "AND g.archived_at IS NULL AND g.topic = ?3) " if without_group else ""
        )
        rows = await self.db.fetchall(
            "SELECT e.user_id, e.day, t.zone, coalesce(me.languages, mo.languages, '') AS langs "
            "FROM journey_exams e LEFT JOIN member_timezones t ON t.user_id = e.user_id "
            "LEFT JOIN mentees me ON me.guild_id = e.guild_id AND me.user_id = e.user_id "
            "LEFT JOIN mentors mo ON mo.guild_id = e.guild_id AND mo.user_id = e.user_id "
            f"WHERE e.guild_id = ?1 AND e.exam = ?2 {lonely}ORDER BY e.day, e.user_id",
            (guild_id, exam, EXAM_TOPICS[exam]) if without_group else (guild_id, exam),
        )
        return [Candidate(r["user_id"], date.fromisoformat(r["day"]),
                          frozenset(x for x in r["langs"].split(",") if x), r["zone"])
                for r in rows]

    async def add_cohort(self, guild_id: int, group_id: int, exam: str, first: date, last: date,
                         created_by: int, now: datetime, *, role_wanted: bool = False) -> int:
        return await self.db.fetchval(
            "INSERT INTO journey_cohorts (guild_id, group_id, exam, window_start, window_end, "
            "created_by, created_at, role_wanted) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (guild_id, group_id, exam, first.isoformat(), last.isoformat(), created_by,
             to_epoch(now), int(role_wanted)),
        )

    async def set_role_error(self, cohort_id: int, reason: str | None) -> None:
        await self.db.execute("UPDATE journey_cohorts SET role_error = ? WHERE id = ?",
                              (reason, cohort_id))

    async def cohort(self, cohort_id: int) -> sqlite3.Row | None:
        """A cohort with its group's name, owner and whether it is archived."""
        return await self.db.fetchone(
            "SELECT c.id, c.guild_id, c.group_id, c.exam, c.window_end, c.kept_at, c.closed_at, "
            "c.role_wanted, c.role_error, g.name, g.owner_id, g.role_id, g.archived_at "
            "FROM journey_cohorts c "
            "JOIN study_groups g ON g.id = c.group_id WHERE c.id = ?", (cohort_id,),
        )

    async def cohort_of_group(self, group_id: int) -> int | None:
        return await self.db.fetchval(
            "SELECT id FROM journey_cohorts WHERE group_id = ?", (group_id,)
        )

    async def group_member_ids(self, group_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM study_group_members WHERE group_id = ? ORDER BY joined_at",
            (group_id,),
        )
        return [r["user_id"] for r in rows]

    async def mark_cohort(self, cohort_id: int, column: str, now: datetime) -> None:
        """Set ``kept_at`` or ``closed_at`` (once)."""
        assert column in ("kept_at", "closed_at")
        await self.db.execute(
            f"UPDATE journey_cohorts SET {column} = ? WHERE id = ? AND {column} IS NULL",
            (to_epoch(now), cohort_id),
        )

    async def mark_done_in_cohorts(self, guild_id: int, user_id: int, exam: str,
                                   milestone_id: int, now: datetime) -> list[str]:
        """Mark the member done in each open cohort of ``exam`` they are in; returns the
        names of the cohorts' groups."""
        rows = await self.db.fetchall(
            "SELECT c.id, g.name FROM journey_cohorts c JOIN study_groups g ON g.id = c.group_id "
            "JOIN study_group_members sm ON sm.group_id = c.group_id AND sm.user_id = ? "
            "WHERE c.guild_id = ? AND c.exam = ? AND c.closed_at IS NULL "
            "AND g.archived_at IS NULL ORDER BY c.id",
            (user_id, guild_id, exam),
        )
        for row in rows:
            await self.db.execute(
                "INSERT INTO journey_cohort_done (cohort_id, guild_id, user_id, milestone_id, "
                "done_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (cohort_id, user_id) DO NOTHING",
                (row["id"], guild_id, user_id, milestone_id, to_epoch(now)),
            )
        return [r["name"] for r in rows]

    async def done_in_cohort(self, cohort_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM journey_cohort_done WHERE cohort_id = ?", (cohort_id,)
        )
        return {r["user_id"] for r in rows}

    async def cohorts_done(self, guild_id: int, user_id: int) -> list[str]:
        """The groups of the cohorts the member is marked done in (for their export)."""
        rows = await self.db.fetchall(
            "SELECT g.name FROM journey_cohort_done d JOIN journey_cohorts c ON c.id = d.cohort_id "
            "JOIN study_groups g ON g.id = c.group_id WHERE d.guild_id = ? AND d.user_id = ? "
            "ORDER BY d.done_at", (guild_id, user_id),
        )
        return [r["name"] for r in rows]

    async def reopen_cohort(self, cohort_id: int) -> None:
        """The cohort's archive was undone by its owner."""
        await self.db.execute("UPDATE journey_cohorts SET closed_at = NULL WHERE id = ?",
                              (cohort_id,))

    # -- channel posts ------------------------------------------------------------------
    async def posts(self, guild_id: int) -> tuple[bool, bool]:
        """(weekly post on, Match Day digest on) for a server."""
        row = await self.db.fetchone(
            "SELECT weekly, match_day FROM journey_posts WHERE guild_id = ?", (guild_id,)
        )
        return (False, False) if row is None else (bool(row["weekly"]), bool(row["match_day"]))

    async def save_posts(self, guild_id: int, weekly: bool, match_day: bool, by: int,
                         now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO journey_posts (guild_id, weekly, match_day, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET weekly = excluded.weekly, "
            "match_day = excluded.match_day, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (guild_id, int(weekly), int(match_day), by, to_epoch(now)),
        )

    async def matched_count(self, guild_id: int, since: datetime) -> int:
        """Members who shared a matched (or SOAP) milestone here since ``since``; a private
        milestone is not counted (a count of one would tell who)."""
        return int(await self.db.fetchval(
            "SELECT COUNT(DISTINCT user_id) FROM journey_milestones WHERE guild_id = ? "
            "AND kind IN ('matched', 'soap_placement') AND visibility <> 'private' "
            "AND created_at >= ?",
            (guild_id, to_epoch(since)),
        ) or 0)

    # -- milestones -----------------------------------------------------------------------
    async def add_milestone(self, guild_id: int, user_id: int, kind: str, visibility: str,
                            now: datetime) -> Milestone:
        row_id = await self.db.fetchval(
            "INSERT INTO journey_milestones (guild_id, user_id, kind, visibility, created_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            (guild_id, user_id, kind, visibility, to_epoch(now)),
        )
        return Milestone(row_id, guild_id, user_id, kind, visibility,  # type: ignore[arg-type]
                         from_epoch(to_epoch(now)))

    async def milestone(self, milestone_id: int) -> Milestone | None:
        row = await self.db.fetchone("SELECT * FROM journey_milestones WHERE id = ?", (milestone_id,))
        return None if row is None else Milestone(
            row["id"], row["guild_id"], row["user_id"], row["kind"], row["visibility"],
            from_epoch(row["created_at"]),
        )

    async def milestones(self, guild_id: int, user_id: int) -> list[Milestone]:
        rows = await self.db.fetchall(
            "SELECT id FROM journey_milestones WHERE guild_id = ? AND user_id = ? ORDER BY id",
            (guild_id, user_id),
        )
        return [m for r in rows if (m := await self.milestone(r["id"])) is not None]

    # -- privacy --------------------------------------------------------------------------
    async def delete_member(self, guild_id: int, user_id: int) -> None:
        for table in ("journey_follows", "journey_profiles", "journey_exams", "journey_milestones",
                      "journey_cohort_done"):
            await self.db.execute(
                f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )


def _follower(row: sqlite3.Row) -> Follower:
    mentee = None if row["mentee_id"] is None else \
        MemberProfile(row["mentee_visa"], row["mentee_stage"])
    profile, _ = pick_profile(MemberProfile(row["own_visa"], row["own_stage"]), mentee)
    return Follower(row["id"], row["user_id"], profile, row["zone"])
