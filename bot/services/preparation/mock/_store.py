"""Every SQL statement of mock interviews (the sub-features call these; no SQL elsewhere)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from bot.clock import from_epoch, to_epoch
from bot.db import Database
from bot.services.preparation.mock._models import Entry, PairRecord, Participant, Rubric
from bot.services.preparation.mock.pairing import pair_key

DEFAULT_LANGUAGES = frozenset({"en"})


class MockStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- settings -------------------------------------------------------------------------
    async def settings(self, guild_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone("SELECT * FROM mock_settings WHERE guild_id = ?", (guild_id,))

    async def save_settings(self, guild_id: int, weekday: int, close_minute: int, zone: str,
                            channel_id: int, by: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO mock_settings (guild_id, weekday, close_minute, zone, channel_id, "
            "updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE "
            "SET weekday = excluded.weekday, close_minute = excluded.close_minute, "
            "zone = excluded.zone, channel_id = excluded.channel_id, "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (guild_id, weekday, close_minute, zone, channel_id, by, to_epoch(now)),
        )

    # -- rounds ---------------------------------------------------------------------------
    async def open_round(self, guild_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone(
            "SELECT * FROM mock_rounds WHERE guild_id = ? AND closed_at IS NULL "
            "ORDER BY id DESC LIMIT 1", (guild_id,),
        )

    async def round(self, round_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone("SELECT * FROM mock_rounds WHERE id = ?", (round_id,))

    async def add_round(self, guild_id: int, closes_at: datetime, seed: int) -> int:
        return int(await self.db.fetchval(
            "INSERT INTO mock_rounds (guild_id, closes_at, seed) VALUES (?, ?, ?) RETURNING id",
            (guild_id, to_epoch(closes_at), seed),
        ))

    async def move_round(self, round_id: int, closes_at: datetime) -> None:
        await self.db.execute("UPDATE mock_rounds SET closes_at = ? WHERE id = ?",
                              (to_epoch(closes_at), round_id))

    async def mark_closed(self, round_id: int, now: datetime) -> bool:
        """Close the round once: False if it was closed already."""
        rows = await self.db.fetchall(
            "UPDATE mock_rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL RETURNING id",
            (to_epoch(now), round_id),
        )
        return bool(rows)

    # -- entries --------------------------------------------------------------------------
    async def entry(self, round_id: int, user_id: int) -> Entry | None:
        row = await self.db.fetchone(
            "SELECT e.round_id, r.closes_at, e.role, e.specialty, e.carried FROM mock_entries e "
            "JOIN mock_rounds r ON r.id = e.round_id WHERE e.round_id = ? AND e.user_id = ?",
            (round_id, user_id),
        )
        return None if row is None else _entry(row)

    async def save_entry(self, round_id: int, user_id: int, role: str, specialty: str,
                         carried: bool, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO mock_entries (round_id, user_id, role, specialty, carried, joined_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, user_id) DO UPDATE SET "
            "role = excluded.role, specialty = excluded.specialty",
            (round_id, user_id, role, specialty, int(carried), to_epoch(now)),
        )

    async def delete_entry(self, round_id: int, user_id: int) -> bool:
        rows = await self.db.fetchall(
            "DELETE FROM mock_entries WHERE round_id = ? AND user_id = ? RETURNING 1",
            (round_id, user_id),
        )
        return bool(rows)

    async def entries_of(self, guild_id: int, user_id: int) -> list[Entry]:
        rows = await self.db.fetchall(
            "SELECT e.round_id, r.closes_at, e.role, e.specialty, e.carried FROM mock_entries e "
            "JOIN mock_rounds r ON r.id = e.round_id WHERE r.guild_id = ? AND e.user_id = ? "
            "ORDER BY e.round_id", (guild_id, user_id),
        )
        return [_entry(r) for r in rows]

    async def participants(self, round_id: int, guild_id: int) -> list[Participant]:
        """The round's members with their languages and zone (their profiles, else English and
        their mentoring zone), whether they are approved mentors and new to mock interviews;
        members sitting this round out are left out."""
        rows = await self.db.fetchall(
            "SELECT e.user_id, e.role, e.specialty, e.carried, "
            "coalesce(t.zone, me.timezone, mo.timezone) AS zone, "
            "coalesce(me.languages, mo.languages, '') AS langs, "
            "CASE WHEN mo.status = 'approved' THEN 1 ELSE 0 END AS mentor, "
            "CASE WHEN EXISTS (SELECT 1 FROM mock_pairs p WHERE p.guild_id = ? "
            "AND p.interviewee_id = e.user_id) THEN 0 ELSE 1 END AS first_timer "
            "FROM mock_entries e "
            "LEFT JOIN member_timezones t ON t.user_id = e.user_id "
            "LEFT JOIN mentees me ON me.guild_id = ? AND me.user_id = e.user_id "
            "LEFT JOIN mentors mo ON mo.guild_id = ? AND mo.user_id = e.user_id "
            "LEFT JOIN mock_members mm ON mm.guild_id = ? AND mm.user_id = e.user_id "
            "WHERE e.round_id = ? AND (mm.sit_out_round IS NULL OR mm.sit_out_round <> ?) "
            "ORDER BY e.user_id",
            (guild_id, guild_id, guild_id, guild_id, round_id, round_id),
        )
        return [Participant(r["user_id"], r["role"], r["specialty"],
                            frozenset(x for x in r["langs"].split(",") if x) or DEFAULT_LANGUAGES,
                            r["zone"] or "UTC", bool(r["mentor"]), bool(r["first_timer"]),
                            bool(r["carried"])) for r in rows]

    async def member_zone(self, guild_id: int, user_id: int) -> str | None:
        """The zone pairing would use for the member (None: they have none)."""
        return await self.db.fetchval(
            "SELECT coalesce((SELECT zone FROM member_timezones WHERE user_id = ?), "
            "(SELECT timezone FROM mentees WHERE guild_id = ? AND user_id = ?), "
            "(SELECT timezone FROM mentors WHERE guild_id = ? AND user_id = ?))",
            (user_id, guild_id, user_id, guild_id, user_id),
        )

    # -- pairs ----------------------------------------------------------------------------
    async def past_pairs(self, guild_id: int) -> set[tuple[int, int]]:
        rows = await self.db.fetchall(
            "SELECT interviewer_id, interviewee_id FROM mock_pairs WHERE guild_id = ?", (guild_id,)
        )
        return {pair_key(r[0], r[1]) for r in rows}

    async def add_pair(self, round_id: int, guild_id: int, interviewer: int, interviewee: int,
                       specialty: str, times: Iterable[datetime], now: datetime) -> int:
        pair_id = int(await self.db.fetchval(
            "INSERT INTO mock_pairs (round_id, guild_id, interviewer_id, interviewee_id, "
            "specialty, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (round_id, guild_id, interviewer, interviewee, specialty, to_epoch(now)),
        ))
        await self.db.executemany(
            "INSERT INTO mock_pair_times (pair_id, at) VALUES (?, ?)",
            [(pair_id, to_epoch(t)) for t in times],
        )
        return pair_id

    _PAIR = "SELECT * FROM mock_pairs "

    async def pair(self, pair_id: int) -> PairRecord | None:
        row = await self.db.fetchone(f"{self._PAIR}WHERE id = ?", (pair_id,))
        return None if row is None else await self._pair(row)

    async def latest_pair(self, guild_id: int, user_id: int) -> PairRecord | None:
        row = await self.db.fetchone(
            f"{self._PAIR}WHERE guild_id = ? AND (interviewer_id = ? OR interviewee_id = ?) "
            "ORDER BY round_id DESC, id DESC LIMIT 1", (guild_id, user_id, user_id),
        )
        return None if row is None else await self._pair(row)

    async def pairs_of(self, guild_id: int, user_id: int) -> list[PairRecord]:
        rows = await self.db.fetchall(
            f"{self._PAIR}WHERE guild_id = ? AND (interviewer_id = ? OR interviewee_id = ?) "
            "ORDER BY round_id, id", (guild_id, user_id, user_id),
        )
        return [await self._pair(r) for r in rows]

    async def _pair(self, row: sqlite3.Row) -> PairRecord:
        times = await self.db.fetchall(
            "SELECT at FROM mock_pair_times WHERE pair_id = ? ORDER BY at", (row["id"],)
        )

        def showed(value: int | None) -> bool | None:
            return None if value is None else bool(value)

        return PairRecord(row["id"], row["round_id"], row["guild_id"], row["interviewer_id"],
                          row["interviewee_id"], row["specialty"], row["thread_id"],
                          showed(row["interviewer_showed"]), showed(row["interviewee_showed"]),
                          tuple(from_epoch(t["at"]) for t in times))

    async def record_thread(self, pair_id: int, thread_id: int) -> None:
        await self.db.execute("UPDATE mock_pairs SET thread_id = ? WHERE id = ?",
                              (thread_id, pair_id))

    async def record_showed(self, pair_id: int, interviewer: bool, showed: bool) -> bool:
        """Record whether one member of the pair came (once): False if it was recorded."""
        column = "interviewer_showed" if interviewer else "interviewee_showed"
        rows = await self.db.fetchall(
            f"UPDATE mock_pairs SET {column} = ? WHERE id = ? AND {column} IS NULL RETURNING id",
            (int(showed), pair_id),
        )
        return bool(rows)

    # -- feedback -------------------------------------------------------------------------
    async def save_feedback(self, pair_id: int, rubric: Rubric, comment: str,
                            now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO mock_feedback (pair_id, structure, specificity, img_answers, "
            "communication, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (pair_id, *(score for _, score in rubric.items()), comment, to_epoch(now)),
        )

    async def feedback(self, pair_id: int) -> tuple[Rubric, str] | None:
        row = await self.db.fetchone("SELECT * FROM mock_feedback WHERE pair_id = ?", (pair_id,))
        if row is None:
            return None
        return Rubric(row["structure"], row["specificity"], row["img_answers"],
                      row["communication"]), row["comment"]

    # -- no-shows -------------------------------------------------------------------------
    async def member(self, guild_id: int, user_id: int) -> tuple[int, int | None]:
        """(consecutive no-shows, the round they sit out or None)."""
        row = await self.db.fetchone(
            "SELECT no_show_streak, sit_out_round FROM mock_members WHERE guild_id = ? "
            "AND user_id = ?", (guild_id, user_id),
        )
        return (0, None) if row is None else (row["no_show_streak"], row["sit_out_round"])

    async def save_member(self, guild_id: int, user_id: int, streak: int,
                          sit_out_round: int | None) -> None:
        await self.db.execute(
            "INSERT INTO mock_members (guild_id, user_id, no_show_streak, sit_out_round) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
            "no_show_streak = excluded.no_show_streak, sit_out_round = excluded.sit_out_round",
            (guild_id, user_id, streak, sit_out_round),
        )

    # -- privacy --------------------------------------------------------------------------
    async def delete_member(self, guild_id: int, user_id: int) -> None:
        """Their entries, no-show record, the feedback they received and their id in pairs
        (their partners keep their sessions, naming nobody)."""
        db = self.db
        await db.execute(
            "DELETE FROM mock_entries WHERE user_id = ? AND round_id IN "
            "(SELECT id FROM mock_rounds WHERE guild_id = ?)", (user_id, guild_id),
        )
        await db.execute("DELETE FROM mock_members WHERE guild_id = ? AND user_id = ?",
                         (guild_id, user_id))
        await db.execute(
            "DELETE FROM mock_feedback WHERE pair_id IN (SELECT id FROM mock_pairs "
            "WHERE guild_id = ? AND interviewee_id = ?)", (guild_id, user_id),
        )
        for column in ("interviewer_id", "interviewee_id"):
            await db.execute(f"UPDATE mock_pairs SET {column} = 0 WHERE guild_id = ? "
                             f"AND {column} = ?", (guild_id, user_id))
        await db.execute("UPDATE mock_settings SET updated_by = 0 WHERE guild_id = ? "
                         "AND updated_by = ?", (guild_id, user_id))

    async def delete_rows_to(self, kind: str, guild_id: int, user_id: int) -> None:
        """The outbox rows of ``kind`` addressed to the member (nothing more is sent to them)."""
        await self.db.execute(
            "DELETE FROM outbox WHERE kind = ? AND guild_id = ? AND recipient_id = ?",
            (kind, guild_id, user_id),
        )


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(row["round_id"], from_epoch(row["closes_at"]), row["role"], row["specialty"],
                 bool(row["carried"]))
