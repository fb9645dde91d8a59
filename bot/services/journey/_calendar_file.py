"""data/match_cycle.yaml: parse and validate the shipped Match calendar (loaded like the
resource catalog, once, when the service is built)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.config import PROJECT_ROOT
from bot.errors import FmgError
from bot.services.journey._models import OFFICIAL_DOMAINS, Cycle, Step
from bot.services.mentoring.vocab import EXAM_STAGES, VISA_ROUTES

DEFAULT_CALENDAR = PROJECT_ROOT / "data" / "match_cycle.yaml"
_STATUSES = ("confirmed", "projected")
_STEP_KEYS = {"id", "title", "at", "zone", "applies_to", "status", "source", "verified", "rule"}


class CalendarError(FmgError):
    """A calendar file that cannot be loaded; the message names the step and the problem."""


def read_calendar(path: Path = DEFAULT_CALENDAR) -> tuple[Cycle, ...]:
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise CalendarError(f"cannot read the Match calendar {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CalendarError(f"{path} is not valid YAML: {exc}") from exc
    return parse_calendar(raw, source=str(path))


def official_source(url: str) -> bool:
    """An https page of one of the official bodies (NRMP, AAMC, ECFMG/Intealth, USMLE, State)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host == d or host.endswith("." + d) for d in OFFICIAL_DOMAINS
    )


def valid_tag(tag: str) -> bool:
    kind, _, value = tag.partition(":")
    if tag == "everyone":
        return True
    return (kind == "visa" and value in VISA_ROUTES) or (kind == "stage" and value in EXAM_STAGES)


def parse_calendar(raw: Any, *, source: str = "calendar") -> tuple[Cycle, ...]:
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise CalendarError(f"{source}: expected `version: 1` and a list of `cycles`")
    cycles_raw = raw.get("cycles")
    if not isinstance(cycles_raw, list) or not cycles_raw:
        raise CalendarError(f"{source}: `cycles` must be a non-empty list")
    cycles = tuple(_cycle(c, source) for c in cycles_raw)
    ids = [c.id for c in cycles]
    if len(set(ids)) != len(ids):
        raise CalendarError(f"{source}: a cycle id is used twice")
    return cycles


def _cycle(raw: Any, source: str) -> Cycle:
    if not isinstance(raw, dict):
        raise CalendarError(f"{source}: each cycle must be a mapping")
    cycle_id = str(raw.get("id", "")).strip()
    where = f"{source}: cycle {cycle_id or '?'}"
    starts, ends = raw.get("starts"), raw.get("ends")
    if not cycle_id or not isinstance(starts, date) or not isinstance(ends, date) or ends <= starts:
        raise CalendarError(f"{where}: needs an id, and dates `starts` before `ends`")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise CalendarError(f"{where}: `steps` must be a non-empty list")
    steps = tuple(_step(cycle_id, s, where) for s in steps_raw)
    step_ids = [s.id for s in steps]
    if len(set(step_ids)) != len(step_ids):
        raise CalendarError(f"{where}: a step id is used twice")
    return Cycle(cycle_id, str(raw.get("name") or cycle_id), starts, ends, steps)


def _step(cycle_id: str, raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise CalendarError(f"{where}: each step must be a mapping")
    step_id = str(raw.get("id", "")).strip()
    where = f"{where}, step {step_id or '?'}"
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise CalendarError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "title", "at", "zone", "applies_to", "status", "source", "verified"):
        if raw.get(key) in (None, ""):
            raise CalendarError(f"{where}: `{key}` is required")
    try:
        zone = ZoneInfo(str(raw["zone"]))
        wall = raw["at"] if isinstance(raw["at"], datetime) else datetime.fromisoformat(str(raw["at"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(f"{where}: bad `at` or `zone`: {exc}") from exc
    if wall.tzinfo is not None:
        raise CalendarError(f"{where}: `at` is wall-clock time in `zone`, without an offset")
    status = str(raw["status"])
    if status not in _STATUSES:
        raise CalendarError(f"{where}: `status` must be confirmed or projected")
    rule = str(raw.get("rule") or "").strip()
    if status == "projected" and not rule:
        raise CalendarError(f"{where}: a projected step states the `rule` its source gives")
    src = str(raw["source"])
    if not official_source(src):
        raise CalendarError(f"{where}: `source` must be an https page of {', '.join(OFFICIAL_DOMAINS)}")
    tags = raw["applies_to"]
    if not isinstance(tags, list) or not tags or not all(valid_tag(str(t)) for t in tags):
        raise CalendarError(f"{where}: `applies_to` lists everyone, visa:<route> or stage:<stage>")
    verified = raw["verified"]
    if not isinstance(verified, date) or isinstance(verified, datetime):
        raise CalendarError(f"{where}: `verified` must be a date (YYYY-MM-DD)")
    return Step(
        cycle_id=cycle_id, id=step_id, title=str(raw["title"]).strip(),
        at=wall.replace(tzinfo=zone), zone=zone.key, applies_to=tuple(str(t) for t in tags),
        status=status,
        source=src, verified=verified, rule=rule,
    )
