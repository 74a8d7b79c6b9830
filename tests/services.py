"""Throwaway PostgreSQL and Redis servers for the tests that need one.

`start_postgres()` and `start_redis()` are context managers: each picks a free port on
127.0.0.1, starts its own server there (PostgreSQL: `initdb` of a temporary data
directory, trust auth, superuser `postgres`, Unix socket in that directory too; Redis:
no persistence, no config file), waits until it answers, yields a description of it and,
at the end, stops it (SIGINT / SIGTERM, SIGKILL after a bound) and removes its directory.
They bind 127.0.0.1 only and never use the machine's own servers (5432, 6379).

The session fixtures `postgres_server` and `redis_server` (tests/conftest.py) wrap them;
a test that uses either is marked `services` and `slow`. A missing program is a
`ServiceUnavailable` (the fixtures skip, naming it and `make tools`); a server that does
not come up is a `ServiceError` with the tail of its log (the fixtures fail).

PostgreSQL refuses to run as root: as root, `initdb` and `postgres` run as the
`postgres` user when there is one (Debian's package creates it), else as `nobody`, in a
directory made theirs.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
PORT_ATTEMPTS = 5  # another process may take the free port before the server binds it


class ServiceUnavailable(RuntimeError):
    """The server's program is not installed: skip, do not fail."""


class ServiceError(RuntimeError):
    """The server was there but did not start."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    socket_dir: Path

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq key/value DSN (trust auth: no password)."""
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def url(self, dbname: str = "postgres", driver: str = "postgresql") -> str:
        """A URL for SQLAlchemy-style settings, e.g. driver="postgresql+psycopg2"."""
        return f"{driver}://{self.user}@{self.host}:{self.port}/{dbname}"


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _tail(path: Path, n: int = 30) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        return f"(cannot read {path}: {e})"
    return "\n".join(lines[-n:])


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal, wait (bounded), then SIGKILL: the process is gone when this returns."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=STOP_TIMEOUT_S)


def _clean_env() -> dict[str, str]:
    """This environment without libpq/PostgreSQL settings that could redirect a server
    or a client (PGDATA, PGPORT, PGHOST, ...)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"LC_ALL": "C"}


# --------------------------------------------------------------------------- PostgreSQL


def pg_binary(name: str) -> str:
    """`name` (initdb, postgres) on PATH, else the newest /usr/lib/postgresql/*/bin one
    (Debian keeps the server programs there, off PATH)."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple[int, ...]:
        v = Path(path).parents[1].name
        return tuple(int(p) for p in v.split(".") if p.isdigit())

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise ServiceUnavailable(
        f"no {name} on PATH or in /usr/lib/postgresql/*/bin: the PostgreSQL tests start "
        "their own server and need its programs (`make tools` installs Debian's "
        "postgresql package)")


def _service_user() -> pwd.struct_passwd | None:
    """Who runs initdb/postgres: None (this user) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise ServiceUnavailable("running as root and there is neither a `postgres` nor a "
                             "`nobody` user to run PostgreSQL as (it refuses root)")


def _as_user(user: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen keyword arguments that run the child as `user` (none for ourselves)."""
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _pg_ready(port: int) -> bool:
    import psycopg2

    try:
        psycopg2.connect(host=HOST, port=port, user="postgres", dbname="postgres",
                         connect_timeout=2).close()
    except psycopg2.OperationalError:
        return False
    return True


@contextlib.contextmanager
def start_postgres() -> Iterator[PostgresServer]:
    initdb, postgres = pg_binary("initdb"), pg_binary("postgres")
    user = _service_user()
    root = Path(tempfile.mkdtemp(prefix="zw-test-pg-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        if user is not None:  # mkdtemp made it 0700 root: hand it over
            os.chown(root, user.pw_uid, user.pw_gid)
        data, sock, log = root / "data", root / "sock", root / "postgres.log"
        env = _clean_env()
        init = subprocess.run(
            [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
            **_as_user(user))
        if init.returncode != 0:
            raise ServiceError(f"initdb exited {init.returncode}:\n{init.stdout}{init.stderr}")
        sock.mkdir()
        if user is not None:
            os.chown(sock, user.pw_uid, user.pw_gid)
        for _attempt in range(PORT_ATTEMPTS):
            port = free_port()
            with log.open("ab") as fh:
                proc = subprocess.Popen(
                    [postgres, "-D", str(data), "-h", HOST, "-p", str(port), "-k", str(sock),
                     # a test server: speed over durability
                     "-c", "fsync=off", "-c", "synchronous_commit=off",
                     "-c", "full_page_writes=off", "-c", "max_connections=200"],
                    cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=fh,
                    stderr=subprocess.STDOUT, start_new_session=True, **_as_user(user))
            deadline = time.monotonic() + START_TIMEOUT_S
            while proc.poll() is None and time.monotonic() < deadline:
                if _pg_ready(port):
                    break
                time.sleep(0.1)
            else:
                if proc.poll() is not None and "already in use" in _tail(log, 5):
                    proc = None
                    continue  # lost the port race: another port
                raise ServiceError(f"postgres on {HOST}:{port} did not come up "
                                   f"(exit code {proc.poll()}):\n{_tail(log)}")
            break
        else:
            raise ServiceError(f"postgres found no free port in {PORT_ATTEMPTS} attempts:\n"
                               f"{_tail(log)}")
        yield PostgresServer(HOST, port, "postgres", sock)
    finally:
        if proc is not None:
            _stop(proc, signal.SIGINT)  # SIGINT: "fast" shutdown
        shutil.rmtree(root, ignore_errors=True)


# --------------------------------------------------------------------------- Redis


def redis_binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None)
    if found:
        return found
    raise ServiceUnavailable("no redis-server on PATH: the Redis tests start their own "
                             "server (`make tools` installs Debian's redis-server package)")


def _redis_ready(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def start_redis() -> Iterator[RedisServer]:
    exe = redis_binary()
    root = Path(tempfile.mkdtemp(prefix="zw-test-redis-"))
    log = root / "redis.log"
    proc: subprocess.Popen[bytes] | None = None
    try:
        for _attempt in range(PORT_ATTEMPTS):
            port = free_port()
            with log.open("ab") as fh:
                proc = subprocess.Popen(
                    [exe, "--port", str(port), "--bind", HOST, "--save", "",
                     "--appendonly", "no", "--daemonize", "no", "--dir", str(root),
                     "--databases", "16", "--protected-mode", "yes"],
                    cwd=root, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
                    start_new_session=True)
            deadline = time.monotonic() + START_TIMEOUT_S
            while proc.poll() is None and time.monotonic() < deadline:
                if _redis_ready(port):
                    break
                time.sleep(0.05)
            else:
                if proc.poll() is not None and "already in use" in _tail(log, 5):
                    proc = None
                    continue
                raise ServiceError(f"redis-server on {HOST}:{port} did not come up "
                                   f"(exit code {proc.poll()}):\n{_tail(log)}")
            break
        else:
            raise ServiceError(f"redis-server found no free port in {PORT_ATTEMPTS} "
                               f"attempts:\n{_tail(log)}")
        yield RedisServer(HOST, port)
    finally:
        if proc is not None:
            _stop(proc, signal.SIGTERM)
        shutil.rmtree(root, ignore_errors=True)
