"""ANON_* settings: defaults, parsing, and errors that name the variable."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.services.anonymous import AnonymousLimits


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert (settings.anon_publish_delay_min_s, settings.anon_publish_delay_max_s) == (30, 180)
    assert settings.anon_questions_per_hour == 3


def test_values_are_parsed_and_zero_delay_is_allowed() -> None:
    settings = Settings.from_env(
        {
            "ANON_PUBLISH_DELAY_MIN_S": "0",
            "ANON_PUBLISH_DELAY_MAX_S": "5",
            "ANON_QUESTIONS_PER_HOUR": "10",
        }
    )
    assert (settings.anon_publish_delay_min_s, settings.anon_publish_delay_max_s) == (0, 5)
    assert settings.anon_questions_per_hour == 10


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ANON_PUBLISH_DELAY_MIN_S", "-1"),
        ("ANON_PUBLISH_DELAY_MAX_S", "soon"),
        ("ANON_QUESTIONS_PER_HOUR", "0"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name}: "):
        Settings.from_env({name: value})


def test_min_above_max_names_both_variables() -> None:
    with pytest.raises(ConfigError, match=r"ANON_PUBLISH_DELAY_MIN_S.*ANON_PUBLISH_DELAY_MAX_S"):
        Settings.from_env({"ANON_PUBLISH_DELAY_MIN_S": "200"})


def test_limits_object_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        AnonymousLimits(publish_delay_min_s=10, publish_delay_max_s=5)
    with pytest.raises(ValueError):
        AnonymousLimits(questions_per_hour=0)
