"""docker-compose.yml, .env.example and the Dockerfile, checked without a container engine:
`docker-compose config` (Debian's docker-compose package; make test installs it) validates and
resolves the file, and the resolved configuration is checked for the production topology."""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.production.conftest import REPO, child_env

COMPOSE = shutil.which("docker-compose")
REQUIRED = {
    "SECRET_KEY": "compose-test-secret-key-of-32-characters",
    "POSTGRES_PASSWORD": "compose-test-password",
    "METRICS_TOKEN": "compose-test-metrics-token",
}
APP_SERVICES = ("migrate", "web", "worker", "vies-standin")


def _compose(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    if COMPOSE is None:
        pytest.fail(
            "docker-compose is not installed: apt-get install -y docker-compose "
            "(Debian's package; make test installs it). The compose file cannot be validated."
        )
    environment = {
        k: v for k, v in child_env().items() if not k.startswith(("POSTGRES_", "COMPOSE_"))
    }
    return subprocess.run(
        [COMPOSE, "--project-directory", str(workdir), "-f", str(workdir / "docker-compose.yml")]
        + list(args),
        cwd=workdir,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the compose file alone (no .env beside it), as a fresh checkout has."""
    shutil.copy(REPO / "docker-compose.yml", tmp_path / "docker-compose.yml")
    return tmp_path


@pytest.fixture
def config(workdir: Path) -> dict:
    done = _compose(workdir, "config", **REQUIRED)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_the_file_is_valid_and_names_every_service(config: dict) -> None:
    assert set(config["services"]) == {
        "postgres",
        "temporal",
        "temporal-setup",
        "temporal-ui",
        "mailpit",
        "migrate",
        "web",
        "worker",
        "vies-standin",
    }


def test_secrets_are_required(workdir: Path) -> None:
    for missing in REQUIRED:
        given = {k: v for k, v in REQUIRED.items() if k != missing}
        done = _compose(workdir, "config", "--quiet", **given)
        assert done.returncode != 0 and f"set {missing}" in done.stderr, done.stderr


def test_env_example_lists_the_required_values_empty(workdir: Path) -> None:
    example = (REPO / ".env.example").read_text()
    for name in REQUIRED:
        assert re.search(rf"^{name}=$", example, re.M), name
    filled = re.sub(
        r"^(SECRET_KEY|POSTGRES_PASSWORD|METRICS_TOKEN)=$", r"\1=filled-in", example, flags=re.M
    )
    (workdir / ".env").write_text(filled)
    done = _compose(workdir, "config")
    assert done.returncode == 0, done.stderr
    web = yaml.safe_load(done.stdout)["services"]["web"]["environment"]
    assert web["SECRET_KEY"] == "filled-in" and web["PUBLIC_BASE_URL"].startswith("https://")


def test_app_services_share_one_image_built_here(config: dict, workdir: Path) -> None:
    services = config["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    contexts = {services[name]["build"]["context"] for name in APP_SERVICES}
    assert contexts == {str(workdir)}  # the Dockerfile beside the compose file
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"] == ["python", "worker.py"]
    assert services["migrate"]["command"] == ["flask", "--app", "webapp", "init-db"]


def test_production_environment_of_web_and_worker(config: dict) -> None:
    for name in ("web", "worker", "migrate"):
        env = config["services"][name]["environment"]
        assert env["AOS_ENV"] == "production"
        assert (
            env["DATABASE_URL"].startswith("postgresql+psycopg://")
            and "@postgres:" in env["DATABASE_URL"]
        )
        assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
        assert env["MAIL_SERVER"] == "mailpit"
        assert env["VIES_URL"].startswith("https://ec.europa.eu/")
        assert env["AOS_ALLOW_LOCAL_VIES"] == "0"
        assert env["AOS_BEHIND_PROXY"] == "1" and env["LOG_FORMAT"] == "json"


def test_two_workers_and_graceful_stops(config: dict) -> None:
    worker = config["services"]["worker"]
    assert worker["deploy"]["replicas"] == 2
    assert "ports" not in worker  # replicas cannot share a host port
    assert worker["environment"]["WORKER_METRICS_ADDRESS"] == "0.0.0.0:9464"
    assert _seconds(worker["stop_grace_period"]) > 20  # worker.py's GRACEFUL_SHUTDOWN
    assert _seconds(config["services"]["web"]["stop_grace_period"]) > 30  # gunicorn's


def _seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)s", value)
    assert match, value
    return int(match.group(1))


def test_start_order_waits_for_health_and_one_shot_steps(config: dict) -> None:
    services = config["services"]

    def needs(name: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in services[name]["depends_on"].items()}

    assert needs("temporal") == {"postgres": "service_healthy"}
    assert needs("migrate") == {"postgres": "service_healthy"}
    assert needs("temporal-setup") == {"temporal": "service_healthy"}
    assert needs("web")["migrate"] == "service_completed_successfully"
    assert needs("web")["temporal"] == "service_healthy"
    assert needs("worker")["migrate"] == "service_completed_successfully"
    assert needs("worker")["temporal-setup"] == "service_completed_successfully"
    for name in ("postgres", "temporal", "mailpit", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert "/livez" in " ".join(services["web"]["healthcheck"]["test"])


def test_temporal_runs_on_postgres_with_its_ui_and_search_attributes(config: dict) -> None:
    services = config["services"]
    temporal = services["temporal"]
    assert temporal["image"].startswith("temporalio/auto-setup:")
    assert temporal["environment"]["DB"] == "postgres12"
    assert temporal["environment"]["POSTGRES_SEEDS"] == "postgres"
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert services["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    setup = services["temporal-setup"]
    assert setup["image"].startswith("temporalio/admin-tools:")
    script = " ".join(setup["command"])
    for attribute in (
        "RegistrationStatus:Keyword",
        "CountryCode:Keyword",
        "UserType:Keyword",
        "VatNumber:Keyword",
        "ReviewOverdue:Bool",
    ):
        assert attribute in script
    assert "temporal operator search-attribute create" in script


def test_the_vies_standin_only_under_the_dev_profile(config: dict, workdir: Path) -> None:
    assert config["services"]["vies-standin"]["profiles"] == ["dev"]
    profiled = [n for n, s in config["services"].items() if s.get("profiles")]
    assert profiled == ["vies-standin"]
    done = _compose(workdir, "config", "--profiles", **REQUIRED)
    assert done.stdout.split() == ["dev"]


def test_published_ports_are_on_loopback(config: dict) -> None:
    for name, service in config["services"].items():
        for port in service.get("ports", []):
            published = port if isinstance(port, str) else port.get("host_ip", "")
            assert str(published).startswith("127.0.0.1"), (name, port)


def test_dockerfile_is_multi_stage_and_runs_as_a_user() -> None:
    text = (REPO / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I)
    assert len(stages) >= 2 and stages[0][1] == "build"
    assert "COPY --from=build /opt/venv /opt/venv" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    runtime = text[text.rindex("FROM ") :]
    assert "pip install" not in runtime  # nothing is built in the final image
    assert re.search(r'^CMD \["gunicorn"', text, re.M)
    ignored = (REPO / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".env" in ignored and "var" in ignored


def test_only_the_compose_gateway_is_a_trusted_proxy(config: dict) -> None:
    """Issue 24 finding 4: the host's proxy reaches gunicorn through the published loopback
    port, that is from the network's gateway, and only that address's forwarded headers are
    believed; gunicorn listens inside the container only (published on 127.0.0.1)."""
    [network] = config["networks"]["default"]["ipam"]["config"]
    web = config["services"]["web"]
    for name in ("web", "worker", "migrate"):
        env = config["services"][name]["environment"]
        assert env["TRUSTED_PROXIES"] == network["gateway"], name
    assert ipaddress.ip_address(network["gateway"]) in ipaddress.ip_network(network["subnet"])
    assert web["environment"]["GUNICORN_BIND"] == "0.0.0.0:8000"  # inside the container
    [port] = web["ports"]
    published = port if isinstance(port, str) else port.get("host_ip", "")
    assert str(published).startswith("127.0.0.1")


def test_gunicorn_outside_a_container_listens_on_loopback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import runpy; print(runpy.run_path('gunicorn.conf.py')['bind'])"],
        cwd=REPO,
        env={**{k: v for k, v in child_env().items() if k != "GUNICORN_BIND"}, "PORT": "8123"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['127.0.0.1:8123']"
