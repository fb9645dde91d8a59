"""Document review: a member's document, checked at once, then routed to one reviewer at a time.

Routing is mentor requests' (bot/services/mentoring): an offer goes to the least busy reviewer
of the document's kind and specialty who has room this week; its timeout is an outbox row
(``review_timeout``) that moves the request on, as does a decline or a DM that cannot be
delivered. The slot is taken when the reviewer accepts, by a conditional UPDATE, so two
accepts at once cannot both take a last slot. With ``anonymous`` nothing the reviewer receives
names the member: the offer and document payloads carry no member id at all.

A reviewer who accepted has ``ANSWER_TIMEOUT`` to answer (``review_overdue``), so a document
never waits for ever. The document lives in one row until the review ends plus the server's retention
(``review_retention_days``, default 14), when a ``review_erase`` row deletes it (secure_delete
overwrites the pages; the WAL is truncated after). Outbox rows hold ids only, never the text,
and nothing here logs it.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta

from bot.clock import Clock, from_epoch, to_epoch
from bot.db import Database
from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.outbox import Done, DueItem, Handler, Outbox, Outcome, Policy, Send, Skip
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring import MentoringService
from bot.services.mentoring.vocab import SPECIALTIES
from bot.services.preparation._review_models import (
    DOCUMENT_KINDS,
    RUBRIC,
    Limits,
    ReviewDocument,
    Reviewer,
    ReviewOffer,
    ReviewResult,
    ReviewUpdate,
    RubricAnswer,
    Submitted,
)
from bot.services.preparation._review_store import ReviewStore
from bot.services.preparation.review_checks import read_limits, run_checks
from bot.services.preparation.review_extract import check_size, checked_text, extract
from bot.services.rate_limits import SlidingWindow
from bot.services.text import sanitize

OFFER, TIMEOUT, DOCUMENT, RESULT, UPDATE, ERASE, OVERDUE = (
    "review_offer", "review_timeout", "review_document", "review_result", "review_update",
    "review_erase", "review_overdue")
#: The rows about one offer (ref_id: the offer); they end with it.
OFFER_KINDS = (OFFER, TIMEOUT)
#: The rows about one request (ref_id: the request).
REQUEST_KINDS = (DOCUMENT, RESULT, UPDATE, ERASE, OVERDUE)
SENT_KINDS = (OFFER, DOCUMENT, RESULT, UPDATE)
#: How long a reviewer has to accept or decline before the next one is asked.
OFFER_TIMEOUT = timedelta(hours=48)
#: How long a reviewer who accepted has to answer: the document is not kept waiting for ever.
ANSWER_TIMEOUT = timedelta(days=7)
RETENTION_SETTING = "review_retention_days"
DEFAULT_RETENTION_DAYS = 14
MAX_CAPACITY = 20
#: Documents one member may send (attached or pasted) per hour, refused ones included.
READS_PER_HOUR = 10
COMMENTS_MAX = 1500
SENTENCE_MAX = 300
_SCORE = re.compile(r"^\s*([1-4])\s*(?:/\s*4)?\s*[-:.),\u2013\u2014]?\s*(.*)$", re.DOTALL)


def week_of(now: datetime) -> int:
    """Monday 00:00 UTC of ``now``'s week (epoch seconds): what weekly capacity counts in."""
    day = now.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return to_epoch(datetime(monday.year, monday.month, monday.day, tzinfo=UTC))


class _Due(Handler):
    def __init__(self, review: DocumentReview, policy: Policy) -> None:
        self._review = review
        self.policy = policy

    async def prepare(self, item: DueItem, now: datetime) -> Outcome:
        return await self._review.prepare_due(item, now)

    async def failed(self, item: DueItem, reason: str) -> None:
        await self._review.due_failed(item)


