"""A `make airflow` stack for tests: scripts/airflow_local.sh started in a temporary
root (its AIRFLOW_HOME, the workdir, the warehouse) on a free port; every process it
starts carries ZW_AIRFLOW_LOCAL_TEST=<token>, so whatever outlives it is found (Linux
/proc), killed, and fails the test. The REST API (v2) through `Local.api`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "scripts" / "airflow_local.sh"
MARK = "ZW_AIRFLOW_LOCAL_TEST"
READY_TIMEOUT_S = 240  # api-server healthy, the DAG parsed and unpaused, the login printed
STOP_TIMEOUT_S = 20  # the brief: every component stopped within ~15 s of Ctrl-C

__all__ = ["MARK", "READY_TIMEOUT_S", "SCRIPT", "STOP_TIMEOUT_S", "Local", "describe",
           "healthy", "login", "marked_pids", "started", "wait"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def marked_pids(token: str, root: Path | None = None) -> list[int]:
    """Live processes whose environment carries MARK=<token>, or whose working directory
    is `root` (the script's): Airflow's workers and task runners rename themselves with
    setproctitle, which overwrites the memory /proc/PID/environ shows, not the cwd."""
    needle = f"{MARK}={token}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        ours = needle in env.split(b"\0") or (root is not None and Path(cwd) == root)
        if ours and ") Z " not in stat:  # zombies are not alive
            pids.append(int(entry.name))
    return pids


def describe(pids: list[int]) -> list[str]:
    out = []
    for pid in pids:
        try:
            cmd = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            cmd = b"?"
        out.append(f"{pid}: {cmd.decode(errors='replace').strip()}")
    return out


def _own_session() -> None:
    """Child set-up: its own session (a signal to the test reaches it only when sent),
    and SIGINT handled as on a terminal even when the test runs with SIGINT ignored."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Local:
    root: Path
    port: int
    token: str
    popen: subprocess.Popen[bytes]
    out: Path

    @property
    def home(self) -> Path:
        return self.root / "airflow-home"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def diagnose(self) -> str:
        parts = [f"--- script output\n{self.output()[-3000:]}"]
        for name in ("api-server", "scheduler", "dag-processor", "triggerer"):
            log = self.home / "logs" / f"{name}.log"
            if log.is_file():
                tail = log.read_text(errors="replace").splitlines()[-15:]
                parts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def check_alive(self) -> None:
        rc = self.popen.poll()
        if rc is not None:
            pytest.fail(f"scripts/airflow_local.sh exited {rc} before the test was done\n"
                        f"{self.diagnose()}", pytrace=False)

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 (local)
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            pytest.fail(f"{method} {path}: HTTP {e.code} {e.read()[:500]!r}", pytrace=False)


@contextlib.contextmanager
def started(root: Path, extra_env: dict[str, str]) -> Iterator[Local]:
    """The script running in `root` (its AIRFLOW_HOME, workdir and warehouse there);
    stopped (and checked for nothing left over by the test itself) afterwards."""
    token = secrets.token_hex(6)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "ZONEWATCH_", MARK))}
    port = _free_port()
    env |= {
        MARK: token,
        "ZONEWATCH_AIRFLOW_HOME": str(root / "airflow-home"),
        "ZONEWATCH_AIRFLOW_PORT": str(port),
        # The DAGs' defaults never point at the repository's samples or data/.
        "ZONEWATCH_WORKDIR": str(root / "work"),
        "ZONEWATCH_WAREHOUSE": str(root / "wh.duckdb"),
    } | extra_env
    out = root / "airflow_local.out"
    with out.open("wb") as fh:
        popen = subprocess.Popen(["bash", str(SCRIPT)], env=env, cwd=root,
                                 stdin=subprocess.DEVNULL, stdout=fh,
                                 stderr=subprocess.STDOUT, preexec_fn=_own_session)
    handle = Local(root=root, port=port, token=token, popen=popen, out=out)
    try:
        yield handle
    finally:
        if popen.poll() is None:  # the test failed before its Ctrl-C
            with contextlib.suppress(ProcessLookupError):
                os.kill(popen.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=STOP_TIMEOUT_S)
        for _ in range(10):  # whatever still carries the mark: the test fails on it too
            stray = marked_pids(token, root)
            if not stray:
                break
            for pid in stray:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.3)
        if popen.poll() is None:
            popen.kill()
            popen.wait(timeout=5)


def wait(local: Local, what: str, timeout: float, ready: Any, every: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        local.check_alive()
        got = ready()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n"
                        f"{local.diagnose()}", pytrace=False)
        time.sleep(every)


def healthy(local: Local) -> bool:
    try:
        with urllib.request.urlopen(f"{local.base}/api/v2/monitor/health",  # noqa: S310
                                    timeout=3) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


LOGIN = re.compile(r"UI:\s+(\S+)\s+\(log in as (\w+), password (\S+?);")


def login(local: Local) -> str:
    """Waits for the script's URL and login line; a JWT for the REST API."""
    wait(local, "the api-server's health endpoint", READY_TIMEOUT_S, lambda: healthy(local))
    m = wait(local, "the script's URL and login line", READY_TIMEOUT_S,
             lambda: LOGIN.search(local.output()))
    _url, user, password = m.groups()
    token = local.api("POST", "/auth/token", {"username": user, "password": password})
    return str(token["access_token"])

