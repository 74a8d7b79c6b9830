"""`make airflow` for real: scripts/airflow_local.sh starts the api-server, scheduler,
dag-processor and triggerer on 127.0.0.1; through the REST API (v2, a JWT from the
admin login the script prints) a triggered zonewatch_pipeline run must succeed and a
task's log must be readable and the task's own; Ctrl-C during a task must stop
everything. A component that dies, or a busy port, is one line naming it.

Isolation: a temporary directory holds the AIRFLOW_HOME (ZONEWATCH_AIRFLOW_HOME), a copy
of samples/corpus as the input, the workdir and the warehouse; the api-server gets a free
port. Every process the script starts inherits ZW_AIRFLOW_LOCAL_TEST=<token>, so the
test finds any of them that outlives the script (Linux /proc), fails on it and kills it.
The scheduler creates no scheduled run (AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE=False): with
the DAG unpaused it would start the latest @daily run first, and the triggered run would
wait for it (max_active_runs=1), doubling the time on a 2-core machine.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.airflow.local_stack import (
    MARK,
    READY_TIMEOUT_S,
    SCRIPT,
    STOP_TIMEOUT_S,
    Local,
    describe,
    healthy,
    marked_pids,
    started,
    wait,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT_ROOT / "samples" / "corpus"
DAG_ID = "zonewatch_pipeline"
RUN_TIMEOUT_S = 420

pytestmark = [pytest.mark.slow, pytest.mark.services]


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Local]:
    """`make airflow` over a copy of samples/corpus, with no scheduled run (above)."""
    shutil.copytree(SAMPLES, tmp_path / "input")
    with started(tmp_path, {"ZONEWATCH_INPUT": str(tmp_path / "input"),
                            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False"}) as handle:
        yield handle


def test_make_airflow_serves_runs_logs_and_stops(local: Local) -> None:
    t0 = time.monotonic()
    wait(local, "the api-server's health endpoint", READY_TIMEOUT_S, lambda: healthy(local))
    # The script prints the URL and the login once the DAGs are unpaused.
    login = re.compile(r"UI:\s+(\S+)\s+\(log in as (\w+), password (\S+?);")
    m = wait(local, "the script's URL and login line", READY_TIMEOUT_S,
             lambda: login.search(local.output()))
    url, user, password = m.groups()
    assert url == local.base
    for name in ("api-server", "scheduler", "dag-processor", "triggerer"):
        log = local.home / "logs" / f"{name}.log"
        assert str(log) in local.output(), f"the script names no log for {name}"
        assert log.is_file() and log.stat().st_size > 0, f"{log} is empty"
    t_ready = time.monotonic()

    token = local.api("POST", "/auth/token", {"username": user, "password": password})
    jwt = token["access_token"]
    dag = local.api("GET", f"/api/v2/dags/{DAG_ID}", token=jwt)
    assert dag["is_paused"] is False, dag
    pools = local.api("GET", "/api/v2/pools/zonewatch_duckdb", token=jwt)
    assert pools["slots"] == 1, pools

    conf = {"input_dir": str(local.root / "input"), "workdir": str(local.root / "work"),
            "warehouse": str(local.root / "wh.duckdb")}
    run = local.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns",
                    {"logical_date": None, "conf": conf}, token=jwt)
    run_id = urllib.parse.quote(run["dag_run_id"], safe="")

    def finished() -> str | None:
        state = local.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}", token=jwt)["state"]
        return state if state in ("success", "failed") else None

    state = wait(local, f"run {run['dag_run_id']} to finish", RUN_TIMEOUT_S, finished)
    tis = local.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances",
                    token=jwt)["task_instances"]
    states = {(t["task_id"], t["map_index"]): t["state"] for t in tis}
    assert state == "success", f"{states}\n{local.diagnose()}"
    assert states[("publish", -1)] == "success", states
    assert (local.root / "wh.duckdb").is_file(), "the run published no warehouse"
    t_run = time.monotonic()

    # The task's log, as the UI shows it: lines logged by that task instance.
    log = local.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/process"
                    "/logs/1?full_content=true", token=jwt)
    events = [e for e in log["content"] if isinstance(e, dict)]
    own = [e for e in events if e.get("task_id") == "process" and e.get("event")]
    assert own, f"the process task's log has no line of its own: {log!r:.1000}"

    # Ctrl-C in the middle of a second run: every component and every process they
    # started, the running task's too, is gone, quickly.
    second = local.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns",
                       {"logical_date": None, "conf": conf}, token=jwt)
    second_id = urllib.parse.quote(second["dag_run_id"], safe="")

    def a_task_runs() -> bool:
        tis = local.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{second_id}/taskInstances",
                        token=jwt)["task_instances"]
        return any(t["state"] == "running" for t in tis)

    wait(local, "a task of a second run to be running", RUN_TIMEOUT_S, a_task_runs, 0.3)
    t_stop = time.monotonic()
    os.kill(local.popen.pid, signal.SIGINT)
    try:
        rc = local.popen.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_TIMEOUT_S}s after SIGINT\n{local.diagnose()}",
                    pytrace=False)
    stopped_in = time.monotonic() - t_stop
    assert rc == 0, f"exit {rc} after SIGINT\n{local.diagnose()}"
    left = marked_pids(local.token, local.root)
    assert not left, f"processes left after SIGINT: {describe(left)}"
    assert not healthy(local), "the api-server still answers"
    print(f"\nairflow_local: ready in {t_ready - t0:.0f}s, run in {t_run - t_ready:.0f}s, "
          f"stopped in {stopped_in:.1f}s")


def test_a_busy_port_is_one_line_and_starts_nothing(tmp_path: Path) -> None:
    token = secrets.token_hex(6)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ZONEWATCH_"))}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        env |= {MARK: token, "ZONEWATCH_AIRFLOW_HOME": str(tmp_path / "home"),
                "ZONEWATCH_AIRFLOW_PORT": str(port)}
        proc = subprocess.run(["bash", str(SCRIPT)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"airflow_local: port {port} on 127.0.0.1 is in use: stop what holds it "
                     "or set ZONEWATCH_AIRFLOW_PORT"], proc.stderr
    assert not (tmp_path / "home" / "airflow.db").exists()
    assert not marked_pids(token)


def test_a_component_that_dies_is_one_line_and_stops_the_rest(local: Local) -> None:
    wait(local, "the script's ready line", READY_TIMEOUT_S,
         lambda: "airflow_local: ready." in local.output())
    m = re.search(r"^airflow_local: triggerer started \(pid (\d+)\)", local.output(), re.M)
    assert m, local.output()
    os.kill(int(m.group(1)), signal.SIGKILL)
    try:
        rc = local.popen.wait(timeout=STOP_TIMEOUT_S + 5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after its triggerer died\n{local.diagnose()}",
                    pytrace=False)
    assert rc == 1, local.output()
    after = local.output().split("airflow_local: ready.", 1)[1]
    said = [ln for ln in after.splitlines() if ln.startswith("airflow_local: ")]
    log = local.home / "logs" / "triggerer.log"
    assert said == [f"airflow_local: triggerer exited (status 137); see its log: {log}"], after
    assert not marked_pids(local.token, local.root), describe(
        marked_pids(local.token, local.root))
    assert not healthy(local), "the api-server still answers"
