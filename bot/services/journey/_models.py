"""The journey's data: cycles and their dated steps, member profiles, exams and milestones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

Status = Literal["confirmed", "projected"]
Visibility = Literal["public", "anonymous", "private"]

#: Official bodies whose pages may date a step (a step's source must be one of their sites).
OFFICIAL_DOMAINS = (
    "nrmp.org", "aamc.org", "ecfmg.org", "intealth.org", "usmle.org", "state.gov",
)


@dataclass(frozen=True, slots=True)
class Step:
    """One dated step of a cycle, as shipped or as a server's moderators corrected it."""

    cycle_id: str
    id: str
    title: str
    at: datetime
    """The instant (aware, in the step's official zone)."""
    zone: str
    applies_to: tuple[str, ...]
    status: Status
    source: str
    verified: date
    rule: str = ""
    """For a projected step: the rule its source states, which the date was computed from."""
    edited_by: int | None = None
    edited_at: datetime | None = None

    @property
    def key(self) -> str:
        """Names the step across cycles ("2027/match_day")."""
        return f"{self.cycle_id}/{self.id}"

    @property
    def projected(self) -> bool:
        return self.status == "projected"

    def local_text(self) -> str:
        """The date and time in the step's official zone ("Mon 15 Mar 2027, 10:00 EDT")."""
        local = self.at.astimezone(ZoneInfo(self.zone))
        return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"

    def applies(self, profile: MemberProfile) -> bool:
        """Whether this step concerns a member (everyone, or their visa route or exam stage)."""
        if "everyone" in self.applies_to or profile.unknown:
            return True
        mine = {f"visa:{profile.visa}", f"stage:{profile.stage}"}
        return bool(mine & set(self.applies_to))


@dataclass(frozen=True, slots=True)
class Cycle:
    id: str
    name: str
    starts: date
    ends: date
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class MemberProfile:
    """What filters a member's timeline: their visa route and exam stage (either may be unknown)."""

    visa: str | None = None
    stage: str | None = None

    @property
    def unknown(self) -> bool:
        return self.visa is None and self.stage is None


@dataclass(frozen=True, slots=True)
class Follower:
    """A member who follows the calendar: their follow, profile and zone (None: not set)."""

    follow_id: int
    user_id: int
    profile: MemberProfile
    zone: str | None


def pick_profile(own: MemberProfile | None,
                 mentee: MemberProfile | None) -> tuple[MemberProfile, str]:
    """What filters a member's steps: what they told the journey, else their mentee profile."""
    if own is not None and not own.unknown:
        return own, "journey"
    if mentee is not None:
        return mentee, "mentoring"
    return MemberProfile(), "none"


@dataclass(frozen=True, slots=True)
class Timeline:
    profile: MemberProfile
    profile_source: Literal["journey", "mentoring", "none"]
    steps: tuple[Step, ...]
    exams: tuple[ExamDate, ...] = ()
    """The member's own exam dates ahead (private: the timeline is an ephemeral reply)."""


@dataclass(frozen=True, slots=True)
class ChannelPost:
    """A post in the announcements channel, as data (the cog renders each kind)."""

    channel_id: int
    nonce: str

    @property
    def pings(self) -> tuple[int, ...]:
        """Members this post may ping (none unless a kind says so)."""
        return ()


@dataclass(frozen=True, slots=True)
class CelebrationPost(ChannelPost):
    label: str
    user_id: int | None
    """The member celebrated, named without a ping; None for an anonymous milestone."""


@dataclass(frozen=True, slots=True)
class WeeklyPost(ChannelPost):
    """The weekly "This week in the Match": the steps of the week from ``week_start`` (an
    instant in US Eastern)."""

    week_start: datetime
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class MatchDayDigest(ChannelPost):
    """How many members shared that they matched this cycle (nobody is named)."""

    matched: int


@dataclass(frozen=True, slots=True)
class CohortNotice(ChannelPost):
    """A cohort's members are asked for their milestone; the group archives at ``archive_at``
    unless its owner keeps it."""

    cohort_name: str
    member_ids: tuple[int, ...]
    """Members asked for their milestone: those not yet done (they passed) in the cohort."""
    owner_id: int
    archive_at: datetime
    done: int = 0
    """Members who already shared that they passed."""

    @property
    def pings(self) -> tuple[int, ...]:
        return self.member_ids


@dataclass(frozen=True, slots=True)
class CohortArchive:
    """Archive a cohort's study group (done by the study groups' own archive)."""

    cohort_id: int


@dataclass(frozen=True, slots=True)
class ReminderDm:
    """A reminder to DM about ``step``, ``days`` ahead (counted in the step's zone), for a
    member whose zone is ``zone`` (None: not set), with the row's nonce."""

    recipient_id: int
    nonce: str
    step: Step
    days: int
    zone: str | None
    delayed: bool


EXAMS: MappingProxyType[str, str] = MappingProxyType({
    "step1": "USMLE Step 1",
    "step2ck": "USMLE Step 2 CK",
    "step3": "USMLE Step 3",
    "oet": "OET Medicine",
})

#: The study-group topic of each exam (cohorts are study groups of that topic).
EXAM_TOPICS: MappingProxyType[str, str] = MappingProxyType({
    "step1": "Step 1", "step2ck": "Step 2 CK", "step3": "Step 3", "oet": "OET",
})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member with a date for an exam, and what is known of their languages and zone."""

    user_id: int
    day: date
    languages: frozenset[str]
    zone: str | None


@dataclass(frozen=True, slots=True)
class ExamDate:
    exam: str
    day: date
    """The exam day, or the first of the month when only the month is known."""
    month_only: bool

    def text(self) -> str:
        return f"{self.day:%B %Y}" if self.month_only else f"{self.day.day} {self.day:%B %Y}"


#: Milestone kind -> (label, the exam stage it proves, or None).
MILESTONES: MappingProxyType[str, tuple[str, str | None]] = MappingProxyType({
    "passed_step1": ("Passed USMLE Step 1", "step1"),
    "passed_step2ck": ("Passed USMLE Step 2 CK", "step2ck"),
    "passed_step3": ("Passed USMLE Step 3", "step3"),
    "passed_oet": ("Passed OET Medicine", "oet"),
    "ecfmg_certified": ("ECFMG certified", "ecfmg_certified"),
    "first_interview": ("First interview invite", None),
    "matched": ("Matched", "matched"),
    "soap_placement": ("Placed through SOAP", "matched"),
    "visa_approved": ("Visa approved", None),
})

VISIBILITIES: tuple[Visibility, ...] = ("public", "anonymous", "private")


@dataclass(frozen=True, slots=True)
class Milestone:
    id: int
    guild_id: int
    user_id: int
    kind: str
    visibility: Visibility
    created_at: datetime

    @property
    def label(self) -> str:
        return MILESTONES[self.kind][0]


@dataclass(frozen=True, slots=True)
class MilestoneResult:
    """What `/milestone add` changed: the milestone, the stage mentoring now uses (if raised),
    and whether a celebration will be posted."""

    milestone: Milestone
    stage_raised_to: str | None
    celebrated: bool
    cohorts_done: tuple[str, ...] = ()
    """The cohorts (their groups' names) the member is now marked done in."""
    exam_date_cleared: str | None = None
    """The exam whose date the member had set and no longer needs (they passed it)."""
