import pytest

from bot.db import Database
from bot.errors import InvalidInput
from bot.services.guild_settings import SETTING_SPECS, GuildSettingsService


async def test_unset_values_are_none(db: Database, clock) -> None:
    config = await GuildSettingsService(db, clock).get(1)
    assert all(config.get(key) is None for key in SETTING_SPECS)


async def test_set_clear_and_survive_a_new_service(db: Database, clock) -> None:
    service = GuildSettingsService(db, clock)
    await service.set(1, "moderator_role", 555)
    await service.set(2, "moderator_role", 777)
    assert (await service.get(1)).get("moderator_role") == 555
    fresh = GuildSettingsService(db, clock)
    assert (await fresh.get(2)).get("moderator_role") == 777
    await service.clear(1, "moderator_role")
    assert (await service.get(1)).get("moderator_role") is None
    assert (await service.get(2)).get("moderator_role") == 777


async def test_bad_keys_and_values_are_refused_and_change_nothing(db: Database, clock) -> None:
    service = GuildSettingsService(db, clock)
    with pytest.raises(InvalidInput):
        await service.set(1, "no_such_setting", 5)
    with pytest.raises(InvalidInput):
        await service.set(1, "moderator_role", -3)
    with pytest.raises(InvalidInput):
        await service.set(1, "moderator_role", True)
    assert await db.fetchval("SELECT count(*) FROM guild_settings") == 0


def test_unknown_key_lookup_is_a_programming_error() -> None:
    from bot.services.guild_settings import GuildConfig

    with pytest.raises(KeyError):
        GuildConfig(1, {}).get("typo")
