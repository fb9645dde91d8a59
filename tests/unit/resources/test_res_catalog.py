"""The shipped catalog file and the catalog format."""

import csv
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from bot.errors import ConfigError
from bot.services.resources import (
    CATEGORIES,
    DEFAULT_CATALOG,
    CatalogError,
    normalize_url,
    read_catalog,
)
from bot.services.resources._catalog import parse_catalog

# Authoritative titles and official URLs of core FMG resources (facts only), as in the
# workspace's shared/data/resource-facts.tsv; shipped with the tests so every clone checks them.
FACTS = Path(__file__).resolve().parents[2] / "data" / "resource-facts.tsv"


def test_shipped_catalog_is_valid_and_covers_every_category() -> None:
    entries = read_catalog(DEFAULT_CATALOG)
    assert len(entries) >= 60
    assert {e.category for e in entries} == set(CATEGORIES)
    assert len({normalize_url(e.url) for e in entries}) == len(entries)
    assert all(e.url.startswith("https://") and e.description and e.tags for e in entries)
    assert {e.tier for e in entries} == {"official", "community"}


def test_catalog_keeps_the_authoritative_titles_and_urls_of_the_facts_sheet() -> None:
    by_url = {e.url: e for e in read_catalog(DEFAULT_CATALOG)}
    with FACTS.open(encoding="utf-8") as f:
        facts = list(csv.DictReader(f, delimiter="\t"))
    assert facts
    for fact in facts:
        entry = by_url[fact["url"]]
        assert (entry.title, entry.organization, entry.category) == (
            fact["title"], fact["organization"], fact["category"]
        )


def _one(**overrides: object) -> dict:
    item = {
        "title": "ECFMG Fees",
        "url": "https://www.ecfmg.org/fees/",
        "organization": "ECFMG",
        "category": "money",
        "tier": "official",
        "tags": ["fees"],
        "description": "What things cost.",
        "last_verified": date(2026, 1, 1),
    }
    item.update(overrides)
    return {"version": 1, "resources": [item]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "http://www.ecfmg.org/fees/"}, "url: Only https"),
        ({"category": "misc"}, "category must be one of"),
        ({"tier": "gold"}, "tier must be"),
        ({"tags": "fees"}, "tags must be a list"),
        ({"tags": ["a,b"]}, "comma"),
        ({"last_verified": "last year"}, "last_verified must be a date"),
        ({"title": ""}, "title is empty"),
        ({"colour": "red"}, "unknown field"),
        ({"description": "x" * 601}, "longer than 600"),
    ],
)
def test_bad_entries_are_refused_with_the_entry_named(overrides: dict, message: str) -> None:
    with pytest.raises(CatalogError, match=message) as info:
        parse_catalog(_one(**overrides), source="mine.yaml")
    assert "mine.yaml: entry 1" in str(info.value)


def test_duplicate_links_in_one_file_are_refused() -> None:
    raw = _one()
    raw["resources"].append(dict(raw["resources"][0], url="https://ecfmg.org/fees"))
    with pytest.raises(CatalogError, match="same link as entry 1"):
        parse_catalog(raw)


def test_unreadable_or_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        read_catalog(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("resources: [", "utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        read_catalog(bad)
    bad.write_text(yaml.safe_dump({"resources": {}}), "utf-8")
    with pytest.raises(CatalogError, match="resources:"):
        read_catalog(bad)


def test_the_image_ships_the_catalog_and_points_at_it() -> None:
    # The catalog lives in data/ (not package data): the image copies it and names it.
    root = Path(__file__).resolve().parents[3]
    assert DEFAULT_CATALOG == root / "data" / "resources.yaml" and DEFAULT_CATALOG.is_file()
    dockerfile = (root / "Dockerfile").read_text("utf-8")
    assert "COPY data/resources.yaml ./data/resources.yaml" in dockerfile
    assert "RESOURCES_CATALOG=/app/data/resources.yaml" in dockerfile


def test_resources_catalog_setting_must_name_a_file(tmp_path: Path) -> None:
    assert Settings.from_env({}).resources_catalog == DEFAULT_CATALOG
    mine = tmp_path / "mine.yaml"
    mine.write_text("version: 1\nresources: []\n", "utf-8")
    assert Settings.from_env({"RESOURCES_CATALOG": str(mine)}).resources_catalog == mine
    with pytest.raises(ConfigError, match="RESOURCES_CATALOG: no such file"):
        Settings.from_env({"RESOURCES_CATALOG": str(tmp_path / "missing.yaml")})
