"""Chaos test: `python -m benchmarks.chaos` (`make chaos`). Loopback only, bounded.

A small generated site (benchmarks.generate.make_page pages behind one list page) is
served from 127.0.0.1 by an http.server in a thread; `zonewatch run --sources` reads it
(`kind: list`, `allow_private: true`). A baseline run publishes first and its duration
is the measured run time T. Then each cycle:

1. a few new pages are added to the site, so every run has real work;
2. run A starts; once it holds the workdir lock, run B is started on the same workdir
   at a random moment before A's kill (it must be refused: exit 1 with the one lock
   line naming A; or, when A had already ended, finish and publish: exit 0);
3. A is SIGKILLed at a random delay within T (it may have ended by itself already);
4. with no run left, the state the kill left is checked (the published file, the lock);
5. a clean run (B itself when it ran, else run C) takes the cycle to a published state,
   and the invariants are checked:
   1. the published warehouse has the sha256 of a passed `validation_runs` row;
   2. the reader (a separate process opening the published file read-only in a loop and
      counting fct_investment / fct_output / fct_compute) saw no error and no partial
      state: each file it read is hashed (through the descriptor DuckDB holds) and must
      be a validated build, and one version always gives the same counts;
   3. no `.warehouse.duckdb.*.tmp` is left beside the warehouse and the workdir lock
      can be taken.
After the last cycle a final clean run, then an uninterrupted run over the same pages
into a fresh workdir:
   4. the fact ids of the three fct tables are the same in both warehouses.

Settings (environment or flags): CHAOS_CYCLES (50), CHAOS_MAX_MINUTES (40: no cycle is
started that would not end, with the final runs, inside the cap), CHAOS_SEED (random;
printed, so the same pages and delays can be replayed), CHAOS_PAGES (initial pages, 30),
CHAOS_PAGES_PER_CYCLE (3), CHAOS_OUT (keep everything there; default a temp dir removed
when nothing failed), CHAOS_KEEP=1 (keep the temp dir anyway).

Prints cycles, kills, concurrent starts refused, invariant checks passed and wall time;
exits 1 with one line per violation when any invariant broke.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
FACT_TABLES = ("fct_investment", "fct_output", "fct_compute")
LOCK_NAME = ".zonewatch.lock"  # ingest.runlock.LOCK_NAME (checked at start)
# "zonewatch: workdir … is in use by run … (pid …, since …); wait for it …"
LOCK_LINE = re.compile(r"^zonewatch: workdir (?P<dir>.+) is in use by "
                       r"(?:run (?P<run>\S+) \(pid (?P<pid>\d+), since (?P<since>[^)]+)\)"
                       r"|(?P<unknown>another run \(no holder recorded yet\)))")
PROGRESS = re.compile(r"^\[\d\d:\d\d:\d\d\] (?P<msg>.*)$")
READER_INTERVAL_S = 0.2  # a query costs ~30 ms of CPU; 2 cores are shared


# ------------------------------------------------------------------------------ settings


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


@dataclass
class ChaosSettings:
    cycles: int = 50
    max_minutes: float = 40.0
    seed: int | None = None
    initial_pages: int = 30
    pages_per_cycle: int = 3
    out_dir: Path | None = None  # None: a temp dir, removed when nothing failed
    keep: bool = False
    quiet: bool = False

    @classmethod
    def from_env(cls) -> ChaosSettings:
        seed = os.environ.get("CHAOS_SEED", "").strip()
        out = os.environ.get("CHAOS_OUT", "").strip()
        return cls(cycles=_env_int("CHAOS_CYCLES", 50),
                   max_minutes=_env_float("CHAOS_MAX_MINUTES", 40.0),
                   seed=int(seed) if seed else None,
                   initial_pages=_env_int("CHAOS_PAGES", 30),
                   pages_per_cycle=_env_int("CHAOS_PAGES_PER_CYCLE", 3),
                   out_dir=Path(out) if out else None,
                   keep=os.environ.get("CHAOS_KEEP", "") not in ("", "0"))


# ------------------------------------------------------------------------------ the site


class Site:
    """Generated pages behind one list page (`/list/`), served from 127.0.0.1."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.lock = threading.Lock()
        self.pages: dict[str, tuple[bytes, str]] = {}  # url path -> (body, content type)
        self.order: list[str] = []
        self.next_i = 0
        self.facts = 0
        self.requests: Counter[str] = Counter()
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def add(self, n: int) -> list[str]:
        """`n` more pages, each stating at least one fact, at URL paths not used yet."""
        from benchmarks.generate import make_page

        new: list[str] = []
        while len(new) < n:
            page = make_page(self.seed, self.next_i)
            self.next_i += 1
            path = urlsplit(page.url).path
            if not page.facts or path in self.pages:
                continue
            with self.lock:
                self.pages[path] = (page.body, f"text/html; charset={page.encoding}")
                self.order.append(path)
            self.facts += len(page.facts)
            new.append(path)
        return new

    def list_page(self) -> bytes:
        with self.lock:
            links = "".join(f'<li><a href="{p}">工作动态 {k + 1}</a></li>'
                            for k, p in enumerate(reversed(self.order)))
        return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>工作动态</title>'
                f'</head><body><ul class="news-list">{links}</ul></body></html>').encode()

    def start(self) -> str:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/robots.txt":
                    body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
                elif self.path == "/list/":
                    body, ctype = site.list_page(), "text/html; charset=utf-8"
                else:
                    with site.lock:
                        hit = site.pages.get(self.path)
                    if hit is None:
                        self.send_response(404)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    body, ctype = hit
                with site.lock:
                    site.requests["page" if self.path.endswith(".html") else self.path] += 1
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return f"http://{HOST}:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(5)


