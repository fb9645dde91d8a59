from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_PATH, Settings, positive_int
from bot.errors import ConfigError

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults_when_nothing_is_set() -> None:
    settings = Settings.from_env({})
    assert settings.discord_token is None
    assert settings.database_path == DEFAULT_DATABASE_PATH
    assert settings.log_level == "INFO"
    assert settings.dev_guild_id is None


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_PATH": "/tmp/x.sqlite3",
            "LOG_LEVEL": "debug",
            "DEV_GUILD_ID": "123456789012345678",
        }
    )
    assert settings.discord_token == TOKEN
    assert settings.database_path == Path("/tmp/x.sqlite3")
    assert settings.log_level == "DEBUG"
    assert settings.dev_guild_id == 123456789012345678


def test_blank_values_fall_back_to_defaults() -> None:
    assert Settings.from_env({"DEV_GUILD_ID": "  ", "LOG_LEVEL": ""}) == Settings.from_env({})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_LEVEL", "loud"),
        ("DEV_GUILD_ID", "my-server"),
        ("DEV_GUILD_ID", "12"),
        ("DISCORD_TOKEN", "not a token"),
        ("DISCORD_TOKEN", "abc"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({name: value})
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message


def test_a_malformed_token_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"DISCORD_TOKEN": "secret-part with-space"})
    assert "secret-part" not in str(caught.value)


def test_database_url_selects_postgresql_and_a_bad_one_is_not_echoed() -> None:
    assert Settings.from_env({}).database == Settings().database_path  # SQLite by default
    url = "postgresql://fmg:s3cret@db.example/fmg"
    assert Settings.from_env({"DATABASE_URL": url}).database == url
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"DATABASE_URL": "mysql://fmg:s3cret@db/fmg"})
    assert "DATABASE_URL" in str(caught.value) and "s3cret" not in str(caught.value)


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.log_level = "DEBUG"  # type: ignore[misc]


def test_dotenv_file_is_read_and_environment_wins(tmp_path, monkeypatch) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=WARNING\nDEV_GUILD_ID=123456789012345678\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEV_GUILD_ID", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    settings = Settings.from_env()
    assert settings.log_level == "ERROR"
    assert settings.dev_guild_id == 123456789012345678


@pytest.mark.parametrize(("raw", "ok"), [("3", 3), ("0", None), ("-1", None), ("x", None)])
def test_positive_int(raw: str, ok: int | None) -> None:
    if ok is None:
        with pytest.raises(ValueError):
            positive_int(raw)
    else:
        assert positive_int(raw) == ok


def test_operations_settings_default_and_parse(tmp_path: Path) -> None:
    defaults = Settings.from_env({"DATABASE_PATH": str(tmp_path / "bot.sqlite3")})
    assert defaults.backup_folder == tmp_path / "backups"
    assert (defaults.backup_keep, defaults.member_retention_days) == (7, 30)
    assert defaults.members_intent is False and defaults.shard_count is None
    parsed = Settings.from_env(
        {"BACKUP_DIR": "/srv/backups", "BACKUP_KEEP": "14", "MEMBER_RETENTION_DAYS": "90",
         "MEMBERS_INTENT": "on", "SHARD_COUNT": "auto"}
    )
    assert parsed.backup_folder == Path("/srv/backups")
    assert (parsed.backup_keep, parsed.member_retention_days) == (14, 90)
    assert parsed.members_intent is True and parsed.shard_count == "auto"
    assert Settings.from_env({"SHARD_COUNT": "4"}).shard_count == 4


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BACKUP_KEEP", "0", "BACKUP_KEEP: must be greater than zero, not 0"),
        ("MEMBER_RETENTION_DAYS", "a month", "MEMBER_RETENTION_DAYS: must be a whole number, not 'a month'"),
        ("MEMBERS_INTENT", "maybe", "MEMBERS_INTENT: must be on or off (true/false, 1/0), not 'maybe'"),
        ("SHARD_COUNT", "0", "SHARD_COUNT: must be a whole number above zero or 'auto', not '0'"),
    ],
)
def test_malformed_operations_settings_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({name: value})
    assert str(caught.value) == message


def test_shard_ids_pick_this_process_shards() -> None:
    settings = Settings.from_env({"SHARD_COUNT": "4", "SHARD_IDS": " 0, 2"})
    assert settings.shard_ids == (0, 2)
    assert (settings.shards.count, settings.shards.ids) == (4, (0, 2))
    assert not settings.shards.everything and settings.shards.global_work
    # without SHARD_IDS a process runs every shard, and filters no server out
    assert Settings.from_env({"SHARD_COUNT": "4"}).shards.everything
    assert Settings.from_env({"SHARD_COUNT": "auto"}).shards.everything
    assert Settings.from_env({}).shards.everything


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0;1"},
         "SHARD_IDS: must be shard numbers separated by commas (like 0,1), not '0;1'"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "1,1"}, "SHARD_IDS: names a shard twice: '1,1'"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "-1"},
         "SHARD_IDS: must be shard numbers separated by commas (like 0,1), not '-1'"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "1,4"},
         "SHARD_IDS: shard 4 does not exist with SHARD_COUNT=4 (shards are numbered 0 to 3)"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT set to a number (every process of the "
         "bot must agree on how many shards there are), not empty"),
        ({"SHARD_COUNT": "auto", "SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT set to a number "
         "(every process of the bot must agree on how many shards there are), not 'auto'"),
    ],
)
def test_malformed_shard_ids_are_refused_with_one_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert str(caught.value) == message
