"""The deployment topology, for real, on this machine: api-server, scheduler, dag-processor
and two Celery workers as separate processes, the metadata DB in PostgreSQL, the broker in
Redis: the throwaway servers of the `postgres_server` and `redis_server` fixtures
(tests/services.py: own data directory, free 127.0.0.1 ports; never the machine's 5432 or
6379). One run of zonewatch_pipeline over fixture pages served on 127.0.0.1 must succeed,
publish the warehouse, and have tasks executed by both workers.

Isolation and cleanup:

* a database `zw_topo_<token>` (metadata DB and Celery result backend), dropped
  at the end (its connections terminated first);
* a Redis db number in 7..15 that is empty when the test starts (DBSIZE 0), claimed with a
  key, FLUSHDB'd at the end;
* a temporary directory: the control plane's AIRFLOW_HOME (api-server, scheduler,
  dag-processor), one AIRFLOW_HOME per worker (as on separate machines: each worker's task
  logs land in its own home), the shared workdir (the compose file's shared volume), the
  warehouse, the fixture site and every process log; removed at the end;
* every process runs in its own session and carries `ZW_TOPO_RUN=<token>` in its
  environment. Teardown SIGTERMs each process group, SIGKILLs it after a bound, then
  SIGKILLs anything still carrying the token (task runners call setpgid and leave the
  group), and asserts that no such process, database, Redis key or directory is left.

Skipped only when initdb/postgres or redis-server is not installed (`make tools`
installs them); a server that does not start or answer is a failure that says so.
`ZW_TOPO_KEEP=1` keeps the temporary directory (logs) for debugging.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.services import PostgresServer, RedisServer

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SAMPLES = PROJECT_ROOT / "samples" / "corpus"
DAG_ID = "zonewatch_pipeline"
FACT_TABLES = ("fct_investment", "fct_output", "fct_compute")

REDIS_DBS = range(7, 16)
REDIS_CLAIM_KEY = "zw_topo:claimed_by"
WORKERS = ("w1", "w2")

STARTUP_TIMEOUT_S = 120  # api-server healthy, DAG serialized, both workers answer ping
RUN_TIMEOUT_S = 300  # triggered run reaches success/failed
CLI_TIMEOUT_S = 120
STOP_GRACE_S = 20  # SIGTERM → SIGKILL


def _airflow_bin() -> str:
    """The `airflow` next to this interpreter (the project venv), else the one on PATH."""
    here = Path(sys.executable).parent / "airflow"
    if here.is_file():
        return str(here)
    found = shutil.which("airflow")
    if not found:
        pytest.fail("no `airflow` executable next to the interpreter or on PATH "
                    "(run `make install`)", pytrace=False)
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, n: int = 60) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        return f"(cannot read {path}: {e})"
    return "\n".join(lines[-n:])


def _first_error(path: Path) -> str:
    """The first `SomethingError: ...` line of a log: usually why a process died."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    m = re.search(r"^[\w.]*(?:Error|Exception): .*$", text, re.MULTILINE)
    return m.group(0) if m else "(no exception in the log)"


# -- services ---------------------------------------------------------------------------


def _pg_connect(pg: PostgresServer, dbname: str) -> Any:
    import psycopg2

    try:
        conn = psycopg2.connect(pg.dsn(dbname), connect_timeout=5)
    except psycopg2.OperationalError as e:
        pytest.fail(
            f"PostgreSQL is unreachable at {pg.host}:{pg.port} as user {pg.user!r} "
            f"(database {dbname!r}): {str(e).strip()}\n"
            "The topology test's throwaway PostgreSQL (tests/services.py) stopped "
            "answering.",
            pytrace=False)
    conn.autocommit = True
    return conn


