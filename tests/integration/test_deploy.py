"""The container image, the compose file and the systemd unit run the right thing, the right way."""

from __future__ import annotations

import fnmatch
import json
import os
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text("utf-8")
COMPOSE = (ROOT / "compose.yaml").read_text("utf-8")
UNIT = (ROOT / "deploy" / "fmg-bot.service").read_text("utf-8")


def _instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions as (KEYWORD, arguments), continuation lines joined."""
    joined = text.replace("\\\n", " ")
    rows = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            rows.append((keyword.upper(), rest.strip()))
    return rows


def _json_args(rest: str) -> list[str]:
    return json.loads(rest)


def _unit_values(key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in UNIT.splitlines() if line.startswith(f"{key}=")]


def test_the_image_is_slim_python_311_and_runs_the_bot_as_a_non_root_user() -> None:
    rows = _instructions(DOCKERFILE)
    assert rows[0] == ("FROM", "python:3.11-slim")
    users = [rest for kw, rest in rows if kw == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert f"--shell /usr/sbin/nologin {users[-1]}" in DOCKERFILE
    assert _json_args(next(rest for kw, rest in rows if kw == "CMD")) == ["fmg-bot", "run"]


def test_the_database_lives_on_the_data_volume() -> None:
    rows = _instructions(DOCKERFILE)
    assert "DATABASE_PATH=/data/fmg-bot.sqlite3" in [rest for kw, rest in rows if kw == "ENV"]
    assert _json_args(next(rest for kw, rest in rows if kw == "VOLUME")) == ["/data"]
    assert "fmg-bot-data:/data" in COMPOSE
    assert "DATABASE_PATH: /data/fmg-bot.sqlite3" in COMPOSE
    assert "env_file: .env" in COMPOSE


def test_the_healthcheck_is_a_doctor_command_the_cli_accepts() -> None:
    rest = next(rest for kw, rest in _instructions(DOCKERFILE) if kw == "HEALTHCHECK")
    command = _json_args(rest.split("CMD", 1)[1].strip())
    assert command[:3] == ["fmg-bot", "doctor", "--offline"]
    args = build_parser().parse_args(command[1:])
    assert args.offline and args.expect_running


def test_the_image_gets_every_package_the_project_installs() -> None:
    copied = set()
    for keyword, rest in _instructions(DOCKERFILE):
        if keyword == "COPY":
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), source
                copied.add(source)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["scripts"]["fmg-bot"] == "bot.cli:main"
    # A package pip installs from the source tree but the image lacks would be missing at
    # runtime (the CLI imports the sandbox package to describe `fmg-bot sandbox`).
    for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        if (ROOT / package).is_dir():
            assert package in copied, f"the Dockerfile does not COPY {package}/"
    assert "pyproject.toml" in copied


def _ignored(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` out of the build context (so COPY cannot see it)."""
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = Path(path).parts
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, pattern) for pattern in patterns for prefix in prefixes)


def _dotenv(text: str) -> dict[str, str]:
    pairs = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def test_what_the_image_copies_is_enough_to_run_the_cli(tmp_path: Path) -> None:
    """The compose deployment without Docker: the files the Dockerfile COPYs (minus
    .dockerignore) installed editable in /app, the environment a container gets (the image's
    ENV, then .env made from .env.example as `env_file`, then compose's `environment`), with
    /app and /data mapped to temp folders; then the health check's commands run from /data."""
    app, data = tmp_path / "app", tmp_path / "data"
    data.mkdir()
    image_env: dict[str, str] = {}
    for keyword, rest in _instructions(DOCKERFILE):
        if keyword == "ENV":
            image_env |= dict(a.partition("=")[::2] for a in rest.split())
        if keyword != "COPY":
            continue
        *sources, target = rest.split()
        for source in sources:
            assert not _ignored(source), f".dockerignore hides {source} from COPY"
            destination = app / source if target in ("./", ".") else app / target
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, destination)
    assert "pip install --no-compile -e ." in DOCKERFILE  # so the code runs from /app, as here
    compose_env = {"DATABASE_PATH": "/data/fmg-bot.sqlite3"}
    assert all(f"{k}: {v}" in COMPOSE for k, v in compose_env.items())
    container = image_env | _dotenv((ROOT / ".env.example").read_text("utf-8")) | compose_env
    env = {k: v for k, v in os.environ.items() if k not in container}
    for name, value in container.items():
        if value.startswith(("/app/", "/data/")):
            root, rest = value[1:].split("/", 1)
            value = str((app if root == "app" else data) / rest)
        env[name] = value
    env["PYTHONPATH"] = str(app)
    run = [sys.executable, "-m", "bot"]
    migrate = subprocess.run([*run, "db", "migrate"], env=env, cwd=data, capture_output=True,
                             text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    doctor = subprocess.run([*run, "doctor", "--offline"], env=env, cwd=data, capture_output=True,
                            text=True, timeout=120)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "(up to date)" in doctor.stdout and "[OK] RESOURCES_CATALOG" in doctor.stdout
    assert f"{data / 'fmg-bot.sqlite3'}" in migrate.stdout


def test_the_systemd_unit_restarts_on_failure_with_the_env_file() -> None:
    assert _unit_values("Restart") == ["on-failure"]
    assert _unit_values("EnvironmentFile") == ["/opt/fmg-bot/.env"]
    assert shlex.split(_unit_values("ExecStart")[0])[-1:] == ["run"]
    assert _unit_values("ExecStart")[0].split()[0].endswith("/fmg-bot")
    assert _unit_values("User") not in (["root"], [])
    assert _unit_values("KillSignal") == ["SIGTERM"]



def _docker_engine() -> str | None:
    """Why the image cannot be built here, or None when a Docker engine answers."""
    if shutil.which("docker") is None:
        return "the docker command is not installed"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return "no Docker engine is reachable (`docker info` failed)"
    return None


@pytest.mark.slow
def test_the_image_builds_and_its_doctor_runs() -> None:
    reason = _docker_engine()
    if reason:
        pytest.skip(f"image build skipped: {reason}")
    tag = "fmg-bot:test"
    build = subprocess.run(
        ["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1200
    )
    assert build.returncode == 0, build.stderr[-3000:]
    user = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"],
        capture_output=True, text=True, timeout=120,
    )
    assert user.stdout.strip() not in {"", "0"}
    migrate = subprocess.run(
        ["docker", "run", "--rm", tag, "fmg-bot", "db", "migrate"],
        capture_output=True, text=True, timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert "/data/fmg-bot.sqlite3" in migrate.stdout
