"""The resource library: a curated FMG catalog in SQLite with FTS5 search that ranks what
members mean (questions, abbreviations, typos, other languages), suggestions, moderation,
bookmarks, link health and the searches that found nothing."""

from bot.services.resources._catalog import DEFAULT_CATALOG, CatalogError, dump_catalog, read_catalog
from bot.services.resources._gaps import SearchGap
from bot.services.resources._health import CheckReport, WeeklyLinkCheck
from bot.services.resources._links import CheckPolicy, LinkCheck, LinkChecker, link_session
from bot.services.resources._models import (
    CATEGORIES,
    STALE_AFTER,
    TIERS,
    CatalogEntry,
    LoadReport,
    Resource,
    SearchHit,
    SearchResults,
    Suggestion,
)
from bot.services.resources._service import ResourceService
from bot.services.resources._urls import normalize_url, validate_url

__all__ = [
    "CATEGORIES",
    "DEFAULT_CATALOG",
    "STALE_AFTER",
    "TIERS",
    "CatalogEntry",
    "CatalogError",
    "CheckPolicy",
    "CheckReport",
    "LinkCheck",
    "LinkChecker",
    "LoadReport",
    "Resource",
    "ResourceService",
    "SearchGap",
    "SearchHit",
    "SearchResults",
    "Suggestion",
    "WeeklyLinkCheck",
    "dump_catalog",
    "link_session",
    "normalize_url",
    "read_catalog",
    "validate_url",
]