def _redis(server: RedisServer, db: int) -> Any:
    import redis

    client = redis.Redis(host=server.host, port=server.port, db=db, socket_timeout=5,
                         socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as e:
        pytest.fail(
            f"Redis is unreachable at {server.host}:{server.port} (db {db}): {e}\n"
            "The topology test's throwaway Redis (tests/services.py) stopped answering.",
            pytrace=False)
    return client


def _claim_redis_db(server: RedisServer, token: str) -> int:
    """The first db in REDIS_DBS that is empty, claimed with a key so that a concurrent
    run of this test picks another one."""
    for n in REDIS_DBS:
        client = _redis(server, n)
        try:
            if client.dbsize() != 0:
                continue
            if client.set(REDIS_CLAIM_KEY, token, nx=True) and client.dbsize() == 1:
                return n
        finally:
            client.close()
    pytest.fail(f"no empty Redis db among {REDIS_DBS.start}..{REDIS_DBS.stop - 1} on "
                f"{server.host}:{server.port}: the topology test will not share a db with "
                "anything else (FLUSHDB a leftover one if it is yours)", pytrace=False)


# -- processes --------------------------------------------------------------------------


def _token_pids(token: str) -> list[int]:
    """Live processes whose environment carries ZW_TOPO_RUN=<token> (Linux /proc)."""
    needle = f"ZW_TOPO_RUN={token}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if needle in env.split(b"\0") and ") Z " not in stat:  # zombies are not alive
            pids.append(int(entry.name))
    return pids


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path


