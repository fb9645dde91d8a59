"""The resource library: a curated FMG catalog in SQLite with FTS5 search that finds what
members mean (abbreviations, typos, other languages), suggestions, moderation and bookmarks."""

from bot.services.resources._catalog import DEFAULT_CATALOG, CatalogError, dump_catalog, read_catalog
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
    "LoadReport",
    "Resource",
    "ResourceService",
    "SearchHit",
    "SearchResults",
    "Suggestion",
    "dump_catalog",
    "normalize_url",
    "read_catalog",
    "validate_url",
]
