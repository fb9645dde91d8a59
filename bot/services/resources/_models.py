"""What the resource library hands to its callers (plain data, no Discord types)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from bot.errors import InvalidInput
from bot.services.resources._links import LinkCheck

Tier = Literal["official", "community"]
SuggestionStatus = Literal["pending", "approved", "rejected"]

CATEGORIES: dict[str, str] = {
    "usmle": "USMLE and exam prep",
    "ecfmg": "ECFMG certification and Pathways",
    "eras": "ERAS applications",
    "match": "NRMP Match and SOAP",
    "visa": "Visas (J-1, H-1B, waivers)",
    "clinical-experience": "Clinical experience (USCE)",
    "application": "Programs, letters and CV",
    "interview": "Interviews",
    "money": "Fees and scholarships",
    "specialty-data": "Specialty and Match data",
    "licensing": "Licensing and accreditation",
    "wellness": "Wellness and support",
    "community": "Community and forums",
}
TIERS: tuple[Tier, ...] = ("official", "community")
EDITABLE_FIELDS = ("title", "url", "organization", "category", "tier", "tags", "description", "last_verified")
STALE_AFTER = timedelta(days=365)

MAX_TITLE = 200
MAX_ORGANIZATION = 120
MAX_DESCRIPTION = 600
MAX_TAGS = 20
MAX_TAG = 60
MAX_REASON = 500


def day_start(day: date) -> datetime:
    """Midnight UTC of ``day``: how a verification date is stored."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True)
class CatalogEntry:
    """One entry of a catalog file (data/resources.yaml or a curator's import)."""

    title: str
    url: str
    organization: str
    category: str
    tier: Tier
    tags: tuple[str, ...]
    description: str
    last_verified: date


@dataclass(frozen=True)
class Resource:
    """An entry as one server sees it.

    ``id`` names the entry (a shared catalog row, or a server's own row); a server's changes to
    a shared entry keep its id. ``guild_id`` is None for shared catalog entries, else the server
    the entry belongs to. ``edited_fields``: what this server's moderators changed.
    """

    id: int
    title: str
    url: str
    organization: str
    category: str
    tier: Tier
    tags: tuple[str, ...]
    description: str
    last_verified: datetime
    guild_id: int | None
    edited_fields: frozenset[str] = frozenset()

    @property
    def source(self) -> Literal["catalog", "suggestion"]:
        """Shared catalog entries come from the catalog; a server's own from suggestions."""
        return "catalog" if self.guild_id is None else "suggestion"

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    def is_stale(self, now: datetime) -> bool:
        """Not verified for a year: moderators should check the link still says what we say."""
        return now - self.last_verified > STALE_AFTER


@dataclass(frozen=True)
class SearchHit:
    resource: Resource
    score: float
    """Relevance, best first: in [0, 1) by how much of the query the entry covers (then bm25);
    crisis lines score in [1, 2) when the query signals distress."""
    complete: bool = False
    """The entry matched every meaningful word (or concept) of the query."""
    link: LinkCheck | None = None
    """The latest check of the entry's link (a dead one is flagged to the member)."""


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    corrected_query: str | None = None
    """The query as we understood it after fixing typos ("obsevership" -> "observership")."""
    did_you_mean: str | None = None
    """A re-spelling of the query that finds something, when the query itself found nothing."""


@dataclass(frozen=True)
class Suggestion:
    id: int
    guild_id: int
    user_id: int
    title: str
    url: str
    category: str
    reason: str
    status: SuggestionStatus
    created_at: datetime
    reviewed_by: int | None
    resource_id: int | None


@dataclass(frozen=True)
class LoadReport:
    """What a catalog load did; a second load of the same file adds and updates nothing.
    (Servers' overrides are never written by a load: they are not counted here.)"""

    added: int
    updated: int
    unchanged: int


def clean_text(value: str, limit: int, name: str, *, required: bool = True) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise InvalidInput(f"The {name} cannot be empty.")
    if len(text) > limit:
        raise InvalidInput(f"The {name} is too long ({len(text)} characters, at most {limit}).")
    return text


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise InvalidInput(
            f"`{category}` is not a category. Choose one of: {', '.join(CATEGORIES)}."
        )
    return category
