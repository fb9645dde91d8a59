"""REST routes for channel messages, pins, reactions, channels, threads and DMs."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from localdiscord import limits
from localdiscord.http import Call, DiscordError, RouteTable, iso, json_response, no_content
from localdiscord.model import DiscordModel

THREAD_TYPES = (10, 11, 12)
FORUM_TYPES = (15, 16)
NONCE_WINDOW = 5 * 60  # seconds a nonce deduplicates a message with enforce_nonce

routes = RouteTable()


# ------------------------------------------------------------- channel messages
@routes.post("/channels/{cid}/messages")
async def post_message(s: DiscordModel, call: Call) -> web.Response:
    channel = s.channel_or_404(call.params["cid"])
    if channel["type"] in FORUM_TYPES or channel["type"] == 4:
        raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
    if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in s.dm_closed:
        raise DiscordError(403, 50007, "Cannot send messages to this user")
    if channel["type"] in THREAD_TYPES and channel["thread_metadata"]["locked"]:
        raise DiscordError(403, 50083, "Thread is locked")
    body = call.body or {}
    error = s.limit_error(call, limits.check_message(body, creating=True, has_files=bool(call.files)))
    if error is not None:
        return error
    cid = int(channel["id"])
    nonce = body.get("nonce")
    if nonce is not None and body.get("enforce_nonce"):
        key = (cid, s.app_id, str(nonce))
        seen = s.nonces.get(key)
        if seen and s.now() - seen[1] < NONCE_WINDOW and seen[0] in s.messages:
            return json_response(s.messages[seen[0]])
    if channel["type"] in THREAD_TYPES and channel["thread_metadata"]["archived"]:
        channel["thread_metadata"]["archived"] = False  # sending unarchives, like Discord
    message = s.create_message(cid, body, call.files)
    if nonce is not None and body.get("enforce_nonce"):
        s.nonces[(cid, s.app_id, str(nonce))] = (int(message["id"]), s.now())
    return json_response(message)


@routes.get("/channels/{cid}/messages")
async def list_messages(s: DiscordModel, call: Call) -> web.Response:
    channel = s.channel_or_404(call.params["cid"])
    ids = list(s.history.get(int(channel["id"]), []))
    q = call.query
    if "before" in q:
        ids = [i for i in ids if i < int(q["before"])]
    if "after" in q:
        ids = [i for i in ids if i > int(q["after"])]
        ids = ids[: int(q.get("limit", 50))]
        return json_response([s.messages[i] for i in reversed(ids)])
    ids = ids[-int(q.get("limit", 50)):]
    return json_response([s.messages[i] for i in reversed(ids)])


@routes.get("/channels/{cid}/messages/{mid}")
async def get_message(s: DiscordModel, call: Call) -> web.Response:
    return json_response(s.message_or_404(call.params["cid"], call.params["mid"]))


@routes.patch("/channels/{cid}/messages/{mid}")
async def patch_message(s: DiscordModel, call: Call) -> web.Response:
    message = s.message_or_404(call.params["cid"], call.params["mid"])
    if message["author"]["id"] != str(s.app_id):
        raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
    body = call.body or {}
    error = s.limit_error(call, limits.check_message(body, creating=False))
    if error is not None:
        return error
    return json_response(s.edit_message(int(message["id"]), body, call.files))


@routes.delete("/channels/{cid}/messages/{mid}")
async def delete_message(s: DiscordModel, call: Call) -> web.Response:
    message = s.message_or_404(call.params["cid"], call.params["mid"])
    s.delete_message(int(message["id"]))
    return no_content()


@routes.post("/channels/{cid}/typing")
async def typing(s: DiscordModel, call: Call) -> web.Response:
    s.channel_or_404(call.params["cid"])
    return no_content()

# pins: both the current (/messages/pins) and the legacy (/pins) routes


def pin(s: DiscordModel, call: Call, on: bool) -> web.Response:
    message = s.message_or_404(call.params["cid"], call.params["mid"])
    cid, mid = int(call.params["cid"]), int(message["id"])
    pins = s.pins.setdefault(cid, [])
    pins[:] = [(m, t) for m, t in pins if m != mid]
    if on:
        pins.append((mid, s.now()))
    message["pinned"] = on
    event = {"channel_id": str(cid), "last_pin_timestamp": iso(s.now()) if pins else None}
    if message.get("guild_id"):
        event["guild_id"] = message["guild_id"]
    s.dispatch("CHANNEL_PINS_UPDATE", event)
    return no_content()


@routes.put("/channels/{cid}/pins/{mid}", "/channels/{cid}/messages/pins/{mid}")
async def pin_message(s: DiscordModel, call: Call) -> web.Response:
    return pin(s, call, True)


@routes.delete("/channels/{cid}/pins/{mid}", "/channels/{cid}/messages/pins/{mid}")
async def unpin_message(s: DiscordModel, call: Call) -> web.Response:
    return pin(s, call, False)



@routes.get("/channels/{cid}/pins")
async def legacy_pins(s: DiscordModel, call: Call) -> web.Response:
    s.channel_or_404(call.params["cid"])
    pins = s.pins.get(int(call.params["cid"]), [])
    return json_response([s.messages[m] for m, _ in reversed(pins) if m in s.messages])


@routes.get("/channels/{cid}/messages/pins")
async def pins_list(s: DiscordModel, call: Call) -> web.Response:
    s.channel_or_404(call.params["cid"])
    pins = s.pins.get(int(call.params["cid"]), [])
    return json_response({"items": [{"pinned_at": iso(t), "message": s.messages[m]}
                                    for m, t in reversed(pins) if m in s.messages],
                          "has_more": False})


@routes.put("/channels/{cid}/messages/{mid}/reactions/{emoji}/@me")
async def react(s: DiscordModel, call: Call) -> web.Response:
    message = s.message_or_404(call.params["cid"], call.params["mid"])
    message.setdefault("reactions", []).append(
        {"count": 1, "me": True, "emoji": {"id": None, "name": call.params["emoji"]},
         "burst_colors": [], "count_details": {"burst": 0, "normal": 1}, "me_burst": False,
         "burst_me": False, "burst_count": 0})
    return no_content()


# ------------------------------------------------------------- channels and threads
@routes.get("/channels/{cid}")
async def get_channel(s: DiscordModel, call: Call) -> web.Response:
    return json_response(s.channel_or_404(call.params["cid"]))


@routes.patch("/channels/{cid}")
async def patch_channel(s: DiscordModel, call: Call) -> web.Response:
    channel = s.channel_or_404(call.params["cid"])
    body = call.body or {}
    meta_keys = ("archived", "locked", "auto_archive_duration", "invitable")
    for key, value in body.items():
        if key in meta_keys and "thread_metadata" in channel:
            channel["thread_metadata"][key] = value
            if key == "archived":
                channel["thread_metadata"]["archive_timestamp"] = iso(s.now())
        elif key not in meta_keys:
            channel[key] = value
    event = "THREAD_UPDATE" if channel["type"] in THREAD_TYPES else "CHANNEL_UPDATE"
    s.dispatch(event, channel)
    return json_response(channel)


@routes.delete("/channels/{cid}")
async def delete_channel(s: DiscordModel, call: Call) -> web.Response:
    channel = s.channel_or_404(call.params["cid"])
    del s.channels[int(channel["id"])]
    if channel["type"] in THREAD_TYPES:
        s.dispatch("THREAD_DELETE", {k: channel[k] for k in ("id", "guild_id", "parent_id", "type")})
    else:
        s.dispatch("CHANNEL_DELETE", channel)
    return json_response(channel)


def new_thread(s: DiscordModel, parent: dict[str, Any], name: str, ttype: int, body: dict[str, Any],
               thread_id: int | None = None) -> dict[str, Any]:
    # A thread started from a message (or a forum post) shares the starter message's id.
    thread = s.add_channel(int(parent["guild_id"]), name, ttype, channel_id=thread_id)
    thread.pop("position", None)
    thread.pop("permission_overwrites", None)
    thread.update({
        "parent_id": parent["id"], "owner_id": str(s.app_id), "last_message_id": None,
        "message_count": 0, "member_count": 1, "total_message_sent": 0,
        "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
        "applied_tags": body.get("applied_tags") or [],
        "thread_metadata": {
            "archived": False, "locked": False, "archive_timestamp": iso(s.now()),
            "auto_archive_duration": body.get("auto_archive_duration") or 4320,
            "create_timestamp": iso(s.now()),
            **({"invitable": body.get("invitable", True)} if ttype == 12 else {}),
        },
    })
    s.thread_members[int(thread["id"])] = {s.app_id: s.now()}
    s.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
    return thread


@routes.post("/channels/{cid}/threads")
async def create_thread(s: DiscordModel, call: Call) -> web.Response:
    parent = s.channel_or_404(call.params["cid"])
    body = call.body or {}
    if parent["type"] in FORUM_TYPES:
        starter = body.get("message") or {}
        problems = [(("message", *p), m) for p, m in
                    limits.check_message(starter, creating=True, has_files=bool(call.files))]
        known = {t["id"] for t in parent.get("available_tags", [])}
        problems += [(("applied_tags",), f"Unknown tag {t}") for t in body.get("applied_tags") or []
                     if str(t) not in known]
        error = s.limit_error(call, problems)
        if error is not None:
            return error
        thread_id = s.ids.next()
        thread = new_thread(s, parent, body["name"], 11, body, thread_id)
        message = s.create_message(thread_id, starter, call.files, message_id=thread_id)
        return json_response({**thread, "message": message})
    if parent["type"] not in (0, 5):
        raise DiscordError(400, 50024, "Cannot execute action on this channel type")
    thread = new_thread(s, parent, body["name"], body.get("type") or 12, body)
    return json_response(thread)


@routes.post("/channels/{cid}/messages/{mid}/threads")
async def thread_from_message(s: DiscordModel, call: Call) -> web.Response:
    parent = s.channel_or_404(call.params["cid"])
    message = s.message_or_404(call.params["cid"], call.params["mid"])
    if int(message["id"]) in s.channels:
        raise DiscordError(400, 160004, "A thread has already been created for this message")
    thread = new_thread(s, parent, (call.body or {})["name"], 11 if parent["type"] == 0 else 10,
                        call.body or {}, int(message["id"]))
    message["thread"] = thread
    return json_response(thread)


def thread_member_payload(tid: int, uid: int, joined: float) -> dict[str, Any]:
    return {"id": str(tid), "user_id": str(uid), "join_timestamp": iso(joined), "flags": 0}


def thread_or_404(s: DiscordModel, cid: str) -> dict[str, Any]:
    channel = s.channel_or_404(cid)
    if channel["type"] not in THREAD_TYPES:
        raise DiscordError(400, 50024, "Cannot execute action on this channel type")
    return channel


@routes.put("/channels/{cid}/thread-members/@me", "/channels/{cid}/thread-members/{uid}")
async def add_thread_member(s: DiscordModel, call: Call) -> web.Response:
    thread = thread_or_404(s, call.params["cid"])
    uid = s.app_id if call.params.get("uid", "@me") == "@me" else int(call.params["uid"])
    if uid not in s.users:
        raise DiscordError(404, 10013, "Unknown User")
    if thread["thread_metadata"]["archived"]:
        raise DiscordError(400, 50083, "Thread is archived")
    tid = int(thread["id"])
    members = s.thread_members.setdefault(tid, {})
    if uid not in members:
        members[uid] = s.now()
        thread["member_count"] = len(members)
        added = thread_member_payload(tid, uid, members[uid])
        gid = int(thread["guild_id"])
        if uid in s.guilds[gid]["_members"]:
            added["member"] = s.member_payload(gid, uid)
        s.dispatch("THREAD_MEMBERS_UPDATE", {"id": str(tid), "guild_id": thread["guild_id"],
                                              "member_count": len(members),
                                              "added_members": [added]})
    return no_content()


@routes.delete("/channels/{cid}/thread-members/@me", "/channels/{cid}/thread-members/{uid}")
async def remove_thread_member(s: DiscordModel, call: Call) -> web.Response:
    thread = thread_or_404(s, call.params["cid"])
    uid = s.app_id if call.params.get("uid", "@me") == "@me" else int(call.params["uid"])
    tid = int(thread["id"])
    members = s.thread_members.setdefault(tid, {})
    if members.pop(uid, None) is not None:
        thread["member_count"] = len(members)
        s.dispatch("THREAD_MEMBERS_UPDATE", {"id": str(tid), "guild_id": thread["guild_id"],
                                              "member_count": len(members),
                                              "removed_member_ids": [str(uid)]})
    return no_content()


@routes.get("/channels/{cid}/thread-members")
async def list_thread_members(s: DiscordModel, call: Call) -> web.Response:
    tid = int(thread_or_404(s, call.params["cid"])["id"])
    return json_response([thread_member_payload(tid, u, t)
                          for u, t in s.thread_members.get(tid, {}).items()])


@routes.get("/channels/{cid}/thread-members/{uid}")
async def get_thread_member(s: DiscordModel, call: Call) -> web.Response:
    tid = int(thread_or_404(s, call.params["cid"])["id"])
    joined = s.thread_members.get(tid, {}).get(int(call.params["uid"]))
    if joined is None:
        raise DiscordError(404, 10007, "Unknown Member")
    return json_response(thread_member_payload(tid, int(call.params["uid"]), joined))


@routes.get("/channels/{cid}/threads/archived/public")
async def archived_threads(s: DiscordModel, call: Call) -> web.Response:
    cid = call.params["cid"]
    threads = [c for c in s.channels.values() if c.get("parent_id") == cid
               and c["type"] in (10, 11) and c["thread_metadata"]["archived"]]
    return json_response({"threads": threads, "members": [], "has_more": False})


@routes.get("/guilds/{gid}/threads/active")
async def active_threads(s: DiscordModel, call: Call) -> web.Response:
    gid = call.params["gid"]
    threads = [c for c in s.channels.values() if c.get("guild_id") == gid
               and c["type"] in THREAD_TYPES and not c["thread_metadata"]["archived"]]
    return json_response({"threads": threads, "members": []})


# ------------------------------------------------------------- DMs
@routes.post("/users/@me/channels")
async def open_dm(s: DiscordModel, call: Call) -> web.Response:
    uid = int((call.body or {}).get("recipient_id", 0))
    if uid not in s.users:
        raise DiscordError(400, 50033, "Invalid Recipients")
    return json_response(s.channels[s.dm_channel(uid)])
