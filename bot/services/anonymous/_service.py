"""Anonymous questions: asking, the delayed publish queue, claim-code actions, moderation.

The asker's user id enters this module in exactly three places (``ask``, and the code checks of
``followup``/``close``/``delete``), and only to key in-memory rate limits through
:class:`MemberKeys`. It is never stored, logged, returned, or put in an exception message.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.clock import Clock, from_epoch, to_epoch
from bot.db import Database
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import DueItem, Handler, Outbox, Outcome, Policy, Receipt, Send, Skip
from bot.services.anonymous import _codes
from bot.services.anonymous._limits import MemberKeys, MemberLimiter, SlidingWindow
from bot.services.anonymous._text import (
    MAX_FOLLOWUP_CHARS,
    MAX_QUESTION_CHARS,
    MAX_TAG_CHARS,
    MAX_TITLE_CHARS,
    MESSAGE_LIMIT,
    sanitize,
    split_message,
)
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MentoringService
from bot.services.mentoring.profiles import APPROVED
from bot.services.rate_limits import TargetLimiter, TargetPolicy
from bot.services.text import md, sanitize_line

log = logging.getLogger(__name__)

#: Question states after a take-down: nothing left to delete.
_TAKEN_DOWN = ("rejected", "removed", "deleted")
#: The state a question must still be in for a queued post to go out (else it is cancelled).
_STATE_FOR_KIND = {"review": "waiting", "question": "waiting", "delete": "deleted"}

#: review/followup_review: a copy for moderators to approve (pre-approval on); delete: an
#: asker's `/ask delete`, carried out after a random delay like every post.
OutboxKind = Literal["review", "question", "followup", "close", "followup_review", "delete"]
ASKER_LABEL = "Asker"
MAX_SEND_ATTEMPTS = 5
RETRY_DELAY = timedelta(seconds=60)
#: The outbox's kinds, one per OutboxKind ("anon_question", ...).
KINDS: dict[str, OutboxKind] = {
    f"anon_{k}": k
    for k in ("review", "question", "followup", "close", "followup_review", "delete")
}
# Wrong claim codes, per member (through the rotating HMAC): a member over the limit is refused
# without a check, which caps the scrypt work anyone can make the bot do. Never per question:
# other accounts' wrong guesses would then lock the real asker out, and with 100 random bits
# many accounts guessing together get no nearer anyway.
CODE_FAILURES_PER_MEMBER = 5
CODE_FAILURE_WINDOW = timedelta(minutes=15)
FOLLOWUPS_PER_QUESTION_PER_HOUR = 10
REPORTS_PER_MEMBER_PER_HOUR = 10
MAX_REPORT_REASON_CHARS = 1000
MAX_MUTE = timedelta(days=30)
MAX_MENTOR_PINGS = 10
#: How often one mentor is pinged by anonymous questions' topic tags (askers cannot be told
#: apart, so only per mentor): a few tagged questions must not ping the same mentors all day.
MENTOR_PINGS = TargetPolicy(per_target=5, window=timedelta(hours=24))


@dataclass(frozen=True, slots=True)
class AnonymousLimits:
    publish_delay_min_s: int = 30
    publish_delay_max_s: int = 180
    questions_per_hour: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.publish_delay_min_s <= self.publish_delay_max_s:
            raise ValueError("publish delays need 0 <= min <= max")
        if self.questions_per_hour < 1:
            raise ValueError("questions_per_hour must be at least 1")


@dataclass(frozen=True, slots=True)
class AskReceipt:
    question_id: int
    """The question's number in its server (what members see; see `_question`)."""
    code: str
    """The claim code, in full. Show it to the asker once; it is not stored anywhere."""
    due_at: datetime
    needs_review: bool


@dataclass(frozen=True, slots=True)
class OutboxJob:
    """One claimed post for the adapter to send, then confirm or fail."""

    id: int
    kind: OutboxKind
    question_id: int
    """The internal row id; ``number`` is what members see."""
    number: int
    guild_id: int
    title: str
    tag: str | None
    chunks: list[str]
    nonce: str
    target_channel_id: int | None
    """question: the anonymous channel; review, followup_review: the review channel;
    followup/close: the thread; delete: where the question was posted (or reviewed)."""
    attempts: int
    taken_down: PostedQuestion | None = None
    """delete: what to remove from Discord."""