def write_sources(path: Path, base: str) -> None:
    path.write_text(
        "sources:\n"
        "  - name: chaos_site\n"
        "    kind: list\n"
        f"    entry: {base}/list/\n"
        '    link_selector: "ul.news-list a"\n'
        f"    allowed_hosts: [{HOST}]\n"
        "    allow_private: true\n"
        "    max_list_pages: 1\n"
        "    max_pages: 100000\n"
        "    rate_limit: 500\n"
        "    concurrency: 4\n"
        "    date_from_url: '/t(?P<y>\\d{4})(?P<m>\\d{2})(?P<d>\\d{2})_'\n",
        encoding="utf-8")


# ------------------------------------------------------------------------------ the reader


def _held_file(real_path: str) -> tuple[str, os.stat_result] | None:
    """The descriptor this process holds on `real_path` (DuckDB's), as /proc/self/fd/N,
    and its stat; the inode it is, even when the path has been replaced since."""
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return None
    for fd in fds:
        link = f"/proc/self/fd/{fd}"
        try:
            target = os.readlink(link)
        except OSError:
            continue
        if target in (real_path, real_path + " (deleted)"):
            try:
                return link, os.stat(link)
            except OSError:
                continue
    return None


def reader_main(warehouse: Path, log: Path, interval: float = READER_INTERVAL_S) -> None:
    """Open the published warehouse read-only in a loop and count the fact tables; log
    one JSON line per change of (file sha256, counts), one per error, stats at the end."""
    import duckdb

    from ingest.serve.publish import file_digest

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    real = os.path.realpath(warehouse)
    sha_cache: dict[tuple[int, int, int, int], str] = {}
    seen_file = False
    last: tuple[str | None, tuple[int, ...]] | None = None
    queries = absent = unhashed = errors = 0
    query = "select " + ", ".join(f"(select count(*) from main.{t})" for t in FACT_TABLES)
    with log.open("a", encoding="utf-8") as out:
        def emit(rec: dict[str, Any]) -> None:
            out.write(json.dumps(rec) + "\n")
            out.flush()

        while not stop.is_set():
            if not os.path.exists(real):
                absent += 1
                if seen_file:
                    errors += 1
                    emit({"kind": "error", "t": time.time(),
                          "msg": "the published warehouse vanished after it had existed"})
                stop.wait(interval)
                continue
            try:
                con = duckdb.connect(real, read_only=True)
                try:
                    row = con.execute(query).fetchone()
                    counts = tuple(int(v) for v in (row or ()))
                    held = _held_file(real)
                    sha = None
                    if held is not None:
                        st = held[1]
                        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                        sha = sha_cache.get(key)
                        if sha is None:
                            sha = sha_cache[key] = file_digest(held[0])
                finally:
                    con.close()
            except Exception as exc:  # every failure but "not there yet" is a finding
                msg = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                if not seen_file and "does not exist" in str(exc):
                    absent += 1
                else:
                    errors += 1
                    emit({"kind": "error", "t": time.time(), "msg": msg})
                stop.wait(interval)
                continue
            queries += 1
            seen_file = True
            unhashed += sha is None
            if (sha, counts) != last:
                last = (sha, counts)
                emit({"kind": "obs", "t": time.time(), "sha": sha, "counts": list(counts)})
            stop.wait(interval)
        emit({"kind": "stats", "t": time.time(), "queries": queries, "absent": absent,
              "unhashed": unhashed, "errors": errors})


