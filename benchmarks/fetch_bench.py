"""Fetch benchmark: `python -m benchmarks.fetch_bench [--n 1000] [--rate 50]`.

Serves `n` generated pages (each with an ETag and Last-Modified) from a local
127.0.0.1 server and times `ingest.fetch.crawl.crawl_source` at `rate` requests/s per host:

* run 1 (cold): every page is fetched and its bytes written (expect about n/rate s:
  1,000 pages at 50/s is 20 s -- the rate limit, not the network, sets the pace);
* run 2 (warm): the same URLs with the validators from `fetch_state`; every page is
  unchanged, so every request is a conditional GET answered by a 304 (no body). The
  request count, and so the time at the same rate, is the same; what is saved is
  bytes and landing work.

Each run is followed by `LandingStore.ingest_spool`, timed separately. Returns a dict;
`main` prints it as JSON.

`bench_pipeline(n, rate)` (`--pipeline`) runs the real pipeline steps instead
(`ingest.pipeline`: fetch_and_land, process, dbt build, gate, publish) from a sources
file over `n` generated Chinese pages (benchmarks.generate, each stating at least one
fact), three times in one workdir:

* run 1 (cold): every page fetched at `rate` req/s (about n/rate s), processed, built;
* run 2 (unchanged, default `revisit_after_hours`): every page was fetched minutes
  ago, so none is asked for again; the figure is "end to end before dbt"
  (fetch+land + process), and dbt's incremental staging models should add no rows;
* run 3 (`revisit_after_hours: 0`): every page revalidated with a conditional GET
  answered by a 304 -- rate-bound again (about n/rate s), which is why the default
  revisit window exists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.fetch.crawl import CrawlOptions, crawl_source
from ingest.fetch.ratelimit import HostLimiter
from ingest.fetch.sources import Source
from ingest.landing.spool import read_spool
from ingest.landing.store import LandingStore

HOST = "127.0.0.1"
LAST_MODIFIED = "Wed, 20 Mar 2024 08:00:00 GMT"


def BenchSource(name: str, allowed_hosts: tuple[str, ...], allow_private: bool,  # noqa: N802
                rate_limit: float, concurrency: int) -> Source:
    return Source(name=name, urls=(), allowed_hosts=allowed_hosts, encoding=None,
                  max_pages=None, allow_private=allow_private, rate_limit=rate_limit,
                  concurrency=concurrency)


def _page(i: int) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>第{i}号公告</title></head><body>"
            f"<p>某临空经济区2024年第{i}批项目集中签约，共签约项目{i % 97 + 3}个，"
            f"总投资{(i % 500) + 10}亿元。</p>" + "<p>" + "园区建设稳步推进。" * 40 + "</p>"
            "</body></html>").encode()


class _Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.not_modified = 0
        self.bytes = 0


def _stop(httpd: ThreadingHTTPServer, thread: threading.Thread,
          tmp: tempfile.TemporaryDirectory[str] | None) -> None:
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)
    if tmp is not None:
        tmp.cleanup()


class _QuietHandler(BaseHTTPRequestHandler):
    """A loopback handler that logs nothing and gives up on an idle client after 10 s."""

    timeout = 10

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


def _server(n: int, counts: _Counts) -> ThreadingHTTPServer:
    pages = {f"/p/{i}": _page(i) for i in range(n)}

    class Handler(_QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = pages.get(self.path)
            with counts.lock:
                counts.requests += 1
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = f'"{hash(body) & 0xFFFFFFFF:08x}"'
            if self.headers.get("If-None-Match") == etag:
                with counts.lock:
                    counts.not_modified += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            self.wfile.write(body)
            with counts.lock:
                counts.bytes += len(body)

    httpd = ThreadingHTTPServer((HOST, 0), Handler)
    httpd.daemon_threads = True
    return httpd


def bench_fetch(n: int = 1000, rate: float = 50.0, *, concurrency: int = 4,
                max_workers: int = 8, workdir: str | Path | None = None) -> dict[str, Any]:
    counts = _Counts()
    httpd = _server(n, counts)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    base = f"http://{HOST}:{httpd.server_address[1]}"
    urls = [f"{base}/p/{i}" for i in range(n)]
    source = BenchSource("bench", (HOST,), True, rate, concurrency)
    tmp = tempfile.TemporaryDirectory(prefix="zw-fetch-bench-") if workdir is None else None
    wd = Path(tmp.name if tmp is not None else str(workdir))
    out: dict[str, Any] = {"pages": n, "rate_per_s": rate, "concurrency": concurrency,
                           "expected_s": round((n + 1) / rate, 2)}
    try:
        for label, run_id in (("cold", "bench1"), ("unchanged", "bench2")):
            with LandingStore(wd) as store:
                state = store.fetch_validators(source.name)
            before = (counts.requests, counts.not_modified, counts.bytes)
            limiter = HostLimiter(rate, concurrency)
            t0 = time.monotonic()
            s = crawl_source(source, urls, workdir=wd, run_id=run_id, state=state,
                             limiter=limiter,
                             options=CrawlOptions(max_workers=max_workers,
                                                  backoff_initial=0.1, backoff_max=1.0))
            fetch_s = time.monotonic() - t0
            t1 = time.monotonic()
            with LandingStore(wd) as store:
                ing = store.ingest_spool(read_spool(wd, run_id), run_id)
                raw_pages = store.count("raw_pages")
            ingest_s = time.monotonic() - t1
            out[label] = {
                "fetch_s": round(fetch_s, 2),
                "achieved_req_per_s": round((counts.requests - before[0]) / fetch_s, 1),
                "requests": counts.requests - before[0],
                "served_304": counts.not_modified - before[1],
                "body_bytes_served": counts.bytes - before[2],
                "fetched": s.fetched, "not_modified": s.not_modified, "errors": s.errors,
                "ingest_s": round(ingest_s, 2), "landed_new": ing.landed_new,
                "raw_pages": raw_pages,
            }
    finally:
        _stop(httpd, thread, tmp)
    return out


# ------------------------------------------------------------------ whole pipeline


@dataclass(frozen=True)
class _SitePage:
    body: bytes
    content_type: str
    etag: str


class _SiteCounts:
    """What the pipeline server saw; article requests are told apart from robots.txt."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.articles = 0
        self.other = 0
        self.served_200 = 0
        self.served_304 = 0
        self.bytes = 0

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return {"article_requests": self.articles, "other_requests": self.other,
                    "served_200": self.served_200, "served_304": self.served_304,
                    "body_bytes_served": self.bytes}