@dataclass
class Topology:
    root: Path
    pg: PostgresServer
    redis: RedisServer
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    airflow: str = field(default_factory=_airflow_bin)
    api_port: int = field(default_factory=_free_port)
    redis_db: int | None = None
    db_created: bool = False
    procs: list[Proc] = field(default_factory=list)
    _meta: Any = None  # psycopg2 connection to the metadata db (reads only)
    _fernet: str = ""
    _jwt_secret: str = ""
    _api_secret: str = ""

    @property
    def db(self) -> str:
        return f"zw_topo_{self.token}"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def home(self) -> Path:
        return self.root / "airflow-home"

    def worker_home(self, name: str) -> Path:
        return self.root / f"{name}-home"

    # -- set-up -------------------------------------------------------------------------

    def create_backends(self) -> None:
        admin = _pg_connect(self.pg, "postgres")
        try:
            with admin.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{self.db}"')
            self.db_created = True
        finally:
            admin.close()
        self.redis_db = _claim_redis_db(self.redis, self.token)

    def env(self, home: Path, **extra: str) -> dict[str, str]:
        assert self.redis_db is not None
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AIRFLOW", "ZONEWATCH_", "ZW_TOPO_"))}
        pg = f"{self.pg.user}@{self.pg.host}:{self.pg.port}/{self.db}"
        api = f"http://127.0.0.1:{self.api_port}"
        env |= {
            "ZW_TOPO_RUN": self.token,  # marks every process of this test (leftover check)
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__FERNET_KEY": self._fernet,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{pg}",
            # Airflow derives postgresql+asyncpg for its async engine and asyncpg is not in
            # uv.lock; nothing this deployment runs uses the async engine, so turn it off
            # (else every Airflow process dies at import: No module named 'asyncpg').
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": "",
            "AIRFLOW__CELERY__BROKER_URL": self.redis.url(self.redis_db),
            # The driver spelled out: SQLAlchemy 2.1 maps a bare postgresql:// to psycopg
            # (v3), which is not installed; psycopg2 is.
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{pg}",
            # One task at a time per worker (prefetch 1, acks late): the two mapped fetch
            # tasks, queued together, cannot both go to the same worker.
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
            "AIRFLOW__API__BASE_URL": api,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": self._api_secret,
            "AIRFLOW__API_AUTH__JWT_SECRET": self._jwt_secret,  # scheduler signs, api checks
            # Only the run this test triggers: no scheduled run on unpause.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "2",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "60",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            # The DAG's defaults never point at the repository's data/.
            "ZONEWATCH_WORKDIR": str(self.root / "work"),
            "ZONEWATCH_WAREHOUSE": str(self.root / "wh.duckdb"),
        }
        return env | extra

    def prepare(self) -> None:
        from cryptography.fernet import Fernet

        self._fernet = Fernet.generate_key().decode()
        self._jwt_secret = secrets.token_urlsafe(32)
        self._api_secret = secrets.token_urlsafe(32)
        for d in (self.logs, self.home, *(self.worker_home(w) for w in WORKERS)):
            d.mkdir(parents=True)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [self.airflow, *args], env=self.env(self.home), cwd=self.root,
            capture_output=True, text=True, timeout=CLI_TIMEOUT_S, start_new_session=True)
        if check and proc.returncode != 0:
            pytest.fail(f"`airflow {' '.join(args)}` exited {proc.returncode}:\n"
                        f"{(proc.stdout + proc.stderr)[-4000:]}", pytrace=False)
        return proc

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> Proc:
        log = self.logs / f"{name}.log"
        with log.open("wb") as fh:
            popen = subprocess.Popen(
                [self.airflow, *args], env=env, cwd=self.root, stdin=subprocess.DEVNULL,
                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        self.spawn("api-server", ["api-server", "--host", "127.0.0.1", "--port",
                                  str(self.api_port), "--workers", "1"], self.env(self.home))
        self.spawn("dag-processor", ["dag-processor"], self.env(self.home))
        self.spawn("scheduler", ["scheduler"], self.env(self.home))
        pythonpath = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH"))
                                     if p)
        for w in WORKERS:
            env = self.env(self.worker_home(w), ZW_TOPO_WORKER=w, PYTHONPATH=pythonpath,
                           AIRFLOW__CORE__HOSTNAME_CALLABLE="zw_topo_hostname.hostname")
            self.spawn(f"worker-{w}", ["celery", "worker", "--celery-hostname", f"{w}@%h",
                                       "--concurrency", "1", "--skip-serve-logs",
                                       "--without-mingle", "--without-gossip"], env)

    # -- waiting ------------------------------------------------------------------------

    def check_alive(self) -> None:
        for p in self.procs:
            rc = p.popen.poll()
            if rc is not None:
                pytest.fail(f"{p.name} exited {rc}: {_first_error(p.log)}\n"
                            f"last lines of {p.log.name}:\n{_tail(p.log)}", pytrace=False)

    def meta(self) -> Any:
        if self._meta is None:
            self._meta = _pg_connect(self.pg, self.db)
        return self._meta

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.meta().cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())

    def wait_until(self, what: str, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            if ready():
                return
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {p.name}\n{_tail(p.log, 25)}" for p in self.procs)
                pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{logs}",
                            pytrace=False)
            time.sleep(1)

    def api_healthy(self) -> bool:
        url = f"http://127.0.0.1:{self.api_port}/execution/health"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 (local)
                return bool(r.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def dag_serialized(self) -> bool:
        return bool(self.query("select 1 from serialized_dag where dag_id = %s", DAG_ID))

    def workers_answering(self) -> bool:
        from celery import Celery

        assert self.redis_db is not None
        app = Celery(broker=self.redis.url(self.redis_db))
        try:
            replies = app.control.ping(timeout=1.0) or []
        finally:
            app.close()
        names = {name.split("@", 1)[0] for reply in replies for name in reply}
        return names >= set(WORKERS)

    def wait_for_run(self, run_id: str) -> str:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        state = "?"
        while time.monotonic() < deadline:
            self.check_alive()
            rows = self.query("select state from dag_run where dag_id = %s and run_id = %s",
                              DAG_ID, run_id)
            state = rows[0][0] if rows else "(no run)"
            if state in ("success", "failed"):
                return str(state)
            time.sleep(2)
        pytest.fail(f"run {run_id} still {state} after {RUN_TIMEOUT_S}s\n{self.diagnose(run_id)}",
                    pytrace=False)

    def diagnose(self, run_id: str) -> str:
        out = []
        with contextlib.suppress(Exception):
            rows = self.query(
                "select task_id, map_index, state, hostname, try_number from task_instance"
                " where dag_id = %s and run_id = %s order by start_date nulls last",
                DAG_ID, run_id)
            out.append("task instances:\n" + "\n".join(map(str, rows)))
        for home in (self.worker_home(w) for w in WORKERS):
            for f in sorted((home / "logs").rglob("*.log")):
                if "state=failed" in f.read_text(errors="replace") or "Traceback" in \
                        f.read_text(errors="replace"):
                    out.append(f"--- {f.relative_to(self.root)}\n{_tail(f, 40)}")
        out += [f"--- {p.name}\n{_tail(p.log, 20)}" for p in self.procs]
        return "\n".join(out)

    # -- teardown -----------------------------------------------------------------------

    def stop_processes(self) -> None:
        live = [p for p in self.procs if p.popen.poll() is None]
        for p in live:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for p in live:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        for p in self.procs:  # the group too: pool children outliving their parent
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.popen.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.popen.wait(timeout=5)
        # Task runners and their children setpgid themselves out of the groups above.
        for _ in range(10):
            stray = _token_pids(self.token)
            if not stray:
                break
            for pid in stray:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.3)

    def drop_backends(self) -> None:
        if self._meta is not None:
            with contextlib.suppress(Exception):
                self._meta.close()
            self._meta = None
        if self.redis_db is not None:
            client = _redis(self.redis, self.redis_db)
            try:
                client.flushdb()
            finally:
                client.close()
        if self.db_created:
            admin = _pg_connect(self.pg, "postgres")
            try:
                with admin.cursor() as cur:
                    cur.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                                " where datname = %s and pid <> pg_backend_pid()", (self.db,))
                    cur.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            finally:
                admin.close()

    def leftovers(self) -> list[str]:
        found = []
        stray = _token_pids(self.token)
        if stray:
            found.append(f"processes still running: {stray}")
        admin = _pg_connect(self.pg, "postgres")
        try:
            with admin.cursor() as cur:
                cur.execute("select datname from pg_database where datname like 'zw_topo_%%'"
                            " and datname = %s", (self.db,))
                if cur.fetchall():
                    found.append(f"database {self.db} still exists")
        finally:
            admin.close()
        if self.redis_db is not None:
            client = _redis(self.redis, self.redis_db)
            try:
                if client.dbsize():
                    found.append(f"Redis db {self.redis_db} not empty")
            finally:
                client.close()
        if self.root.exists():
            found.append(f"{self.root} still exists")
        return found


