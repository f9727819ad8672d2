"""docker-compose.yml, the Dockerfile and .dockerignore start a production stack in the right order, restart it,
check it for real and keep secrets and local data out of the image. Read as files: no Docker needed (the last test
asks Docker itself to validate the file when a working `docker compose` is at hand)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LONG_RUNNING = {"postgres", "redis", "web", "worker", "worker-summaries", "beat"}
APP = {"web", "worker", "worker-summaries", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def command_text(value) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def test_a_one_shot_migrate_service_runs_first_and_the_app_waits_for_it(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert "manage.py migrate" in command_text(migrate["command"])
    assert migrate.get("restart", "no") == "no"
    for name in APP:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in command_text(services[name]["command"]), name


def test_every_long_running_service_restarts_and_has_a_health_check(compose):
    services = compose["services"]
    assert LONG_RUNNING <= set(services)
    for name in LONG_RUNNING:
        assert services[name].get("restart") in {"unless-stopped", "always", "on-failure"}, name
        test = services[name].get("healthcheck", {}).get("test")
        assert test and command_text(test) not in {"NONE", ""}, name


def test_the_health_checks_check_the_real_thing(compose):
    services = compose["services"]
    beat = command_text(services["beat"]["healthcheck"]["test"])
    assert "pgrep" not in beat and "pidof" not in beat  # a process check passes for a stuck beat
    assert "healthcheck.py beat" in beat
    assert "healthcheck.py web" in command_text(services["web"]["healthcheck"]["test"])
    worker = command_text(services["worker"]["healthcheck"]["test"])
    assert "inspect ping" in worker and "celery@$$HOSTNAME" in worker and "--timeout" in worker


def test_no_demo_data_unless_asked(compose):
    services = compose["services"]
    for name, service in services.items():
        text = command_text(service.get("command", ""))
        if "seed_demo" in text:
            assert name == "migrate"
            assert '"$$SEED_DEMO" = "1"' in text
    assert services["migrate"]["environment"]["SEED_DEMO"] == "${SEED_DEMO:-0}"


def test_cache_and_broker_use_separate_redis_databases(compose):
    env = compose["services"]["web"]["environment"]
    assert env["REDIS_URL"].rsplit("/", 1) != env["CACHE_URL"].rsplit("/", 1)
    assert env["REDIS_URL"].rsplit("/", 1)[0] == env["CACHE_URL"].rsplit("/", 1)[0]


def test_web_runs_gunicorn_configured_from_the_environment(compose):
    web = compose["services"]["web"]
    assert command_text(web["command"]).startswith("gunicorn crm.wsgi")
    assert "WEB_CONCURRENCY" in web["environment"]


def dockerfile_stages() -> list[list[str]]:
    stages: list[list[str]] = []
    for raw in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_the_image_is_multi_stage_and_runs_as_a_non_root_user():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    runtime = stages[-1]
    users = [line.split(None, 1)[1] for line in runtime if line.upper().startswith("USER ")]
    assert users, "the runtime stage sets no USER: the app would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert any(line.upper().startswith("COPY --FROM=") for line in runtime)
    # The build tools (gettext) stay in the builder.
    assert not any("gettext" in line for line in runtime)


def test_dockerignore_keeps_secrets_and_local_data_out_of_the_image():
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    entries = {line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")}
    assert {".env", "var", ".venv", ".git", "test-artifacts"} <= entries
    assert any(re.fullmatch(r"(\*\*/)?__pycache__", entry) for entry in entries)


def docker_compose_available() -> str | None:
    """None when `docker compose` works here, else why not."""
    if not shutil.which("docker"):
        return "docker is not installed"
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"`docker compose` is not available: {(probe.stderr or probe.stdout).strip()[:200]}"
    return None


def test_docker_compose_validates_the_file():
    reason = docker_compose_available()
    if reason:
        pytest.skip(reason)
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        cwd=ROOT,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "SECRET_KEY": "compose-config-test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