class ReaderLog:
    """The harness's view of the reader's log, read incrementally."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.stats: dict[str, Any] | None = None

    def new_records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self.offset += end
        out = []
        for line in data[:end].decode("utf-8").splitlines():
            rec = json.loads(line)
            if rec["kind"] == "stats":
                self.stats = rec
            else:
                out.append(rec)
        return out


# ------------------------------------------------------------------------------ runs


class Run:
    """One `zonewatch run` in its own process group, stdout and stderr to files."""

    def __init__(self, label: str, argv: list[str], logs: Path) -> None:
        self.label = label
        self.out_path = logs / f"{label}.out"
        self.err_path = logs / f"{label}.err"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.t0 = time.monotonic()
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=env,
                                         start_new_session=True)
        self.t_end: float | None = None
        self.killed = False
        # Its end time as it happens, not when the harness gets round to asking.
        self._waiter = threading.Thread(target=self._wait_end, daemon=True)
        self._waiter.start()

    def _wait_end(self) -> None:
        self.proc.wait()
        self.t_end = time.monotonic()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def poll(self) -> int | None:
        return self.proc.returncode if self.t_end is not None else None

    def wait(self, timeout: float) -> int | None:
        self._waiter.join(timeout)
        return self.poll()

    def wait_or_kill(self, timeout: float) -> int | None:
        """The exit code, or None after killing a run still going at `timeout`."""
        rc = self.wait(timeout)
        if rc is None:
            self.kill()
            self.wait(30)
        return rc

    def kill(self) -> None:
        """SIGKILL the run's process (only it, as a crash or the OOM killer would)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.killed = True

    def survivors(self, grace: float = 10.0) -> list[str]:
        """Processes of this run's group still alive `grace` seconds after it died (then
        killed). Helpers that notice their parent is gone and exit (multiprocessing's
        resource tracker does) are given that long."""
        deadline = time.monotonic() + grace
        while True:
            try:
                os.killpg(self.proc.pid, 0)
            except (ProcessLookupError, PermissionError):
                return []
            if time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        left = []
        for d in Path("/proc").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                if d.name.isdigit() and os.getpgid(int(d.name)) == self.proc.pid:
                    cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    left.append(f"pid {d.name}: {cmd.strip()[:120]}")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        return left

    @property
    def seconds(self) -> float:
        return (self.t_end or time.monotonic()) - self.t0

    def stderr_lines(self) -> list[str]:
        return [ln for ln in self.err_path.read_text("utf-8", "replace").splitlines()
                if ln.strip()]

    def last_line(self) -> str:
        lines = self.stderr_lines()
        return lines[-1] if lines else "(no output)"

    def phase(self) -> str:
        """The step the run was in when it stopped, from its last progress line."""
        last = ""
        for ln in self.stderr_lines():
            m = PROGRESS.match(ln)
            if m:
                last = m.group("msg")
        for prefix, step in (("published", "after publish"), ("quarantined", "gate rebuild"),
                             ("quality gate", "gate/publish"), ("dbt build", "dbt build"),
                             ("process", "process"), ("land", "process"), ("fetch", "land")):
            if last.startswith(prefix):
                return step
        return "startup/fetch"