class DocumentReview:
    def __init__(self, db: Database, clock: Clock, outbox: Outbox, guild_settings: GuildSettingsService,
                 mentoring: MentoringService, *, limits: Limits | None = None) -> None:
        self.store = ReviewStore(db)
        self._db = db
        self.clock = clock
        self.outbox = outbox
        self._settings = guild_settings
        self._mentoring = mentoring
        self.limits = limits or read_limits()
        self._reads = SlidingWindow[int](READS_PER_HOUR, timedelta(hours=1))
        sends = _Due(self, Policy(max_attempts=5, backoff_base_s=30, backoff_max_s=600))
        works = _Due(self, Policy(sends=False))
        for kind in SENT_KINDS:
            outbox.register(kind, sends)
        for kind in (TIMEOUT, ERASE, OVERDUE):
            outbox.register(kind, works)

    # -- reading the document ------------------------------------------------------------
    async def read_file(self, user_id: int, filename: str, size: int,
                        download: Callable[[], Awaitable[bytes]]) -> str:
        """The text of an attached file: refused by name and size before ``download`` runs,
        then parsed in a worker thread (a PDF may take a while)."""
        check_size(filename, size)
        self._count_read(user_id)
        data = await download()
        return await asyncio.to_thread(extract, filename, data)

    def read_pasted(self, user_id: int, text: str) -> str:
        self._count_read(user_id)
        return checked_text(text)

    def _count_read(self, user_id: int) -> None:
        """At most READS_PER_HOUR documents read for one member (parsing files costs CPU)."""
        now = self.clock.now().timestamp()
        wait = self._reads.retry_after((user_id,), now)
        if wait > 0:
            raise Forbidden(f"You sent {READS_PER_HOUR} documents in the last hour: try again in "
                            f"{math.ceil(wait / 60)} minutes. Nothing was kept.")
        self._reads.hit(user_id, now)

    # -- reviewers ------------------------------------------------------------------------
    async def set_reviewer(self, guild_id: int, user_id: int, kind: str | None,
                           specialty: str | None, capacity: int) -> Reviewer:
        """Opt in (or change): ``kind`` None: every kind; ``specialty`` None: those of the
        member's mentor profile. Only approved mentors review."""
        mentor = await self._mentoring.get_mentor(guild_id, user_id)
        if mentor is None or mentor.status != "approved":
            raise Forbidden("Reviewers are approved mentors: register with `/mentor register` "
                            "and review documents once a moderator approves you.")
        if kind is not None and kind not in DOCUMENT_KINDS:
            raise InvalidInput("Pick a kind of document from the list.")
        if specialty is not None and specialty not in SPECIALTIES:
            raise InvalidInput("Pick a specialty from the list.")
        if not 1 <= capacity <= MAX_CAPACITY:
            raise InvalidInput(f"Weekly capacity is 1 to {MAX_CAPACITY} reviews.")
        kinds = (kind,) if kind else tuple(DOCUMENT_KINDS)
        specialties = (specialty,) if specialty else mentor.specialties
        now = self.clock.now()
        await self.store.save_reviewer(guild_id, user_id, kinds, specialties, capacity, now)
        found = await self.store.reviewer(guild_id, user_id, week_of(now))
        assert found is not None
        return found

    async def stop_reviewing(self, guild_id: int, user_id: int) -> int:
        """Opt out; offers waiting for the reviewer go on to others (returns how many)."""
        now = self.clock.now()
        async with self._db.transaction():
            reviewer = await self.store.reviewer(guild_id, user_id, week_of(now))
            if reviewer is None or not reviewer.active:
                raise NotFound("You are not reviewing documents here.")
            await self.store.set_active(reviewer.id, False, now)
            return await self._move_on_offers_of(reviewer.id, now)

    async def hand_over(self, reviewer_id: int, now: datetime) -> None:
        """A reviewer who left or deleted their data: what waits for them goes on to others."""
        await self._move_on_offers_of(reviewer_id, now)
        for request_id in await self.store.accepted_by(reviewer_id):
            await self.outbox.cancel([DOCUMENT, OVERDUE], request_id,
                                     "the reviewer is not available")
            await self.store.set_status(request_id, "waiting", expect="accepted")
            await self._move_on(request_id, now)

    async def reviews_given(self, guild_id: int, user_id: int) -> int:
        """How many reviews a member has given here (shown in `/mentor profile`)."""
        return await self.store.reviews_given(guild_id, user_id)

    # -- requests -------------------------------------------------------------------------
    async def request(self, guild_id: int, user_id: int, kind: str, specialty: str,
                      anonymous: bool, text: str) -> Submitted:
        """Check the document and route it to a reviewer. When no reviewer has room, nothing
        is kept (``request_id`` None) and the member still gets the checks."""
        if kind not in DOCUMENT_KINDS:
            raise InvalidInput("Pick a kind of document from the list.")
        if specialty not in SPECIALTIES:
            raise InvalidInput("Pick a specialty from the list.")
        findings = await asyncio.to_thread(run_checks, kind, specialty, text, self.limits)
        now = self.clock.now()
        request_id = None
        async with self._db.transaction():
            if await self.store.open_request_of(guild_id, user_id) is not None:
                raise Conflict("You already have a document waiting for its review: one at a "
                               "time. Nothing new was kept.")
            candidates = await self.store.candidates(guild_id, kind, specialty, week_of(now),
                                                     {user_id}, set())
            reviewer = await self._first_mentor(candidates)
            if reviewer is not None:
                request_id = await self.store.add_request(guild_id, user_id, kind, specialty,
                                                          anonymous, text, now)
                await self._offer(guild_id, request_id, reviewer, now)
        return Submitted(request_id, tuple(findings), len(text), self.limits.fields[kind])

    async def withdraw(self, guild_id: int, user_id: int) -> str:
        """The member takes back their open request: it and its document are erased now.
        Returns the document's kind."""
        async with self._db.transaction():
            request_id = await self.store.open_request_of(guild_id, user_id)
            if request_id is None:
                raise NotFound("You have no document waiting for a review.")
            request = await self.store.request(request_id)
            assert request is not None
            await self.erase_now(request_id, "the member withdrew it")
        return request["kind"]

    async def erase_now(self, request_id: int, reason: str) -> None:
        """Erase a request and its document at once, with everything still to send about it
        (in the caller's transaction; the WAL is truncated once it commits)."""
        for offer_id in await self.store.offer_ids(request_id):
            await self.outbox.cancel(OFFER_KINDS, offer_id, reason)
        await self.outbox.cancel(REQUEST_KINDS, request_id, reason)
        await self.store.erase(request_id)
        await self._db.truncate_wal_after_commit()

    async def _offer(self, guild_id: int, request_id: int, reviewer: Reviewer,
                     now: datetime) -> None:
        expires = now + OFFER_TIMEOUT
        offer_id = await self.store.add_offer(request_id, reviewer.id, now, expires)
        await self.outbox.enqueue(OFFER, due=now, guild_id=guild_id, ref_id=offer_id,
                                  recipient_id=reviewer.user_id)
        await self.outbox.enqueue(TIMEOUT, due=expires, guild_id=guild_id, ref_id=offer_id)

    async def _offered_to(self, request_id: int, user_id: int, now: datetime) -> sqlite3.Row:
        offer = await self.store.pending_offer(request_id)
        reviewer = None if offer is None else await self.store.reviewer_by_id(
            offer["reviewer_id"], week_of(now))
        if offer is None or reviewer is None or reviewer.user_id != user_id:
            raise Conflict("This review request is no longer waiting for you (it was answered, "
                           "or moved on to another reviewer).")
        return offer

    async def accept(self, request_id: int, user_id: int) -> None:
        now = self.clock.now()
        async with self._db.transaction():
            offer = await self._offered_to(request_id, user_id, now)
            if not await self.store.take_slot(offer["reviewer_id"], week_of(now)):
                raise Conflict("Your reviews for this week are all taken (or you stopped "
                               "reviewing): raise your capacity with `/review reviewer`, or "
                               "decline.")
            await self.store.end_offer(offer["id"], "accepted", now)
            await self.outbox.cancel(OFFER_KINDS, offer["id"], "the reviewer accepted")
            await self.store.set_status(request_id, "accepted", expect="waiting",
                                        reviewer_id=offer["reviewer_id"])
            request = await self.store.request(request_id)
            assert request is not None
            await self.outbox.enqueue(DOCUMENT, due=now, guild_id=request["guild_id"],
                                      ref_id=request_id, recipient_id=user_id)
            await self.outbox.enqueue(OVERDUE, due=now + ANSWER_TIMEOUT,
                                      guild_id=request["guild_id"], ref_id=request_id)
            reviewer = await self.store.reviewer_by_id(offer["reviewer_id"], week_of(now))
            if reviewer is not None and reviewer.taken_this_week >= reviewer.weekly_capacity:
                await self._move_on_offers_of(reviewer.id, now)

    async def decline(self, request_id: int, user_id: int) -> None:
        now = self.clock.now()
        async with self._db.transaction():
            offer = await self._offered_to(request_id, user_id, now)
            await self.store.end_offer(offer["id"], "declined", now)
            await self.outbox.cancel(OFFER_KINDS, offer["id"], "the reviewer declined")
            await self._move_on(request_id, now)

    async def _move_on_offers_of(self, reviewer_id: int, now: datetime) -> int:
        offers = await self.store.pending_offers_to(reviewer_id)
        for offer in offers:
            await self.store.end_offer(offer["id"], "moved", now)
            await self.outbox.cancel(OFFER_KINDS, offer["id"], "the reviewer is not available")
            await self._move_on(offer["request_id"], now)
        return len(offers)

    async def _move_on(self, request_id: int, now: datetime) -> None:
        """Offer the request to the next reviewer not asked yet, or end it as exhausted."""
        request = await self.store.request(request_id)
        if request is None:
            return
        tried = await self.store.tried(request_id)
        candidates = await self.store.candidates(request["guild_id"], request["kind"],
                                                 request["specialty"], week_of(now),
                                                 {request["user_id"]}, tried)
        reviewer = await self._first_mentor(candidates)
        if reviewer is not None:
            await self._offer(request["guild_id"], request_id, reviewer, now)
            return
        await self._end_unreviewed(request, "exhausted", now)

    async def _end_unreviewed(self, request: sqlite3.Row, status: str, now: datetime) -> None:
        """No review will come: tell the member, erase after the retention."""
        erase_at = now + await self.retention(request["guild_id"])
        await self.store.end(request["id"], status, now, erase_at)
        await self.outbox.enqueue(UPDATE, due=now, guild_id=request["guild_id"],
                                  ref_id=request["id"], recipient_id=request["user_id"])
        await self.outbox.enqueue(ERASE, due=erase_at, guild_id=request["guild_id"],
                                  ref_id=request["id"])

    async def _first_mentor(self, candidates: list[Reviewer]) -> Reviewer | None:
        """The first candidate who is still an approved, unpaused mentor (a moderator may have
        paused or removed them since they opted in)."""
        for reviewer in candidates:
            mentor = await self._mentoring.get_mentor(reviewer.guild_id, reviewer.user_id)
            if mentor is not None and mentor.status == "approved" and not mentor.paused:
                return reviewer
        return None

    async def retention(self, guild_id: int) -> timedelta:
        days = (await self._settings.get(guild_id)).get(RETENTION_SETTING)
        return timedelta(days=int(days) if days else DEFAULT_RETENTION_DAYS)

    async def check_reviewer(self, request_id: int, user_id: int) -> None:
        """Before the answer form opens: refuse whoever is not this request's reviewer."""
        request = await self.store.request(request_id)
        await self._reviewing(request, user_id)

    async def _reviewing(self, request: sqlite3.Row | None, user_id: int) -> Reviewer:
        now = self.clock.now()
        reviewer = None if request is None or request["reviewer_id"] is None else \
            await self.store.reviewer_by_id(request["reviewer_id"], week_of(now))
        if request is None or reviewer is None or reviewer.user_id != user_id:
            raise Forbidden("This review is not yours to write (or it was erased).")
        if request["status"] != "accepted":
            raise Conflict("This review was already sent.")
        return reviewer

    async def answer(self, request_id: int, user_id: int, rubric: Mapping[str, str],
                     comments: str) -> None:
        """The reviewer's rubric (each "score sentence") and comments; the member is told."""
        answers = parse_rubric(rubric)
        comments = sanitize(comments)[:COMMENTS_MAX]
        now = self.clock.now()
        async with self._db.transaction():
            request = await self.store.request(request_id)
            reviewer = await self._reviewing(request, user_id)
            assert request is not None
            erase_at = now + await self.retention(request["guild_id"])
            if not await self.store.answer(request_id, answers, comments, now, erase_at):
                raise Conflict("This review was already sent.")
            await self.store.count_given(reviewer.id)
            await self.outbox.cancel([OVERDUE], request_id, "the review was answered")
            await self.outbox.enqueue(RESULT, due=now, guild_id=request["guild_id"],
                                      ref_id=request_id, recipient_id=request["user_id"])
            await self.outbox.enqueue(ERASE, due=erase_at, guild_id=request["guild_id"],
                                      ref_id=request_id)

    async def rate(self, request_id: int, user_id: int, rating: int) -> None:
        if not 1 <= rating <= 5:
            raise InvalidInput("Rate from 1 to 5.")
        if not await self.store.rate(request_id, user_id, rating):
            raise NotFound("This review can no longer be rated (it was erased).")

    # -- due work -------------------------------------------------------------------------
    async def prepare_due(self, item: DueItem, now: datetime) -> Outcome:
        if item.kind in OFFER_KINDS:
            return await self._prepare_offer(item, now)
        request = await self.store.request(item.ref)
        if request is None:
            return Skip("the request was erased", state="cancelled")
        if item.kind == ERASE:
            await self.store.erase(item.ref)
            await self._db.truncate_wal_after_commit()
            return Done()
        if item.kind == OVERDUE:
            if request["status"] != "accepted":
                return Skip("the review was answered in time", state="cancelled")
            await self.outbox.cancel([DOCUMENT], item.ref, "the reviewer did not answer in time")
            await self._end_unreviewed(request, "overdue", now)
            return Done()
        anonymous = bool(request["anonymous"])
        if item.kind == DOCUMENT:
            if request["status"] != "accepted":
                return Skip("the review is no longer open", state="cancelled")
            text = request["document"]
            findings = await asyncio.to_thread(run_checks, request["kind"], request["specialty"],
                                               text, self.limits)
            return Send(ReviewDocument(item.ref, item.recipient, item.nonce, request["kind"],
                                       request["specialty"], text, tuple(findings),
                                       None if anonymous else request["user_id"]))
        erase_at = from_epoch(request["erase_at"])
        if item.kind == UPDATE:
            return Send(ReviewUpdate(item.ref, item.recipient, item.nonce, request["kind"],
                                     erase_at, overdue=request["status"] == "overdue"))
        reviewer = await self.store.reviewer_by_id(request["reviewer_id"], week_of(now))
        rubric = tuple(RubricAnswer(k, s, t) for k, s, t in json.loads(request["rubric"]))
        return Send(ReviewResult(item.ref, item.recipient, item.nonce, request["kind"], rubric,
                                 request["comments"] or "",
                                 None if reviewer is None else reviewer.user_id, erase_at))

    async def _prepare_offer(self, item: DueItem, now: datetime) -> Outcome:
        offer = await self.store.offer(item.ref)
        if offer is None or offer["status"] != "pending":
            return Skip("the offer was answered or moved on", state="cancelled")
        if item.kind == TIMEOUT:
            await self.store.end_offer(item.ref, "timeout", now)
            await self.outbox.cancel([OFFER], item.ref, "the offer timed out")
            await self._move_on(offer["request_id"], now)
            return Done()
        request = await self.store.request(offer["request_id"])
        assert request is not None
        return Send(ReviewOffer(
            offer["request_id"], item.recipient, item.nonce, request["kind"], request["specialty"],
            len(request["document"]), from_epoch(offer["expires_at"]),
            None if request["anonymous"] else request["user_id"]))

    async def due_failed(self, item: DueItem) -> None:
        """An offer or a document that cannot reach its reviewer (closed DMs) moves on at once."""
        now = self.clock.now()
        if item.kind == DOCUMENT:
            request = await self.store.request(item.ref)
            if request is not None and request["status"] == "accepted":
                await self.outbox.cancel([OVERDUE], item.ref, "the reviewer could not be reached")
                await self.store.set_status(item.ref, "waiting", expect="accepted")
                await self._move_on(item.ref, now)
            return
        if item.kind != OFFER:
            return
        offer = await self.store.offer(item.ref)
        if offer is not None and offer["status"] == "pending":
            await self.store.end_offer(item.ref, "moved", now)
            await self.outbox.cancel([TIMEOUT], item.ref, "the reviewer could not be reached")
            await self._move_on(offer["request_id"], now)


def parse_rubric(values: Mapping[str, str]) -> tuple[RubricAnswer, ...]:
    """``{"structure": "3 Clear arc, rushed ending", ...}`` -> answers; each needs a score of
    1-4 and a sentence."""
    answers = []
    for key, label in RUBRIC.items():
        match = _SCORE.match(values.get(key, ""))
        sentence = sanitize(match.group(2)) if match else ""
        if match is None or len(sentence) < 3:
            raise InvalidInput(f"**{label}**: start with a score from 1 to 4, then a sentence "
                               "(for example `3 Clear story, but the ending is rushed.`).")
        answers.append(RubricAnswer(key, int(match.group(1)), sentence[:SENTENCE_MAX]))
    return tuple(answers)
