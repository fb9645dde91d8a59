"""Request-body validation against Discord's OpenAPI spec (../shared/discord-api-spec/openapi.json).

An extra layer: it is on when the spec is found (``$LOCALDISCORD_SPEC``, else ``../shared`` beside
the project) and off otherwise, with one line saying so (``optional_validator``). The checks of
Discord's limits (``limits.py``) are the project's own code and run either way; a clone with
nothing beside it runs every test.

The spec is loaded once per process; one validator is built per (path template, method) and cached.
Two deliberate deviations from the raw spec, both "follow the docs, not the spec":
- ``SnowflakeType`` also accepts non-negative integers: Discord accepts integer snowflakes and
  discord.py sends some as ints (``allowed_mentions.users``).
- ``ChannelTypes`` also has 16 (GUILD_MEDIA), which the docs list and discord.py sends for
  forum-channel options.
- A role's ``permissions`` (create and update) also accepts a string of digits: the docs define
  it as a string (a bitfield can pass 2^53), and discord.py sends it so.
- Paths are matched with the fewest ``{param}`` segments first, so ``@original`` beats ``{message_id}``.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_SPEC_ENV = "LOCALDISCORD_SPEC"
log = logging.getLogger("localdiscord")


class SpecMissing(FileNotFoundError):
    """Discord's OpenAPI spec is not beside the project (a clone outside the workspace)."""


def spec_path() -> Path:
    """Where openapi.json lives: $LOCALDISCORD_SPEC, else the workspace's shared copy.

    The spec is not copied into the project: it is read from ``../shared/discord-api-spec/``
    beside the project (as in the workspace and in CI).
    """
    if os.environ.get(_SPEC_ENV):
        candidate = Path(os.environ[_SPEC_ENV])
    else:
        project = Path(__file__).resolve().parent.parent
        candidate = project.parent / "shared" / "discord-api-spec" / "openapi.json"
    if candidate.is_file():
        return candidate
    raise SpecMissing(
        f"Discord's OpenAPI spec was not found at {candidate}; set {_SPEC_ENV} to an openapi.json "
        "(from github.com/discord/discord-api-spec) to validate requests"
    )


def spec_available() -> bool:
    try:
        spec_path()
    except SpecMissing:
        return False
    return True


def spec_status() -> str:
    """One line saying whether requests are validated against the spec, and from where."""
    try:
        return f"request validation against Discord's OpenAPI spec is on ({spec_path()})"
    except SpecMissing as missing:
        return (f"request validation against Discord's OpenAPI spec is off: {missing}; "
                "Discord's limits are still checked")


@dataclass(frozen=True)
class SpecError:
    """One schema violation: where in the body (``path``) and what is wrong."""

    path: tuple[str | int, ...]
    message: str


class SpecValidator:
    """Validates JSON request bodies for concrete API paths such as ``/channels/1/messages``."""

    def __init__(self, spec: dict[str, Any]) -> None:
        schemas = spec["components"]["schemas"]
        snowflake = schemas["SnowflakeType"]
        schemas["SnowflakeType"] = {"anyOf": [snowflake, {"type": "integer", "minimum": 0}]}
        channel_types = schemas["ChannelTypes"]["oneOf"]
        if not any(t.get("const") == 16 for t in channel_types):
            channel_types.append({"title": "GUILD_MEDIA", "const": 16})
        for request in ("CreateRoleRequest", "UpdateRoleRequestPartial"):
            fields = schemas.get(request, {}).get("properties", {})
            if "permissions" in fields:
                fields["permissions"] = {"anyOf": [fields["permissions"],
                                                   {"type": "string", "pattern": "^[0-9]{1,20}$"}]}
        self._spec = spec
        self._registry = Registry().with_resource(
            "urn:d", Resource.from_contents(spec, default_specification=DRAFT202012)
        )
        templates = sorted(spec["paths"], key=lambda t: (t.count("{"), -len(t)))
        self._templates = [
            (t, re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)) + "$"))
            for t in templates
        ]
        self._validators: dict[tuple[str, str], Draft202012Validator | None] = {}

    def template_for(self, path: str) -> str | None:
        """The spec's path template for a concrete path (without the ``/api/v10`` prefix)."""
        for template, pattern in self._templates:
            if pattern.match(path):
                return template
        return None

    def has_operation(self, template: str, method: str) -> bool:
        return method.lower() in self._spec["paths"].get(template, {})

    def _validator(self, template: str, method: str) -> Draft202012Validator | None:
        key = (template, method)
        if key not in self._validators:
            op = self._spec["paths"][template].get(method, {})
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                self._validators[key] = None
            else:
                escaped = template.replace("~", "~0").replace("/", "~1")
                pointer = (
                    f"urn:d#/paths/{escaped}/{method}/requestBody/content/application~1json/schema"
                )
                self._validators[key] = Draft202012Validator(
                    {"$ref": pointer}, registry=self._registry
                )
        return self._validators[key]

    def validate(self, method: str, path: str, body: Any) -> list[SpecError]:
        """Schema errors for ``body`` sent as ``method path``; [] when valid or not described."""
        template = self.template_for(path)
        if template is None:
            return []
        validator = self._validator(template, method.lower())
        if validator is None:
            return []
        errors = []
        for error in validator.iter_errors(body):
            best = _deepest(error)
            errors.append(SpecError(tuple(best.absolute_path), _message(best)))
        return errors


def _deepest(error: Any) -> Any:
    """For anyOf/oneOf failures, the most specific sub-error of the branch that applies.

    A branch "does not apply" when it fails on a discriminator (a ``type`` property that must
    equal some constant), as with the interaction callback's anyOf over response types.
    """
    while error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        applicable = [
            errs for errs in branches.values()
            if not any(e.validator in ("enum", "const") and list(e.absolute_path)[-1:] == ["type"]
                       for e in errs)
        ]
        candidates = [e for errs in applicable for e in errs] or list(error.context)
        error = max(candidates, key=lambda e: len(e.absolute_path))
    return error


def _message(error: Any) -> str:
    """Discord-style wording for length errors; otherwise jsonschema's, without huge values."""
    if error.validator == "maxLength":
        return f"Must be {error.validator_value} or fewer in length."
    if error.validator == "minLength":
        return f"Must be {error.validator_value} or more in length."
    if error.validator == "maxItems":
        return f"Must be {error.validator_value} or fewer in length."
    if len(error.message) <= 300:
        return error.message
    return f"{repr(error.instance)[:80]}... fails {error.validator} {str(error.validator_value)[:150]}"


@cache
def load_validator() -> SpecValidator:
    """The process-wide validator (the spec is ~1 MB; it is parsed once); SpecMissing without it."""
    with spec_path().open("rb") as fh:
        return SpecValidator(json.load(fh))


@cache
def optional_validator() -> SpecValidator | None:
    """The validator when the spec is found, else None; logs which, once per process."""
    log.info("localdiscord: %s", spec_status())
    try:
        return load_validator()
    except SpecMissing:
        return None