@pytest.fixture
def topology(postgres_server: PostgresServer, redis_server: RedisServer) -> Iterator[Topology]:
    # Fail before creating anything when a service does not answer.
    _pg_connect(postgres_server, "postgres").close()
    _redis(redis_server, 0).close()
    topo = Topology(root=Path(tempfile.mkdtemp(prefix="zw-topo-")), pg=postgres_server,
                    redis=redis_server)
    try:
        yield topo
    finally:
        errors = []
        for step in (topo.stop_processes, topo.drop_backends):
            try:
                step()
            except Exception as e:  # keep tearing down; report below
                errors.append(f"{step.__name__}: {e!r}")
        if os.environ.get("ZW_TOPO_KEEP") == "1":
            print(f"\nZW_TOPO_KEEP=1: kept {topo.root}")
        else:
            shutil.rmtree(topo.root, ignore_errors=True)
    leftovers = topo.leftovers()
    if os.environ.get("ZW_TOPO_KEEP") == "1":
        leftovers = [x for x in leftovers if not x.startswith(str(topo.root))]
    assert not errors and not leftovers, f"teardown: {errors} leftovers: {leftovers}"


def _site_and_sources(root: Path, local_site: Callable[[Path], Any]) -> tuple[Path, set[str]]:
    """Four sample pages on a local site, split into two `urls` sources."""
    site_dir = root / "site"
    site_dir.mkdir()
    names = sorted(p.name for p in SAMPLES.glob("0[1-4]_*.html"))
    assert len(names) == 4, f"expected samples/corpus/0[1-4]_*.html, found {names}"
    for name in names:
        shutil.copy2(SAMPLES / name, site_dir / name)
    site = local_site(site_dir)
    lines = ["sources:"]
    for i, group in enumerate((names[:2], names[2:])):
        lines += [f"  - name: part{i}", "    allow_private: true", "    urls:"]
        lines += [f"      - {site.url('/' + n)}" for n in group]
    sources = root / "sources.yml"
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sources, {site.url("/" + n) for n in names}


