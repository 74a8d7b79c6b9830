"""The network boundary: which addresses a fetch may reach, and a deadline for each fetch.

Every request and every redirect hop resolves its host once (`checked_address`), refuses
any address that is not global (`is_public`: private, loopback, link-local, shared
100.64.0.0/10, documentation, multicast, reserved; an IPv4 address inside IPv6 is judged
as that IPv4 address) and then connects to exactly that address: the connection classes
mounted by `PinnedAdapter` read the pin set by `pinned()` instead of resolving again, so a
resolver that answers public first and loopback second (DNS rebinding) cannot move the
connection. The Host header and TLS SNI (and certificate check) still use the name.

`deadline(seconds)` bounds a whole fetch (connect, headers and body, every attempt): the
sockets used inside it are shut down when it expires, so a server that sends one byte a
second cannot hold a fetch past it, whatever the per-read timeout.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import threading
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["BoundaryError", "DeadlineExpired", "PinnedAdapter", "checked_address",
           "deadline", "is_public", "pinned"]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_PINS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "zonewatch_pins", default=None)
_WATCH: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar(
    "zonewatch_deadline", default=None)


class BoundaryError(Exception):
    """The host resolves to an address a fetch must not reach."""


class DeadlineExpired(Exception):
    """The fetch's overall deadline passed."""


def is_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for a globally routable unicast address."""
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return is_public(addr.ipv4_mapped)
        if addr in _NAT64:
            return is_public(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    return addr.is_global and not addr.is_multicast


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def checked_address(host: str, allow_private: bool) -> str:
    """The address to connect to for `host`: resolved once, every answer checked.

    Raises BoundaryError when any answer is not public (unless `allow_private`), and
    socket.gaierror when the name does not resolve."""
    addrs = resolve(host)
    if not allow_private:
        for a in addrs:
            if not is_public(ipaddress.ip_address(a)):
                raise BoundaryError(f"{host} resolves to non-public address {a}")
    return addrs[0]


@contextlib.contextmanager
def pinned(host: str, address: str) -> Iterator[None]:
    """Inside: connections to `host` go to `address` (no second lookup)."""
    pins = dict(_PINS.get() or {})
    pins[host.lower()] = address
    token = _PINS.set(pins)
    try:
        yield
    finally:
        _PINS.reset(token)


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self.expired:
                _shut(sock)
            else:
                self._socks.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for s in self._socks:
                _shut(s)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[_Deadline | None]:
    """Bound everything inside to `seconds` of wall time (None: no bound)."""
    if seconds is None:
        yield None
        return
    d = _Deadline(seconds)
    token = _WATCH.set(d)
    d._timer.start()
    try:
        yield d
    finally:
        d._timer.cancel()
        _WATCH.reset(token)


def check_deadline() -> None:
    """Raise DeadlineExpired when the fetch's deadline has passed."""
    d = _WATCH.get()
    if d is not None and d.expired:
        raise DeadlineExpired


class _PinnedMixin:
    """Connect to the pinned address for this host; hand each socket to the deadline."""

    host: str
    _dns_host: str
    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        pin = (_PINS.get() or {}).get(self.host.lower())
        if pin is not None:
            self._dns_host = pin
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        d = _WATCH.get()
        if self.sock is None:  # a new connection: connect first, so the deadline sees it
            self.connect()  # type: ignore[attr-defined]
        if d is not None:
            d.watch(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """requests' adapter whose connections honour `pinned()` and `deadline()`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PinnedHTTPPool,
                                                   "https": _PinnedHTTPSPool}
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)
