"""The pseudonym key: loaded at start (`IntelService.start`, so a missing or wrong key stops the
bot from starting), else on first use (the CLI, tests, the retention sweep)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.errors import ConfigError
from bot.services.intel._store import IntelStore
from bot.services.intel.pseudonyms import Pseudonyms, key_path, load_key


class KeyHolder:
    def __init__(self, store: IntelStore, key_file: Path | None = None) -> None:
        self._store = store
        self._key_file = key_file
        self._pseudonyms: Pseudonyms | None = None
        self._loading = asyncio.Lock()

    async def load(self) -> None:
        """Load (or, on first start, create) the key beside the database, and refuse a key
        other than the one the database's reports were made with."""
        database = self._store.db.path
        path = self._key_file or (key_path(database) if database is not None else None)
        if path is None:
            raise ConfigError("the program-intel key needs a file: on PostgreSQL it lives beside "
                              "DATABASE_PATH (the bot passes it)")
        known = await self._store.key_fingerprint()
        pseudonyms = Pseudonyms(load_key(path, may_create=known is None))
        if known is None:
            await self._store.save_key_fingerprint(pseudonyms.fingerprint)
        elif known != pseudonyms.fingerprint:
            raise ConfigError(
                f"the program-intel key {path} is not the one this database's reports were made "
                "with: restore the key backed up with this database (see README, Backups)."
            )
        self._pseudonyms = pseudonyms

    async def get(self) -> Pseudonyms:
        async with self._loading:
            if self._pseudonyms is None:
                await self.load()
        assert self._pseudonyms is not None
        return self._pseudonyms
