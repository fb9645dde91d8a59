"""Mentor matchmaking: profiles, scoring and matching, requests with durable timeouts,
pairings and the moderated roster. Plain async Python (no discord import).

`MentoringService` is the facade the cog and the other capabilities call; each concern lives
in its own module behind it: `registration` (members' own profiles), `requests` (asking a
mentor, offers that move on), `pairings`, `moderation` (review, roster, feedback), `batch`
(match-all), `followup` (cadence, check-ins, call times), `details` (a mentor's one question
before answering), `due` (what the offers' and threads' rows mean when they fall due), over one store
(`_store`) and the cached pools (`pools`).

Everything that must happen later or on Discord is a row of the one outbox (`bot.outbox`),
enqueued in the transaction that decided it: an offer's message, its halfway reminder and its
timeout, a mentee's update, a pairing's private thread. Taking a mentor's slot happens in the
transaction that accepts, with a conditional UPDATE, so two mentees can never take the last slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from bot.clock import Clock
from bot.db import Database
from bot.outbox import Outbox
from bot.services.guild_settings import GuildSettingsService
from bot.services.mentoring._models import (
    ANSWER,
    CADENCES,
    CHECKIN,
    CHECKIN_WEEKS,
    KINDS,
    QUESTION,
    QUESTION_LAPSE,
    SENT_KINDS,
    STALLED,
    TIMEOUT,
    BatchPlan,
    CheckIn,
    CheckInAnswer,
    CheckInResult,
    DetailsAnswer,
    DetailsQuestion,
    Feedback,
    MenteeStatus,
    MenteeUpdate,
    Notice,
    Pairing,
    PlannedPair,
    RequestStatus,
    StalledAlert,
)
from bot.services.mentoring._store import MentoringStore
from bot.services.mentoring.batch import Batch
from bot.services.mentoring.details import Details, DetailsDue
from bot.services.mentoring.due import NOTICES, TIMEOUTS, DueWork
from bot.services.mentoring.followup import CheckIns, FollowUp, StalledAlerts
from bot.services.mentoring.moderation import Moderation
from bot.services.mentoring.pairings import Pairings
from bot.services.mentoring.pool import Candidate, MentorPool
from bot.services.mentoring.pools import Pools
from bot.services.mentoring.profiles import MenteeInput, MenteeProfile, MentorInput, MentorProfile
from bot.services.mentoring.registration import Registration
from bot.services.mentoring.requests import Requests
from bot.services.notices import MemberNotices

__all__ = [
    "ANSWER",
    "CADENCES",
    "CHECKIN",
    "CHECKIN_WEEKS",
    "KINDS",
    "QUESTION",
    "SENT_KINDS",
    "STALLED",
    "BatchPlan",
    "Candidate",
    "CheckIn",
    "CheckInAnswer",
    "CheckInResult",
    "DetailsAnswer",
    "DetailsQuestion",
    "Feedback",
    "MenteeInput",
    "MenteeProfile",
    "MenteeStatus",
    "MenteeUpdate",
    "MentorInput",
    "MentorPool",
    "MentorProfile",
    "MentoringService",
    "Notice",
    "Pairing",
    "PlannedPair",
    "RequestStatus",
    "StalledAlert",
]


class MentoringService:
    def __init__(self, db: Database, clock: Clock, *, request_timeout: timedelta,
                 outbox: Outbox | None = None, notices: MemberNotices | None = None,
                 guild_settings: GuildSettingsService | None = None) -> None:
        self._db = db
        self.outbox = outbox or Outbox(db, clock)
        guild_settings = guild_settings or GuildSettingsService(db, clock)
        self.notices = notices or MemberNotices.of(self.outbox, db, clock, guild_settings)
        store = MentoringStore(db)
        self._pools = Pools(store)
        self._followup = FollowUp(store, clock, self.outbox)
        self._pairings = Pairings(store, clock, self.outbox, self.notices, self._pools,
                                  self._followup)
        self._requests = Requests(store, clock, self.outbox, self._pools, self._pairings,
                                  request_timeout)
        self._registration = Registration(store, clock, self._pools, self._requests)
        self._moderation = Moderation(store, clock, self.notices, self._pools,
                                      self._registration, self._requests)
        self._batch = Batch(store, clock, self._pools, self._pairings, self._requests)
        notices_due = DueWork(store, clock, self._requests, NOTICES)
        for kind in SENT_KINDS:
            self.outbox.register(kind, notices_due)
        self.outbox.register(TIMEOUT, DueWork(store, clock, self._requests, TIMEOUTS))
        self._details = Details(store, clock, self.outbox, self._requests)
        details_due = DetailsDue(store, clock, self._details, NOTICES)
        for kind in (QUESTION, ANSWER):
            self.outbox.register(kind, details_due)
        self.outbox.register(QUESTION_LAPSE, DetailsDue(store, clock, self._details, TIMEOUTS))
        self.outbox.register(CHECKIN, CheckIns(store))
        self.outbox.register(STALLED, StalledAlerts(store, guild_settings))

    @property
    def db(self) -> Database:
        return self._db

    @property
    def request_timeout(self) -> timedelta:
        return self._requests.timeout

    def forget_pool(self, guild_id: int) -> None:
        """Drop the cached pool (after changes made outside this service's methods)."""
        self._pools.forget(guild_id)

    # -- profiles (registration) -------------------------------------------------------------
    async def get_mentor(self, guild_id: int, user_id: int) -> MentorProfile | None:
        return await self._registration.mentor(guild_id, user_id)

    async def get_mentee(self, guild_id: int, user_id: int) -> MenteeProfile | None:
        return await self._registration.mentee(guild_id, user_id)

    async def register_mentor(self, guild_id: int, user_id: int,
                              data: MentorInput) -> MentorProfile:
        return await self._registration.register_mentor(guild_id, user_id, data)

    async def edit_mentor(self, guild_id: int, user_id: int, data: MentorInput) -> MentorProfile:
        return await self._registration.edit_mentor(guild_id, user_id, data)

    async def set_mentee_profile(self, guild_id: int, user_id: int,
                                 data: MenteeInput) -> MenteeProfile:
        return await self._registration.set_mentee_profile(guild_id, user_id, data)

    async def set_paused(self, guild_id: int, user_id: int, paused: bool) -> int:
        return await self._registration.set_paused(guild_id, user_id, paused)

    async def check_not_removed(self, guild_id: int, user_id: int) -> None:
        await self._registration.check_not_removed(guild_id, user_id)

    # -- moderation --------------------------------------------------------------------------
    async def moderate(self, guild_id: int, mentor_user_id: int, action: str) -> MentorProfile:
        return await self._moderation.moderate(guild_id, mentor_user_id, action)

    async def lift_removal(self, guild_id: int, user_id: int) -> bool:
        return await self._moderation.lift_removal(guild_id, user_id)

    def claim_coordinator_ping(self, guild_id: int, member_id: int,
                               about: Literal["registration", "bio_edit"]) -> bool:
        return self._moderation.claim_coordinator_ping(guild_id, member_id, about)

    async def roster(self, guild_id: int, *, status: str | None = None,
                     specialty: str | None = None, visa: str | None = None,
                     language: str | None = None, has_room: bool | None = None,
                     ) -> list[MentorProfile]:
        return await self._moderation.roster(guild_id, status=status, specialty=specialty,
                                             visa=visa, language=language, has_room=has_room)

    async def roster_csv(self, guild_id: int) -> str:
        return await self._moderation.roster_csv(guild_id)

    async def feedback(self, guild_id: int) -> list[Feedback]:
        return await self._pairings.feedback(guild_id)

    async def matching_mentor_ids(self, guild_id: int, topic_tags: Sequence[str]) -> list[int]:
        return await self._moderation.matching_mentor_ids(guild_id, topic_tags)

    # -- requests ----------------------------------------------------------------------------
    async def candidates(self, guild_id: int, mentee_user_id: int, k: int = 3) -> list[Candidate]:
        return await self._requests.candidates(guild_id, mentee_user_id, k)

    async def request(self, guild_id: int, mentee_user_id: int, mentor_id: int) -> RequestStatus:
        return await self._requests.request(guild_id, mentee_user_id, mentor_id)

    async def accept(self, request_id: int, mentor_user_id: int) -> Pairing:
        return await self._requests.accept(request_id, mentor_user_id)

    async def decline(self, request_id: int, mentor_user_id: int) -> RequestStatus:
        return await self._requests.decline(request_id, mentor_user_id)

    async def withdraw(self, guild_id: int, mentee_user_id: int) -> RequestStatus:
        return await self._requests.withdraw(guild_id, mentee_user_id)

    async def status(self, guild_id: int, mentee_user_id: int) -> MenteeStatus:
        return await self._requests.status(guild_id, mentee_user_id)

    # -- pairings ----------------------------------------------------------------------------
    async def get_pairing(self, pairing_id: int) -> Pairing:
        return await self._pairings.get(pairing_id)

    async def pairings_of(self, guild_id: int, user_id: int) -> list[Pairing]:
        return await self._pairings.of(guild_id, user_id)

    async def record_thread(self, pairing_id: int, thread_id: int) -> None:
        await self._pairings.record_thread(pairing_id, thread_id)

    async def end_pairing(self, guild_id: int, user_id: int, *, partner_user_id: int | None,
                          rating: int | None, feedback: str | None,
                          pairing_id: int | None = None) -> Pairing:
        return await self._pairings.end(guild_id, user_id, partner_user_id=partner_user_id,
                                        rating=rating, feedback=feedback, pairing_id=pairing_id)

    # -- batch matching ----------------------------------------------------------------------
    async def plan_match_all(self, guild_id: int) -> BatchPlan:
        return await self._batch.plan(guild_id)

    async def apply_plan(self, plan: BatchPlan) -> tuple[list[Pairing], int]:
        return await self._batch.apply(plan)

    # -- follow-up (issue 20) ----------------------------------------------------------------
    async def pairing_of_member(self, pairing_id: int, user_id: int) -> Pairing:
        return await self._followup.pairing_of_member(pairing_id, user_id)

    async def set_cadence(self, pairing_id: int, user_id: int, cadence: str) -> Pairing:
        return await self._followup.set_cadence(pairing_id, user_id, cadence)

    async def answer_checkin(self, pairing_id: int, week: int, user_id: int,
                             answer: CheckInAnswer) -> CheckInResult:
        return await self._followup.answer_checkin(pairing_id, week, user_id, answer)

    async def suggest_call(self, pairing_id: int, user_id: int) -> list[datetime]:
        return await self._followup.suggest_call(pairing_id, user_id)

    async def check_can_ask(self, request_id: int, mentor_user_id: int) -> None:
        await self._details.check_can_ask(request_id, mentor_user_id)

    async def ask_details(self, request_id: int, mentor_user_id: int,
                          question: str) -> DetailsQuestion:
        return await self._details.ask(request_id, mentor_user_id, question)

    async def answer_details(self, offer_id: int, mentee_user_id: int,
                             answer: str) -> DetailsAnswer:
        return await self._details.answer(offer_id, mentee_user_id, answer)
