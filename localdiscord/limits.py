"""Discord limits that the OpenAPI spec does not catch (it allows 4000-char content, for one).

Each check returns a list of ``(path, message)`` problems; an empty list means the payload is fine.
Paths are tuples into the JSON body so errors can be shaped like Discord's ``errors`` object.
"""

from __future__ import annotations

import re
from typing import Any

Problem = tuple[tuple[str | int, ...], str]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
SELECT_OPTIONS_MAX = 25
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
PLACEHOLDER_MAX = 150
OPTION_TEXT_MAX = 100
COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
COMMAND_TOTAL_CHARS_MAX = 4000
MODAL_TITLE_MAX = 45
MODAL_ROWS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
AUTOCOMPLETE_CHOICES_MAX = 25
COMPONENTS_V2_FLAG = 1 << 15
FILES_MAX = 10  # files on one message
FILE_SIZE_MAX = 10 * 1024 * 1024  # per file, a server without boosts (the guild's attachment_size_limit)
ATTACHMENT_DESCRIPTION_MAX = 1024  # alt text
FILENAME_MAX = 1024
SELECT_TYPES = {3, 5, 6, 7, 8}


def _too_long(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) > limit


def check_message(body: dict[str, Any], *, creating: bool, has_files: bool = False) -> list[Problem]:
    """Content, embeds and components of a message create/edit (also interaction responses)."""
    problems: list[Problem] = []
    content = body.get("content")
    if _too_long(content, CONTENT_MAX):
        problems.append((("content",), f"Must be {CONTENT_MAX} or fewer in length."))
    embeds = body.get("embeds") or []
    problems += check_embeds(embeds)
    flags = body.get("flags") or 0
    problems += check_components(body.get("components") or [], v2=bool(flags & COMPONENTS_V2_FLAG))
    if creating and not (
        content or embeds or body.get("components") or body.get("sticker_ids") or body.get("poll")
        or has_files
    ):
        problems.append(((), "Cannot send an empty message"))
    return problems


def check_files(body: Any, files: list[tuple[str, str, bytes, str]]) -> list[Problem]:
    """The files of a multipart request (field name, filename, bytes, content type) and the
    ``attachments`` entries that describe them (in ``data`` for an interaction callback, in
    ``message`` for a forum post's first message, else at the top)."""
    problems: list[Problem] = []
    if len(files) > FILES_MAX:
        problems.append((("files",), f"Must be {FILES_MAX} or fewer in length."))
    uploaded = set()
    for i, (field, filename, data, _) in enumerate(files):
        found = re.fullmatch(r"files\[(\d+)\]", field)
        if found is None:
            problems.append((("files", i), f"Unknown form field {field!r} (files[n] expected)."))
        else:
            uploaded.add(found.group(1))
        if not filename or len(filename) > FILENAME_MAX:
            problems.append((("files", i), "A file needs a name of 1 to 1024 characters."))
        if len(data) > FILE_SIZE_MAX:
            problems.append((("files", i), f"Request entity too large: {len(data)} bytes "
                                           f"(at most {FILE_SIZE_MAX})."))
    holder = body if isinstance(body, dict) else {}
    for key in ("data", "message"):
        if isinstance(holder.get(key), dict):
            holder = holder[key]
            break
    for i, entry in enumerate(holder.get("attachments") or []):
        where = ("attachments", i)
        if _too_long(entry.get("description"), ATTACHMENT_DESCRIPTION_MAX):
            problems.append(((*where, "description"),
                             f"Must be {ATTACHMENT_DESCRIPTION_MAX} or fewer in length."))
        key = str(entry.get("id"))
        # A small id is an upload's index (files[n]); a snowflake keeps an existing attachment.
        if key.isdigit() and int(key) < 1 << 22 and key not in uploaded:
            problems.append(((*where, "id"), f"No file was uploaded as files[{key}]."))
    return problems


