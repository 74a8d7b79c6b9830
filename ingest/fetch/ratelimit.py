"""Per-host politeness: a minimum interval between request starts and a concurrency cap.

    limiter = HostLimiter(rate_per_s=2.0, concurrency=2)
    with limiter.slot("www.example.gov.cn"):
        ...  # one HTTP request (headers and body)

`slot(host)` blocks until fewer than `concurrency` requests to that host are in
flight, reserves the next start time (at least `1/rate_per_s` after the previous
start to that host), sleeps until then and yields. Hosts are independent. The
limiter is thread-safe; `clock` and `sleep` can be replaced (tests use a fake clock).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["HostLimiter", "HostStats"]


@dataclass
class _Host:
    interval: float
    concurrency: int
    next_start: float = float("-inf")
    in_flight: int = 0
    max_in_flight: int = 0
    starts: int = 0


@dataclass(frozen=True)
class HostStats:
    interval: float
    concurrency: int
    in_flight: int
    max_in_flight: int
    starts: int


def _interval(rate_per_s: float | None) -> float:
    return 1.0 / rate_per_s if rate_per_s and rate_per_s > 0 else 0.0


class HostLimiter:
    """Thread-safe per-host rate limit (requests/s) and concurrency cap."""

    def __init__(self, rate_per_s: float | None = 2.0, concurrency: int = 2, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        self.default_interval = _interval(rate_per_s)
        self.default_concurrency = concurrency
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        key = host.lower()
        st = self._hosts.get(key)
        if st is None:
            st = self._hosts[key] = _Host(self.default_interval, self.default_concurrency)
        return st

    def configure(self, host: str, *, rate_per_s: float | None = None,
                  concurrency: int | None = None, only_slower: bool = False) -> None:
        """Set one host's rate and/or cap; `only_slower` never loosens what is set
        (e.g. a robots.txt Crawl-delay)."""
        with self._cond:
            st = self._host(host)
            if rate_per_s is not None:
                iv = _interval(rate_per_s)
                st.interval = max(st.interval, iv) if only_slower else iv
            if concurrency is not None:
                if concurrency < 1:
                    raise ValueError(f"concurrency must be >= 1, got {concurrency}")
                st.concurrency = min(st.concurrency, concurrency) if only_slower \
                    else concurrency
            self._cond.notify_all()

    def min_interval(self, host: str, seconds: float) -> None:
        """At least `seconds` between request starts to `host` (never loosens)."""
        if seconds > 0:
            self.configure(host, rate_per_s=1.0 / seconds, only_slower=True)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._cond:
            st = self._host(host)
            while st.in_flight >= st.concurrency:
                self._cond.wait()
            now = self._clock()
            start = max(now, st.next_start + st.interval)
            st.next_start = start
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
            st.starts += 1
        try:
            delay = start - now
            if delay > 0:
                self._sleep(delay)
            yield
        finally:
            with self._cond:
                st.in_flight -= 1
                self._cond.notify_all()

    def stats(self, host: str) -> HostStats:
        with self._cond:
            st = self._host(host)
            return HostStats(st.interval, st.concurrency, st.in_flight, st.max_in_flight,
                             st.starts)
