"""Which servers this process acts for: the guilds of its gateway shards.

Discord sends a server's events to shard ``(guild_id >> 22) % shard_count``. A process that
holds some of the shards (SHARD_COUNT + SHARD_IDS) must act only for those servers: claim only
their due rows, run only their timers. Work that belongs to no server (rows with guild_id 0,
backups, the weekly link check) is done by whichever process holds shard 0, as DMs reach
shard 0 too. One process holding every shard (the default) filters nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShardScope:
    count: int = 1
    ids: tuple[int, ...] = (0,)

    def __post_init__(self) -> None:
        if self.count < 1 or not self.ids or any(not 0 <= i < self.count for i in self.ids):
            raise ValueError(f"shard ids {self.ids} do not fit {self.count} shards")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError(f"shard ids {self.ids} repeat a shard")

    @property
    def everything(self) -> bool:
        """Whether this process holds every shard (then nothing is filtered)."""
        return len(self.ids) == self.count

    @property
    def global_work(self) -> bool:
        """Whether this process does the work of no server (it holds shard 0)."""
        return 0 in self.ids

    def shard_of(self, guild_id: int) -> int:
        return (guild_id >> 22) % self.count

    def holds(self, guild_id: int) -> bool:
        """Whether ``guild_id``'s events reach this process (0, global work: shard 0)."""
        return self.everything or self.shard_of(guild_id) in self.ids

    def where(self, column: str = "guild_id") -> str:
        """A portable SQL condition (SQLite and PostgreSQL) true for the rows of this process's
        servers, ``column`` naming their guild id (0 for global rows). The numbers are this
        process's own validated integers, so they are written into the text, not bound."""
        if self.everything:
            return "1 = 1"
        ids = ", ".join(str(i) for i in sorted(self.ids))
        return f"(({column} >> 22) % {self.count}) IN ({ids})"

    def describe(self) -> str:
        if self.count == 1:
            return "the only shard"
        return f"shard{'s' if len(self.ids) > 1 else ''} {', '.join(map(str, self.ids))} of {self.count}"


#: One process, one shard: every server.
ALL = ShardScope()