def check_embeds(embeds: list[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(embeds) > EMBEDS_MAX:
        problems.append((("embeds",), f"Must be {EMBEDS_MAX} or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        where = ("embeds", i)
        checks = [
            (("title",), embed.get("title"), EMBED_TITLE_MAX),
            (("description",), embed.get("description"), EMBED_DESCRIPTION_MAX),
            (("footer", "text"), (embed.get("footer") or {}).get("text"), EMBED_FOOTER_MAX),
            (("author", "name"), (embed.get("author") or {}).get("name"), EMBED_AUTHOR_MAX),
        ]
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            problems.append(((*where, "fields"), f"Must be {EMBED_FIELDS_MAX} or fewer in length."))
        for j, field in enumerate(fields):
            checks.append((("fields", j, "name"), field.get("name"), EMBED_FIELD_NAME_MAX))
            checks.append((("fields", j, "value"), field.get("value"), EMBED_FIELD_VALUE_MAX))
        for sub, value, limit in checks:
            if isinstance(value, str):
                total += len(value)
            if _too_long(value, limit):
                problems.append(((*where, *sub), f"Must be {limit} or fewer in length."))
    if total > EMBED_TOTAL_MAX:
        problems.append(
            (("embeds",), f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} ({total}).")
        )
    return problems


def check_components(rows: list[dict[str, Any]], *, v2: bool = False) -> list[Problem]:
    """Action rows, buttons and selects; Components V2 layouts only get the id/label checks."""
    problems: list[Problem] = []
    if not v2 and len(rows) > ACTION_ROWS_MAX:
        problems.append((("components",), f"Must be {ACTION_ROWS_MAX} or fewer in length."))
    seen: set[str] = set()
    for path, comp in walk_components(rows, ("components",)):
        ctype = comp.get("type")
        if ctype == 1 and not v2:
            children = comp.get("components") or []
            selects = [c for c in children if c.get("type") in SELECT_TYPES]
            if len(children) > ROW_BUTTONS_MAX or (selects and len(children) > 1):
                problems.append(
                    ((*path, "components"), "An action row holds up to 5 buttons or one select.")
                )
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            if _too_long(custom_id, CUSTOM_ID_MAX):
                problems.append(((*path, "custom_id"), f"Must be {CUSTOM_ID_MAX} or fewer in length."))
            if custom_id in seen:
                problems.append(((*path, "custom_id"), "Component custom id cannot be duplicated"))
            seen.add(custom_id)
        if ctype == 2 and _too_long(comp.get("label"), BUTTON_LABEL_MAX):
            problems.append(((*path, "label"), f"Must be {BUTTON_LABEL_MAX} or fewer in length."))
        if ctype in SELECT_TYPES:
            if _too_long(comp.get("placeholder"), PLACEHOLDER_MAX):
                problems.append(((*path, "placeholder"), f"Must be {PLACEHOLDER_MAX} or fewer in length."))
            options = comp.get("options") or []
            if len(options) > SELECT_OPTIONS_MAX:
                problems.append(((*path, "options"), f"Must be {SELECT_OPTIONS_MAX} or fewer in length."))
            for k, option in enumerate(options):
                for key in ("label", "value", "description"):
                    if _too_long(option.get(key), OPTION_TEXT_MAX):
                        problems.append(
                            ((*path, "options", k, key), f"Must be {OPTION_TEXT_MAX} or fewer in length.")
                        )
    return problems


def walk_components(
    items: list[dict[str, Any]], path: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every component in a (possibly nested) component tree, with its path."""
    out: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
    for i, comp in enumerate(items):
        if not isinstance(comp, dict):
            continue
        here = (*path, i)
        out.append((here, comp))
        if isinstance(comp.get("components"), list):
            out += walk_components(comp["components"], (*here, "components"))
        if isinstance(comp.get("component"), dict):  # Label (type 18) wraps one component
            out += walk_components([comp["component"]], (*here, "component"))
        if isinstance(comp.get("accessory"), dict):
            out += walk_components([comp["accessory"]], (*here, "accessory"))
    return out


def check_modal(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if _too_long(data.get("title"), MODAL_TITLE_MAX):
        problems.append((("data", "title"), f"Must be {MODAL_TITLE_MAX} or fewer in length."))
    rows = data.get("components") or []
    if not 1 <= len(rows) <= MODAL_ROWS_MAX:
        problems.append((("data", "components"), f"A modal needs 1 to {MODAL_ROWS_MAX} components."))
    for path, comp in walk_components(rows, ("data", "components")):
        if comp.get("type") == 4:
            if _too_long(comp.get("label"), TEXT_INPUT_LABEL_MAX):
                problems.append(((*path, "label"), f"Must be {TEXT_INPUT_LABEL_MAX} or fewer in length."))
            if _too_long(comp.get("value"), TEXT_INPUT_VALUE_MAX):
                problems.append(((*path, "value"), f"Must be {TEXT_INPUT_VALUE_MAX} or fewer in length."))
        if comp.get("type") == 18 and _too_long(comp.get("label"), TEXT_INPUT_LABEL_MAX):
            problems.append(((*path, "label"), f"Must be {TEXT_INPUT_LABEL_MAX} or fewer in length."))
    return problems


def check_autocomplete(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    choices = data.get("choices") or []
    if len(choices) > AUTOCOMPLETE_CHOICES_MAX:
        problems.append(
            (("data", "choices"), f"Must be {AUTOCOMPLETE_CHOICES_MAX} or fewer in length.")
        )
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= OPTION_TEXT_MAX:
            problems.append((("data", "choices", i, "name"), "Must be between 1 and 100 in length."))
        if _too_long(choice.get("value"), OPTION_TEXT_MAX):
            problems.append((("data", "choices", i, "value"), "Must be 100 or fewer in length."))
    return problems


def check_commands(commands: list[dict[str, Any]]) -> list[Problem]:
    """Bulk overwrite of application commands: names, descriptions, options, choices, sizes."""
    problems: list[Problem] = []
    names: set[tuple[int, str]] = set()
    for i, command in enumerate(commands):
        ctype = command.get("type", 1)
        key = (ctype, command.get("name", ""))
        if key in names:
            problems.append(((i, "name"), "Application command names must be unique"))
        names.add(key)
        problems += _check_command(command, (i,), chat_input=ctype == 1)
        if ctype == 1 and _command_size(command) > COMMAND_TOTAL_CHARS_MAX:
            problems.append(((i,), f"Command exceeds maximum size ({COMMAND_TOTAL_CHARS_MAX})"))
    if sum(1 for c in commands if c.get("type", 1) == 1) > 100:
        problems.append(((), "Maximum number of application commands reached (100)"))
    return problems


def _check_command(node: dict[str, Any], path: tuple[str | int, ...], *, chat_input: bool) -> list[Problem]:
    problems: list[Problem] = []
    name = node.get("name", "")
    if chat_input:
        if not COMMAND_NAME_RE.match(name) or name != name.lower():
            problems.append(((*path, "name"), "Command name is invalid (lowercase, 1-32 characters)"))
        description = node.get("description", "")
        if not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
            problems.append(((*path, "description"), "Must be between 1 and 100 in length."))
    elif not 1 <= len(name) <= 32:
        problems.append(((*path, "name"), "Must be between 1 and 32 in length."))
    options = node.get("options") or []
    if len(options) > COMMAND_OPTIONS_MAX:
        problems.append(((*path, "options"), f"Must be {COMMAND_OPTIONS_MAX} or fewer in length."))
    seen: set[str] = set()
    optional_seen = False
    for j, option in enumerate(options):
        where = (*path, "options", j)
        if option.get("name") in seen:
            problems.append(((*where, "name"), "Option names must be unique"))
        seen.add(option.get("name"))
        if option.get("type") in (1, 2):
            problems += _check_command(option, where, chat_input=True)
            continue
        problems += _check_command({**option, "options": []}, where, chat_input=True)
        if option.get("required"):
            if optional_seen:
                problems.append(((*where, "required"),
                                 "Required options must be placed before non-required options"))
        else:
            optional_seen = True
        choices = option.get("choices") or []
        if len(choices) > COMMAND_CHOICES_MAX:
            problems.append(((*where, "choices"), f"Must be {COMMAND_CHOICES_MAX} or fewer in length."))
        if choices and option.get("autocomplete"):
            problems.append(((*where, "autocomplete"), "Autocomplete cannot be used with choices"))
        for k, choice in enumerate(choices):
            if not 1 <= len(str(choice.get("name", ""))) <= OPTION_TEXT_MAX:
                problems.append(((*where, "choices", k, "name"), "Must be between 1 and 100 in length."))
    return problems


def _command_size(node: dict[str, Any]) -> int:
    size = len(node.get("name", "")) + len(node.get("description", ""))
    for option in node.get("options") or []:
        size += _command_size(option)
        for choice in option.get("choices") or []:
            size += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    return size
