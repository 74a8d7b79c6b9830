"""docker-compose.yml, Dockerfile, .env.example: validated without a Docker engine.

* the compose file (as written, and as `docker-compose config` resolves it) against the
  Compose Specification JSON schema vendored in tests/fixtures/compose-spec.json;
* the Airflow 3 topology: services, one shared image and environment, healthchecks,
  depends_on conditions, named volumes, a scalable worker;
* `docker-compose config -q` (Debian's docker-compose; `make compose-check` installs it);
* .env.example defines every variable the compose file interpolates;
* the Dockerfile installs the project from uv.lock as a non-root user.

Nothing is skipped: without docker-compose the tests that need it fail and say how to
get it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SCHEMA_FILE = ROOT / "tests" / "fixtures" / "compose-spec.json"

AIRFLOW_SERVICES = {
    "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
    "airflow-triggerer", "airflow-worker",
}
ALL_SERVICES = {"postgres", "redis", *AIRFLOW_SERVICES}
LONG_RUNNING = AIRFLOW_SERVICES - {"airflow-init"}
NAMED_VOLUMES = {
    "postgres-db": ("postgres", "/var/lib/postgresql/data"),
    "zonewatch-raw": ("airflow-worker", "/data/work"),
    "zonewatch-warehouse": ("airflow-worker", "/data/warehouse"),
    "airflow-logs": ("airflow-worker", "/opt/airflow/logs"),
}
NO_COMPOSE = ("docker-compose is not installed: run `make compose-check` (it installs Debian's "
              "docker-compose package with apt-get, then runs these tests)")


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml as YAML (anchors and `<<` merges resolved, no interpolation)."""
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _schema_errors(schema: dict[str, Any], doc: Any) -> list[str]:
    # The fixture declares draft 2019-09 as "http://json-schema.org/draft/2019-09/schema#",
    # a spelling jsonschema's lookup does not match: name the draft explicitly.
    assert "2019-09" in schema["$schema"]
    cls = jsonschema.Draft201909Validator
    cls.check_schema(schema)
    # No format checker: the spec's "duration" format means Go durations ("10s"), not the
    # ISO 8601 durations jsonschema would check.
    validator = cls(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path)))]


def _env_example() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f".env.example: not KEY=VALUE: {line!r}"
        env[key.strip()] = value
    return env


def _interpolated_vars(text: str) -> set[str]:
    """Variables compose substitutes: ${VAR...} and $VAR, but not the escaped $$."""
    braced = re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text)
    bare = re.findall(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)", text)
    return set(braced) | set(bare)


