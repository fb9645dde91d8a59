"""Catalog files: parse and validate (data/resources.yaml, curators' imports), and export."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.config import DEFAULT_RESOURCES_CATALOG
from bot.errors import FmgError, UserError
from bot.services.resources._models import (
    CATEGORIES,
    MAX_DESCRIPTION,
    MAX_ORGANIZATION,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    TIERS,
    CatalogEntry,
    Resource,
)
from bot.services.resources._urls import normalize_url, validate_url

DEFAULT_CATALOG = DEFAULT_RESOURCES_CATALOG
CATALOG_VERSION = 1
_FIELDS = ("title", "url", "organization", "category", "tier", "tags", "description", "last_verified")


class CatalogError(FmgError):
    """A catalog file that cannot be loaded; the message names the entry and the problem."""


def read_catalog(path: Path) -> list[CatalogEntry]:
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path} is not valid YAML: {exc}") from None
    return parse_catalog(raw, source=str(path))


def parse_catalog(raw: Any, *, source: str = "catalog") -> list[CatalogEntry]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("resources"), list):
        raise CatalogError(f"{source}: expected a mapping with a `resources:` list")
    if raw.get("version", CATALOG_VERSION) != CATALOG_VERSION:
        raise CatalogError(f"{source}: unsupported catalog version {raw.get('version')!r}")
    entries: list[CatalogEntry] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(raw["resources"], start=1):
        where = f"{source}: entry {number}"
        if isinstance(item, Mapping) and isinstance(item.get("title"), str):
            where += f" ({item['title'][:60]!r})"
        entry = _entry(item, where)
        key = normalize_url(entry.url)
        if key in seen:
            raise CatalogError(f"{where}: same link as entry {seen[key]} ({entry.url})")
        seen[key] = number
        entries.append(entry)
    return entries


def _entry(item: Any, where: str) -> CatalogEntry:
    if not isinstance(item, Mapping):
        raise CatalogError(f"{where}: expected a mapping of fields")
    unknown = set(item) - set(_FIELDS)
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    missing = [f for f in _FIELDS if f not in item and f not in ("organization", "tags")]
    if missing:
        raise CatalogError(f"{where}: missing {', '.join(missing)}")
    try:
        url = validate_url(_text(item, "url", 10_000, where))
    except UserError as exc:
        raise CatalogError(f"{where}: url: {exc}") from None
    category = _text(item, "category", 40, where)
    if category not in CATEGORIES:
        raise CatalogError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    tier = _text(item, "tier", 20, where)
    if tier not in TIERS:
        raise CatalogError(f"{where}: tier must be official or community")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise CatalogError(f"{where}: tags must be a list of words or phrases")
    if any("," in t for t in tags):
        raise CatalogError(f"{where}: a tag cannot contain a comma (write two tags)")
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
        raise CatalogError(f"{where}: at most {MAX_TAGS} tags of at most {MAX_TAG} characters")
    verified = item["last_verified"]
    if not isinstance(verified, date):
        raise CatalogError(f"{where}: last_verified must be a date (YYYY-MM-DD)")
    return CatalogEntry(
        title=_text(item, "title", MAX_TITLE, where),
        url=url,
        organization=_text(item, "organization", MAX_ORGANIZATION, where, required=False),
        category=category,
        tier=tier,
        tags=tuple(t.strip() for t in tags),
        description=_text(item, "description", MAX_DESCRIPTION, where),
        last_verified=verified.date() if isinstance(verified, datetime) else verified,
    )


def _text(item: Mapping[str, Any], name: str, limit: int, where: str = "", required: bool = True) -> str:
    value = item.get(name, "")
    if not isinstance(value, str):
        raise CatalogError(f"{where}: {name} must be text")
    value = " ".join(value.split())
    if required and not value:
        raise CatalogError(f"{where}: {name} is empty")
    if len(value) > limit:
        raise CatalogError(f"{where}: {name} is longer than {limit} characters")
    return value


def dump_catalog(resources: Iterable[Resource]) -> str:
    """A catalog file holding ``resources`` (what `fmg-bot resources export` writes)."""
    items = [
        {
            "title": r.title,
            "url": r.url,
            "organization": r.organization,
            "category": r.category,
            "tier": r.tier,
            "tags": list(r.tags),
            "description": r.description,
            "last_verified": r.last_verified.date(),
        }
        for r in sorted(resources, key=lambda r: (list(CATEGORIES).index(r.category)
                                                  if r.category in CATEGORIES else 99, r.title))
    ]
    header = "# fmg-bot resource catalog, exported; load it with `fmg-bot resources import FILE`.\n"
    body = yaml.safe_dump(
        {"version": CATALOG_VERSION, "resources": items},
        sort_keys=False, allow_unicode=True, width=100,
    )
    return header + body