class LockWatcher:
    """Who holds the workdir lock, polled every few ms: the kernel's own record of the
    flock (/proc/locks: pid and inode) when there is one, else the holder record the
    lock file carries. `held[pid] = [first seen holding, last seen holding]`."""

    def __init__(self, lock_file: Path) -> None:
        self.lock_file = lock_file
        self.held: dict[int, list[float]] = {}
        self.kernel = Path("/proc/locks").exists()
        self._key: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _holders(self) -> list[int]:
        if self.kernel:
            if self._key is None:
                st = self.lock_file.stat()
                self._key = (f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:"
                             f"{st.st_ino}")
            out = []
            for line in Path("/proc/locks").read_text().splitlines():
                f = line.split()
                # "1: FLOCK  ADVISORY  WRITE 3803 fe:00:1474578 0 EOF" ("->" lines wait)
                if len(f) >= 6 and f[1] == "FLOCK" and f[5] == self._key:
                    out.append(int(f[4]))
            return out
        h = json.loads(self.lock_file.read_bytes() or b"null")
        return [int(h["pid"])] if h else []

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError, IndexError):
                now = time.monotonic()
                for pid in self._holders():
                    self.held.setdefault(pid, [now, now])[1] = now
            self._stop.wait(0.005)

    def wait_for(self, pid: int, run: Run, timeout: float) -> float | None:
        """Until `pid` holds the lock (when it was first seen holding), or None when the
        run ends or `timeout` passes first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pid in self.held:
                return self.held[pid][0]
            if run.poll() is not None:
                return self.held[pid][0] if pid in self.held else None
            time.sleep(0.005)
        return None

    def overlap(self, a: int, b: int) -> bool:
        """Whether `a` and `b` were ever seen holding the lock at the same time."""
        if a not in self.held or b not in self.held:
            return False
        (a0, a1), (b0, b1) = self.held[a], self.held[b]
        return a0 <= b1 and b0 <= a1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


# ------------------------------------------------------------------------------ checks


def passed_builds(workdir: Path) -> set[str]:
    """sha256 of every build a passed quality gate validated (landing validation_runs)."""
    from ingest.landing.store import LandingStore

    if not (workdir / "landing.duckdb").exists():
        return set()
    with LandingStore(workdir, read_only=True) as store:
        rows = store.con.execute("select build_sha256 from validation_runs "
                                 "where passed and build_sha256 is not null").fetchall()
    return {r[0] for r in rows}


def warehouse_version(warehouse: Path) -> tuple[str, tuple[int, ...]] | None:
    """(sha256, fact-table counts) of the published file, or None when there is none.
    Called only while no run is going, so the path names one file throughout."""
    import duckdb

    from ingest.serve.publish import file_digest

    if not warehouse.exists():
        return None
    sha = file_digest(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("select " + ", ".join(
            f"(select count(*) from main.{t})" for t in FACT_TABLES)).fetchone()
    finally:
        con.close()
    return sha, tuple(int(v) for v in (row or ()))


def temp_files(warehouse: Path) -> list[Path]:
    return sorted(warehouse.parent.glob(f".{warehouse.name}.*.tmp"))


def lock_is_free(workdir: Path) -> bool:
    from ingest.runlock import WorkdirBusy, workdir_lock

    try:
        with workdir_lock(workdir, "chaos-lock-check"):
            return True
    except WorkdirBusy:
        return False


def fact_ids(warehouse: Path) -> dict[str, set[str]]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: {r[0] for r in con.execute(f"select fact_id from main.{t}").fetchall()}
                for t in FACT_TABLES}
    finally:
        con.close()


# ------------------------------------------------------------------------------ the harness


@dataclass
class ChaosResult:
    cycles: int = 0
    kills: int = 0
    ended_before_kill: int = 0
    refused: int = 0
    refused_unnamed: int = 0  # refused with "no holder recorded yet"
    second_ran: int = 0  # B started after A ended and published
    clean_runs: int = 0
    checks_passed: int = 0
    checks: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    kill_phases: Counter[str] = field(default_factory=Counter)
    temp_files_after_kill: int = 0
    versions_seen_by_reader: int = 0
    reader_queries: int = 0
    reader_unhashed: int = 0
    run_seconds: list[float] = field(default_factory=list)
    baseline_seconds: float = 0.0
    fresh_seconds: float = 0.0
    pages: int = 0
    facts: dict[str, int] = field(default_factory=dict)
    stopped_by_cap: bool = False
    wall_seconds: float = 0.0
    seed: int = 0
    out_dir: str = ""

    def summary(self) -> str:
        med = statistics.median(self.run_seconds) if self.run_seconds else 0.0
        phases = ", ".join(f"{k} {v}" for k, v in sorted(self.kill_phases.items(),
                                                           key=lambda kv: -kv[1]))
        lines = [
            f"chaos: {self.cycles} cycles (seed {self.seed}"
            + (", stopped at the wall-time cap" if self.stopped_by_cap else "") + ")",
            f"  kills: {self.kills} (SIGKILL at a random point; {self.ended_before_kill} "
            f"run(s) had ended before their kill); killed in: {phases or '-'}",
            f"  concurrent starts refused: {self.refused}"
            + (f" ({self.refused_unnamed} naming no holder yet)" if self.refused_unnamed else "")
            + f"; second runs that found the first ended and published: {self.second_ran}",
            f"  temp files beside the warehouse right after a kill: {self.temp_files_after_kill}"
            " (each gone after the next clean run)",
            f"  reader: {self.reader_queries} queries, {self.versions_seen_by_reader} "
            f"published versions seen" + (f", {self.reader_unhashed} not hashed"
                                          if self.reader_unhashed else ""),
            f"  runs: baseline {self.baseline_seconds:.1f}s, clean runs median {med:.1f}s "
            f"({len(self.run_seconds)}), fresh comparison run {self.fresh_seconds:.1f}s; "
            f"{self.pages} pages, facts " + ", ".join(f"{t} {n}" for t, n in self.facts.items()),
            f"  invariant checks passed: {self.checks_passed} of "
            f"{self.checks_passed + len(self.violations)} ("
            + ", ".join(f"{k} {v}" for k, v in sorted(self.checks.items())) + ")",
            f"  wall time: {_fmt_s(self.wall_seconds)}",
        ]
        return "\n".join(lines)


def _fmt_s(s: float) -> str:
    return f"{int(s // 60)}m{s % 60:04.1f}s" if s >= 60 else f"{s:.1f}s"


class Chaos:
    def __init__(self, st: ChaosSettings, say: Callable[[str], None]) -> None:
        self.st = st
        self.say = say
        self.res = ChaosResult()
        self.rng = random.Random(st.seed)
        self.versions: dict[str, tuple[int, ...]] = {}  # sha -> counts, as the harness read
        self.reader_counts: dict[str, tuple[int, ...]] = {}  # sha -> counts, as the reader read
        self.live: list[Run] = []  # every run started, to stop any left when interrupted

    # -- bookkeeping
    def ok(self, check: str) -> None:
        self.res.checks_passed += 1
        self.res.checks[check] += 1

    def violation(self, cycle: int | str, msg: str) -> None:
        line = f"cycle {cycle}: {msg}" if isinstance(cycle, int) else f"{cycle}: {msg}"
        self.res.violations.append(line)
        self.say(f"VIOLATION {line}")

    def zonewatch(self, label: str, workdir: Path, warehouse: Path) -> Run:
        argv = [sys.executable, "-m", "ingest.cli", "run", "--sources", str(self.sources),
                "--workdir", str(workdir), "--warehouse", str(warehouse)]
        run = Run(label, argv, self.logs)
        self.live.append(run)
        return run

    def clean_run(self, label: str, cycle: int | str, workdir: Path, warehouse: Path,
                  timeout: float) -> Run | None:
        run = self.zonewatch(label, workdir, warehouse)
        rc = run.wait_or_kill(timeout)
        if rc is None:
            self.violation(cycle, f"clean run {label} did not end within {timeout:.0f}s "
                                  f"(killed; log {run.err_path})")
            return None
        if rc != 0:
            self.violation(cycle, f"clean run {label} exited {rc}: {run.last_line()} "
                                  f"(log {run.err_path})")
            return None
        return run

    # -- the invariants
    def check_published(self, cycle: int | str, when: str) -> None:
        """Invariant 1, and the version's counts for invariant 2."""
        got = warehouse_version(self.warehouse)
        if got is None:
            self.ok("1 published=validated (none yet)")
            return
        sha, counts = got
        known = self.versions.setdefault(sha, counts)
        if known != counts:
            self.violation(cycle, f"{when}: the published file {sha[:12]} counts {counts}, "
                                  f"earlier {known}")
        if sha in passed_builds(self.workdir):
            self.ok("1 published=validated")
        else:
            self.violation(cycle, f"{when}: the published warehouse (sha256 {sha[:12]}, "
                                  f"counts {counts}) matches no passed validation_runs row")

    def check_reader(self, cycle: int | str) -> None:
        """Invariant 2: nothing but complete validated versions, no errors."""
        passed = passed_builds(self.workdir)
        known_counts = set(self.versions.values()) | set(self.reader_counts.values())
        bad = 0
        for rec in self.reader_log.new_records():
            if rec["kind"] == "error":
                bad += 1
                self.violation(cycle, f"the reader failed: {rec['msg']}")
                continue
            sha, counts = rec["sha"], tuple(rec["counts"])
            if sha is None:  # not hashed: judge by counts alone
                if counts not in known_counts:
                    bad += 1
                    self.violation(cycle, f"the reader saw counts {counts} that match no "
                                          f"published version")
                continue
            if sha not in passed:
                bad += 1
                self.violation(cycle, f"the reader read a file (sha256 {sha[:12]}, counts "
                                      f"{counts}) that is no passed build: a partial state")
                continue
            seen = self.reader_counts.setdefault(sha, counts)
            mine = self.versions.get(sha, counts)
            if seen != counts or mine != counts:
                bad += 1
                self.violation(cycle, f"the reader saw version {sha[:12]} with counts {counts},"
                                      f" elsewhere {seen if seen != counts else mine}")
        if not bad:
            self.ok("2 reader consistent")

    def check_clean_state(self, cycle: int | str) -> None:
        """Invariant 3 after a clean run."""
        left = temp_files(self.warehouse)
        if left:
            self.violation(cycle, f"temp files beside the warehouse after a clean run: "
                                  f"{', '.join(p.name for p in left)}")
        else:
            self.ok("3 no temp files")
        if lock_is_free(self.workdir):
            self.ok("3 lock free")
        else:
            self.violation(cycle, f"the workdir lock is still held after a clean run "
                                  f"({(self.workdir / LOCK_NAME).read_text(errors='replace')})")

    # -- one cycle
    def cycle(self, k: int, run_time: float) -> tuple[float | None, str]:
        self.site.add(self.st.pages_per_cycle)
        watcher = LockWatcher(self.workdir / LOCK_NAME)
        timeout = max(600.0, 10 * run_time)
        b: Run | None = None
        b_rc: int | None = None
        try:
            kill_at = self.rng.uniform(0.0, run_time)
            a = self.zonewatch(f"cycle{k:03d}-a", self.workdir, self.warehouse)
            # B starts at a random moment between A taking the lock and A's kill; when A
            # has not taken it by then, right after the kill.
            t_lock = watcher.wait_for(a.pid, a, timeout=max(0.0, kill_at - a.seconds))
            b_at = (self.rng.uniform(t_lock - a.t0, kill_at)
                    if t_lock is not None and t_lock - a.t0 < kill_at else None)
            if b_at is not None:
                while a.seconds < b_at and a.poll() is None:
                    time.sleep(0.01)
                b = self.zonewatch(f"cycle{k:03d}-b", self.workdir, self.warehouse)
            while a.seconds < kill_at and a.poll() is None:
                time.sleep(0.01)
            a_rc = a.poll()
            if a_rc is None:
                a.kill()
                a_rc = a.wait(60)
                self.res.kills += 1
                phase = a.phase()
                self.res.kill_phases[phase] += 1
                survivors = a.survivors()
                if survivors:
                    self.violation(k, f"processes of the killed run {a.label} outlived it by "
                                      f"10s: {'; '.join(survivors)}")
                what = f"killed at {kill_at:.1f}s in {phase}"
            else:
                self.res.ended_before_kill += 1
                what = f"ended by itself in {a.seconds:.1f}s (kill was due at {kill_at:.1f}s)"
                if a_rc != 0:
                    self.violation(k, f"run {a.label} exited {a_rc} unkilled: {a.last_line()}")
            if b is None:
                b = self.zonewatch(f"cycle{k:03d}-b", self.workdir, self.warehouse)
            b_rc = b.wait_or_kill(timeout)
            if b_rc is None:
                self.violation(k, f"the concurrent run {b.label} did not end within "
                                  f"{timeout:.0f}s (killed)")
            # Mutual exclusion: B may hold the lock only once A has let it go.
            if watcher.overlap(a.pid, b.pid):
                self.violation(k, f"run {b.label} (pid {b.pid}) held the workdir lock while "
                                  f"run {a.label} (pid {a.pid}) still did")
            else:
                self.ok("lock exclusive")
        finally:
            watcher.stop()
        # B's verdict.
        b_ran, b_state = self.judge_second(k, a, b, b_rc)
        # The state the kill left, when nothing is running any more.
        if not b_ran:
            self.res.temp_files_after_kill += len(temp_files(self.warehouse))
            self.check_published(k, "after the kill")
            if lock_is_free(self.workdir):
                self.ok("3 lock free after kill")
            else:
                self.violation(k, "the workdir lock is held after the run was killed "
                                  "and no run is left")
            clean = self.clean_run(f"cycle{k:03d}-c", k, self.workdir, self.warehouse, timeout)
        else:
            clean = b
        if clean is not None:
            self.res.clean_runs += 1
            self.res.run_seconds.append(clean.seconds)
        self.check_published(k, "after the clean run")
        self.check_reader(k)
        self.check_clean_state(k)
        return (clean.seconds if clean is not None else None), f"A {what}; B {b_state}"

    def judge_second(self, k: int, a: Run, b: Run, rc: int | None) -> tuple[bool, str]:
        if rc is None:
            return False, "hung"
        lines = b.stderr_lines()
        if rc == 1:
            m = LOCK_LINE.match(lines[0]) if len(lines) == 1 else None
            if m is None:
                self.violation(k, f"the concurrent run {b.label} exited 1 without the one "
                                  f"lock line: {' | '.join(lines[-3:]) or '(no output)'}")
                return False, "failed"
            if m.group("unknown"):
                self.res.refused_unnamed += 1
            elif int(m.group("pid")) != a.pid:
                self.violation(k, f"the concurrent run {b.label} was refused naming pid "
                                  f"{m.group('pid')}, not the holder {a.pid}")
                return False, "refused (wrong holder)"
            if a.t_end is not None and b.t_end is not None and b.t_end - a.t_end > 3.0:
                self.violation(k, f"the concurrent run {b.label} was refused "
                                  f"{b.t_end - a.t_end:.1f}s after the holder {a.label} had "
                                  f"ended: a stale lock")
                return False, "refused by a stale lock"
            self.res.refused += 1
            self.ok("second run refused")
            return False, f"refused after {b.seconds:.1f}s"
        if rc == 0:
            self.res.second_ran += 1
            self.ok("second run ran after the first")
            return True, f"ran after A ended ({b.seconds:.1f}s)"
        self.violation(k, f"the concurrent run {b.label} exited {rc}: "
                          f"{lines[-1] if lines else '(no output)'}")
        return False, f"exited {rc}"

    # -- the whole test
    def run(self) -> ChaosResult:
        st, res = self.st, self.res
        t_start = time.monotonic()
        res.seed = st.seed if st.seed is not None else 0
        deadline = t_start + st.max_minutes * 60
        tmp_owned = st.out_dir is None
        out = Path(tempfile.mkdtemp(prefix="zw-chaos-")) if st.out_dir is None else st.out_dir
        out.mkdir(parents=True, exist_ok=True)
        res.out_dir = str(out)
        self.workdir = out / "work"
        self.warehouse = out / "published" / "warehouse.duckdb"
        self.logs = out / "logs"
        self.logs.mkdir(exist_ok=True)
        self.sources = out / "sources.yml"
        self.site = Site(res.seed)
        reader: subprocess.Popen[bytes] | None = None
        try:
            from ingest.runlock import LOCK_NAME as real_lock_name
            assert real_lock_name == LOCK_NAME, real_lock_name
            self.site.add(st.initial_pages)
            base = self.site.start()
            write_sources(self.sources, base)
            self.say(f"chaos: site {base}/list/ ({st.initial_pages} pages, "
                     f"+{st.pages_per_cycle} a cycle), out {out}, seed {res.seed}")
            self.warehouse.parent.mkdir(parents=True, exist_ok=True)
            self.reader_log = ReaderLog(out / "reader.jsonl")
            reader = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.chaos", "--reader", str(self.warehouse),
                 str(self.reader_log.path)], cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)})
            base_run = self.clean_run("baseline", "baseline", self.workdir, self.warehouse,
                                      timeout=1800)
            if base_run is None:
                raise _Abort("the baseline run failed; nothing to measure")
            res.baseline_seconds = base_run.seconds
            self.check_published("baseline", "after the baseline run")
            self.say(f"baseline run: {base_run.seconds:.1f}s (published)")
            recent: list[float] = []
            for k in range(1, st.cycles + 1):
                run_time = statistics.median(recent[-5:]) if recent else base_run.seconds
                expected = 1.6 * run_time + 5
                reserve = run_time + 1.5 * base_run.seconds + 30  # the final two runs
                if time.monotonic() + expected + reserve > deadline:
                    res.stopped_by_cap = True
                    self.say(f"chaos: stopping before cycle {k}: the {st.max_minutes:g}-minute"
                             f" cap would be passed")
                    break
                t0 = time.monotonic()
                clean_s, what = self.cycle(k, run_time)
                res.cycles = k
                if clean_s is not None:
                    recent.append(clean_s)
                self.say(f"cycle {k}/{st.cycles}: {what}; {time.monotonic() - t0:.1f}s, "
                         f"{len(res.violations)} violation(s) so far")
            # Final clean run, then the same pages into a fresh workdir.
            final = self.clean_run("final", "final", self.workdir, self.warehouse, 1800)
            if final is not None:
                self.check_published("final", "after the final clean run")
                self.check_clean_state("final")
            fresh_dir = out / "fresh"
            fresh_wh = fresh_dir / "warehouse.duckdb"
            fresh = self.clean_run("fresh", "fresh", fresh_dir, fresh_wh, 1800)
            if final is not None and fresh is not None:
                res.fresh_seconds = fresh.seconds
                self.compare_facts(fresh_wh)
            res.pages = len(self.site.pages)
        except _Abort as exc:
            self.violation("abort", str(exc))
        except _Interrupted as exc:
            self.violation("interrupted", f"{exc} after {res.cycles} cycle(s)")
        finally:
            for run in self.live:  # only when interrupted: runs of ours still going
                if run.poll() is None:  # the run first: its helpers then clean up and go
                    run.kill()
                    run.wait(10)
                    run.survivors(grace=5)
            if reader is not None:
                reader.send_signal(signal.SIGTERM)
                try:
                    reader.wait(30)
                except subprocess.TimeoutExpired:
                    reader.kill()
                    reader.wait(10)
                with contextlib.suppress(Exception):
                    self.check_reader("end")
            self.site.stop()
        stats = self.reader_log.stats or {}
        res.reader_queries = int(stats.get("queries", 0))
        res.reader_unhashed = int(stats.get("unhashed", 0))
        res.versions_seen_by_reader = len(self.reader_counts)
        if reader is not None and self.reader_log.stats is None:
            self.violation("end", "the reader process ended without its stats line "
                                  f"(exit {reader.returncode})")
        res.wall_seconds = time.monotonic() - t_start
        if tmp_owned and not res.violations and not st.keep:
            shutil.rmtree(out, ignore_errors=True)
            res.out_dir = ""
        return res

    def compare_facts(self, fresh_wh: Path) -> None:
        ours, theirs = fact_ids(self.warehouse), fact_ids(fresh_wh)
        self.res.facts = {t: len(ours[t]) for t in FACT_TABLES}
        for t in FACT_TABLES:
            only_ours, only_fresh = ours[t] - theirs[t], theirs[t] - ours[t]
            if only_ours or only_fresh:
                self.violation("final", f"{t}: fact ids differ from an uninterrupted run over "
                                        f"the same pages: {len(only_ours)} only after chaos "
                                        f"(e.g. {sorted(only_ours)[:2]}), {len(only_fresh)} "
                                        f"only in the fresh run (e.g. {sorted(only_fresh)[:2]})")
            else:
                self.ok("4 facts equal")