def _docker_compose(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail(NO_COMPOSE, pytrace=False)
    # Only .env.example may feed the interpolation: drop any variable of the same name
    # (and COMPOSE_* settings) from this process's environment.
    names = _interpolated_vars(COMPOSE_FILE.read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items()
           if k not in names and not k.startswith("COMPOSE_")}
    return subprocess.run(
        [exe, "-f", str(COMPOSE_FILE), "--env-file", str(ENV_EXAMPLE), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """named volume -> container path, for the short `vol:/path[:mode]` syntax."""
    out: dict[str, str] = {}
    for v in service.get("volumes", []):
        if isinstance(v, str):
            src, _, rest = v.partition(":")
            out[src] = rest.split(":")[0]
        else:
            out[v["source"]] = v["target"]
    return out


def _command(service: dict[str, Any]) -> str:
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else str(cmd)


# --------------------------------------------------------------------------- the schema


def test_schema_fixture_is_the_compose_specification(schema: dict[str, Any]) -> None:
    assert schema.get("title") == "Compose Specification"
    assert {"services", "volumes", "networks"} <= set(schema["properties"])


def test_compose_file_matches_the_compose_spec_schema(compose: dict[str, Any],
                                                      schema: dict[str, Any]) -> None:
    errors = _schema_errors(schema, compose)
    assert not errors, "docker-compose.yml violates the Compose spec:\n" + "\n".join(errors)


def test_schema_check_rejects_an_invalid_file(compose: dict[str, Any],
                                              schema: dict[str, Any]) -> None:
    """The validation bites: an unknown service key and a wrong type are reported."""
    bad = json.loads(json.dumps(compose))
    bad["services"]["redis"]["helthcheck"] = {"test": ["CMD", "true"]}
    bad["services"]["postgres"]["ports"] = "5432:5432"
    errors = _schema_errors(schema, bad)
    assert any("helthcheck" in e for e in errors), errors
    assert any(e.startswith("services/postgres/ports") for e in errors), errors


def test_no_obsolete_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose, "the Compose spec needs no `version:` key"


# --------------------------------------------------------------------------- topology


def test_every_service_is_there(services: dict[str, Any]) -> None:
    assert set(services) == ALL_SERVICES


def test_airflow_services_share_the_common_image_and_environment(
        compose: dict[str, Any], services: dict[str, Any]) -> None:
    common = compose["x-airflow-common"]
    assert common["build"]["context"] == "."
    assert common["build"].get("dockerfile", "Dockerfile") == "Dockerfile"
    env = common["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert "@postgres:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://")
    assert (env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
            == "http://airflow-apiserver:8080/execution/")
    for key in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET"):
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", env[key]), f"{key} must come from .env"
    assert env["ZONEWATCH_WORKDIR"] == "/data/work"
    assert env["ZONEWATCH_WAREHOUSE"] == "/data/warehouse/warehouse.duckdb"
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc.get("build") == common["build"], name
        assert svc.get("image") == common["image"], name
        for key, value in env.items():  # a service may add variables, never change these
            assert svc["environment"].get(key) == value, f"{name}: {key}"
    for name in ("postgres", "redis"):
        assert "build" not in services[name]


def test_execution_api_setting_exists_in_this_airflow() -> None:
    """AIRFLOW__CORE__EXECUTION_API_SERVER_URL is a real [core] option of the locked
    Airflow (a misspelt section/key would be silently ignored)."""
    import airflow.config_templates  # noqa: F401  (the package that ships config.yml)

    config_yml = Path(airflow.config_templates.__file__).parent / "config.yml"
    spec = yaml.safe_load(config_yml.read_text(encoding="utf-8"))
    assert "execution_api_server_url" in spec["core"]["options"]
    assert "jwt_secret" in spec["api_auth"]["options"]
    assert "simple_auth_manager_users" in spec["core"]["options"]
    assert "simple_auth_manager_passwords_file" in spec["core"]["options"]
    assert "enable_health_check" in spec["scheduler"]["options"]


def test_commands(services: dict[str, Any]) -> None:
    assert _command(services["airflow-apiserver"]).startswith("airflow api-server")
    assert _command(services["airflow-scheduler"]) == "airflow scheduler"
    assert _command(services["airflow-dag-processor"]) == "airflow dag-processor"
    assert _command(services["airflow-triggerer"]) == "airflow triggerer"
    assert _command(services["airflow-worker"]) == "airflow celery worker"


def test_init_migrates_creates_the_admin_login_and_the_pool(services: dict[str, Any]) -> None:
    init = services["airflow-init"]
    script = _command(init)
    assert "airflow db migrate" in script
    assert 'airflow pools set zonewatch_duckdb 1 ' in script
    assert "SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in script
    assert init.get("restart") == "no", "a one-shot service must not restart"
    assert "AIRFLOW_ADMIN_PASSWORD" in init["environment"]
    dag = (ROOT / "dags" / "zonewatch_pipeline.py").read_text(encoding="utf-8")
    assert 'POOL = "zonewatch_duckdb"' in dag, "the pool airflow-init creates is the DAG's"


def test_healthchecks(services: dict[str, Any]) -> None:
    def test_of(name: str) -> str:
        hc = services[name].get("healthcheck")
        assert hc and not hc.get("disable"), f"{name} has no healthcheck"
        t = hc["test"]
        return " ".join(t) if isinstance(t, list) else t

    assert "pg_isready" in test_of("postgres")
    assert "redis-cli ping" in test_of("redis")
    assert "/api/v2/monitor/health" in test_of("airflow-apiserver")
    assert ":8080/" in test_of("airflow-apiserver")
    for name in LONG_RUNNING:
        test_of(name)


def test_depends_on_conditions(services: dict[str, Any]) -> None:
    healthy = {"postgres": "service_healthy", "redis": "service_healthy"}
    for name in AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions"
        for dep, cond in healthy.items():
            assert deps.get(dep, {}).get("condition") == cond, f"{name} -> {dep}"
    for name in LONG_RUNNING:
        deps = services[name]["depends_on"]
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
    assert (services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"]
            == "service_healthy"), "workers' tasks need the execution API up"


def test_worker_scales(services: dict[str, Any]) -> None:
    """`--scale airflow-worker=N` needs no fixed container name and no host port."""
    worker = services["airflow-worker"]
    assert "container_name" not in worker
    assert not worker.get("ports")
    assert "hostname" not in worker
    for name in ALL_SERVICES:  # none pins a name: the project can run next to another
        assert "container_name" not in services[name], name


def test_named_volumes_declared_and_mounted(compose: dict[str, Any],
                                            services: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    assert set(NAMED_VOLUMES) <= declared
    for vol, (svc, path) in NAMED_VOLUMES.items():
        assert _mounts(services[svc]).get(vol) == path, f"{svc} must mount {vol} at {path}"
    for name in AIRFLOW_SERVICES:  # every Airflow container sees the same workdir
        mounts = _mounts(services[name])
        for vol in ("zonewatch-raw", "zonewatch-warehouse", "airflow-logs"):
            assert mounts.get(vol) == NAMED_VOLUMES[vol][1], f"{name}: {vol}"
    for name, svc in services.items():  # only named volumes, no host bind mounts
        for vol in _mounts(svc):
            assert vol in declared, f"{name} mounts {vol!r}, not a declared named volume"
    # the DAG's workdir and warehouse are on the shared volumes
    env = compose["x-airflow-common"]["environment"]
    assert env["ZONEWATCH_WORKDIR"] == NAMED_VOLUMES["zonewatch-raw"][1]
    assert env["ZONEWATCH_WAREHOUSE"].startswith(NAMED_VOLUMES["zonewatch-warehouse"][1] + "/")


def test_env_example_defines_every_interpolated_variable() -> None:
    used = _interpolated_vars(COMPOSE_FILE.read_text(encoding="utf-8"))
    defined = _env_example()
    assert used, "no ${VAR} found: the regex is broken"
    missing = sorted(used - set(defined))
    assert not missing, f".env.example lacks {missing}"
    unused = sorted(set(defined) - used - {"COMPOSE_PROJECT_NAME"})
    assert not unused, f".env.example defines variables the compose file never uses: {unused}"
    for key in ("POSTGRES_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET",
                "AIRFLOW_API_SECRET_KEY", "AIRFLOW_ADMIN_PASSWORD"):
        assert defined[key].startswith("change-me"), f"{key}: keep a placeholder, not a secret"


# --------------------------------------------------------------------------- docker-compose


def test_docker_compose_config_is_valid() -> None:
    r = _docker_compose("config", "-q")
    assert r.returncode == 0, f"docker-compose config -q failed:\n{r.stderr}{r.stdout}"
    assert not r.stdout.strip()


def test_docker_compose_lists_every_service_and_volume() -> None:
    r = _docker_compose("config", "--services")
    assert r.returncode == 0, r.stderr
    assert set(r.stdout.split()) == ALL_SERVICES
    r = _docker_compose("config", "--volumes")
    assert r.returncode == 0, r.stderr
    assert set(NAMED_VOLUMES) <= set(r.stdout.split())


def test_resolved_config_still_matches_the_schema(schema: dict[str, Any]) -> None:
    """After interpolation with .env.example the file is still valid (e.g. ports and
    numbers substituted from variables)."""
    r = _docker_compose("config")
    assert r.returncode == 0, r.stderr
    resolved = yaml.safe_load(r.stdout)
    errors = _schema_errors(schema, resolved)
    assert not errors, "resolved config violates the Compose spec:\n" + "\n".join(errors)
    env = resolved["services"]["airflow-worker"]["environment"]
    assert "change-me-postgres-password@postgres:5432/" in env[
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert resolved["services"]["airflow-apiserver"]["ports"]


def test_missing_secret_is_refused(tmp_path: Path) -> None:
    """Without .env values compose refuses to run instead of starting with empty keys."""
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail(NO_COMPOSE, pytrace=False)
    names = _interpolated_vars(COMPOSE_FILE.read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items()
           if k not in names and not k.startswith("COMPOSE_")}
    empty = tmp_path / "empty.env"
    empty.write_text("")
    r = subprocess.run([exe, "-f", str(COMPOSE_FILE), "--env-file", str(empty), "config", "-q"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode != 0
    assert "in .env" in r.stderr


# --------------------------------------------------------------------------- the image


def test_dockerfile_installs_from_the_lock_file() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    uv_version = re.search(r"^UV_VERSION := (\S+)", makefile, re.M).group(1)  # type: ignore[union-attr]
    assert f"ARG UV_VERSION={uv_version}" in text, "the image's uv must be the Makefile's"
    assert 'pip install "uv==${UV_VERSION}"' in text
    assert "UV_PROJECT_ENVIRONMENT=/opt/venv" in text
    i_lock = next(i for i, ln in enumerate(lines) if ln == "COPY pyproject.toml uv.lock ./")
    i_deps = next(i for i, ln in enumerate(lines)
                  if ln.startswith("RUN uv sync --frozen --no-dev --no-install-project"))
    i_all = next(i for i, ln in enumerate(lines) if ln == "COPY . .")
    i_proj = next(i for i, ln in enumerate(lines)
                  if ln == "RUN uv sync --frozen --no-dev --compile-bytecode")
    assert i_lock < i_deps < i_all < i_proj, "lock first (cached layer), then the project"
    assert "--compile-bytecode" in lines[i_deps]
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}, "the image must run as a non-root user"
    for env in ("AIRFLOW_HOME=/opt/airflow", "AIRFLOW__CORE__DAGS_FOLDER=/app/dags",
                "AIRFLOW__CORE__LOAD_EXAMPLES=False", "PATH=/opt/venv/bin:$PATH"):
        assert env in text, env


def test_dockerignore_keeps_local_state_out() -> None:
    entries = {ln.strip().rstrip("/") for ln in DOCKERIGNORE.read_text().splitlines()
               if ln.strip() and not ln.startswith("#")}
    for path in (".venv", "data", ".airflow", ".tools", ".pytest_cache", ".mypy_cache",
                 ".ruff_cache", ".env", ".git"):
        assert path in entries, path
    # pyproject's `readme` must reach the build, or the project does not install
    for needed in ("README.md", "pyproject.toml", "uv.lock", "ingest", "dags"):
        assert needed not in entries, needed


def test_locked_environment_can_load_the_celery_executor() -> None:
    """The image is this lock file; CeleryExecutor must import from it, or the scheduler
    and every `airflow celery worker` of docker-compose.yml fail at start-up."""
    try:
        from airflow.providers.celery.executors import celery_executor  # noqa: F401
    except ImportError as e:
        pytest.fail(
            f"CeleryExecutor does not import with the locked packages: {e}. "
            "The celery provider needs a celery release that still has "
            "celery.backends.database.retry (celery < 5.7): constrain celery in "
            "pyproject.toml and re-lock.", pytrace=False)