@dataclass(frozen=True, slots=True)
class PostedQuestion:
    """Where a question lives in Discord, for the adapter to delete or update."""

    question_id: int
    """Its number in its server, as everywhere outside the service but ``OutboxJob``."""
    guild_id: int
    state: str
    channel_id: int | None
    thread_id: int | None
    message_id: int | None
    review_channel_id: int | None
    review_message_id: int | None
    followup_copies: tuple[tuple[int, int], ...] = ()
    """(channel id, message id) of review copies of follow-ups that were still waiting for
    approval: they show the asker's text until edited."""


@dataclass(frozen=True, slots=True)
class MentorNotice:
    """Mentors to ask in a question's thread: ``user_ids`` (pinged, exactly these), chosen
    among those who know ``tag``; ``more`` matched but were not chosen."""

    tag: str
    user_ids: tuple[int, ...]
    more: int


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    question_id: int
    title: str
    reason: str | None
    thread_id: int | None
    review_channel_id: int




def question_chunks(question_id: int, title: str, body: str, tag: str | None) -> list[str]:
    topic = f" · Topic: {md(tag)}" if tag else ""
    header = f"**{md(title)}**\n-# Anonymous question #{question_id}{topic}\n\n"
    return _with_header(header, body)


def followup_chunks(body: str) -> list[str]:
    return _with_header(f"**{ASKER_LABEL}** (follow-up):\n", body)


def followup_review_chunks(question_id: int, title: str, body: str) -> list[str]:
    header = (
        f"A follow-up to anonymous question #{question_id} **{md(title)}** is waiting for "
        "approval.\n\n"
    )
    return _with_header(header, body)


def review_chunks(question_id: int, title: str, body: str, tag: str | None) -> list[str]:
    header = (
        f"Anonymous question #{question_id} is waiting for approval.\n"
        f"**{md(title)}**\n" + (f"Topic: {md(tag)}\n" if tag else "") + "\n"
    )
    return _with_header(header, body)


CLOSE_NOTICE = f"The {ASKER_LABEL.lower()} marked this question as answered. Thank you, everyone!"


def _with_header(header: str, body: str) -> list[str]:
    first_room = MESSAGE_LIMIT - len(header)
    if len(body) <= first_room:
        return [header + body]
    # Split the body alone, then put the header in front of the first chunk if it fits.
    chunks = split_message(body)
    if len(header) + len(chunks[0]) <= MESSAGE_LIMIT:
        chunks[0] = header + chunks[0]
        return chunks
    return [header.rstrip("\n"), *chunks]


def clean_title(raw: str) -> str:
    title = sanitize_line(raw)
    if not title:
        raise InvalidInput("Please give your question a title.")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(
            f"The title can be at most {MAX_TITLE_CHARS} characters (yours is {len(title)})."
        )
    return title


def clean_body(raw: str, limit: int, what: str = "question") -> str:
    body = sanitize(raw)
    if not body:
        raise InvalidInput(f"Your {what} is empty.")
    if len(body) > limit:
        raise InvalidInput(
            f"Your {what} is {len(body):,} characters after removing mentions and invite links; "
            f"the limit is {limit:,}. Please shorten it and try again."
        )
    return body


def clean_tag(raw: str | None) -> str | None:
    if raw is None:
        return None
    tag = sanitize_line(raw)
    if not tag:
        return None
    if len(tag) > MAX_TAG_CHARS:
        raise InvalidInput(f"A topic tag can be at most {MAX_TAG_CHARS} characters.")
    return tag


class LimitsUpkeep:
    """Scheduler source (no Discord needed) that runs :meth:`AnonymousService.maintain`."""

    def __init__(self, service: AnonymousService) -> None:
        self._service = service

    async def next_due(self) -> datetime | None:
        return await self._service.next_maintenance()

    async def run_due(self, now: datetime) -> None:
        await self._service.maintain()


_KIND_MARKS = ", ".join("?" * len(KINDS))


