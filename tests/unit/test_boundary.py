"""The network boundary: only global addresses, the checked address is the one connected
to (DNS rebinding), and an overall deadline per request (a slow drip cannot hold a fetch).

Every server here listens on loopback (127.0.0.1 / 127.0.0.2); "public" is simulated by
telling the boundary which loopback address to treat as global."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ingest.fetch import boundary
from ingest.fetch.http import fetch, make_session
from ingest.fetch.http_attempt import refusal


@pytest.mark.parametrize("address", [
    "100.64.0.1",  # shared address space (carrier-grade NAT; cloud metadata lives nearby)
    "169.254.169.254",  # link-local: the classic metadata address
    "10.1.2.3", "192.168.0.1", "127.0.0.1", "0.0.0.0",  # noqa: S104 (an address to refuse)
    "198.51.100.7",  # documentation
    "224.0.0.1",  # multicast
    "::1", "fe80::1", "fc00::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
])
def test_every_non_global_address_is_refused(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    why = refusal(f"http://{host}/page.html")
    assert why is not None and why.startswith("refused:") and "non-public" in why, why


def test_a_global_address_passes_the_check() -> None:
    assert boundary.is_public(boundary.ipaddress.ip_address("8.8.8.8"))
    assert boundary.is_public(boundary.ipaddress.ip_address("2606:4700::1111"))


class _Reply(socketserver.BaseRequestHandler):
    """Answers any request with the server's own name; counts requests."""

    def handle(self) -> None:
        self.request.recv(65536)
        srv: Any = self.server
        srv.hits += 1
        body = srv.name.encode()
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                             b"Content-Length: " + str(len(body)).encode() +
                             b"\r\nConnection: close\r\n\r\n" + body)


@contextmanager
def _serve(host: str, port: int, name: str,
           handler: type[socketserver.BaseRequestHandler] = _Reply) -> Iterator[Any]:
    srv: Any = socketserver.ThreadingTCPServer((host, port), handler)
    srv.daemon_threads = True
    srv.name, srv.hits = name, 0
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def test_dns_rebinding_cannot_move_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name answers a 'public' address when it is checked and loopback afterwards; the
    request must go to the checked address, and the loopback server must see nothing."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.2"])

    def resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            return real(next(answers, "127.0.0.1"), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(boundary, "is_public", lambda a: str(a) == "127.0.0.2")
    with _serve("127.0.0.2", 0, "checked") as checked:
        port = checked.server_address[1]
        with _serve("127.0.0.1", port, "rebound") as rebound:
            res = fetch(make_session(), f"http://rebind.test:{port}/p", attempts=1,
                        accept_types=None)
    assert res.error is None, res.error
    assert res.body == b"checked"
    assert (checked.hits, rebound.hits) == (1, 0)


class _Drip(socketserver.BaseRequestHandler):
    """Headers at once, then the body one byte every 0.1 s (never idle long enough for a
    per-read timeout)."""

    def handle(self) -> None:
        self.request.recv(65536)
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                             b"Content-Length: 1000\r\n\r\n")
        with_stop: Any = self.server
        for _ in range(1000):
            if with_stop.stop.is_set():
                return
            try:
                self.request.sendall(b"x")
            except OSError:
                return
            time.sleep(0.1)


def test_a_slow_drip_stops_at_the_deadline() -> None:
    with _serve("127.0.0.1", 0, "drip", _Drip) as srv:
        srv.stop = threading.Event()
        t0 = time.monotonic()
        res = fetch(make_session(), f"http://127.0.0.1:{srv.server_address[1]}/slow",
                    allow_private=True, timeout=(1.0, 1.0), attempts=3, deadline_s=1.0,
                    accept_types=None)
        elapsed = time.monotonic() - t0
        srv.stop.set()
    assert res.error is not None and res.error.startswith("timeout: no whole response"), \
        res.error
    assert res.attempts == 1  # too slow is not retried
    assert elapsed < 4.0
