"""robots.txt, fetched once per origin per run (`RobotsCache`), read with Protego.

`RobotsCache(get)` takes a function `get(robots_url)` that returns something with
`status`, `body` and `error` (a `ingest.fetch.http.FetchResult` does; `robots_getter`
builds one on top of `fetch`). What an answer means (RFC 9309, section 2.3.1):

* 2xx with a body: parse it.
* 4xx (404, 410, 401, 403, ...): "unavailable", everything is allowed.
* 5xx, 429, a timeout, a connection fault, a refusal: "unreachable", the whole
  origin is disallowed for this run (the reason is kept in `failures`, and URLs
  skipped for it are recorded as fetch errors, so they are retried next run).

Rules are read by Protego (Scrapy's parser: RFC 9309 matching, `*` and `$` wildcards,
longest match wins, Crawl-delay and Request-rate); the standard library's robotparser
ignored wildcards. Every request of a crawl asks first: article pages, and the list
pages, feeds and sitemaps discovery starts from.

Thread-safe: concurrent lookups for one origin wait for a single fetch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from protego import Protego

from ingest.fetch.http import DEFAULT_USER_AGENT, fetch
from ingest.fetch.http_attempt import RequestSlot

__all__ = ["RobotsCache", "RobotsRules", "robots_getter", "robots_url", "MAX_ROBOTS_BYTES"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB


class RobotsReply(Protocol):
    @property
    def status(self) -> int | None: ...
    @property
    def body(self) -> bytes | None: ...
    @property
    def error(self) -> str | None: ...


RobotsGet = Callable[[str], RobotsReply]


def _origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme.lower()}://{p.netloc.lower()}"


def robots_url(url: str) -> str:
    return _origin(url) + "/robots.txt"


@dataclass(frozen=True)
class RobotsRules:
    """One origin's robots.txt outcome: `state` is 'ok', 'unavailable' or 'unreachable'."""

    origin: str
    state: str
    reason: str | None
    parser: Protego | None

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.state == "unreachable":
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        d = self.parser.crawl_delay(user_agent)
        if d is None:
            rr = self.parser.request_rate(user_agent)
            if rr is not None and rr.requests > 0:
                return float(rr.seconds) / rr.requests
            return None
        try:
            return float(d)
        except (TypeError, ValueError):
            return None


def _rules(origin: str, reply: RobotsReply) -> RobotsRules:
    status = reply.status
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsRules(origin, "unavailable", f"robots.txt http {status}: all allowed", None)
    if status is not None and 200 <= status < 300 and reply.error is None \
            and reply.body is not None:
        text = reply.body.decode("utf-8", errors="replace").lstrip("\ufeff")
        return RobotsRules(origin, "ok", None, Protego.parse(text))
    why = reply.error or (f"http {status}" if status is not None else "no answer")
    return RobotsRules(origin, "unreachable", f"robots.txt unreachable ({why})", None)


class RobotsCache:
    """robots.txt per origin, fetched at most once for the life of the cache (one run)."""

    def __init__(self, get: RobotsGet, *, user_agent: str = DEFAULT_USER_AGENT) -> None:
        self._get = get
        self.user_agent = user_agent
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._rules: dict[str, RobotsRules] = {}
        self.fetches = 0

    def rules(self, url: str) -> RobotsRules:
        origin = _origin(url)
        with self._lock:
            got = self._rules.get(origin)
            if got is not None:
                return got
            lock = self._origin_locks.setdefault(origin, threading.Lock())
        with lock:
            with self._lock:
                got = self._rules.get(origin)
            if got is not None:
                return got
            try:
                reply = self._get(origin + "/robots.txt")
                rules = _rules(origin, reply)
            except Exception as exc:  # a broken getter: unreachable, never a crash
                logger.exception("robots.txt for %s", origin)
                rules = RobotsRules(origin, "unreachable",
                                    f"robots.txt unreachable ({exc.__class__.__name__})", None)
            if rules.state == "unreachable":
                logger.warning("%s: %s; host disallowed for this run", origin, rules.reason)
            with self._lock:
                self._rules[origin] = rules
                self.fetches += 1
            return rules

    def allowed(self, url: str, user_agent: str | None = None) -> bool:
        return self.rules(url).allowed(url, user_agent or self.user_agent)

    def why_not(self, url: str, user_agent: str | None = None) -> str | None:
        """None when `url` may be fetched, else the reason (for page_errors)."""
        rules = self.rules(url)
        if rules.state == "unreachable":
            return rules.reason
        if not rules.allowed(url, user_agent or self.user_agent):
            return "disallowed by robots.txt"
        return None

    def crawl_delay(self, url: str, user_agent: str | None = None) -> float | None:
        return self.rules(url).crawl_delay(user_agent or self.user_agent)

    @property
    def failures(self) -> dict[str, str]:
        """origin -> reason, for every origin whose robots.txt was unreachable."""
        with self._lock:
            return {o: r.reason or "" for o, r in self._rules.items()
                    if r.state == "unreachable"}


def robots_getter(session: requests.Session, *, request_slot: RequestSlot | None = None,
                  **fetch_kwargs: Any) -> RobotsGet:
    """A `get` for RobotsCache that uses `fetch` (same checks, retries, rate limit);
    any content type, at most MAX_ROBOTS_BYTES."""
    fetch_kwargs.setdefault("max_bytes", MAX_ROBOTS_BYTES)

    def get(url: str) -> RobotsReply:
        return fetch(session, url, accept_types=None, request_slot=request_slot,
                     **fetch_kwargs)

    return get
