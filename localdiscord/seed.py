"""The seeded guild every test, benchmark and sandbox session starts from.

Members: alice and bob (plain members), mira (Moderators role), ada (Admins role, administrator,
and the guild owner). Channels: #general, #announcements, #anonymous-questions (text),
#questions (a forum with tags), #mod-review (text), "Study Hall" (voice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from localdiscord.state import (
    ADMINISTRATOR,
    MANAGE_EVENTS,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    MODERATE_MEMBERS,
)

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord

MEMBERS = {"alice": [], "bob": [], "mira": ["moderators"], "ada": ["admins"]}
FORUM_TAGS = ["visa", "usmle", "match", "research", "other"]


@dataclass(frozen=True)
class User:
    """A seeded person (or the bot). ``mention`` is what a member would type."""

    id: int
    name: str

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(frozen=True)
class Channel:
    id: int
    name: str
    type: int

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass(frozen=True)
class Role:
    id: int
    name: str

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass
class World:
    """Handles to what ``seed`` created, by short name."""

    guild_id: int
    bot: User
    members: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)

    def member(self, name: str) -> User:
        key = name.lower().lstrip("@")
        if key not in self.members:
            raise KeyError(f"no seeded member {name!r}; have {', '.join(self.members)}")
        return self.members[key]

    def channel(self, name: str) -> Channel:
        key = name.lower().lstrip("#").replace("-", "_")
        for short, channel in self.channels.items():
            if key in (short, channel.name.replace("-", "_")):
                return channel
        names = ", ".join(c.name if c.type == 2 else f"#{c.name}" for c in self.channels.values())
        raise KeyError(f"no channel {name!r}; the server has {names}")


def seed(server: LocalDiscord, guild_name: str = "FMG Community", *,
         shard: tuple[int, int] | None = None) -> World:
    """Create the standard guild on ``server`` and return handles to it; with ``shard``
    (id, count), a guild that Discord routes to that shard."""
    ada = server.add_user("ada")
    guild = server.add_guild(guild_name, owner_id=int(ada["id"]), shard=shard)
    gid = int(guild["id"])
    bot = User(server.app_id, server.bot_user["username"])
    world = World(guild_id=gid, bot=bot)
    moderators = server.add_role(
        gid, "Moderators", MANAGE_MESSAGES | MANAGE_THREADS | MODERATE_MEMBERS | MANAGE_EVENTS
    )
    admins = server.add_role(gid, "Admins", ADMINISTRATOR)
    mentors = server.add_role(gid, "Mentors")
    world.roles = {
        "moderators": Role(int(moderators["id"]), "Moderators"),
        "admins": Role(int(admins["id"]), "Admins"),
        "mentors": Role(int(mentors["id"]), "Mentors"),
    }
    for name, role_keys in MEMBERS.items():
        user = ada if name == "ada" else server.add_user(name)
        server.add_member(gid, int(user["id"]), [world.roles[k].id for k in role_keys])
        world.members[name] = User(int(user["id"]), name)
    category = server.add_channel(gid, "Community", 4)
    specs = [
        ("general", "general", 0), ("announcements", "announcements", 0),
        ("anonymous", "anonymous-questions", 0), ("mod_review", "mod-review", 0),
        ("forum", "questions", 15), ("voice", "Study Hall", 2),
    ]
    for short, name, ctype in specs:
        extra = {"parent_id": category["id"]}
        if ctype == 15:
            extra["available_tags"] = [
                {"id": str(server.ids.next()), "name": tag, "moderated": False,
                 "emoji_id": None, "emoji_name": None}
                for tag in FORUM_TAGS
            ]
        channel = server.add_channel(gid, name, ctype, **extra)
        world.channels[short] = Channel(int(channel["id"]), name, ctype)
    guild["system_channel_id"] = str(world.channels["general"].id)
    return world


def seed_shards(server: LocalDiscord, count: int) -> list[World]:
    """One standard guild on each of ``count`` shards ("Guild 0"...), with the gateway
    recommending ``count`` shards that may all IDENTIFY at once."""
    server.recommended_shards, server.max_concurrency = count, count
    return [seed(server, f"Guild {i}", shard=(i, count)) for i in range(count)]
