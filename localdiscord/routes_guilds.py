"""REST routes for guilds, roles, members and guild scheduled events."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from localdiscord.http import Call, DiscordError, RouteTable, json_response, no_content, parse_iso
from localdiscord.model import DiscordModel

THREAD_TYPES = (10, 11, 12)

routes = RouteTable()


# ------------------------------------------------------------- guild, roles, members
def guild_or_404(s: DiscordModel, gid: str) -> dict[str, Any]:
    try:
        return s.guilds[int(gid)]
    except (KeyError, ValueError):
        raise DiscordError(404, 10004, "Unknown Guild") from None


def member_or_404(s: DiscordModel, gid: str, uid: str) -> dict[str, Any]:
    guild = guild_or_404(s, gid)
    if int(uid) not in guild["_members"]:
        raise DiscordError(404, 10007, "Unknown Member")
    return guild


@routes.get("/guilds/{gid}")
async def get_guild(s: DiscordModel, call: Call) -> web.Response:
    guild = guild_or_404(s, call.params["gid"])
    out = {k: v for k, v in guild.items() if not k.startswith("_")}
    out["approximate_member_count"] = len(guild["_members"])
    return json_response(out)


@routes.get("/guilds/{gid}/channels")
async def guild_channels(s: DiscordModel, call: Call) -> web.Response:
    gid = guild_or_404(s, call.params["gid"])["id"]
    return json_response([c for c in s.channels.values() if c.get("guild_id") == gid
                          and c["type"] not in THREAD_TYPES])


@routes.post("/guilds/{gid}/channels")
async def create_channel(s: DiscordModel, call: Call) -> web.Response:
    gid = int(guild_or_404(s, call.params["gid"])["id"])
    body = dict(call.body or {})
    channel = s.add_channel(gid, body.pop("name"), body.pop("type", None) or 0)
    channel.update({k: v for k, v in body.items() if v is not None})
    s.dispatch("CHANNEL_CREATE", channel)
    return json_response(channel)


@routes.get("/guilds/{gid}/roles")
async def roles(s: DiscordModel, call: Call) -> web.Response:
    return json_response(guild_or_404(s, call.params["gid"])["roles"])


@routes.post("/guilds/{gid}/roles")
async def create_role(s: DiscordModel, call: Call) -> web.Response:
    gid = int(guild_or_404(s, call.params["gid"])["id"])
    body = dict(call.body or {})
    role = s.add_role(gid, body.pop("name", None) or "new role", int(body.pop("permissions", 0) or 0),
                      **{k: v for k, v in body.items() if v is not None})
    s.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(gid), "role": role})
    return json_response(role)


@routes.patch("/guilds/{gid}/roles/{rid}")
async def edit_role(s: DiscordModel, call: Call) -> web.Response:
    guild = guild_or_404(s, call.params["gid"])
    role = next((x for x in guild["roles"] if x["id"] == call.params["rid"]), None)
    if role is None:
        raise DiscordError(404, 10011, "Unknown Role")
    role.update({k: (str(v) if k == "permissions" else v) for k, v in (call.body or {}).items()})
    s.dispatch("GUILD_ROLE_UPDATE", {"guild_id": guild["id"], "role": role})
    return json_response(role)


@routes.delete("/guilds/{gid}/roles/{rid}")
async def delete_role(s: DiscordModel, call: Call) -> web.Response:
    guild = guild_or_404(s, call.params["gid"])
    guild["roles"] = [x for x in guild["roles"] if x["id"] != call.params["rid"]]
    for member in guild["_members"].values():
        member["roles"] = [x for x in member["roles"] if x != call.params["rid"]]
    s.dispatch("GUILD_ROLE_DELETE", {"guild_id": guild["id"], "role_id": call.params["rid"]})
    return no_content()


@routes.get("/guilds/{gid}/members/{uid}")
async def get_member(s: DiscordModel, call: Call) -> web.Response:
    member_or_404(s, call.params["gid"], call.params["uid"])
    return json_response(s.member_payload(int(call.params["gid"]), int(call.params["uid"])))


@routes.get("/guilds/{gid}/members")
async def list_members(s: DiscordModel, call: Call) -> web.Response:
    guild = guild_or_404(s, call.params["gid"])
    after = int(call.query.get("after", 0))
    uids = sorted(u for u in guild["_members"] if u > after)[: int(call.query.get("limit", 1))]
    return json_response([s.member_payload(int(guild["id"]), u) for u in uids])


@routes.get("/guilds/{gid}/members/search")
async def search_members(s: DiscordModel, call: Call) -> web.Response:
    guild = guild_or_404(s, call.params["gid"])
    query = call.query.get("query", "").lower()
    uids = [u for u in guild["_members"] if s.users[u]["username"].lower().startswith(query)]
    return json_response([s.member_payload(int(guild["id"]), u) for u in uids])


def member_update(s: DiscordModel, gid: int, uid: int) -> None:
    s.dispatch("GUILD_MEMBER_UPDATE", {"guild_id": str(gid), **s.member_payload(gid, uid)})


@routes.put("/guilds/{gid}/members/{uid}/roles/{rid}")
async def add_role(s: DiscordModel, call: Call) -> web.Response:
    guild = member_or_404(s, call.params["gid"], call.params["uid"])
    rid = call.params["rid"]
    if rid not in {x["id"] for x in guild["roles"]}:
        raise DiscordError(404, 10011, "Unknown Role")
    member = guild["_members"][int(call.params["uid"])]
    if rid not in member["roles"]:
        member["roles"].append(rid)
        member_update(s, int(guild["id"]), int(call.params["uid"]))
    return no_content()


@routes.delete("/guilds/{gid}/members/{uid}/roles/{rid}")
async def remove_role(s: DiscordModel, call: Call) -> web.Response:
    guild = member_or_404(s, call.params["gid"], call.params["uid"])
    member = guild["_members"][int(call.params["uid"])]
    if call.params["rid"] in member["roles"]:
        member["roles"].remove(call.params["rid"])
        member_update(s, int(guild["id"]), int(call.params["uid"]))
    return no_content()


@routes.patch("/guilds/{gid}/members/{uid}")
async def edit_member(s: DiscordModel, call: Call) -> web.Response:
    guild = member_or_404(s, call.params["gid"], call.params["uid"])
    member = guild["_members"][int(call.params["uid"])]
    body = call.body or {}
    if "roles" in body:
        member["roles"] = [str(x) for x in body["roles"] or []]
    if "nick" in body:
        member["nick"] = body["nick"]
    member_update(s, int(guild["id"]), int(call.params["uid"]))
    return json_response(s.member_payload(int(guild["id"]), int(call.params["uid"])))


# ------------------------------------------------------------- scheduled events
@routes.get("/guilds/{gid}/scheduled-events")
async def list_events(s: DiscordModel, call: Call) -> web.Response:
    gid = guild_or_404(s, call.params["gid"])["id"]
    return json_response([e for e in s.events.values() if e["guild_id"] == gid])


def event_problems(s: DiscordModel, body: dict[str, Any], creating: bool) -> list:
    problems = []
    if body.get("entity_type") == 3 or (not creating and body.get("entity_type") is None):
        if creating and not (body.get("entity_metadata") or {}).get("location"):
            problems.append((("entity_metadata", "location"), "This field is required"))
        if creating and not body.get("scheduled_end_time"):
            problems.append((("scheduled_end_time",), "This field is required"))
    if body.get("entity_type") in (1, 2) and not body.get("channel_id"):
        problems.append((("channel_id",), "This field is required"))
    start = body.get("scheduled_start_time")
    if creating and start and parse_iso(start) < s.now():
        problems.append((("scheduled_start_time",), "Cannot schedule event in the past."))
    end = body.get("scheduled_end_time")
    if start and end and parse_iso(end) <= parse_iso(start):
        problems.append((("scheduled_end_time",), "End time must be after the start time."))
    return problems


@routes.post("/guilds/{gid}/scheduled-events")
async def create_event(s: DiscordModel, call: Call) -> web.Response:
    gid = guild_or_404(s, call.params["gid"])["id"]
    body = call.body or {}
    error = s.limit_error(call, event_problems(s, body, creating=True))
    if error is not None:
        return error
    eid = s.ids.next()
    event = {
        "id": str(eid), "guild_id": gid, "channel_id": body.get("channel_id"),
        "creator_id": str(s.app_id), "creator": s.bot_user, "name": body["name"],
        "description": body.get("description"), "image": None,
        "scheduled_start_time": body["scheduled_start_time"],
        "scheduled_end_time": body.get("scheduled_end_time"),
        "privacy_level": body.get("privacy_level", 2), "status": 1,
        "entity_type": body["entity_type"], "entity_id": None,
        "entity_metadata": body.get("entity_metadata"), "user_count": 0,
        "recurrence_rule": body.get("recurrence_rule"),
    }
    s.events[eid] = event
    s.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event)
    return json_response(event)


def event_or_404(s: DiscordModel, call: Call) -> dict[str, Any]:
    event = s.events.get(int(call.params["eid"]))
    if event is None or event["guild_id"] != call.params["gid"]:
        raise DiscordError(404, 10070, "Unknown Guild Scheduled Event")
    return event


@routes.get("/guilds/{gid}/scheduled-events/{eid}")
async def get_event(s: DiscordModel, call: Call) -> web.Response:
    return json_response(event_or_404(s, call))


@routes.patch("/guilds/{gid}/scheduled-events/{eid}")
async def edit_event(s: DiscordModel, call: Call) -> web.Response:
    event = event_or_404(s, call)
    body = call.body or {}
    error = s.limit_error(call, event_problems(s, {**event, **body, "entity_type": body.get(
        "entity_type", event["entity_type"])}, creating=False))
    if error is not None:
        return error
    event.update({k: v for k, v in body.items()})
    s.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
    return json_response(event)


@routes.delete("/guilds/{gid}/scheduled-events/{eid}")
async def delete_event(s: DiscordModel, call: Call) -> web.Response:
    event = event_or_404(s, call)
    del s.events[int(event["id"])]
    s.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event)
    return no_content()


@routes.get("/guilds/{gid}/scheduled-events/{eid}/users")
async def event_users(s: DiscordModel, call: Call) -> web.Response:
    event_or_404(s, call)
    return json_response([])