class _Abort(RuntimeError):
    pass


class _Interrupted(BaseException):
    """SIGTERM / SIGINT: stop, kill our runs and the reader, report what was done."""


def _interrupt(signum: int, _frame: Any) -> None:
    raise _Interrupted(f"stopped by signal {signal.Signals(signum).name}")


def run_chaos(st: ChaosSettings, say: Callable[[str], None] | None = None) -> ChaosResult:
    if st.seed is None:
        st.seed = random.SystemRandom().randrange(1, 10**6)
    if say is None:
        def say(msg: str) -> None:
            if not st.quiet:
                print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)
    return Chaos(st, say).run()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.chaos", description=__doc__
                                .splitlines()[0])
    p.add_argument("--cycles", type=int, default=None, help="default CHAOS_CYCLES or 50")
    p.add_argument("--max-minutes", type=float, default=None,
                   help="default CHAOS_MAX_MINUTES or 40")
    p.add_argument("--seed", type=int, default=None, help="default CHAOS_SEED or random")
    p.add_argument("--out", default=None, help="keep every file here (default CHAOS_OUT)")
    p.add_argument("--reader", nargs=2, metavar=("WAREHOUSE", "LOG"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.reader:
        reader_main(Path(args.reader[0]), Path(args.reader[1]))
        return 0
    st = ChaosSettings.from_env()
    if args.cycles is not None:
        st.cycles = args.cycles
    if args.max_minutes is not None:
        st.max_minutes = args.max_minutes
    if args.seed is not None:
        st.seed = args.seed
    if args.out is not None:
        st.out_dir = Path(args.out)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    res = run_chaos(st)
    print(res.summary())
    if res.out_dir:
        print(f"  files: {res.out_dir}")
    for v in res.violations:
        print(f"VIOLATION {v}")
    return 1 if res.violations else 0


if __name__ == "__main__":
    sys.exit(main())
