"""A resource library over the shipped catalog, on the migrated temp database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.clock import ManualClock
from bot.db import Database
from bot.services.resources import DEFAULT_CATALOG, ResourceService

QUERY_SET = Path(__file__).resolve().parents[2] / "data" / "search_queries.yaml"


@pytest.fixture(scope="session")
def query_set() -> list[dict[str, Any]]:
    """tests/data/search_queries.yaml: what members type and the pages that must answer."""
    return yaml.safe_load(QUERY_SET.read_text("utf-8"))["queries"]


@pytest.fixture
async def library(db: Database, clock: ManualClock) -> ResourceService:
    service = ResourceService(db, clock, DEFAULT_CATALOG)
    await service.start()
    return service