class _Publisher(Handler):
    """The outbox's view of anonymous posts: one question's posts go out in order, and a
    follow-up's text is dropped from the row once it is finished (a held one's review copy
    keeps it in `anon_held_followups` until a moderator decides)."""

    policy = Policy(max_attempts=MAX_SEND_ATTEMPTS, backoff_base_s=RETRY_DELAY.total_seconds(),
                    backoff_max_s=4 * RETRY_DELAY.total_seconds(), ordered=True, forget_data=True)

    def __init__(self, service: AnonymousService) -> None:
        self._service = service

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        return await self._service._prepare_post(item)

    async def sent(self, item: DueItem, receipt: Receipt) -> None:
        await self._service._record_post(item, receipt)

    async def failed(self, item: DueItem, reason: str) -> None:
        await self._service._post_failed(item)


class AnonymousService:
    def __init__(
        self,
        db: Database,
        guild_settings: GuildSettingsService,
        clock: Clock,
        limits: AnonymousLimits | None = None,
        mentoring: MentoringService | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self._db = db
        self.outbox = outbox or Outbox(db, clock)
        publisher = _Publisher(self)
        for kind in KINDS:
            self.outbox.register(kind, publisher)
        self._mentoring = mentoring
        self._settings = guild_settings
        self._clock = clock
        self.limits = limits or AnonymousLimits()
        self.member_keys = MemberKeys(clock)
        self._asks = MemberLimiter(
            self.member_keys, clock, self.limits.questions_per_hour, timedelta(hours=1)
        )
        self._code_failures = MemberLimiter(
            self.member_keys, clock, CODE_FAILURES_PER_MEMBER, CODE_FAILURE_WINDOW
        )
        self._reports = MemberLimiter(
            self.member_keys, clock, REPORTS_PER_MEMBER_PER_HOUR, timedelta(hours=1)
        )
        self._followups = SlidingWindow[int](FOLLOWUPS_PER_QUESTION_PER_HOUR, timedelta(hours=1))
        self._mentor_pings = TargetLimiter(clock, MENTOR_PINGS)
        self.upkeep = LimitsUpkeep(self)

    # -- forgetting: in-memory limits live no longer than they must -------------------------
    def _windows(self) -> list[MemberLimiter | SlidingWindow[int]]:
        return [
            self._asks,
            self._code_failures,
            self._reports,
            self._followups,
        ]

    async def next_maintenance(self) -> datetime:
        """Scheduler source: next secret rotation/drop, or the first rate-limit bucket to empty."""
        due = self.member_keys.next_change()
        for window in self._windows():
            expiry = window.next_expiry()
            if expiry is not None:
                due = min(due, from_epoch(math.ceil(expiry)))
        return due

    async def maintain(self) -> None:
        """Rotate the HMAC secret when due and drop empty buckets, so that no member's key
        outlives its window even when nobody asks anything for a while."""
        self.member_keys.maintain()
        stamp = self._clock.now().timestamp()
        for window in self._windows():
            if isinstance(window, MemberLimiter):
                window.prune()
            else:
                window.prune(stamp)

    # -- asking ----------------------------------------------------------------------------
    async def ask(
        self, guild_id: int, asker_id: int, title: str, body: str, tag: str | None
    ) -> AskReceipt:
        """Queue a question. ``asker_id`` is used only for the in-memory rate limit."""
        clean = (clean_title(title), clean_body(body, MAX_QUESTION_CHARS), clean_tag(tag))
        needs_review = await self.check_can_ask(guild_id, asker_id)
        secret = _codes.new_secret()
        stored = await asyncio.to_thread(_codes.new_stored_code, secret)
        due = self._random_due()
        async with self._db.transaction():
            # Numbered per server: a global sequence would show each server the others' activity.
            number = await self._db.fetchval(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM anon_questions WHERE guild_id = ?",
                (guild_id,),
            )
            question_id = await self._db.fetchval(
                "INSERT INTO anon_questions (guild_id, number, title, body, tag, code_salt, "
                "code_hash) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (guild_id, number, *clean, stored.salt, stored.digest),
            )
            due_at = await self._enqueue(
                guild_id, question_id, "review" if needs_review else "question", None, due
            )
        self._asks.hit(asker_id)
        # Nothing is logged: a line at this instant would date the asker's action.
        return AskReceipt(
            number, _codes.format_code(number, secret), from_epoch(due_at), needs_review
        )

    async def check_can_ask(self, guild_id: int, asker_id: int) -> bool:
        """Raise the reason this member cannot ask here now (checked again on submit, and
        before the form opens so nobody types a question for nothing); True if it needs review."""
        config = await self._settings.get(guild_id)
        if config.get("anonymous_channel") is None:
            raise Conflict(
                "Anonymous questions are not set up here yet: a moderator needs to set "
                "the anonymous questions channel."
            )
        needs_review = bool(config.get("anonymous_preapproval"))
        if needs_review and config.get("anonymous_review_channel") is None:
            raise Conflict(
                "Anonymous questions need moderator approval here, but no review channel "
                "is set. Please tell a moderator."
            )
        await self._raise_if_muted(guild_id)
        wait = self._asks.retry_after(asker_id)
        if wait:
            raise Forbidden(
                f"You can ask {self._asks.limit} anonymous questions per hour. "
                f"Please try again in {_minutes(wait)}."
            )
        return needs_review

    def _random_due(self) -> datetime:
        low, high = self.limits.publish_delay_min_s, self.limits.publish_delay_max_s
        return self._clock.now() + timedelta(seconds=low + secrets.randbelow(high - low + 1))

    async def _enqueue(
        self, guild_id: int, question_id: int, kind: OutboxKind, body: str | None, due: datetime,
        *, data: dict[str, object] | None = None,
    ) -> int:
        """Queue a post in the caller's transaction (the outbox wakes once it commits)."""
        # Posts for one question keep the order they were asked for, whatever the random delays.
        latest = await self._db.fetchval(
            f"SELECT MAX(due_at) FROM outbox WHERE ref_id = ? AND kind IN ({_KIND_MARKS}) "
            "AND state IN ('pending', 'claimed')",
            (question_id, *KINDS),
        )
        due_at = max(to_epoch(due), latest + 1) if latest is not None else to_epoch(due)
        await self.outbox.enqueue(
            f"anon_{kind}", due=from_epoch(due_at), guild_id=guild_id, ref_id=question_id,
            data={**(data or {}), **({} if body is None else {"body": body})},
        )
        return due_at

    async def _raise_if_muted(self, guild_id: int) -> None:
        until = await self.muted_until(guild_id)
        if until is not None:
            raise Forbidden(
                "Moderators have paused anonymous questions here until "
                f"<t:{to_epoch(until)}:F> (<t:{to_epoch(until)}:R>)."
            )

    # -- claim-code actions ----------------------------------------------------------------
    async def _claim(self, guild_id: int, user_id: int, code: str) -> sqlite3.Row:
        """The question ``code`` opens, after a constant-time check; else a rate-limited refusal."""
        wait = self._code_failures.retry_after(user_id)
        if wait:
            raise Forbidden(f"Too many wrong claim codes. Please try again in {_minutes(wait)}.")
        parsed = _codes.parse_code(code)
        # Malformed input still pays for one scrypt, so the answer time says nothing either.
        number = parsed.question_id if parsed else 0
        secret = parsed.secret if parsed else "0" * _codes.SECRET_LENGTH
        row = await self._db.fetchone(
            "SELECT * FROM anon_questions WHERE guild_id = ? AND number = ?", (guild_id, number)
        )
        stored = _codes.StoredCode(row["code_salt"], row["code_hash"]) if row is not None else None
        ok = await asyncio.to_thread(_codes.verify_secret, secret, stored)
        if not ok or row is None:
            self._code_failures.hit(user_id)
            raise NotFound("That claim code does not match any anonymous question here.")
        return row

    async def followup(
        self, guild_id: int, user_id: int, code: str, text: str
    ) -> tuple[datetime, bool]:
        """Queue a follow-up in the question's thread, under the thread's "Asker" label; with
        pre-approval on, it goes to the moderators first, like the question did. Returns when
        it is posted (or sent for review), and whether it needs review."""
        body = clean_body(text, MAX_FOLLOWUP_CHARS, "follow-up")
        row = await self._claim(guild_id, user_id, code)
        self._require_published(row)
        if row["closed"]:
            # Refused, not reopened: the thread is archived as answered, and a follow-up posted
            # under the "answered" notice would read as if nobody had seen it.
            raise Conflict("That question is marked as answered, so it takes no more "
                           "follow-ups. Ask a new one with `/ask question`.")
        now = self._clock.now().timestamp()
        if self._followups.retry_after((row["id"],), now):
            raise Forbidden(
                "That question has had many follow-ups in the last hour. Please wait a while."
            )
        config = await self._settings.get(guild_id)
        needs_review = bool(config.get("anonymous_preapproval"))
        if needs_review and config.get("anonymous_review_channel") is None:
            raise Conflict(
                "Anonymous posts need moderator approval here, but no review channel is set. "
                "Please tell a moderator."
            )
        kind: OutboxKind = "followup_review" if needs_review else "followup"
        due = self._random_due()
        async with self._db.transaction():
            due_at = await self._enqueue(guild_id, row["id"], kind, body, due)
        self._followups.hit(row["id"], now)
        return from_epoch(due_at), needs_review

    async def close(self, guild_id: int, user_id: int, code: str) -> datetime:
        row = await self._claim(guild_id, user_id, code)
        self._require_published(row)
        if row["closed"]:
            raise Conflict("That question is already marked as answered.")
        due = self._random_due()
        async with self._db.transaction():
            await self._db.execute("UPDATE anon_questions SET closed = 1 WHERE id = ?",
                                   (row["id"],))
            due_at = await self._enqueue(guild_id, row["id"], "close", None, due)
        return from_epoch(due_at)

    async def delete(self, guild_id: int, user_id: int, code: str) -> datetime:
        """The asker takes the question down. The text is erased from the database now; what
        shows in Discord (the post, its thread, the review copies) is removed by an
        ``anon_delete`` row after a random delay, like every post, so the moment does not point
        at the asker (nor does the WAL truncation, done then too). Returns that moment."""
        row = await self._claim(guild_id, user_id, code)
        conflict = "That question has already been taken down."
        if row["state"] in _TAKEN_DOWN:
            raise Conflict(conflict)
        due = self._random_due()
        async with self._db.transaction():
            _, copies = await self._erase(row["id"], "deleted", conflict)
            # Only ids: where the review copies of held follow-ups are, to be edited then.
            due_at = await self._enqueue(guild_id, row["id"], "delete", None, due,
                                         data={"copies": [list(c) for c in copies]})
        return from_epoch(due_at)

    @staticmethod
    def _require_published(row: sqlite3.Row) -> None:
        if row["state"] == "published":
            return
        if row["state"] in ("waiting", "review"):
            raise Conflict(
                "Your question has not been posted yet. Please try again once it appears."
            )
        raise Conflict("That question is no longer posted.")

    # -- publish queue (the outbox calls these through _Publisher) -----------------------
    async def _prepare_post(self, item: DueItem) -> Outcome:
        """What a due post is now; runs in the engine's claim transaction."""
        kind = KINDS[item.kind]
        row = await self._db.fetchone("SELECT * FROM anon_questions WHERE id = ?", (item.ref_id,))
        wanted = _STATE_FOR_KIND.get(kind, "published")
        if row is None or row["state"] != wanted:
            return Skip("the question was taken down or is not posted", state="cancelled")
        config = await self._settings.get(row["guild_id"])
        taken_down = None
        if kind == "review":
            target = config.get("anonymous_review_channel")
            chunks = review_chunks(row["number"], row["title"], row["body"], row["tag"])
        elif kind == "question":
            target = config.get("anonymous_channel")
            chunks = question_chunks(row["number"], row["title"], row["body"], row["tag"])
        elif kind == "followup":
            target = row["thread_id"]
            chunks = followup_chunks(item.data.get("body", ""))
        elif kind == "followup_review":
            target = config.get("anonymous_review_channel")
            chunks = followup_review_chunks(row["number"], row["title"], item.data.get("body", ""))
        elif kind == "delete":
            # The copies held at the asker's instant, and any whose send was under way then.
            late = await self._db.fetchall(
                "DELETE FROM anon_held_followups WHERE question_id = ? "
                "RETURNING channel_id, message_id",
                (row["id"],),
            )
            copies = sorted({*((int(c), int(m)) for c, m in item.data.get("copies", [])),
                             *((int(h["channel_id"]), int(h["message_id"])) for h in late)})
            taken_down = _posted(row, "deleted", tuple(copies))
            target = row["channel_id"] or row["review_channel_id"]
            chunks = []
        else:
            target = row["thread_id"]
            chunks = [CLOSE_NOTICE]
        return Send(OutboxJob(
            id=item.id,
            kind=kind,
            question_id=row["id"],
            number=row["number"],
            guild_id=row["guild_id"],
            title=row["title"],
            tag=row["tag"],
            chunks=chunks,
            nonce=item.nonce,
            target_channel_id=int(target) if target is not None else None,
            attempts=item.attempts,
            taken_down=taken_down,
        ))

    async def _record_post(self, item: DueItem, receipt: Receipt) -> None:
        """Record what a post produced in Discord (in the transaction that marks it sent)."""
        kind = KINDS[item.kind]
        if kind == "question":
            # Where it went is recorded even if the asker deleted it meanwhile (the state then
            # stays 'deleted'), so the queued deletion finds the post.
            await self._db.execute(
                "UPDATE anon_questions "
                "SET state = CASE WHEN state = 'waiting' THEN 'published' ELSE state END, "
                "channel_id = ?, thread_id = ?, message_id = ?, published_at = ? WHERE id = ?",
                (receipt.channel_id, receipt.thread_id, receipt.message_id,
                 to_epoch(self._clock.now()), item.ref_id),
            )
        elif kind == "review":
            await self._db.execute(
                "UPDATE anon_questions "
                "SET state = CASE WHEN state = 'waiting' THEN 'review' ELSE state END, "
                "review_channel_id = ?, review_message_id = ? WHERE id = ?",
                (receipt.channel_id, receipt.message_id, item.ref_id),
            )
        elif kind == "followup_review":
            # Held, text kept, until a moderator approves or rejects it (or the question goes);
            # its buttons carry the row's nonce. The outbox row forgets the text as it is sent.
            # A question taken down while this copy was being sent keeps no text, only where
            # the copy is, for a queued deletion to edit it.
            await self._db.execute(
                "INSERT INTO anon_held_followups (question_id, ref, body, channel_id, message_id) "
                "SELECT id, ?, CASE WHEN state = 'published' THEN ? ELSE '' END, ?, ? "
                "FROM anon_questions WHERE id = ?",
                (item.nonce, item.data.get("body", ""), receipt.channel_id, receipt.message_id,
                 item.ref_id),
            )
        elif kind == "delete":
            # The text was erased when the asker asked; its old page images leave the WAL now
            # (not then: a checkpoint at that instant would date the asker's action).
            await self._db.truncate_wal_after_commit()
        log.info("anonymous post %d (%s) sent for question %d", item.id, kind, item.ref_id)

    async def _post_failed(self, item: DueItem) -> None:
        """Given up: a question that never got out is blanked (its text is kept no longer)."""
        if KINDS[item.kind] in ("question", "review"):
            await self._db.execute(
                "UPDATE anon_questions SET state = 'failed', title = '', body = '' WHERE id = ?",
                (item.ref_id,),
            )
        await self._db.truncate_wal_after_commit()  # and the row's data, blanked with it

    # -- moderation ------------------------------------------------------------------------
    async def approve(self, guild_id: int, question_id: int) -> None:
        """Publish a reviewed question now (the moment is the moderator's, not the asker's)."""
        row_id = (await self._question(guild_id, question_id))["id"]
        async with self._db.transaction():
            # Checked inside the transaction: two moderators approving at once (or a double
            # click) must enqueue one publication, not two.
            state = await self._db.fetchval(
                "SELECT state FROM anon_questions WHERE id = ?", (row_id,)
            )
            if state != "review":
                raise Conflict(f"Question #{question_id} is not waiting for review.")
            await self._db.execute(
                "UPDATE anon_questions SET state = 'waiting' WHERE id = ?", (row_id,)
            )
            await self._enqueue(guild_id, row_id, "question", None, self._clock.now())

    async def reject(self, guild_id: int, question_id: int) -> PostedQuestion:
        row = await self._question(guild_id, question_id)
        if row["state"] != "review":
            raise Conflict(f"Question #{question_id} is not waiting for review.")
        return await self._take_down(
            row["id"], "rejected", f"Question #{question_id} is not waiting for review."
        )

    async def approve_followup(self, guild_id: int, question_id: int, followup: str) -> None:
        """Queue a held follow-up (``followup``: its review copy's reference) for the thread,
        after a random delay like every post; its held copy is erased."""
        row_id = (await self._question(guild_id, question_id))["id"]
        async with self._db.transaction():
            body = await self._take_held(row_id, followup)
            state = await self._db.fetchval(
                "SELECT state FROM anon_questions WHERE id = ?", (row_id,)
            )
            if state != "published":  # its copy went out as the question was taken down
                raise Conflict(f"Question #{question_id} is no longer posted.")
            await self._enqueue(guild_id, row_id, "followup", body, self._random_due())

    async def reject_followup(self, guild_id: int, question_id: int, followup: str) -> None:
        """Erase a held follow-up's text; nothing is posted."""
        row_id = (await self._question(guild_id, question_id))["id"]
        async with self._db.transaction():
            await self._take_held(row_id, followup)
        await self._db.truncate_wal()

    async def _take_held(self, question_row: int, ref: str) -> str:
        """Delete a held follow-up (in the caller's transaction); returns its text."""
        held = await self._db.fetchone(
            "DELETE FROM anon_held_followups WHERE question_id = ? AND ref = ? RETURNING body",
            (question_row, ref),
        )
        if held is None:
            raise Conflict("That follow-up is no longer waiting for review.")
        return str(held["body"])

    async def remove(self, guild_id: int, question_id: int) -> PostedQuestion:
        """A moderator takes a question down (any state but already gone)."""
        row = await self._question(guild_id, question_id)
        if row["state"] in _TAKEN_DOWN:
            raise Conflict(f"Question #{question_id} has already been taken down.")
        return await self._take_down(
            row["id"], "removed", f"Question #{question_id} has already been taken down."
        )

    async def _take_down(self, question_id: int, state: str, conflict: str) -> PostedQuestion:
        """A moderator takes the question down now (the moment is theirs, not the asker's)."""
        async with self._db.transaction():
            row, copies = await self._erase(question_id, state, conflict)
        await self._db.truncate_wal()
        log.info("anonymous question %d %s", row["number"], state)
        return _posted(row, state, copies)

    async def _erase(
        self, question_id: int, state: str, conflict: str
    ) -> tuple[sqlite3.Row, tuple[tuple[int, int], ...]]:
        """Erase the question's text and everything queued or held for it (in the caller's
        transaction); returns the row as it was, and where the review copies of its held
        follow-ups are. The caller's check is repeated here, inside the transaction (two
        moderators at once, a double click): the loser gets ``conflict``."""
        row = await self._db.fetchone("SELECT * FROM anon_questions WHERE id = ?", (question_id,))
        if row is None or row["state"] in _TAKEN_DOWN or (
            state == "rejected" and row["state"] != "review"
        ):
            raise Conflict(conflict)
        await self._db.execute(
            "UPDATE anon_questions SET state = ?, title = '', body = '', tag = NULL WHERE id = ?",
            (state, question_id),
        )
        await self.outbox.cancel(KINDS, question_id, f"the question was {state}")
        held = await self._db.fetchall(
            "DELETE FROM anon_held_followups WHERE question_id = ? "
            "RETURNING channel_id, message_id",
            (question_id,),
        )
        await self._db.execute(
            "UPDATE anon_reports SET reason = NULL WHERE question_id = ?", (question_id,)
        )
        return row, tuple(sorted((int(h["channel_id"]), int(h["message_id"])) for h in held))

    async def report(
        self, guild_id: int, reporter_id: int, question_id: int, reason: str | None
    ) -> Report:
        """Record a report (without the reporter) for the moderators' review channel."""
        row = await self._question(guild_id, question_id)
        if row["state"] != "published":
            raise Conflict("That question is no longer posted.")
        review_channel = (await self._settings.get(guild_id)).get("anonymous_review_channel")
        if review_channel is None:
            raise Conflict(
                "Reports go to the moderators' review channel, which is not set here. "
                "Please tell a moderator."
            )
        wait = self._reports.retry_after(reporter_id)
        if wait:
            raise Forbidden(
                f"You have sent many reports recently. Please try again in {_minutes(wait)}."
            )
        clean_reason = (
            clean_body(reason, MAX_REPORT_REASON_CHARS, "reason")
            if reason and sanitize(reason)
            else None
        )
        report_id = await self._db.fetchval(
            "INSERT INTO anon_reports (question_id, reason, created_at) VALUES (?, ?, ?) "
            "RETURNING id",
            (row["id"], clean_reason, to_epoch(self._clock.now())),
        )
        self._reports.hit(reporter_id)
        return Report(
            report_id,
            question_id,
            row["title"],
            clean_reason,
            row["thread_id"],
            int(review_channel),
        )

    async def mark_report_posted(self, report_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE anon_reports SET review_message_id = ? WHERE id = ?", (message_id, report_id)
        )

    async def mute(self, guild_id: int, duration: timedelta) -> datetime:
        if not timedelta(minutes=1) <= duration <= MAX_MUTE:
            raise InvalidInput("A pause must last between 1 minute and 30 days.")
        until = self._clock.now() + duration
        await self._db.execute(
            "INSERT INTO anon_guild_state (guild_id, muted_until) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET muted_until = excluded.muted_until",
            (guild_id, to_epoch(until)),
        )
        return from_epoch(to_epoch(until))

    async def unmute(self, guild_id: int) -> bool:
        was = await self.muted_until(guild_id)
        await self._db.execute(
            "UPDATE anon_guild_state SET muted_until = NULL WHERE guild_id = ?", (guild_id,)
        )
        return was is not None

    async def muted_until(self, guild_id: int) -> datetime | None:
        value = await self._db.fetchval(
            "SELECT muted_until FROM anon_guild_state WHERE guild_id = ?", (guild_id,)
        )
        if value is None or value <= to_epoch(self._clock.now()):
            return None
        return from_epoch(value)

    async def question_for_thread(self, thread_id: int) -> PostedQuestion | None:
        row = await self._db.fetchone(
            "SELECT * FROM anon_questions WHERE thread_id = ? AND state = 'published'", (thread_id,)
        )
        if row is None:
            return None
        return _posted(row, row["state"])

    async def mentor_notice(self, guild_id: int, tag: str | None) -> MentorNotice | None:
        """Approved mentors whose specialty or visa route matches the question's topic tag
        (at most ``MAX_MENTOR_PINGS``, chosen at random so the same few are not always asked)."""
        if self._mentoring is None or not tag:
            return None
        matching = await self._mentoring.matching_mentor_ids(guild_id, [tag])
        ids = [uid for uid in matching if self._mentor_pings.refusal(uid) is None]
        if not ids:
            return None
        chosen = sorted(random.SystemRandom().sample(ids, min(len(ids), MAX_MENTOR_PINGS)))
        for uid in chosen:
            self._mentor_pings.hit(uid)
        return MentorNotice(tag, tuple(chosen), len(ids) - len(chosen))

    async def _is_mentor(self, guild_id: int, user_id: int) -> bool:
        if self._mentoring is None:
            return False
        profile = await self._mentoring.get_mentor(guild_id, user_id)
        return profile is not None and profile.status == APPROVED

    async def mark_mentor_answer(
        self,
        guild_id: int,
        thread_id: int,
        message_id: int,
        *,
        author_id: int,
        marker_id: int,
        marker_is_moderator: bool,
    ) -> int:
        """Mark a reply in a question's thread as "answered by a mentor"; returns the question id.

        The reply's author must be an approved mentor; whoever marks it must be a mentor or a
        moderator. Neither id is stored (only the message id)."""
        question = await self.question_for_thread(thread_id)
        if question is None or question.guild_id != guild_id:
            raise NotFound("This is not the thread of a posted anonymous question.")
        if not marker_is_moderator and not await self._is_mentor(guild_id, marker_id):
            raise Forbidden("Only mentors and moderators can mark a mentor's answer.")
        if not await self._is_mentor(guild_id, author_id):
            raise InvalidInput("That reply is not from an approved mentor.")
        await self._db.execute(
            "UPDATE anon_questions SET mentor_answer_message_id = ? "
            "WHERE thread_id = ? AND state = 'published'",
            (message_id, thread_id),
        )
        return question.question_id

    async def _question(self, guild_id: int, question_id: int) -> sqlite3.Row:
        """The question members and moderators call #``question_id``: its number in ``guild_id``
        (the row id stays internal)."""
        row = await self._db.fetchone(
            "SELECT * FROM anon_questions WHERE guild_id = ? AND number = ?",
            (guild_id, question_id),
        )
        if row is None:
            raise NotFound(f"There is no anonymous question #{question_id} here.")
        return row


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _posted(
    row: sqlite3.Row, state: str, followup_copies: tuple[tuple[int, int], ...] = ()
) -> PostedQuestion:
    """Where a question row was posted (and reviewed), for the adapter to edit or delete."""
    return PostedQuestion(
        row["number"],
        row["guild_id"],
        state,
        row["channel_id"],
        row["thread_id"],
        row["message_id"],
        row["review_channel_id"],
        row["review_message_id"],
        followup_copies,
    )