def _site_pages(n: int, seed: int = 0) -> tuple[dict[str, _SitePage], dict[str, int]]:
    """`n` generated pages that each state at least one fact, keyed by URL path
    (the generated URL's path: /zwgk/gzdt/YYYYMM/tYYYYMMDD_NNN.html)."""
    from benchmarks.generate import make_page

    pages: dict[str, _SitePage] = {}
    facts = gbk = i = 0
    while len(pages) < n:
        page = make_page(seed, i)
        i += 1
        path = urlsplit(page.url).path
        if not page.facts or path in pages:
            continue
        etag = f'"{hashlib.sha256(page.body).hexdigest()[:16]}"'
        pages[path] = _SitePage(page.body, f"text/html; charset={page.encoding}", etag)
        facts += len(page.facts)
        gbk += page.encoding == "gbk"
    return pages, {"facts": facts, "gbk_pages": gbk, "generated": i,
                   "bytes": sum(len(p.body) for p in pages.values())}


def _site_server(pages: dict[str, _SitePage], counts: _SiteCounts) -> ThreadingHTTPServer:
    class Handler(_QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            page = pages.get(self.path)
            with counts.lock:
                if page is None:
                    counts.other += 1
                else:
                    counts.articles += 1
            if page is None:  # robots.txt included: 404 means no rules
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == page.etag:
                with counts.lock:
                    counts.served_304 += 1
                self.send_response(304)
                self.send_header("ETag", page.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            self.send_header("ETag", page.etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.end_headers()
            self.wfile.write(page.body)
            with counts.lock:
                counts.served_200 += 1
                counts.bytes += len(page.body)

    httpd = ThreadingHTTPServer((HOST, 0), Handler)
    httpd.daemon_threads = True
    return httpd


def _sources_yaml(urls: list[str], rate: float, revisit_after_hours: float | None) -> str:
    lines = ["sources:", "  - name: bench_local", "    kind: urls", "    allow_private: true",
             f"    allowed_hosts: [{HOST}]", f"    rate_limit: {rate}", "    concurrency: 4"]
    if revisit_after_hours is not None:
        lines.append(f"    revisit_after_hours: {revisit_after_hours}")
    lines.append("    urls:")
    lines += [f"      - {u}" for u in urls]
    return "\n".join(lines) + "\n"


def _pipeline_run(label: str, sources_file: Path, workdir: Path, counts: _SiteCounts,
                  progress: Callable[[str], None]) -> dict[str, Any]:
    """fetch_and_land, process, build, gate, publish with a new RunConfig; each timed."""
    from ingest import pipeline
    from ingest.config import RunConfig
    from ingest.pipeline import BuildFailed, GateBlocked

    cfg = RunConfig.create(workdir=workdir, sources_file=sources_file, run_id=f"bench-{label}")
    before = counts.snapshot()
    out: dict[str, Any] = {"run": label}
    clock = time.perf_counter
    t = clock()
    land = pipeline.fetch_and_land_step(cfg, progress).to_xcom()
    out["fetch_land_s"] = round(clock() - t, 2)
    seen = counts.snapshot()
    out.update({k: seen[k] - before[k] for k in seen})
    src = (land.get("sources") or [{}])[0]
    out.update({"fetched": src.get("fetched"), "not_modified": src.get("not_modified"),
                "skipped_fresh": src.get("skipped_fresh"), "fetch_errors": src.get("errors"),
                "fetch_s": src.get("seconds"), "landed_new": land.get("landed_new")})
    out["achieved_req_per_s"] = (round(out["article_requests"] / out["fetch_s"], 1)
                                 if out["fetch_s"] else None)
    t = clock()
    proc = pipeline.process_step(cfg, progress).to_xcom()
    out["process_s"] = round(clock() - t, 2)
    out.update({"pages_processed": proc["pages_processed"], "mentions": proc["mentions"]})
    out["before_dbt_s"] = round(out["fetch_land_s"] + out["process_s"], 2)
    out.update({"dbt_s": None, "gate_s": None, "publish_s": None, "incremental": None,
                "new_staging_rows": None, "gate_passed": None, "error": None})
    try:
        t = clock()
        build = pipeline.build_step(cfg, progress).to_xcom()
        out["dbt_s"] = round(clock() - t, 2)
        out["incremental"] = build["incremental"]
        out["new_staging_rows"] = build["new_staging_rows"]
        t = clock()
        gate = pipeline.gate_step(cfg, progress).to_xcom()
        out["gate_s"] = round(clock() - t, 2)
        out["gate_passed"] = gate["passed"]
        out["gate_warnings"] = gate["warnings"]
        out["quarantined"] = gate["quarantined"]
        t = clock()
        pipeline.publish_step(cfg, progress)
        out["publish_s"] = round(clock() - t, 2)
    except (BuildFailed, GateBlocked) as exc:  # report it; the next run still measures fetch
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        if isinstance(exc, GateBlocked):
            out["gate_passed"] = False
    return out


def bench_pipeline(n: int = 1000, rate: float = 50.0, *, seed: int = 0,
                   workdir: str | Path | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The pipeline's steps over `n` pages on a local server, three runs (see module doc)."""
    from ingest.fetch.sources import DEFAULT_REVISIT_HOURS

    say = progress or (lambda _: None)
    t = time.perf_counter()
    pages, corpus = _site_pages(n, seed)
    corpus["seconds"] = round(time.perf_counter() - t, 2)
    counts = _SiteCounts()
    httpd = _site_server(pages, counts)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    base = f"http://{HOST}:{httpd.server_address[1]}"
    urls = [base + path for path in pages]
    tmp = tempfile.TemporaryDirectory(prefix="zw-pipeline-bench-") if workdir is None else None
    wd = Path(tmp.name if tmp is not None else str(workdir))
    wd.mkdir(parents=True, exist_ok=True)
    default_file = wd / "sources.yml"
    default_file.write_text(_sources_yaml(urls, rate, None), encoding="utf-8")
    revisit_file = wd / "sources-revisit0.yml"
    revisit_file.write_text(_sources_yaml(urls, rate, 0), encoding="utf-8")
    out: dict[str, Any] = {"pages": n, "rate_per_s": rate, "concurrency": 4,
                           "default_revisit_after_hours": DEFAULT_REVISIT_HOURS,
                           "expected_fetch_s": round(n / rate, 1), "corpus": corpus,
                           "runs": []}
    try:
        for label, sources in (("cold", default_file), ("unchanged", default_file),
                               ("revisit0", revisit_file)):
            say(f"pipeline {label}: {n} pages …")
            out["runs"].append(_pipeline_run(label, sources, wd, counts, say))
    finally:
        _stop(httpd, thread, tmp)
    return out


def format_pipeline(p: dict[str, Any]) -> str:
    """The table make bench prints."""
    def cell(v: Any) -> str:
        return "-" if v is None else str(v)

    lines = [f"Pipeline from a local server ({p['pages']} pages, {p['rate_per_s']} req/s per "
             f"host, {p['concurrency']} in flight; fetching all expected ~{p['expected_fetch_s']}"
             f" s; revisit_after_hours default {p['default_revisit_after_hours']})"]
    hdr = (f"  {'run':<10} {'crawl':>6} {'fetch+land':>10} {'process':>8} {'dbt':>7} {'gate':>7} "
           f"{'publish':>7} {'before-dbt':>10} {'art.req':>7} {'304s':>5} {'new stg rows':>12}"
           f" {'incr':>5}")
    lines += [hdr, "  " + "-" * (len(hdr) - 2)]
    for r in p["runs"]:
        new = r["new_staging_rows"]
        new_s = "-" if new is None else str(sum(new.values()))
        lines.append(
            f"  {r['run']:<10} {cell(r['fetch_s']):>6} {cell(r['fetch_land_s']):>10}"
            f" {cell(r['process_s']):>8}"
            f" {cell(r['dbt_s']):>7} {cell(r['gate_s']):>7} {cell(r['publish_s']):>7}"
            f" {cell(r['before_dbt_s']):>10} {r['article_requests']:>7} {r['served_304']:>5}"
            f" {new_s:>12} {cell(r['incremental']):>5}")
        if r.get("error"):
            lines.append(f"    {r['run']}: {r['error']}")
    lines.append("  (seconds; crawl = crawl_source's own time, inside fetch+land; before-dbt ="
                 " fetch+land + process; art.req = article requests the server saw; new stg rows"
                 " = rows dbt's incremental staging models added)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--pipeline", action="store_true",
                    help="run the pipeline steps (fetch, process, dbt, gate, publish) 3 times")
    args = ap.parse_args(argv)
    if args.pipeline:
        import sys

        res = bench_pipeline(args.n, args.rate,
                             progress=lambda m: print(m, file=sys.stderr, flush=True))
        print(json.dumps(res, indent=2, ensure_ascii=False))
        print(format_pipeline(res))
        return 0
    print(json.dumps(bench_fetch(args.n, args.rate), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
