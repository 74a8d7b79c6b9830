"""RobotsCache: once per origin, RFC 9309 handling of 4xx/5xx, Crawl-delay."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial

from ingest.fetch.http import make_session
from ingest.fetch.robots import RobotsCache, robots_getter
from tests.conftest import LocalServer, Reply

UA = "zonewatch/0.1 (+https://example.org)"
ROBOTS = b"""User-agent: *
Disallow: /private/
Crawl-delay: 2

User-agent: badbot
Disallow: /
"""


@dataclass
class R:
    status: int | None
    body: bytes | None = None
    error: str | None = None


class Getter:
    def __init__(self, reply: R) -> None:
        self.reply = reply
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, url: str) -> R:
        with self.lock:
            self.calls.append(url)
        return self.reply


def test_rules_applied_and_fetched_once_per_origin() -> None:
    get = Getter(R(200, ROBOTS))
    rc = RobotsCache(get, user_agent=UA)
    assert rc.allowed("https://e.gov.cn/news/1")
    assert not rc.allowed("https://e.gov.cn/private/x")
    assert rc.why_not("https://e.gov.cn/private/x") == "disallowed by robots.txt"
    assert rc.why_not("https://e.gov.cn/a") is None
    assert not rc.allowed("https://e.gov.cn/a", "badbot/1.0")
    assert rc.crawl_delay("https://e.gov.cn/a") == 2.0
    assert get.calls == ["https://e.gov.cn/robots.txt"]
    rc.allowed("https://other.gov.cn/a")
    assert get.calls[-1] == "https://other.gov.cn/robots.txt" and len(get.calls) == 2


def test_404_allows_everything() -> None:
    rc = RobotsCache(Getter(R(404, None, "http 404")))
    assert rc.allowed("https://e.gov.cn/private/x")
    assert rc.crawl_delay("https://e.gov.cn/") is None
    assert rc.failures == {}


def test_5xx_and_timeout_disallow_host_for_the_run() -> None:
    rc = RobotsCache(Getter(R(503, None, "http 503")))
    assert not rc.allowed("https://e.gov.cn/a")
    why = rc.why_not("https://e.gov.cn/a")
    assert why is not None and "unreachable" in why and "503" in why
    assert "https://e.gov.cn" in rc.failures
    rc2 = RobotsCache(Getter(R(None, None, "timeout: ReadTimeout")))
    assert not rc2.allowed("https://e.gov.cn/a")
    assert "timeout" in (rc2.why_not("https://e.gov.cn/a") or "")


def test_broken_getter_is_unreachable_not_a_crash() -> None:
    def boom(url: str) -> R:
        raise RuntimeError("bug")

    rc = RobotsCache(boom)
    assert not rc.allowed("https://e.gov.cn/a")


def test_concurrent_lookups_fetch_once() -> None:
    get = Getter(R(200, ROBOTS))
    rc = RobotsCache(get)
    threads = [threading.Thread(target=rc.allowed, args=(f"https://e.gov.cn/{i}",))
               for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(get.calls) == 1


def test_robots_getter_over_http(local_server: LocalServer) -> None:
    local_server.route("/robots.txt", Reply(200, ROBOTS, (("Content-Type", "text/plain"),)))
    get = robots_getter(make_session(UA), allow_private=True, backoff_initial=0.0,
                        backoff_max=0.0)
    rc = RobotsCache(get, user_agent=UA)
    assert not rc.allowed(local_server.url("/private/a"))
    assert rc.allowed(local_server.url("/public"))
    assert local_server.hits["/robots.txt"] == 1
    assert local_server.last_headers["/robots.txt"]["User-Agent"] == UA


def test_robots_getter_5xx_over_http(local_server: LocalServer) -> None:
    local_server.route("/robots.txt", Reply(500, b"oops"))
    get = partial(robots_getter(make_session(), allow_private=True, attempts=2,
                                backoff_initial=0.0, backoff_max=0.0))
    rc = RobotsCache(get)
    assert not rc.allowed(local_server.url("/a"))
    assert local_server.hits["/robots.txt"] == 2  # retried, then given up for the run
    rc.allowed(local_server.url("/b"))
    assert local_server.hits["/robots.txt"] == 2
