"""Fault suite (issue 5): a local 127.0.0.1 server that misbehaves in every way we know.

Run 1: crawl_source + ingest_spool against a misbehaving server. Every good page is
landed exactly once and byte-identical; every bad one is in page_errors with a specific
reason; nothing is half-written. Then the server "recovers" and run 2 catches up: the
failed URLs land, unchanged pages cost a 304, nothing lands twice.

The server is the conftest one: bounded (hangs end at teardown or after 5 s), stopped
and joined when the test ends. Timeouts and backoffs are short and passed as parameters.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

from ingest.fetch.crawl import CrawlOptions, crawl_source
from ingest.fetch.sources import Source
from ingest.fetch.urls import canonical
from ingest.landing.spool import SpoolRecord, SpoolWriter, read_spool
from ingest.landing.store import LandingStore
from tests.conftest import LocalServer, Reply
from tests.unit.test_fetch import gzip_bomb

MAX_BYTES = 200_000
FAST = dict(options=CrawlOptions(timeout=(1.0, 0.4), attempts=2, backoff_initial=0.05,
                                  backoff_max=2.0, max_bytes=MAX_BYTES, max_workers=8))


def FaultSource() -> Source:  # noqa: N802 (reads like the class it stands for)
    return Source(name="faults", urls=(), allowed_hosts=("127.0.0.1",), encoding=None,
                  max_pages=None,
                  allow_private=True,  # the test server is on loopback: explicitly allowed
                  rate_limit=500.0, concurrency=4)


HTML = "text/html"


def page(path: str, charset_meta: str | None = "utf-8", enc: str = "utf-8") -> bytes:
    meta = f"<meta charset='{charset_meta}'>" if charset_meta else ""
    return (f"<html><head>{meta}<title>{path}</title></head>"
            f"<body><p>临空经济区 {path} 签约项目83个，总投资1200亿元。</p></body></html>"
            ).encode(enc)


def gz(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


def validators(i: int) -> tuple[tuple[str, str], ...]:
    return (("ETag", f'"good-{i}"'), ("Last-Modified", "Wed, 20 Mar 2024 08:00:00 GMT"))


# Good in run 1: path -> (reply, the bytes we must land)
def good_routes() -> dict[str, tuple[Reply, bytes]]:
    out: dict[str, tuple[Reply, bytes]] = {}
    for i in range(1, 5):
        body = page(f"/good/{i}")
        out[f"/good/{i}"] = (Reply(200, body, (("Content-Type", HTML), *validators(i))), body)
    only_lm = page("/good/lm")
    out["/good/lm"] = (Reply(200, only_lm, (
        ("Content-Type", HTML), ("Last-Modified", "Tue, 19 Mar 2024 08:00:00 GMT"))), only_lm)
    plain = page("/good/novalidators")  # no ETag/Last-Modified: refetched, not relanded
    out["/good/novalidators"] = (Reply(200, plain, (("Content-Type", HTML),)), plain)
    gbk = page("/nocharset", charset_meta=None, enc="gbk")
    out["/nocharset"] = (Reply(200, gbk, (("Content-Type", "text/html"), *validators(10))), gbk)
    wrong = page("/wrongcharset", charset_meta="gbk", enc="gbk")
    out["/wrongcharset"] = (Reply(200, wrong, (
        ("Content-Type", "text/html; charset=utf-8"), *validators(11))), wrong)
    zipped = page("/gzipped")
    out["/gzipped"] = (Reply(200, gz(zipped), (
        ("Content-Type", HTML), ("Content-Encoding", "gzip"), *validators(12))), zipped)
    flaky = page("/flaky")
    out["/flaky"] = (Reply(200, flaky, (("Content-Type", HTML), *validators(13))), flaky)
    limited = page("/limited")
    out["/limited"] = (Reply(200, limited, (("Content-Type", HTML), *validators(14))), limited)
    return out


# Bad in run 1: path -> (replies, pattern the recorded reason must match)
def bad_routes(server: LocalServer) -> dict[str, tuple[list[Reply], str]]:
    big = b"<html>" + b"x" * (MAX_BYTES + 10) + b"</html>"
    trunc = page("/truncated") * 50
    return {
        "/slow": ([Reply(hang=True)], r"^timeout"),
        "/down": ([Reply(503, b"busy")], r"^http 503$"),
        "/reset": ([Reply(reset=True)], r"^connection error"),
        "/truncated": ([Reply(200, trunc, truncate_at=100)],
                       rf"^truncated body: got 100 of {len(trunc)} bytes$"),
        "/loop": ([Reply(302, b"", (("Location", "/loop"),))], r"too many redirects"),
        "/foreign": ([Reply(302, b"", (("Location", "http://evil.example.com/x"),))],
                     r"^refused: host evil\.example\.com is not in allowed_hosts$"),
        "/pdf": ([Reply(200, b"%PDF-1.4\n%...", (("Content-Type", "application/pdf"),))],
                 r"^unsupported content type: application/pdf$"),
        "/big": ([Reply(200, big)], rf"^oversized body.*max_bytes={MAX_BYTES}"),
        "/bomb": ([Reply(200, gzip_bomb(100), (("Content-Type", HTML),
                                               ("Content-Encoding", "gzip")))],
                  r"^oversized body: decompressed"),
        "/private/secret": ([Reply(200, page("/private/secret"))],
                            r"^disallowed by robots\.txt$"),
        "/missing": ([Reply(404, b"nope", (("Content-Type", "text/plain"),))], r"^http 404$"),
    }


ROBOTS_RUN1 = b"User-agent: *\nDisallow: /private/\n"
ROBOTS_RUN2 = b"User-agent: *\nDisallow:\n"


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _raw_files(workdir: Path) -> list[Path]:
    return sorted(p for p in (workdir / "raw").rglob("*") if p.is_file())


def _assert_nothing_half_written(store: LandingStore, workdir: Path) -> None:
    files = _raw_files(workdir)
    assert not [p for p in files if p.name.startswith(".tmp-")], "temp files left in raw/"
    rows = store.con.execute("select sha256, path, size from raw_pages").fetchall()
    on_disk = {p.name for p in files}
    assert on_disk == {r[0] for r in rows}, "raw/ holds files with no raw_pages row"
    for sha, rel, size in rows:
        data = (workdir / rel).read_bytes()
        assert len(data) == size and _sha(data) == sha


def _errors(store: LandingStore, run_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for url, stage, reason in store.con.execute(
            "select url, stage, reason from page_errors where run_id = ?", [run_id]).fetchall():
        assert stage == "fetch"
        out.setdefault(url, []).append(reason)
    return out


def test_fault_suite_lands_good_records_bad_and_catches_up(
        local_server: LocalServer, tmp_path: Path) -> None:
    suite_started = time.monotonic()
    srv = local_server
    source = FaultSource()
    text = (("Content-Type", "text/plain"),)
    srv.route("/robots.txt", Reply(200, ROBOTS_RUN1, text))
    good = good_routes()
    for path, (reply, _) in good.items():
        srv.route(path, reply)
    srv.route("/flaky", Reply(503, b"busy"), good["/flaky"][0])
    srv.route("/limited", Reply(429, b"", (("Retry-After", "1"),)), good["/limited"][0])
    bad = bad_routes(srv)
    for path, (replies, _) in bad.items():
        srv.route(path, *replies)

    via_localhost = srv.url("/via-localhost").replace("127.0.0.1", "localhost")
    urls = [srv.url(p) for p in good] + [srv.url(p) for p in bad] + [
        srv.url("/good/1") + "#comments",  # same page, other spellings
        srv.url("/good/1/") + "?utm_source=weixin&from=singlemessage",
        via_localhost,  # a host outside allowed_hosts: refused, never requested
    ]
    workdir = tmp_path / "wd"

    # ------------------------------------------------------------------ run 1
    s1 = crawl_source(source, urls, workdir=workdir, run_id="run1", state={}, **FAST)
    assert s1.requested == len(urls) and s1.unique == len(urls) - 2
    assert s1.fetched == len(good) and s1.not_modified == 0
    assert s1.errors == len(bad) + 1 and s1.robots_skipped == 1
    assert srv.hits["/good/1"] == 1  # the duplicates were not fetched again
    assert srv.hits.get("/via-localhost", 0) == 0
    assert srv.hits["/robots.txt"] == 1
    assert srv.hits.get("/private/secret", 0) == 0
    t = srv.hit_times["/limited"]
    assert len(t) == 2 and t[1] - t[0] >= 0.9  # Retry-After: 1 honoured
    assert srv.hits["/flaky"] == 2 and srv.hits["/down"] == 2  # bounded retries
    assert srv.hits["/pdf"] == 1 and srv.hits["/bomb"] == 1  # not retried
    assert srv.hits["/loop"] == 6  # bounded redirects, never retried

    with LandingStore(workdir) as store:
        ing1 = store.ingest_spool(read_spool(workdir, "run1"), "run1")
        assert ing1.records == s1.unique
        assert ing1.landed_new == len(good) and ing1.errors == len(bad) + 1
        # every good page landed exactly once, byte-identical
        assert store.count("raw_pages") == len(good)
        for path, (_, body) in good.items():
            row = store.con.execute("select url, path, source from raw_pages where sha256 = ?",
                                    [_sha(body)]).fetchone()
            assert row is not None, path
            assert row[0] == canonical(srv.url(path)) and row[2] == "faults"
            assert (workdir / row[1]).read_bytes() == body
        # every bad one recorded with its specific reason
        errors = _errors(store, "run1")
        assert set(errors) == {canonical(srv.url(p)) for p in bad} | {canonical(via_localhost)}
        for path, (_, pattern) in bad.items():
            (reason,) = errors[canonical(srv.url(path))]
            assert re.search(pattern, reason), (path, reason)
        assert errors[canonical(via_localhost)] == [
            "refused: host localhost is not in allowed_hosts"]
        _assert_nothing_half_written(store, workdir)
        failed = store.failed_urls(source)
        assert set(failed) == set(errors)
        fails = dict(store.con.execute(
            "select url, consecutive_failures from fetch_state where last_error is not null"
        ).fetchall())
        assert set(fails.values()) == {1}
        state = store.fetch_validators(source)
    assert canonical(srv.url("/good/novalidators")) not in state
    assert state[canonical(srv.url("/good/1"))] == ('"good-1"', "Wed, 20 Mar 2024 08:00:00 GMT")
    assert state[canonical(srv.url("/good/lm"))] == (None, "Tue, 19 Mar 2024 08:00:00 GMT")

    # ------------------------------------------------------------------ the server recovers
    srv.route("/robots.txt", Reply(200, ROBOTS_RUN2, text))
    recovered: dict[str, bytes] = {}
    for path in bad:
        body = page(path + "?recovered")
        recovered[path] = body
        srv.route(path, Reply(200, body, (("Content-Type", HTML),)))
    hits_before = dict(srv.hits)

    # ------------------------------------------------------------------ run 2
    urls2 = urls + failed  # the discovered list again, plus last run's failures
    s2 = crawl_source(source, urls2, workdir=workdir, run_id="run2", state=state, **FAST)
    with_validators = [p for p in good if canonical(srv.url(p)) in state]
    assert s2.not_modified == len(with_validators)
    assert s2.fetched == len(bad) + 1  # the recovered pages + the page without validators
    assert s2.errors == 1  # only the refused foreign host, still refused
    for p in with_validators:
        assert srv.not_modified.get(p) == 1, p  # an unchanged page cost a 304
        assert srv.conditional.get(p) == 1, p
    assert srv.hits["/good/novalidators"] == hits_before["/good/novalidators"] + 1
    assert srv.hits.get("/via-localhost", 0) == 0

    with LandingStore(workdir) as store:
        ing2 = store.ingest_spool(read_spool(workdir, "run2"), "run2")
        assert ing2.not_modified == len(with_validators)
        assert ing2.landed_new == len(bad) and ing2.landed_known == 1
        assert ing2.errors == 1
        # the failed URLs landed; nothing landed twice
        assert store.count("raw_pages") == len(good) + len(bad)
        shas = [r[0] for r in store.con.execute("select sha256 from raw_pages").fetchall()]
        assert len(shas) == len(set(shas))
        for path, body in recovered.items():
            row = store.con.execute("select path from raw_pages where sha256 = ?",
                                    [_sha(body)]).fetchone()
            assert row is not None and (workdir / row[0]).read_bytes() == body, path
        assert set(_errors(store, "run2")) == {canonical(via_localhost)}
        assert store.failed_urls(source) == [canonical(via_localhost)]
        st = dict(store.con.execute(
            "select url, consecutive_failures from fetch_state").fetchall())
        assert st[canonical(via_localhost)] == 2
        assert all(v == 0 for u, v in st.items() if u != canonical(via_localhost))
        statuses = dict(store.con.execute("select url, last_status from fetch_state").fetchall())
        assert {statuses[canonical(srv.url(p))] for p in with_validators} == {304}
        _assert_nothing_half_written(store, workdir)

        # ingesting the same spool again (a crashed land step re-run) changes nothing
        before = (store.count("raw_pages"), store.count("page_errors"))
        again = store.ingest_spool(read_spool(workdir, "run2"), "run2")
        assert again.skipped == again.records and again.landed_new == 0
        assert (store.count("raw_pages"), store.count("page_errors")) == before

    assert time.monotonic() - suite_started < 60


def test_torn_spool_line_and_orphans_are_harmless(tmp_path: Path) -> None:
    """A crash mid-fetch: a torn last spool line, a temp file in raw/, a record whose
    raw file never made it. The land step ingests what is whole and records the rest."""
    from datetime import UTC, datetime

    workdir = tmp_path / "wd"
    body = b"<html><body>whole</body></html>"
    sha = _sha(body)
    raw = workdir / "raw" / sha[:2]
    raw.mkdir(parents=True)
    (raw / sha).write_bytes(body)
    (raw / ".tmp-0123456789ab-x").write_bytes(b"<html><bo")  # a fetcher died mid-write
    now = datetime.now(UTC)
    ok = SpoolRecord(source="s", url="http://e.cn/a", requested_url="http://e.cn/a",
                     final_url="http://e.cn/a", fetched_at=now, status=200, sha256=sha,
                     size=len(body))
    ghost = SpoolRecord(source="s", url="http://e.cn/b", requested_url="http://e.cn/b",
                        final_url="http://e.cn/b", fetched_at=now, status=200, sha256="f" * 64,
                        size=10)
    with SpoolWriter(workdir, "r1", "s") as w:
        w.write(ok)
        w.write(ghost)
    path = workdir / "spool" / "r1" / "s.jsonl"
    with open(path, "ab") as fh:
        fh.write(ghost.to_json().encode()[:40])  # torn last line
    recs = list(read_spool(workdir, "r1"))
    assert [r.url for r in recs] == ["http://e.cn/a", "http://e.cn/b"]
    # a writer reopened after the crash starts on a fresh line; the torn one stays skipped
    with SpoolWriter(workdir, "r1", "s") as w:
        w.write(SpoolRecord(source="s", url="http://e.cn/c", requested_url="http://e.cn/c",
                            final_url=None, fetched_at=now, status=None, error="timeout: x"))
    assert [r.url for r in read_spool(workdir, "r1")] == [
        "http://e.cn/a", "http://e.cn/b", "http://e.cn/c"]
    for line in path.read_bytes().splitlines()[:2]:
        json.loads(line)

    with LandingStore(workdir) as store:
        assert not (raw / ".tmp-0123456789ab-x").exists()
        res = store.ingest_spool(read_spool(workdir, "r1"), "r1")
        assert res.landed_new == 1 and res.errors == 2
        assert store.count("raw_pages") == 1
        reasons = dict(store.con.execute("select url, reason from page_errors").fetchall())
        assert reasons["http://e.cn/b"].startswith("raw file missing")
        assert reasons["http://e.cn/c"] == "timeout: x"
        assert sorted(store.failed_urls("s")) == ["http://e.cn/b", "http://e.cn/c"]


def test_landing_db_untouched_by_crawl(local_server: LocalServer, tmp_path: Path) -> None:
    """A fetch never writes DuckDB: crawling leaves no landing.duckdb behind."""
    url = local_server.route("/p", Reply(200, page("/p")))
    s = crawl_source(FaultSource(), [url], workdir=tmp_path, run_id="r", check_robots=False,
                     **FAST)
    assert s.fetched == 1
    assert not (tmp_path / "landing.duckdb").exists()
    assert (tmp_path / "spool" / "r" / "faults.jsonl").is_file()
