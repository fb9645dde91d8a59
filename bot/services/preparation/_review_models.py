"""Document review's data: the kinds of document, what a check found, requests and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

#: Kinds of document a member may have reviewed (key -> label).
DOCUMENT_KINDS: MappingProxyType[str, str] = MappingProxyType({
    "personal_statement": "Personal statement",
    "cv": "CV",
    "experience": "Experience description",
    "meaningful": "Most meaningful experience",
    "lor_request": "Letter of recommendation request",
})

#: The rubric a reviewer answers: key -> label. Each gets a score of 1-4 and a sentence.
RUBRIC: MappingProxyType[str, str] = MappingProxyType({
    "structure": "Structure",
    "specificity": "Specificity",
    "red_flags": "Red flags addressed",
    "language": "Language",
})
SCORES = (1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Finding:
    """One automatic check's result: what it found (``what``) and where (``where``: "line 3",
    "paragraph 2, line 5"; empty for the whole document)."""

    check: str
    what: str
    where: str = ""


@dataclass(frozen=True, slots=True)
class FieldLimit:
    kind: str
    label: str
    limit: int | None
    source: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    """The ERAS field limits (data/eras_limits.yaml), with the day they were checked."""

    checked: str
    fields: MappingProxyType[str, FieldLimit]
    characters_source: str


@dataclass(frozen=True, slots=True)
class Reviewer:
    id: int
    guild_id: int
    user_id: int
    kinds: tuple[str, ...]
    specialties: tuple[str, ...]
    weekly_capacity: int
    taken_this_week: int
    reviews_given: int
    active: bool


@dataclass(frozen=True, slots=True)
class RubricAnswer:
    key: str
    score: int
    sentence: str


@dataclass(frozen=True, slots=True)
class Submitted:
    """What `/review request` did: the request (None: no reviewer could take it, nothing was
    kept) and the checks, returned to the member at once."""

    request_id: int | None
    findings: tuple[Finding, ...]
    characters: int
    limit: FieldLimit


@dataclass(frozen=True, slots=True)
class ReviewOffer:
    """Ask a reviewer (DM with Accept/Decline). No member id when the request is anonymous:
    ``member_id`` is None then."""

    request_id: int
    recipient_id: int
    nonce: str
    kind: str
    specialty: str
    characters: int
    expires_at: datetime
    member_id: int | None


@dataclass(frozen=True, slots=True)
class ReviewDocument:
    """The document for the reviewer who accepted (DM with the text as a file, the checks
    and a button to answer). ``member_id`` None when anonymous."""

    request_id: int
    recipient_id: int
    nonce: str
    kind: str
    specialty: str
    text: str
    findings: tuple[Finding, ...]
    member_id: int | None


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """The review, for the member who asked (DM with rating buttons)."""

    request_id: int
    recipient_id: int
    nonce: str
    kind: str
    rubric: tuple[RubricAnswer, ...]
    comments: str
    reviewer_id: int | None
    """The reviewer's user id (the member may thank them); None if they deleted their data."""
    erase_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewUpdate:
    """Tell the member no review will come: no reviewer could take it, or (``overdue``) the
    one who accepted did not answer in time. It is erased with its retention."""

    request_id: int
    recipient_id: int
    nonce: str
    kind: str
    erase_at: datetime
    overdue: bool = False
