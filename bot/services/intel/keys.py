"""The pseudonym key, loaded once at start (`IntelService.start`)."""

from __future__ import annotations

from bot.errors import ConfigError
from bot.services.intel._store import IntelStore
from bot.services.intel.pseudonyms import Pseudonyms, key_path, load_key


class KeyHolder:
    def __init__(self, store: IntelStore) -> None:
        self._store = store
        self._pseudonyms: Pseudonyms | None = None

    async def load(self) -> None:
        """Load (or, on first start, create) the key beside the database, and refuse a key
        other than the one the database's reports were made with."""
        path = key_path(self._store.db.path)
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

    def get(self) -> Pseudonyms:
        if self._pseudonyms is None:
            raise RuntimeError("IntelService.start() was not awaited: the key is not loaded")
        return self._pseudonyms
