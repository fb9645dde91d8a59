"""The REST routes (under /api/v10) the bot uses, with Discord's answers and echoes: identity,
application commands, interaction callbacks and webhooks here; channels/threads/DMs in
``routes_channels``, guilds/roles/members/scheduled events in ``routes_guilds``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from localdiscord import limits
from localdiscord.http import Call, DiscordError, RouteTable, json_response, no_content
from localdiscord.model import DiscordModel
from localdiscord.state import EPHEMERAL, LOADING, Interaction

# Which callback types each interaction type accepts (1 PONG is accepted as a bare ack).
ALLOWED_CALLBACKS = {2: {1, 4, 5, 9}, 3: {1, 4, 5, 6, 7, 9}, 4: {8}, 5: {1, 4, 5, 6, 7}}

routes = RouteTable()


# ------------------------------------------------------------- identity
@routes.get("/users/@me")
async def me(s: DiscordModel, call: Call) -> web.Response:
    return json_response(s.bot_user)


@routes.get("/users/{uid}")
async def get_user(s: DiscordModel, call: Call) -> web.Response:
    user = s.users.get(int(call.params["uid"]))
    if user is None:
        raise DiscordError(404, 10013, "Unknown User")
    return json_response(user)


@routes.get("/oauth2/applications/@me", "/applications/@me")
async def application(s: DiscordModel, call: Call) -> web.Response:
    owner = next((g["owner_id"] for g in s.guilds.values()), str(s.app_id))
    return json_response({
        "id": str(s.app_id), "name": s.bot_user["global_name"], "icon": None,
        "description": "", "summary": "", "type": None, "bot_public": True,
        "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
        "owner": s.users[int(owner)], "team": None, "bot": s.bot_user,
        "rpc_origins": [], "tags": [], "approximate_guild_count": len(s.guilds),
    })



@routes.get("/gateway")
async def gateway(s: DiscordModel, call: Call) -> web.Response:
    return json_response({"url": s.gateway_url})


@routes.get("/gateway/bot")
async def gateway_bot(s: DiscordModel, call: Call) -> web.Response:
    return json_response({"url": s.gateway_url, "shards": s.recommended_shards,
                          "session_start_limit": {"total": 1000, "remaining": 1000,
                                                  "reset_after": 0,
                                                  "max_concurrency": s.max_concurrency}})


# ------------------------------------------------------------- application commands
def store_commands(s: DiscordModel, call: Call, guild_id: int | None) -> web.Response:
    body = call.body if isinstance(call.body, list) else []
    error = s.limit_error(call, limits.check_commands(body))
    if error is not None:
        return error
    old = s.guild_commands.get(guild_id, []) if guild_id else s.global_commands
    old_ids = {(c.get("type", 1), c["name"]): c["id"] for c in old}
    stored = []
    for command in body:
        ctype = command.get("type", 1)
        stored.append({
            **command, "type": ctype,
            "id": old_ids.get((ctype, command["name"])) or str(s.ids.next()),
            "application_id": str(s.app_id), "version": str(s.ids.next()),
            "default_member_permissions": command.get("default_member_permissions"),
            "nsfw": command.get("nsfw", False), "description": command.get("description", ""),
            **({"guild_id": str(guild_id)} if guild_id else {}),
        })
    if guild_id:
        s.guild_commands[guild_id] = stored
    else:
        s.global_commands = stored
    s.command_syncs += 1
    return json_response(stored)


@routes.put("/applications/{app}/commands")
async def put_global(s: DiscordModel, call: Call) -> web.Response:
    return store_commands(s, call, None)


@routes.put("/applications/{app}/guilds/{gid}/commands")
async def put_guild(s: DiscordModel, call: Call) -> web.Response:
    return store_commands(s, call, int(call.params["gid"]))


@routes.get("/applications/{app}/commands")
async def get_global(s: DiscordModel, call: Call) -> web.Response:
    return json_response(s.global_commands)


@routes.get("/applications/{app}/guilds/{gid}/commands")
async def get_guild_cmds(s: DiscordModel, call: Call) -> web.Response:
    return json_response(s.guild_commands.get(int(call.params["gid"]), []))


# ------------------------------------------------------------- interaction callback
@routes.post("/interactions/{iid}/{token}/callback")
async def callback(s: DiscordModel, call: Call) -> web.Response:
    record = s.interactions.get(int(call.params["iid"]))
    body = call.body or {}
    if record is None or record.token != call.params["token"]:
        return s.violation("interaction", call.method, call.path,
                            [((), "unknown interaction id or token")], body,
                            status=404, code=10062, message="Unknown interaction")
    elapsed = s.monotonic() - record.created
    if record.responded:
        return s.violation("interaction", call.method, call.path,
                            [((), "the interaction was already acknowledged")], body,
                            code=40060, message="Interaction has already been acknowledged.",
                            interaction=record)
    if elapsed > s.interaction_deadline:
        return s.violation("interaction", call.method, call.path,
                            [((), f"initial response after {elapsed:.2f} s "
                                  f"(limit {s.interaction_deadline:g} s)")], body,
                            status=404, code=10062, message="Unknown interaction",
                            interaction=record)
    ctype = body.get("type")
    if ctype not in ALLOWED_CALLBACKS[record.type]:
        return s.violation("interaction", call.method, call.path,
                            [(("type",), f"callback type {ctype} is not valid for "
                                         f"interaction type {record.type}")], body,
                            code=50035, interaction=record)
    data = body.get("data") or {}
    problems: list = []
    if ctype in (4, 7):
        msg_problems = limits.check_message(data, creating=ctype == 4, has_files=bool(call.files))
        problems = [(("data", *p), m) for p, m in msg_problems]
    elif ctype == 9:
        problems = limits.check_modal(data)
    elif ctype == 8:
        problems = limits.check_autocomplete(data)
    error = s.limit_error(call, problems, record)
    if error is not None:
        return error
    message: dict[str, Any] | None = None
    if ctype == 4:
        message = s.create_message(
            record.channel_id, data, call.files, interaction=record,
            ephemeral=bool((data.get("flags") or 0) & EPHEMERAL),
            message_type=20 if record.type == 2 else 19 if record.type == 3 else 0,
        )
        record.original_id = int(message["id"])
    elif ctype == 5:
        ephemeral = bool((data.get("flags") or 0) & EPHEMERAL)
        # A "thinking..." message; for a component too, the reply comes as a new message.
        message = s.create_message(record.channel_id, {"content": ""}, interaction=record,
                                   ephemeral=ephemeral, extra_flags=LOADING,
                                   message_type=20 if record.type == 2 else 0)
        record.original_id = int(message["id"])
    elif ctype in (6, 1) and record.message_id is not None:
        record.original_id = record.message_id
    elif ctype == 7:
        if record.message_id is None:
            return s.violation("interaction", call.method, call.path,
                                [(("type",), "UPDATE_MESSAGE needs a component message")],
                                body, interaction=record)
        record.original_id = record.message_id
        message = s.edit_message(record.message_id, data, call.files)
    elif ctype == 8:
        record.choices = data.get("choices") or []
    elif ctype == 9:
        record.modal = data
    record.response_type = ctype
    record.responded_at = s.monotonic()
    record.answered_from = call.client_port
    s.notify()
    if "with_response" not in call.query:
        return no_content()
    info: dict[str, Any] = {"id": str(record.id), "type": record.type}
    resource: dict[str, Any] = {"type": ctype}
    if message is not None:
        info.update({"response_message_id": message["id"],
                     "response_message_loading": ctype == 5,
                     "response_message_ephemeral": bool(message["flags"] & EPHEMERAL)})
        resource["message"] = message
    return json_response({"interaction": info, "resource": resource})


# ------------------------------------------------------------- webhooks (followups)
def own_message(s: DiscordModel, record: Interaction, mid_param: str) -> int:
    mid = record.original_id if mid_param == "@original" else int(mid_param)
    if mid is None or mid not in s.messages or (
        mid != record.original_id and mid not in record.followup_ids
    ):
        raise DiscordError(404, 10008, "Unknown Message")
    return mid


@routes.post("/webhooks/{app}/{token}")
async def followup(s: DiscordModel, call: Call) -> web.Response:
    record = s.interaction_for_webhook(call)
    body = call.body or {}
    error = s.limit_error(call, limits.check_message(body, creating=True, has_files=bool(call.files)),
                          record)
    if error is not None:
        return error
    original = s.messages.get(record.original_id or 0)
    if (record.response_type == 5 and not record.original_edited and original is not None
            and original["flags"] & LOADING):
        # Discord: the first followup after a deferral replaces the "thinking..." message,
        # keeping the deferral's ephemerality.
        body = {k: v for k, v in body.items() if k != "flags"}
        message = s.edit_message(int(original["id"]), body, call.files)
        message["edited_timestamp"] = None
        record.original_edited = True
    else:
        message = s.create_message(record.channel_id, body, call.files, interaction=record,
                                   ephemeral=bool((body.get("flags") or 0) & EPHEMERAL))
        record.followup_ids.append(int(message["id"]))
    if call.query.get("wait") in ("true", "1", "True"):
        return json_response(message)
    return no_content()


@routes.get("/webhooks/{app}/{token}/messages/{mid}")
async def get_webhook_message(s: DiscordModel, call: Call) -> web.Response:
    record = s.interaction_for_webhook(call)
    return json_response(s.messages[own_message(s, record, call.params["mid"])])


@routes.patch("/webhooks/{app}/{token}/messages/{mid}")
async def edit_webhook_message(s: DiscordModel, call: Call) -> web.Response:
    record = s.interaction_for_webhook(call)
    mid = own_message(s, record, call.params["mid"])
    body = call.body or {}
    error = s.limit_error(call, limits.check_message(body, creating=False), record)
    if error is not None:
        return error
    message = s.edit_message(mid, body, call.files)
    if mid == record.original_id:
        record.original_edited = True
    return json_response(message)


@routes.delete("/webhooks/{app}/{token}/messages/{mid}")
async def delete_webhook_message(s: DiscordModel, call: Call) -> web.Response:
    record = s.interaction_for_webhook(call)
    s.delete_message(own_message(s, record, call.params["mid"]))
    return no_content()
