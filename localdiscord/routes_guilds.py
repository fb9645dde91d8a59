"""REST routes for guilds, roles, members and guild scheduled events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from localdiscord.server import (
    Call,
    DiscordError,
    json_response,
    no_content,
)

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord

THREAD_TYPES = (10, 11, 12)


def register(s: LocalDiscord) -> None:
    r = s.route

    # ------------------------------------------------------------- guild, roles, members
    def guild_or_404(gid: str) -> dict[str, Any]:
        try:
            return s.guilds[int(gid)]
        except (KeyError, ValueError):
            raise DiscordError(404, 10004, "Unknown Guild") from None

    def member_or_404(gid: str, uid: str) -> dict[str, Any]:
        guild = guild_or_404(gid)
        if int(uid) not in guild["_members"]:
            raise DiscordError(404, 10007, "Unknown Member")
        return guild

    @r("GET", "/guilds/{gid}")
    async def get_guild(call: Call) -> web.Response:
        guild = guild_or_404(call.params["gid"])
        out = {k: v for k, v in guild.items() if not k.startswith("_")}
        out["approximate_member_count"] = len(guild["_members"])
        return json_response(out)

    @r("GET", "/guilds/{gid}/channels")
    async def guild_channels(call: Call) -> web.Response:
        gid = guild_or_404(call.params["gid"])["id"]
        return json_response([c for c in s.channels.values() if c.get("guild_id") == gid
                              and c["type"] not in THREAD_TYPES])

    @r("POST", "/guilds/{gid}/channels")
    async def create_channel(call: Call) -> web.Response:
        gid = int(guild_or_404(call.params["gid"])["id"])
        body = dict(call.body or {})
        channel = s.add_channel(gid, body.pop("name"), body.pop("type", None) or 0)
        channel.update({k: v for k, v in body.items() if v is not None})
        s.dispatch("CHANNEL_CREATE", channel)
        return json_response(channel)

    @r("GET", "/guilds/{gid}/roles")
    async def roles(call: Call) -> web.Response:
        return json_response(guild_or_404(call.params["gid"])["roles"])

    @r("POST", "/guilds/{gid}/roles")
    async def create_role(call: Call) -> web.Response:
        gid = int(guild_or_404(call.params["gid"])["id"])
        body = dict(call.body or {})
        role = s.add_role(gid, body.pop("name", None) or "new role", int(body.pop("permissions", 0) or 0),
                          **{k: v for k, v in body.items() if v is not None})
        s.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(gid), "role": role})
        return json_response(role)

    @r("PATCH", "/guilds/{gid}/roles/{rid}")
    async def edit_role(call: Call) -> web.Response:
        guild = guild_or_404(call.params["gid"])
        role = next((x for x in guild["roles"] if x["id"] == call.params["rid"]), None)
        if role is None:
            raise DiscordError(404, 10011, "Unknown Role")
        role.update({k: (str(v) if k == "permissions" else v) for k, v in (call.body or {}).items()})
        s.dispatch("GUILD_ROLE_UPDATE", {"guild_id": guild["id"], "role": role})
        return json_response(role)

    @r("DELETE", "/guilds/{gid}/roles/{rid}")
    async def delete_role(call: Call) -> web.Response:
        guild = guild_or_404(call.params["gid"])
        guild["roles"] = [x for x in guild["roles"] if x["id"] != call.params["rid"]]
        for member in guild["_members"].values():
            member["roles"] = [x for x in member["roles"] if x != call.params["rid"]]
        s.dispatch("GUILD_ROLE_DELETE", {"guild_id": guild["id"], "role_id": call.params["rid"]})
        return no_content()

    @r("GET", "/guilds/{gid}/members/{uid}")
    async def get_member(call: Call) -> web.Response:
        member_or_404(call.params["gid"], call.params["uid"])
        return json_response(s.member_payload(int(call.params["gid"]), int(call.params["uid"])))

    @r("GET", "/guilds/{gid}/members")
    async def list_members(call: Call) -> web.Response:
        guild = guild_or_404(call.params["gid"])
        after = int(call.query.get("after", 0))
        uids = sorted(u for u in guild["_members"] if u > after)[: int(call.query.get("limit", 1))]
        return json_response([s.member_payload(int(guild["id"]), u) for u in uids])

    @r("GET", "/guilds/{gid}/members/search")
    async def search_members(call: Call) -> web.Response:
        guild = guild_or_404(call.params["gid"])
        query = call.query.get("query", "").lower()
        uids = [u for u in guild["_members"] if s.users[u]["username"].lower().startswith(query)]
        return json_response([s.member_payload(int(guild["id"]), u) for u in uids])

    def member_update(gid: int, uid: int) -> None:
        s.dispatch("GUILD_MEMBER_UPDATE", {"guild_id": str(gid), **s.member_payload(gid, uid)})

    @r("PUT", "/guilds/{gid}/members/{uid}/roles/{rid}")
    async def add_role(call: Call) -> web.Response:
        guild = member_or_404(call.params["gid"], call.params["uid"])
        rid = call.params["rid"]
        if rid not in {x["id"] for x in guild["roles"]}:
            raise DiscordError(404, 10011, "Unknown Role")
        member = guild["_members"][int(call.params["uid"])]
        if rid not in member["roles"]:
            member["roles"].append(rid)
            member_update(int(guild["id"]), int(call.params["uid"]))
        return no_content()

    @r("DELETE", "/guilds/{gid}/members/{uid}/roles/{rid}")
    async def remove_role(call: Call) -> web.Response:
        guild = member_or_404(call.params["gid"], call.params["uid"])
        member = guild["_members"][int(call.params["uid"])]
        if call.params["rid"] in member["roles"]:
            member["roles"].remove(call.params["rid"])
            member_update(int(guild["id"]), int(call.params["uid"]))
        return no_content()

    @r("PATCH", "/guilds/{gid}/members/{uid}")
    async def edit_member(call: Call) -> web.Response:
        guild = member_or_404(call.params["gid"], call.params["uid"])
        member = guild["_members"][int(call.params["uid"])]
        body = call.body or {}
        if "roles" in body:
            member["roles"] = [str(x) for x in body["roles"] or []]
        if "nick" in body:
            member["nick"] = body["nick"]
        member_update(int(guild["id"]), int(call.params["uid"]))
        return json_response(s.member_payload(int(guild["id"]), int(call.params["uid"])))

    # ------------------------------------------------------------- scheduled events
    @r("GET", "/guilds/{gid}/scheduled-events")
    async def list_events(call: Call) -> web.Response:
        gid = guild_or_404(call.params["gid"])["id"]
        return json_response([e for e in s.events.values() if e["guild_id"] == gid])

    def event_problems(body: dict[str, Any], creating: bool) -> list:
        problems = []
        if body.get("entity_type") == 3 or (not creating and body.get("entity_type") is None):
            if creating and not (body.get("entity_metadata") or {}).get("location"):
                problems.append((("entity_metadata", "location"), "This field is required"))
            if creating and not body.get("scheduled_end_time"):
                problems.append((("scheduled_end_time",), "This field is required"))
        if body.get("entity_type") in (1, 2) and not body.get("channel_id"):
            problems.append((("channel_id",), "This field is required"))
        start = body.get("scheduled_start_time")
        if creating and start and _parse_time(start) < s.now():
            problems.append((("scheduled_start_time",), "Cannot schedule event in the past."))
        end = body.get("scheduled_end_time")
        if start and end and _parse_time(end) <= _parse_time(start):
            problems.append((("scheduled_end_time",), "End time must be after the start time."))
        return problems

    @r("POST", "/guilds/{gid}/scheduled-events")
    async def create_event(call: Call) -> web.Response:
        gid = guild_or_404(call.params["gid"])["id"]
        body = call.body or {}
        error = s.limit_error(call, event_problems(body, creating=True))
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

    def event_or_404(call: Call) -> dict[str, Any]:
        event = s.events.get(int(call.params["eid"]))
        if event is None or event["guild_id"] != call.params["gid"]:
            raise DiscordError(404, 10070, "Unknown Guild Scheduled Event")
        return event

    @r("GET", "/guilds/{gid}/scheduled-events/{eid}")
    async def get_event(call: Call) -> web.Response:
        return json_response(event_or_404(call))

    @r("PATCH", "/guilds/{gid}/scheduled-events/{eid}")
    async def edit_event(call: Call) -> web.Response:
        event = event_or_404(call)
        body = call.body or {}
        error = s.limit_error(call, event_problems({**event, **body, "entity_type": body.get(
            "entity_type", event["entity_type"])}, creating=False))
        if error is not None:
            return error
        event.update({k: v for k, v in body.items()})
        s.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return json_response(event)

    @r("DELETE", "/guilds/{gid}/scheduled-events/{eid}")
    async def delete_event(call: Call) -> web.Response:
        event = event_or_404(call)
        del s.events[int(event["id"])]
        s.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event)
        return no_content()

    @r("GET", "/guilds/{gid}/scheduled-events/{eid}/users")
    async def event_users(call: Call) -> web.Response:
        event_or_404(call)
        return json_response([])


def _parse_time(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
