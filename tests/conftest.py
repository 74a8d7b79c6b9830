"""Shared fixtures: a local HTTP server on 127.0.0.1 that tests configure.

Never touches the network: the server binds 127.0.0.1 on a free port, runs in a
daemon thread, and is shut down (and joined, bounded) when the test ends.

* `local_server` — an empty server; add canned responses with
  `server.route("/path", Reply(...), ...)` (several replies are served in turn,
  the last one repeats). `server.hits["/path"]` counts requests.
* `local_site(directory)` — a factory: serves the files under `directory` as raw
  bytes (no charset in Content-Type, like many real sites), plus any routes.

Misbehaviour for fault tests: `Reply(reset=True)` sends half a status line and
resets the connection; `Reply(truncate_at=N)` announces the full Content-Length but
sends only N body bytes and closes. A reply carrying an `ETag` / `Last-Modified`
header answers a matching `If-None-Match` / `If-Modified-Since` with a 304
(`server.not_modified[path]` counts them; `server.conditional[path]` counts requests
that carried validators). `server.hit_times[path]` has the monotonic time of each
request, `server.last_headers[path]` the last request's headers.

Throwaway servers (tests/services.py), one each per session, on free 127.0.0.1 ports,
never the machine's own PostgreSQL (5432) or Redis (6379):

* `postgres_server` — a `PostgresServer` (host, port, user `postgres`, trust auth;
  `.dsn(dbname)`, `.url(dbname, driver)`) started from a fresh `initdb`;
* `redis_server` — a `RedisServer` (host, port; `.url(db)`).

Skipped, saying so, when the server's program is not installed (`make tools`).

Tiers: a test that uses either fixture is marked `services`, and every `services` test
is `slow` too, so `make test-fast` (`-m "not slow"`) needs no server, no network and no
program that `make tools` installs; `SLOW` and `SERVICES` below mark the rest.
"""

from __future__ import annotations

import mimetypes
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.services import (
    PostgresServer,
    RedisServer,
    ServiceError,
    ServiceUnavailable,
    start_postgres,
    start_redis,
)

HOST = "127.0.0.1"
HANG_LIMIT_S = 5.0  # a "hang" reply blocks at most this long (or until teardown)


