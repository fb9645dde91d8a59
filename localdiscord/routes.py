"""The REST routes (under /api/v10) the bot uses, with Discord's answers and echoes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from localdiscord import limits
from localdiscord.server import (
    NONCE_WINDOW,
    Call,
    DiscordError,
    iso,
    json_response,
    no_content,
)
from localdiscord.state import EPHEMERAL, LOADING, Interaction

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord

THREAD_TYPES = (10, 11, 12)
FORUM_TYPES = (15, 16)
# Which callback types each interaction type accepts (1 PONG is accepted as a bare ack).
ALLOWED_CALLBACKS = {2: {1, 4, 5, 9}, 3: {1, 4, 5, 6, 7, 9}, 4: {8}, 5: {1, 4, 5, 6, 7}}


def register(s: LocalDiscord) -> None:  # noqa: C901 - one flat table of routes reads best
    r = s.route

    # ------------------------------------------------------------- identity
    @r("GET", "/users/@me")
    async def me(call: Call) -> web.Response:
        return json_response(s.bot_user)

    @r("GET", "/users/{uid}")
    async def get_user(call: Call) -> web.Response:
        user = s.users.get(int(call.params["uid"]))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return json_response(user)

    async def application(call: Call) -> web.Response:
        owner = next((g["owner_id"] for g in s.guilds.values()), str(s.app_id))
        return json_response({
            "id": str(s.app_id), "name": s.bot_user["global_name"], "icon": None,
            "description": "", "summary": "", "type": None, "bot_public": True,
            "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
            "owner": s.users[int(owner)], "team": None, "bot": s.bot_user,
            "rpc_origins": [], "tags": [], "approximate_guild_count": len(s.guilds),
        })

    r("GET", "/oauth2/applications/@me")(application)
    r("GET", "/applications/@me")(application)

    @r("GET", "/gateway")
    async def gateway(call: Call) -> web.Response:
        return json_response({"url": s.gateway_url})

    @r("GET", "/gateway/bot")
    async def gateway_bot(call: Call) -> web.Response:
        return json_response({"url": s.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}})

    # ------------------------------------------------------------- application commands
    def store_commands(call: Call, guild_id: int | None) -> web.Response:
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

    @r("PUT", "/applications/{app}/commands")
    async def put_global(call: Call) -> web.Response:
        return store_commands(call, None)

    @r("PUT", "/applications/{app}/guilds/{gid}/commands")
    async def put_guild(call: Call) -> web.Response:
        return store_commands(call, int(call.params["gid"]))

    @r("GET", "/applications/{app}/commands")
    async def get_global(call: Call) -> web.Response:
        return json_response(s.global_commands)

    @r("GET", "/applications/{app}/guilds/{gid}/commands")
    async def get_guild_cmds(call: Call) -> web.Response:
        return json_response(s.guild_commands.get(int(call.params["gid"]), []))

    # ------------------------------------------------------------- interaction callback
    @r("POST", "/interactions/{iid}/{token}/callback")
    async def callback(call: Call) -> web.Response:
        record = s.interactions.get(int(call.params["iid"]))
        body = call.body or {}
        if record is None or record.token != call.params["token"]:
            return s._violation("interaction", call.method, call.path,
                                [((), "unknown interaction id or token")], body,
                                status=404, code=10062, message="Unknown interaction")
        elapsed = s.monotonic() - record.created
        if record.responded:
            return s._violation("interaction", call.method, call.path,
                                [((), "the interaction was already acknowledged")], body,
                                code=40060, message="Interaction has already been acknowledged.",
                                interaction=record)
        if elapsed > s.interaction_deadline:
            return s._violation("interaction", call.method, call.path,
                                [((), f"initial response after {elapsed:.2f} s "
                                      f"(limit {s.interaction_deadline:g} s)")], body,
                                status=404, code=10062, message="Unknown interaction",
                                interaction=record)
        ctype = body.get("type")
        if ctype not in ALLOWED_CALLBACKS[record.type]:
            return s._violation("interaction", call.method, call.path,
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
            record.deferred_ephemeral = ephemeral
            if record.type in (2, 4) or record.message_id is None:
                message = s.create_message(record.channel_id, {"content": ""}, interaction=record,
                                           ephemeral=ephemeral, extra_flags=LOADING,
                                           message_type=20 if record.type == 2 else 0)
                record.original_id = int(message["id"])
            else:  # deferred reply to a component: the reply comes later as a new message
                message = s.create_message(record.channel_id, {"content": ""}, interaction=record,
                                           ephemeral=ephemeral, extra_flags=LOADING)
                record.original_id = int(message["id"])
        elif ctype in (6, 1) and record.message_id is not None:
            record.original_id = record.message_id
        elif ctype == 7:
            if record.message_id is None:
                return s._violation("interaction", call.method, call.path,
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
    def own_message(record: Interaction, mid_param: str) -> int:
        mid = record.original_id if mid_param == "@original" else int(mid_param)
        if mid is None or mid not in s.messages or (
            mid != record.original_id and mid not in record.followup_ids
        ):
            raise DiscordError(404, 10008, "Unknown Message")
        return mid

    @r("POST", "/webhooks/{app}/{token}")
    async def followup(call: Call) -> web.Response:
        record = s._interaction_for_webhook(call)
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

    @r("GET", "/webhooks/{app}/{token}/messages/{mid}")
    async def get_webhook_message(call: Call) -> web.Response:
        record = s._interaction_for_webhook(call)
        return json_response(s.messages[own_message(record, call.params["mid"])])

    @r("PATCH", "/webhooks/{app}/{token}/messages/{mid}")
    async def edit_webhook_message(call: Call) -> web.Response:
        record = s._interaction_for_webhook(call)
        mid = own_message(record, call.params["mid"])
        body = call.body or {}
        error = s.limit_error(call, limits.check_message(body, creating=False), record)
        if error is not None:
            return error
        message = s.edit_message(mid, body, call.files)
        if mid == record.original_id:
            record.original_edited = True
        return json_response(message)

    @r("DELETE", "/webhooks/{app}/{token}/messages/{mid}")
    async def delete_webhook_message(call: Call) -> web.Response:
        record = s._interaction_for_webhook(call)
        s.delete_message(own_message(record, call.params["mid"]))
        return no_content()

    # ------------------------------------------------------------- channel messages
    @r("POST", "/channels/{cid}/messages")
    async def post_message(call: Call) -> web.Response:
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
            seen = s._nonces.get(key)
            if seen and s.now() - seen[1] < NONCE_WINDOW and seen[0] in s.messages:
                return json_response(s.messages[seen[0]])
        if channel["type"] in THREAD_TYPES and channel["thread_metadata"]["archived"]:
            channel["thread_metadata"]["archived"] = False  # sending unarchives, like Discord
        message = s.create_message(cid, body, call.files)
        if nonce is not None and body.get("enforce_nonce"):
            s._nonces[(cid, s.app_id, str(nonce))] = (int(message["id"]), s.now())
        return json_response(message)

    @r("GET", "/channels/{cid}/messages")
    async def list_messages(call: Call) -> web.Response:
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

    @r("GET", "/channels/{cid}/messages/{mid}")
    async def get_message(call: Call) -> web.Response:
        return json_response(s.message_or_404(call.params["cid"], call.params["mid"]))

    @r("PATCH", "/channels/{cid}/messages/{mid}")
    async def patch_message(call: Call) -> web.Response:
        message = s.message_or_404(call.params["cid"], call.params["mid"])
        if message["author"]["id"] != str(s.app_id):
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        body = call.body or {}
        error = s.limit_error(call, limits.check_message(body, creating=False))
        if error is not None:
            return error
        return json_response(s.edit_message(int(message["id"]), body, call.files))

    @r("DELETE", "/channels/{cid}/messages/{mid}")
    async def delete_message(call: Call) -> web.Response:
        message = s.message_or_404(call.params["cid"], call.params["mid"])
        s.delete_message(int(message["id"]))
        return no_content()

    @r("POST", "/channels/{cid}/typing")
    async def typing(call: Call) -> web.Response:
        s.channel_or_404(call.params["cid"])
        return no_content()

    # pins: both the current (/messages/pins) and the legacy (/pins) routes
    def pin(call: Call, on: bool) -> web.Response:
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

    for prefix in ("/channels/{cid}/pins", "/channels/{cid}/messages/pins"):
        r("PUT", prefix + "/{mid}")(lambda call: _wrap(pin(call, True)))
        r("DELETE", prefix + "/{mid}")(lambda call: _wrap(pin(call, False)))

    @r("GET", "/channels/{cid}/pins")
    async def legacy_pins(call: Call) -> web.Response:
        s.channel_or_404(call.params["cid"])
        pins = s.pins.get(int(call.params["cid"]), [])
        return json_response([s.messages[m] for m, _ in reversed(pins) if m in s.messages])

    @r("GET", "/channels/{cid}/messages/pins")
    async def pins_list(call: Call) -> web.Response:
        s.channel_or_404(call.params["cid"])
        pins = s.pins.get(int(call.params["cid"]), [])
        return json_response({"items": [{"pinned_at": iso(t), "message": s.messages[m]}
                                        for m, t in reversed(pins) if m in s.messages],
                              "has_more": False})

    @r("PUT", "/channels/{cid}/messages/{mid}/reactions/{emoji}/@me")
    async def react(call: Call) -> web.Response:
        message = s.message_or_404(call.params["cid"], call.params["mid"])
        message.setdefault("reactions", []).append(
            {"count": 1, "me": True, "emoji": {"id": None, "name": call.params["emoji"]},
             "burst_colors": [], "count_details": {"burst": 0, "normal": 1}, "me_burst": False,
             "burst_me": False, "burst_count": 0})
        return no_content()

    # ------------------------------------------------------------- channels and threads
    @r("GET", "/channels/{cid}")
    async def get_channel(call: Call) -> web.Response:
        return json_response(s.channel_or_404(call.params["cid"]))

    @r("PATCH", "/channels/{cid}")
    async def patch_channel(call: Call) -> web.Response:
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

    @r("DELETE", "/channels/{cid}")
    async def delete_channel(call: Call) -> web.Response:
        channel = s.channel_or_404(call.params["cid"])
        del s.channels[int(channel["id"])]
        if channel["type"] in THREAD_TYPES:
            s.dispatch("THREAD_DELETE", {k: channel[k] for k in ("id", "guild_id", "parent_id", "type")})
        else:
            s.dispatch("CHANNEL_DELETE", channel)
        return json_response(channel)

    def new_thread(parent: dict[str, Any], name: str, ttype: int, body: dict[str, Any],
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

    @r("POST", "/channels/{cid}/threads")
    async def create_thread(call: Call) -> web.Response:
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
            thread = new_thread(parent, body["name"], 11, body, thread_id)
            message = s.create_message(thread_id, starter, call.files, message_id=thread_id)
            return json_response({**thread, "message": message})
        if parent["type"] not in (0, 5):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        thread = new_thread(parent, body["name"], body.get("type") or 12, body)
        return json_response(thread)

    @r("POST", "/channels/{cid}/messages/{mid}/threads")
    async def thread_from_message(call: Call) -> web.Response:
        parent = s.channel_or_404(call.params["cid"])
        message = s.message_or_404(call.params["cid"], call.params["mid"])
        if int(message["id"]) in s.channels:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        thread = new_thread(parent, (call.body or {})["name"], 11 if parent["type"] == 0 else 10,
                            call.body or {}, int(message["id"]))
        message["thread"] = thread
        return json_response(thread)

    def thread_member_payload(tid: int, uid: int, joined: float) -> dict[str, Any]:
        return {"id": str(tid), "user_id": str(uid), "join_timestamp": iso(joined), "flags": 0}

    def thread_or_404(cid: str) -> dict[str, Any]:
        channel = s.channel_or_404(cid)
        if channel["type"] not in THREAD_TYPES:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        return channel

    async def add_thread_member(call: Call) -> web.Response:
        thread = thread_or_404(call.params["cid"])
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

    async def remove_thread_member(call: Call) -> web.Response:
        thread = thread_or_404(call.params["cid"])
        uid = s.app_id if call.params.get("uid", "@me") == "@me" else int(call.params["uid"])
        tid = int(thread["id"])
        members = s.thread_members.setdefault(tid, {})
        if members.pop(uid, None) is not None:
            thread["member_count"] = len(members)
            s.dispatch("THREAD_MEMBERS_UPDATE", {"id": str(tid), "guild_id": thread["guild_id"],
                                                  "member_count": len(members),
                                                  "removed_member_ids": [str(uid)]})
        return no_content()

    r("PUT", "/channels/{cid}/thread-members/@me")(add_thread_member)
    r("PUT", "/channels/{cid}/thread-members/{uid}")(add_thread_member)
    r("DELETE", "/channels/{cid}/thread-members/@me")(remove_thread_member)
    r("DELETE", "/channels/{cid}/thread-members/{uid}")(remove_thread_member)

    @r("GET", "/channels/{cid}/thread-members")
    async def list_thread_members(call: Call) -> web.Response:
        tid = int(thread_or_404(call.params["cid"])["id"])
        return json_response([thread_member_payload(tid, u, t)
                              for u, t in s.thread_members.get(tid, {}).items()])

    @r("GET", "/channels/{cid}/thread-members/{uid}")
    async def get_thread_member(call: Call) -> web.Response:
        tid = int(thread_or_404(call.params["cid"])["id"])
        joined = s.thread_members.get(tid, {}).get(int(call.params["uid"]))
        if joined is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return json_response(thread_member_payload(tid, int(call.params["uid"]), joined))

    @r("GET", "/channels/{cid}/threads/archived/public")
    async def archived_threads(call: Call) -> web.Response:
        cid = call.params["cid"]
        threads = [c for c in s.channels.values() if c.get("parent_id") == cid
                   and c["type"] in (10, 11) and c["thread_metadata"]["archived"]]
        return json_response({"threads": threads, "members": [], "has_more": False})

    @r("GET", "/guilds/{gid}/threads/active")
    async def active_threads(call: Call) -> web.Response:
        gid = call.params["gid"]
        threads = [c for c in s.channels.values() if c.get("guild_id") == gid
                   and c["type"] in THREAD_TYPES and not c["thread_metadata"]["archived"]]
        return json_response({"threads": threads, "members": []})

    # ------------------------------------------------------------- DMs
    @r("POST", "/users/@me/channels")
    async def open_dm(call: Call) -> web.Response:
        uid = int((call.body or {}).get("recipient_id", 0))
        if uid not in s.users:
            raise DiscordError(400, 50033, "Invalid Recipients")
        if uid not in s.dm_channels:
            channel = s.add_channel(None, "", 1)
            for key in ("name", "position", "permission_overwrites", "nsfw", "parent_id"):
                channel.pop(key, None)
            channel.update({"recipients": [s.users[uid]], "last_message_id": None})
            s.dm_channels[uid] = int(channel["id"])
        return json_response(s.channels[s.dm_channels[uid]])

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


async def _wrap(response: web.Response) -> web.Response:
    return response


def _parse_time(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
