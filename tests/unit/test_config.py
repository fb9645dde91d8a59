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
