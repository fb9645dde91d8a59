"""The spec check (recipe A) and the Discord limits the spec does not catch."""

from __future__ import annotations

import io

import aiohttp

from localdiscord import limits
from localdiscord.spec import SpecMissing, load_validator, optional_validator, spec_status

CALLBACK = "/interactions/1/tok/callback"


def paths(problems):
    return [p for p, _ in problems]


def test_spec_accepts_real_shapes_and_names_the_bad_field():
    # With Discord's OpenAPI spec (../shared or LOCALDISCORD_SPEC) this proves the optional layer
    # catches a bad payload. Without it (a clone with nothing beside it) it proves the layer is
    # off and says how to turn it on, instead of skipping.
    try:
        spec = load_validator()
    except SpecMissing as missing:
        assert optional_validator() is None
        assert "LOCALDISCORD_SPEC" in str(missing) and "LOCALDISCORD_SPEC" in spec_status()
        return
    button = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}
    reply = {"type": 4, "data": {"content": "hi", "components": [button]}}
    assert spec.validate("POST", CALLBACK, reply) == []
    modal = {"type": 9, "data": {"custom_id": "m", "title": "T", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1, "label": "A"}]}]}}
    assert spec.validate("POST", CALLBACK, modal) == []
    assert spec.validate("POST", CALLBACK, {"type": 99}) != []
    [error] = spec.validate("POST", "/channels/1/messages", {"content": 5})
    assert error.path == ("content",)
    # Integer snowflakes (discord.py's allowed_mentions) are accepted, as Discord does.
    body = {"content": "x", "allowed_mentions": {"parse": [], "users": [123]}}
    assert spec.validate("POST", "/channels/1/messages", body) == []
    # @original beats {message_id} when matching templates.
    assert spec.template_for("/webhooks/1/t/messages/@original").endswith("@original")


def test_message_limits():
    assert paths(limits.check_message({"content": "x" * 2001}, creating=True)) == [("content",)]
    assert limits.check_message({"content": "x" * 2000}, creating=True) == []
    assert limits.check_message({}, creating=True) == [((), "Cannot send an empty message")]
    assert limits.check_message({}, creating=True, has_files=True) == []
    big = [{"title": "t" * 257, "description": "d" * 4097, "fields": [{"name": "n", "value": "v"}] * 26}]
    found = paths(limits.check_message({"embeds": big}, creating=True))
    assert ("embeds", 0, "title") in found and ("embeds", 0, "description") in found
    assert ("embeds", 0, "fields") in found
    total = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    assert any("6000" in m for _, m in limits.check_message({"embeds": total}, creating=True))


def test_component_limits():
    def row(*items):
        return {"type": 1, "components": list(items)}

    def button(i, label="ok"):
        return {"type": 2, "style": 1, "label": label, "custom_id": f"b{i}"}

    assert paths(limits.check_components([row(button(i)) for i in range(6)])) == [("components",)]
    assert paths(limits.check_components([row(*[button(i) for i in range(6)])])) != []
    long_label = limits.check_components([row(button(0, "x" * 81))])
    assert paths(long_label) == [("components", 0, "components", 0, "label")]
    duplicate = [row(button(0), button(0))]
    assert any("duplicated" in m for _, m in limits.check_components(duplicate))
    options = [{"label": str(i), "value": str(i)} for i in range(26)]
    select = {"type": 3, "custom_id": "s", "options": options}
    assert paths(limits.check_components([row(select)])) == [("components", 0, "components", 0, "options")]


def test_command_limits():
    ok = {"name": "resources", "description": "Find resources", "options": [
        {"type": 1, "name": "search", "description": "Search", "options": [
            {"type": 3, "name": "query", "description": "Words", "required": True}]}]}
    assert limits.check_commands([ok]) == []
    bad = {"name": "Resources", "description": "d" * 101, "options": [
        {"type": 3, "name": "a", "description": "x"},
        {"type": 3, "name": "b", "description": "x", "required": True},
    ] + [{"type": 3, "name": f"o{i}", "description": "x"} for i in range(24)]}
    found = paths(limits.check_commands([bad]))
    assert (0, "name") in found and (0, "description") in found and (0, "options") in found
    assert (0, "options", 1, "required") in found
    choices = {"name": "pick", "description": "p", "options": [{"type": 3, "name": "c", "description": "c",
               "choices": [{"name": str(i), "value": str(i)} for i in range(26)]}]}
    assert (0, "options", 0, "choices") in paths(limits.check_commands([choices]))
    assert paths(limits.check_commands([ok, ok])) == [(1, "name")]


def test_modal_and_autocomplete_limits():
    modal = {"title": "t" * 46, "custom_id": "m", "components": []}
    assert paths(limits.check_modal(modal)) == [("data", "title"), ("data", "components")]
    choices = {"choices": [{"name": "n", "value": "v"}] * 26}
    assert paths(limits.check_autocomplete(choices)) == [("data", "choices")]


def test_without_the_spec_the_layer_is_off_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("LOCALDISCORD_SPEC", str(tmp_path / "nowhere.json"))
    status = spec_status()
    assert status.startswith("request validation against Discord's OpenAPI spec is off")
    assert "nowhere.json" in status and "limits are still checked" in status
    assert "\n" not in status
    given = tmp_path / "openapi.json"
    given.write_text("{}")
    monkeypatch.setenv("LOCALDISCORD_SPEC", str(given))
    assert spec_status() == f"request validation against Discord's OpenAPI spec is on ({given})"


def test_file_limits():
    png = ("files[0]", "chart.png", b"\x89PNG", "image/png")
    assert limits.check_files({"attachments": [{"id": 0, "filename": "chart.png"}]}, [png]) == []
    eleven = [(f"files[{i}]", f"f{i}.txt", b"x", "text/plain") for i in range(11)]
    assert paths(limits.check_files({}, eleven)) == [("files",)]
    big = ("files[0]", "big.bin", b"x" * (limits.FILE_SIZE_MAX + 1), "application/octet-stream")
    assert paths(limits.check_files({}, [big])) == [("files", 0)]
    assert paths(limits.check_files({}, [("file", "a.txt", b"x", "text/plain")])) == [("files", 0)]
    callback = {"type": 4, "data": {"attachments": [
        {"id": 1, "filename": "missing.png"}, {"id": 0, "description": "d" * 1025}]}}
    assert paths(limits.check_files(callback, [png])) == [
        ("attachments", 0, "id"), ("attachments", 1, "description")]
    kept = {"attachments": [{"id": 1234567890123456789}, {"id": 0}]}  # an existing attachment
    assert limits.check_files(kept, [png]) == []


async def test_an_oversized_upload_is_refused_and_recorded(env):
    cid = env.world.channels["general"].id
    form = aiohttp.FormData()
    form.add_field("payload_json", '{"content": "big"}', content_type="application/json")
    form.add_field("files[0]", io.BytesIO(b"x" * (limits.FILE_SIZE_MAX + 1)), filename="big.bin")
    async with aiohttp.ClientSession() as session, session.post(
        f"{env.server.api_base}/channels/{cid}/messages", data=form,
        headers={"Authorization": "Bot x"},
    ) as response:
        assert response.status == 400
        assert "files" in (await response.json())["errors"]
    assert [v.kind for v in env.server.violations] == ["limit"]
    env.server.clear_problems()