@dataclass(frozen=True)
class Reply:
    """A canned response. `hang=True`: send nothing until the server shuts down."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html"),)
    hang: bool = False
    send_length: bool = True
    reset: bool = False
    truncate_at: int | None = None


@dataclass
class LocalServer:
    base_url: str
    directory: Path | None
    routes: dict[str, list[Reply]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    hit_times: dict[str, list[float]] = field(default_factory=dict)
    conditional: dict[str, int] = field(default_factory=dict)
    not_modified: dict[str, int] = field(default_factory=dict)
    last_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def route(self, path: str, *replies: Reply) -> str:
        with self.lock:
            self.routes[path] = list(replies) or [Reply()]
        return self.url(path)

    def _next_reply(self, path: str, headers: dict[str, str] | None = None) -> Reply | None:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.hit_times.setdefault(path, []).append(time.monotonic())
            if headers is not None:
                self.last_headers[path] = headers
            replies = self.routes.get(path)
            if not replies:
                return None
            return replies.pop(0) if len(replies) > 1 else replies[0]


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = HANG_LIMIT_S  # socket timeout: a stuck client cannot pin a thread

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # keep test output clean

        def _reset(self) -> None:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Ty")
            self.wfile.flush()
            # SO_LINGER 0: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()  # really closed (RST) once rfile/wfile close in finish()

        def _not_modified(self, path: str, reply: Reply) -> bool:
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if inm is None and ims is None:
                return False
            with server.lock:
                server.conditional[path] = server.conditional.get(path, 0) + 1
            hdrs = dict(reply.headers)
            match = (inm is not None and inm == hdrs.get("ETag")) or (
                inm is None and ims is not None and ims == hdrs.get("Last-Modified"))
            if not match or reply.status != 200:
                return False
            with server.lock:
                server.not_modified[path] = server.not_modified.get(path, 0) + 1
            self.send_response(304)
            for k in ("ETag", "Last-Modified"):
                if k in hdrs:
                    self.send_header(k, hdrs[k])
            self.end_headers()
            return True

        def _send(self, reply: Reply, path: str = "") -> None:
            if reply.hang:
                server.release.wait(HANG_LIMIT_S)
                return
            if reply.reset:
                self._reset()
                return
            if self._not_modified(path, reply):
                return
            self.send_response(reply.status)
            for k, v in reply.headers:
                self.send_header(k, v)
            if reply.send_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            body = reply.body
            if reply.truncate_at is not None:
                body = body[: reply.truncate_at]
                self.close_connection = True
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (e.g. size cap): fine

        def do_GET(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            reply = server._next_reply(path, dict(self.headers.items()))
            if reply is None:
                reply = self._from_directory(path)
            self._send(reply, path)

        def _from_directory(self, path: str) -> Reply:
            if server.directory is None:
                return Reply(404, b"not found", (("Content-Type", "text/plain"),))
            root = server.directory.resolve()
            target = (root / unquote(path).lstrip("/")).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                return Reply(404, b"not found", (("Content-Type", "text/plain"),))
            ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return Reply(200, target.read_bytes(), (("Content-Type", ctype),))

    return Handler


@pytest.fixture
def _server_factory() -> Iterator[Callable[[Path | None], LocalServer]]:
    started: list[tuple[ThreadingHTTPServer, threading.Thread, LocalServer]] = []

    def start(directory: Path | None) -> LocalServer:
        state = LocalServer(base_url="", directory=Path(directory) if directory else None)
        httpd = ThreadingHTTPServer((HOST, 0), _handler_for(state))
        httpd.daemon_threads = True
        state.base_url = f"http://{HOST}:{httpd.server_address[1]}"
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                  name=f"local-server-{httpd.server_address[1]}", daemon=True)
        thread.start()
        started.append((httpd, thread, state))
        return state

    yield start
    for httpd, thread, state in started:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=HANG_LIMIT_S)


@pytest.fixture
def local_server(_server_factory: Callable[[Path | None], LocalServer]) -> LocalServer:
    """An empty local server on 127.0.0.1; add canned replies with `.route()`."""
    return _server_factory(None)


@pytest.fixture
def local_site(
    _server_factory: Callable[[Path | None], LocalServer],
) -> Callable[[Path], LocalServer]:
    """Factory: `site = local_site(directory)` serves that directory on 127.0.0.1."""
    return lambda directory: _server_factory(directory)


@pytest.fixture
def samples_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "samples"


# --------------------------------------------------------------------------- services


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL for the session (see tests/services.py)."""
    try:
        with start_postgres() as server:
            yield server
    except ServiceUnavailable as e:
        pytest.skip(str(e))
    except ServiceError as e:
        pytest.fail(f"throwaway PostgreSQL: {e}", pytrace=False)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A throwaway Redis for the session (see tests/services.py)."""
    try:
        with start_redis() as server:
            yield server
    except ServiceUnavailable as e:
        pytest.skip(str(e))
    except ServiceError as e:
        pytest.fail(f"throwaway Redis: {e}", pytrace=False)


# --------------------------------------------------------------------------- tiers

SERVICE_FIXTURES = frozenset({"postgres_server", "redis_server"})

# Tests that need a program `make tools` installs (node id prefixes, from tests/).
SERVICES = (
    "compose/test_compose.py::test_docker_compose_config_is_valid",
    "compose/test_compose.py::test_docker_compose_lists_every_service_and_volume",
    "compose/test_compose.py::test_resolved_config_still_matches_the_schema",
    "compose/test_compose.py::test_missing_secret_is_refused",
)

# Tests that take long on a 2-core machine (node id prefixes, from tests/): the fast
# tier stays under 3 minutes without them. Left in it: one dbt build (tests/dbt's module
# fixture and the checks on it) and the gate's frame, config and GX-route tests.
SLOW = (
    "gate/test_gate.py",  # a Great Expectations run per test, ~10 s each, ~6 min in all
    "dbt/test_five_questions.py",  # another dbt build, the README's questions on it
    "dbt/test_dbt_build.py::test_fact_ids_stable_across_builds",  # two more dbt builds
    "dbt/test_dbt_build.py::test_unknown_indicator_fails_build",  # another dbt build
    "dbt/test_dbt_build.py::test_docs_site_lists_mart_columns",  # dbt docs generate, ~30 s
    "dbt/test_dbt_build.py::test_incremental_build_mirrors_a_landing_zone_that_lost_a_page",
    "unit/test_bench_smoke.py::test_scale_bench_runs_a_small_size_end_to_end",  # ~1.5 min
)

_TESTS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            rel = item.path.resolve().relative_to(_TESTS_DIR).as_posix()
        except ValueError:
            continue
        nodeid = rel + item.nodeid[item.nodeid.index("::"):] if "::" in item.nodeid else rel
        needs_service = bool(SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())))
        if needs_service or nodeid.startswith(SERVICES) or item.get_closest_marker("services"):
            item.add_marker(pytest.mark.services)
            item.add_marker(pytest.mark.slow)
        elif nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
        if _shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(rel))


def _shares_a_module_fixture(item: pytest.Item) -> bool:
    """A test that uses a module- or class-scoped fixture (a dbt build, a served site):
    `make test` (pytest-xdist, --dist loadgroup) keeps its file on one worker, so the
    fixture is built once; every other test goes to whichever worker is free."""
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.values() if info is not None else ()
    return any(d and d[-1].scope in ("module", "class") for d in defs)