@pytest.mark.topology
@pytest.mark.slow
def test_celery_topology_runs_the_pipeline_on_two_workers(topology, local_site):
    topo = topology
    t0 = time.monotonic()
    topo.prepare()
    topo.create_backends()
    topo.cli("db", "migrate")
    topo.cli("pools", "set", "zonewatch_duckdb", "1", "zonewatch: one DuckDB writer")
    topo.start()
    topo.wait_until("the api-server's /execution/health", topo.api_healthy, STARTUP_TIMEOUT_S)
    topo.wait_until(f"the dag-processor to serialize {DAG_ID}", topo.dag_serialized,
                    STARTUP_TIMEOUT_S)
    topo.wait_until("both Celery workers to answer a ping", topo.workers_answering,
                    STARTUP_TIMEOUT_S)
    t_ready = time.monotonic()

    sources, urls = _site_and_sources(topo.root, local_site)
    workdir, warehouse = topo.root / "work", topo.root / "wh.duckdb"
    conf = {"sources_file": str(sources), "workdir": str(workdir),
            "warehouse": str(warehouse)}
    run_id = f"topology__{topo.token}"
    topo.cli("dags", "unpause", DAG_ID)
    topo.cli("dags", "trigger", DAG_ID, "--run-id", run_id, "-c", json.dumps(conf))
    state = topo.wait_for_run(run_id)
    t_run = time.monotonic()
    assert state == "success", f"run {run_id} {state}\n{topo.diagnose(run_id)}"

    # The CLI agrees with the metadata DB (its JSON is the last stdout line, after logs).
    out = topo.cli("dags", "list-runs", DAG_ID, "-o", "json").stdout
    runs = json.loads([ln for ln in out.splitlines() if ln.startswith("[")][-1])
    assert [r["state"] for r in runs if r["run_id"] == run_id] == ["success"], runs

    # Every task ran, on the Celery workers, and both workers took tasks.
    tis = topo.query("select task_id, map_index, state, hostname from task_instance"
                     " where dag_id = %s and run_id = %s", DAG_ID, run_id)
    expected = {("plan", -1), ("sources", -1), ("fetch", 0), ("fetch", 1), ("land", -1),
                ("process", -1), ("dbt_build", -1), ("gate", -1), ("publish", -1)}
    assert {(t, m) for t, m, _, _ in tis} == expected, tis
    assert {s for _, _, s, _ in tis} == {"success"}, tis
    fqdn = socket.getfqdn()
    hosts = {h for _, _, _, h in tis}
    assert hosts <= {f"{w}@{fqdn}" for w in WORKERS}, tis
    assert len(hosts) == 2, f"one worker took every task: {tis}"
    # Independently of task_instance.hostname: each worker's own log and AIRFLOW_HOME show
    # the task instances it executed (the Celery worker logs each workload it receives).
    for w in WORKERS:
        mine = {(t, m) for t, m, _, h in tis if h == f"{w}@{fqdn}"}
        log = (topo.logs / f"worker-{w}.log").read_text(errors="replace")
        assert "Executing workload in Celery" in log, f"worker {w} received nothing"
        task_logs = {p.relative_to(topo.worker_home(w) / "logs").parts[2]
                     for p in (topo.worker_home(w) / "logs").rglob("*.log")
                     if p.relative_to(topo.worker_home(w) / "logs").parts[0]
                     .startswith("dag_id=")}
        assert {f"task_id={t}" for t, _ in mine} <= task_logs, (w, mine, task_logs)

    # The published warehouse holds the facts of the fixture pages.
    import duckdb

    assert warehouse.is_file(), f"no published warehouse at {warehouse}"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        docs = {r[0] for r in con.execute("select url from dim_document").fetchall()}
        facts = {t: con.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608
                 for t in FACT_TABLES}
        sourced = con.execute(
            "select count(distinct source_url) from ("
            + " union all ".join(f"select source_url from {t}" for t in FACT_TABLES)
            + ")").fetchone()[0]
    finally:
        con.close()
    assert docs == urls
    assert sum(facts.values()) > 0, facts
    assert sourced >= 2, f"facts come from {sourced} page(s) only: {facts}"
    by_host = {h: sorted(f"{t}[{m}]" if m >= 0 else t for t, m, _, hh in tis if hh == h)
               for h in sorted(hosts)}
    print(f"\ntopology: ready in {t_ready - t0:.0f}s, run in {t_run - t_ready:.0f}s, "
          f"facts {facts}, tasks by worker {by_host}")
