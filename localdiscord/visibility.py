"""What one member can see on the server, as Discord decides it for their client: public
threads, private threads they were added to (all of them with Manage Threads), messages in
those, their own DMs, and the private replies to their own interactions."""

from __future__ import annotations

from typing import Any

from localdiscord.driver import Attachment, Message
from localdiscord.server import LocalDiscord
from localdiscord.state import EPHEMERAL, MANAGE_THREADS

THREAD_TYPES = (10, 11, 12)


class MemberView:
    def __init__(self, server: LocalDiscord, guild_id: int, user_id: int) -> None:
        self.server = server
        self.guild_id = guild_id
        self.user_id = user_id

    def threads(self) -> list[dict[str, Any]]:
        """Threads the member sees, oldest first."""
        manages = bool(self.server.permissions_of(self.guild_id, self.user_id) & MANAGE_THREADS)
        return [c for _, c in sorted(self.server.channels.items())
                if c["type"] in THREAD_TYPES and (
                    c["type"] != 12 or manages
                    or self.user_id in self.server.thread_members.get(int(c["id"]), {}))]

    def thread_named(self, name: str) -> dict[str, Any] | None:
        """The newest visible thread called ``name``, else starting with it, else containing it."""
        key = name.lower().strip()
        threads = self.threads()
        for match in (lambda t: t["name"].lower() == key, lambda t: t["name"].lower().startswith(key),
                      lambda t: key in t["name"].lower()):
            found = [t for t in threads if match(t)]
            if found:
                return found[-1]
        return None

    def sees(self, message_id: int) -> bool:
        return self._sees(message_id, {int(t["id"]) for t in self.threads()})

    def _sees(self, message_id: int, threads: set[int]) -> bool:
        data = self.server.messages[message_id]
        if data["flags"] & EPHEMERAL:
            iid = self.server.message_meta.get(message_id, {}).get("interaction_id")
            record = self.server.interactions.get(iid) if iid else None
            return record is not None and record.user_id == self.user_id
        channel = self.server.channels.get(int(data["channel_id"]), {})
        if channel.get("type") == 1:
            return channel["recipients"][0]["id"] == str(self.user_id)
        return channel.get("type") not in THREAD_TYPES or int(channel["id"]) in threads

    def visible(self, message_ids: list[int]) -> list[int]:
        """The ids among ``message_ids`` (still existing) that the member sees, in order."""
        threads = {int(t["id"]) for t in self.threads()}
        return [m for m in message_ids if m in self.server.messages and self._sees(m, threads)]

    def files(self) -> list[tuple[Message, Attachment]]:
        """Files the member can open, oldest first."""
        with_files = sorted(m for m, data in self.server.messages.items() if data.get("attachments"))
        found = []
        for mid in self.visible(with_files):
            message = Message(self.server, mid)
            found += [(message, a) for a in message.attachments]
        return found
