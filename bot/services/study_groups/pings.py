"""Which role a study group's announcements may ping (issue 16, item 2).

The bot may hold Mention Everyone (to ping group roles that are not mentionable), so it could
ping roles a member cannot: Moderators, Admins. A member may therefore attach only a role they
could mention themselves (a mentionable role, or they have Mention Everyone), unless a
moderator attaches it; and every announcement checks again when it is sent, so a role made
unmentionable later is no longer pinged unless a moderator (or a member who could mention it)
chose it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import Forbidden, InvalidInput
from bot.services.text import md


@dataclass(frozen=True)
class RoleFacts:
    """What Discord says about a role, as the adapter sees it now."""

    id: int
    name: str
    mentionable: bool
    everyone: bool = False
    """The @everyone role: its mention pings the whole server."""


def attach_trust(role: RoleFacts, *, moderator: bool, can_mention_everyone: bool) -> bool:
    """Check that the actor may attach ``role`` to a group; return whether announcements may
    ping it even while it is not mentionable (the actor could mention it anyway)."""
    if role.everyone:
        raise InvalidInput("A study group cannot ping @everyone: pick a role for the group.")
    trusted = moderator or can_mention_everyone
    if not role.mentionable and not trusted:
        raise Forbidden(
            f"You cannot ping **@{md(role.name)}** yourself (it is not mentionable), so the bot "
            "will not ping it for you. Pick a role anyone can mention, or ask a moderator to "
            "attach it."
        )
    return trusted


def may_ping(role: RoleFacts | None, trusted: bool) -> bool:
    """At send time: ping ``role`` only if it still exists and passes the attach rule."""
    return role is not None and not role.everyone and (role.mentionable or trusted)
