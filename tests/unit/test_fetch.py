"""fetch(): canned replies from a local 127.0.0.1 server; no real network, no sleeps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from functools import partial
from pathlib import Path

import pytest

from ingest.fetch.http import DEFAULT_USER_AGENT, FetchResult, fetch, make_session
from tests.conftest import LocalServer, Reply

# no waiting between attempts, and the local test server is on a loopback address
fast_fetch = partial(fetch, backoff_initial=0.0, backoff_max=0.0, allow_private=True)
PAGE = "<html><head><meta charset='gbk'></head><body>临空港</body></html>".encode("gbk")


def test_200_returns_exact_bytes_and_headers(local_server: LocalServer) -> None:
    url = local_server.route("/p.html", Reply(200, PAGE, (("Content-Type", "text/html"),)))
    res = fast_fetch(make_session(), url)
    assert isinstance(res, FetchResult)
    assert res.ok and res.error is None
    assert res.status == 200
    assert res.body == PAGE
    assert res.headers["Content-Type"] == "text/html"
    assert res.final_url == url
    assert res.fetched_at.tzinfo is UTC
    assert res.attempts == 1


def test_503_then_200_is_retried(local_server: LocalServer) -> None:
    url = local_server.route("/flaky", Reply(503, b"busy"), Reply(503, b"busy"), Reply(200, PAGE))
    res = fast_fetch(make_session(), url, attempts=4)
    assert res.ok and res.body == PAGE
    assert local_server.hits["/flaky"] == 3
    assert res.attempts == 3


def test_429_with_retry_after_is_retried(local_server: LocalServer) -> None:
    url = local_server.route(
        "/limited", Reply(429, b"", (("Retry-After", "0"),)), Reply(200, PAGE))
    res = fast_fetch(make_session(), url)
    assert res.ok
    assert local_server.hits["/limited"] == 2


def test_persistent_5xx_gives_up_with_error(local_server: LocalServer) -> None:
    url = local_server.route("/down", Reply(500, b"oops"))
    res = fast_fetch(make_session(), url, attempts=3)
    assert not res.ok
    assert res.status == 500 and res.error == "http 500" and res.body is None
    assert local_server.hits["/down"] == 3


def test_404_is_recorded_not_retried(local_server: LocalServer) -> None:
    res = fast_fetch(make_session(), local_server.url("/missing"))
    assert res.status == 404
    assert res.error == "http 404"
    assert res.body is None
    assert local_server.hits["/missing"] == 1


def test_oversized_body_is_capped(local_server: LocalServer) -> None:
    url = local_server.route("/big", Reply(200, b"x" * 50_000))
    res = fast_fetch(make_session(), url, max_bytes=10_000)
    assert res.body is None
    assert res.error is not None and "max_bytes" in res.error
    assert res.status == 200


def test_oversized_body_without_content_length_is_capped(local_server: LocalServer) -> None:
    url = local_server.route(
        "/stream", Reply(200, b"y" * 300_000, (("Content-Type", "text/plain"),),
                         send_length=False))
    res = fast_fetch(make_session(), url, max_bytes=100_000)
    assert res.body is None and res.error is not None and "max_bytes" in res.error


def test_body_at_the_cap_is_kept(local_server: LocalServer) -> None:
    url = local_server.route("/exact", Reply(200, b"z" * 1000))
    res = fast_fetch(make_session(), url, max_bytes=1000)
    assert res.ok and len(res.body or b"") == 1000


def test_timeout_is_an_error_not_an_exception(local_server: LocalServer) -> None:
    url = local_server.route("/slow", Reply(hang=True))
    res = fast_fetch(make_session(), url, timeout=(1.0, 0.2), attempts=2)
    assert not res.ok
    assert res.error is not None and res.error.startswith("timeout")
    assert res.status is None
    assert local_server.hits["/slow"] == 2


def test_redirect_is_followed(local_server: LocalServer) -> None:
    target = local_server.route("/new", Reply(200, PAGE))
    url = local_server.route("/old", Reply(301, b"", (("Location", "/new"),)))
    res = fast_fetch(make_session(), url)
    assert res.ok and res.final_url == target


def test_user_agent_is_honest_and_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZONEWATCH_CONTACT", raising=False)
    assert make_session().headers["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("zonewatch/0.1 (+")
    monkeypatch.setenv("ZONEWATCH_CONTACT", "data-team@example.org")
    assert make_session().headers["User-Agent"] == "zonewatch/0.1 (+data-team@example.org)"
    assert make_session("custom/1").headers["User-Agent"] == "custom/1"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.gov.cn/a", "/relative",
                                 "http://"])
def test_only_http_urls(url: str) -> None:
    res = fast_fetch(make_session(), url)
    assert not res.ok and res.error is not None and res.error.startswith("refused")


def test_private_address_refused_by_default(local_server: LocalServer) -> None:
    url = local_server.route("/p", Reply(200, PAGE))
    res = fetch(make_session(), url, backoff_initial=0.0)
    assert not res.ok and res.error is not None and "non-public" in res.error
    assert local_server.hits.get("/p", 0) == 0


def test_allowed_hosts_enforced(local_server: LocalServer) -> None:
    url = local_server.route("/p", Reply(200, PAGE))
    res = fast_fetch(make_session(), url, allowed_hosts=("example.gov.cn",))
    assert not res.ok and res.error is not None and "allowed_hosts" in res.error
    ok = fast_fetch(make_session(), url, allowed_hosts=("127.0.0.1",))
    assert ok.ok


def test_local_site_serves_directory_bytes(
        local_site: Callable[[Path], LocalServer], tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(PAGE)
    site = local_site(tmp_path)
    res = fast_fetch(make_session(), site.url("/a.html"))
    assert res.ok and res.body == PAGE
    assert fast_fetch(make_session(), site.url("/../etc/passwd")).status == 404


# --------------------------------------------------------------------------- issue 5 faults


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


def gzip_bomb(decompressed_mb: int = 100) -> bytes:
    """A small gzip body that expands to `decompressed_mb` MB of zeros."""
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    out = [comp.compress(zeros) for _ in range(decompressed_mb)]
    out.append(comp.flush())
    return b"".join(out)


def test_conditional_get_304(local_server: LocalServer) -> None:
    hdrs = (("Content-Type", "text/html"), ("ETag", '"v1"'),
            ("Last-Modified", "Wed, 20 Mar 2024 08:00:00 GMT"))
    url = local_server.route("/c", Reply(200, PAGE, hdrs))
    first = fast_fetch(make_session(), url)
    assert first.ok and first.etag == '"v1"'
    assert first.last_modified == "Wed, 20 Mar 2024 08:00:00 GMT"
    again = fast_fetch(make_session(), url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.status == 304
    assert again.body is None and again.error is None
    assert local_server.not_modified["/c"] == 1
    assert local_server.last_headers["/c"]["If-None-Match"] == '"v1"'
    by_date = fast_fetch(make_session(), url, last_modified=first.last_modified)
    assert by_date.not_modified
    changed = fast_fetch(make_session(), url, etag='"old"')
    assert changed.ok and not changed.not_modified


def test_connection_reset_is_retried(local_server: LocalServer) -> None:
    url = local_server.route("/reset", Reply(reset=True), Reply(200, PAGE))
    res = fast_fetch(make_session(), url)
    assert res.ok and res.body == PAGE and res.attempts == 2


def test_connection_reset_gives_up_with_reason(local_server: LocalServer) -> None:
    url = local_server.route("/reset", Reply(reset=True))
    res = fast_fetch(make_session(), url, attempts=2)
    assert not res.ok and res.error is not None and res.error.startswith("connection error")
    assert local_server.hits["/reset"] == 2


def test_truncated_body_is_detected_and_retried(local_server: LocalServer) -> None:
    body = b"<html>" + b"x" * 5000 + b"</html>"
    url = local_server.route("/trunc", Reply(200, body, truncate_at=1000))
    res = fast_fetch(make_session(), url, attempts=2)
    assert res.body is None
    assert res.error == f"truncated body: got 1000 of {len(body)} bytes"
    assert local_server.hits["/trunc"] == 2
    local_server.route("/trunc", Reply(200, body, truncate_at=10), Reply(200, body))
    ok = fast_fetch(make_session(), url, attempts=2)
    assert ok.ok and ok.body == body


def test_read_timeout_mid_headers_is_retried(local_server: LocalServer) -> None:
    url = local_server.route("/slow", Reply(hang=True), Reply(200, PAGE))
    res = fast_fetch(make_session(), url, timeout=(1.0, 0.3))
    assert res.ok and res.attempts == 2


def test_connect_timeout() -> None:
    # a listener whose accept queue is full: further SYNs are dropped, connect() times out
    import socket

    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(0)
    port = lsock.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            fillers.append(s)
        res = fast_fetch(make_session(), f"http://127.0.0.1:{port}/x", timeout=(0.3, 0.3),
                         attempts=2)
        assert not res.ok and res.error is not None
        assert res.error.startswith(("timeout", "connection error")), res.error
    finally:
        for s in fillers:
            s.close()
        lsock.close()


@pytest.mark.parametrize("ctype", ["application/pdf", "image/png", "application/zip"])
def test_unsupported_content_type_not_retried(local_server: LocalServer, ctype: str) -> None:
    url = local_server.route("/f", Reply(200, b"%PDF-1.4 ...", (("Content-Type", ctype),)))
    res = fast_fetch(make_session(), url)
    assert not res.ok and res.error == f"unsupported content type: {ctype}"
    assert local_server.hits["/f"] == 1


@pytest.mark.parametrize("ctype", ["text/html; charset=gbk", "application/xhtml+xml",
                                   "text/plain", "text/markdown", "application/xml",
                                   "text/xml", "application/rss+xml", "application/rdf+xml",
                                   "application/x-cdf", "TEXT/HTML"])
def test_accepted_content_types(local_server: LocalServer, ctype: str) -> None:
    url = local_server.route("/t", Reply(200, PAGE, (("Content-Type", ctype),)))
    assert fast_fetch(make_session(), url).ok


def test_octet_stream_is_sniffed(local_server: LocalServer) -> None:
    html = local_server.route("/h", Reply(200, b"\n  <!DOCTYPE html><html></html>",
                                          (("Content-Type", "application/octet-stream"),)))
    assert fast_fetch(make_session(), html).ok
    notype = local_server.route("/n", Reply(200, b"<html><body>x</body></html>", ()))
    assert fast_fetch(make_session(), notype).ok
    cdf = local_server.route("/c", Reply(200, b'<CHANNEL HREF="/"><ITEM HREF="/a"/></CHANNEL>',
                                         (("Content-Type", "application/octet-stream"),)))
    assert fast_fetch(make_session(), cdf).ok  # a CDF feed without a declaration
    binary = local_server.route("/b", Reply(200, b"\x89PNG\r\n\x1a\n\x00\x00",
                                            (("Content-Type", "application/octet-stream"),)))
    res = fast_fetch(make_session(), binary)
    assert res.error is not None and res.error.startswith(
        "unsupported content type: application/octet-stream")


def test_any_type_when_asked(local_server: LocalServer) -> None:
    url = local_server.route("/p", Reply(200, b"%PDF", (("Content-Type", "application/pdf"),)))
    assert fast_fetch(make_session(), url, accept_types=None).ok


def test_gzip_body_is_decoded(local_server: LocalServer) -> None:
    url = local_server.route("/gz", Reply(200, _gzip(PAGE), (
        ("Content-Type", "text/html"), ("Content-Encoding", "gzip"))))
    res = fast_fetch(make_session(), url)
    assert res.ok and res.body == PAGE


def test_deflate_raw_and_zlib(local_server: LocalServer) -> None:
    import zlib

    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw_body = raw.compress(PAGE) + raw.flush()
    for path, body in (("/z", zlib.compress(PAGE)), ("/r", raw_body)):
        url = local_server.route(path, Reply(200, body, (
            ("Content-Type", "text/html"), ("Content-Encoding", "deflate"))))
        res = fast_fetch(make_session(), url)
        assert res.ok and res.body == PAGE, path


def test_gzip_bomb_stops_at_cap_quickly(local_server: LocalServer) -> None:
    import time
    import tracemalloc

    bomb = gzip_bomb(100)
    assert len(bomb) < 1_000_000
    url = local_server.route("/bomb", Reply(200, bomb, (
        ("Content-Type", "text/html"), ("Content-Encoding", "gzip"))))
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        res = fast_fetch(make_session(), url, max_bytes=2_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.body is None and res.error is not None
    assert res.error.startswith("oversized body") and "decompressed" in res.error
    assert time.monotonic() - t0 < 10
    assert peak < 20_000_000  # never anywhere near 100 MB
    assert local_server.hits["/bomb"] == 1  # not retried


def test_unsupported_content_encoding(local_server: LocalServer) -> None:
    url = local_server.route("/br", Reply(200, b"xx", (
        ("Content-Type", "text/html"), ("Content-Encoding", "br"))))
    res = fast_fetch(make_session(), url)
    assert res.error == "unsupported content encoding: br"


def test_redirect_loop_and_foreign_host(local_server: LocalServer) -> None:
    loop = local_server.route("/loop", Reply(302, b"", (("Location", "/loop"),)))
    res = fast_fetch(make_session(), loop, allowed_hosts=("127.0.0.1",))
    assert res.error is not None and "too many redirects" in res.error
    assert local_server.hits["/loop"] == 6  # bounded, not retried
    away = local_server.route("/away", Reply(301, b"", (("Location", "http://evil.example/x"),)))
    res = fast_fetch(make_session(), away, allowed_hosts=("127.0.0.1",))
    assert res.error == "refused: host evil.example is not in allowed_hosts"


def test_request_slot_wraps_every_hop_and_attempt(local_server: LocalServer) -> None:
    import contextlib
    from collections.abc import Iterator

    local_server.route("/new", Reply(503, b""), Reply(200, PAGE))
    url = local_server.route("/old", Reply(301, b"", (("Location", "/new"),)))
    hosts: list[str] = []

    @contextlib.contextmanager
    def slot(host: str) -> Iterator[None]:
        hosts.append(host)
        yield

    res = fast_fetch(make_session(), url, request_slot=slot)
    assert res.ok
    assert hosts == ["127.0.0.1"] * 4  # old, new(503), old, new(200)


def test_session_advertises_only_decodable_codings() -> None:
    assert make_session().headers["Accept-Encoding"] == "gzip, deflate"
