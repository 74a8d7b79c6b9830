"""zonewatch's sitemap walker against ultimate-sitemap-parser (usp) on the fault cases:
`python -m benchmarks.sitemap_peer` (needs the `bench` dependency group: `uv sync --group
bench`, which `make bench` does). About 70 s on 2 cores, so not part of `make bench`.

The cases are `benchmarks.sitemap_cases.CASES` (urlset, index depth, gzip, two gzip bombs,
plain text, truncated XML, corrupt children, an index loop, 50,000 entries, entity
expansion, lastmod shapes, a child sitemap on another host). Each case is run:

* by zonewatch: `ingest.fetch.discover` with a fake `get` serving the documents from
  memory (in production that `get` is the project's HTTP stack: robots.txt, rate limit,
  address checks);
* by usp: `usp.fetch_parse.SitemapFetcher(entry_url).sitemap()` with its own
  `RequestsWebClient`, fetching over HTTP from a server this script starts on 127.0.0.1
  (a second 127.0.0.1 server on another port plays the foreign host). usp's from-string
  API (`sitemap_from_str`) is not used: it neither gunzips nor follows child sitemaps.

Each (walker, case) runs in a fresh spawned process, twice: once untimed-by-tracing for
`seconds` and the peak RSS growth (`rss_mib`, getrusage max RSS after minus before: C
allocations such as libxml2's included), once under tracemalloc for the peak of Python
allocations (`py_peak_mib`). usp's seconds include loopback HTTP; zonewatch's do not.

Recorded per case and walker: pages right (paths as expected), pages+dates right (lastmod
dates too), whether it reported a fault (errors/limits/loops for zonewatch;
`InvalidSitemap` nodes in usp's tree), the URLs it requested, how many went to the
foreign host, and `outside_stack`: child-sitemap requests the walker made itself, i.e.
past zonewatch's robots.txt, rate limit and address checks (usp's web client fetches
children on its own; zonewatch fetches everything through the `get` it is given).
Prints a table; writes benchmarks/out/sitemap_peer.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import multiprocessing as mp
import os
import resource
import threading
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.sitemap_cases import CASES, ZW_BASE, ZW_FOREIGN, Case, Outcome, run_zonewatch

HOST = "127.0.0.1"
OUT = Path(__file__).parent / "out" / "sitemap_peer.json"
_BY_NAME = {c.name: c for c in CASES}


# ------------------------------------------------------------------------ the server


def _handler(docs: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = docs.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


def serve(names: list[str], ports: Any) -> None:
    """Serve every case's documents under /<case>/ on 127.0.0.1 (a second server on
    another port is the foreign host: any path there is a urlset of a 'stolen' page);
    puts (port, foreign port) on `ports`, then serves until terminated."""
    main = ThreadingHTTPServer((HOST, 0), BaseHTTPRequestHandler)
    foreign = ThreadingHTTPServer((HOST, 0), BaseHTTPRequestHandler)
    base, fbase = f"http://{HOST}:{main.server_port}", f"http://{HOST}:{foreign.server_port}"
    docs: dict[str, bytes] = {}
    stolen: dict[str, bytes] = {}
    for name in names:
        for path, body in _BY_NAME[name].docs(f"{base}/{name}", f"{fbase}/{name}").items():
            docs[f"/{name}{path}"] = body
        stolen[f"/{name}/evil.xml"] = (
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
            f"{fbase}/{name}/stolen.html</loc></url></urlset>").encode()
    main.RequestHandlerClass = _handler(docs)
    foreign.RequestHandlerClass = _handler(stolen)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    ports.put((main.server_port, foreign.server_port))
    main.serve_forever()


# ------------------------------------------------------------------------ usp


def run_usp(case: Case, base: str) -> Outcome:
    """`case` through usp's SitemapFetcher on its entry URL under `base`, with usp's
    requests web client (counting the URLs it asks for)."""
    from usp.fetch_parse import SitemapFetcher
    from usp.objects.sitemap import InvalidSitemap
    from usp.web_client.requests_client import RequestsWebClient

    class Counting(RequestsWebClient):
        asked: list[str] = []

        def get(self, url: str) -> Any:
            self.asked.append(url)
            return super().get(url)

    logged: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage()[:200])

    log = logging.getLogger("usp")
    keep = Keep(logging.ERROR)
    log.addHandler(keep)
    client = Counting()
    Counting.asked = []
    try:
        root = SitemapFetcher(url=base + case.entry, recursion_level=0,
                              web_client=client).sitemap()
    finally:
        log.removeHandler(keep)
    trees = [root, *root.all_sitemaps()]
    reports = [f"{s.url}: {s.reason}" for s in trees if isinstance(s, InvalidSitemap)]
    pages = [(p.url[len(base):] if p.url.startswith(base) else p.url,
              p.last_modified.date() if p.last_modified else None) for p in root.all_pages()]
    return Outcome(pages, reports, list(Counting.asked), logged)


# ------------------------------------------------------------------------ measuring


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(walker: str, name: str, port: int, fport: int) -> dict[str, Any]:
    """One (walker, case) in this (fresh) process: the outcome, seconds, RSS growth, and
    the tracemalloc peak from a second run."""
    os.environ["NO_PROXY"] = HOST
    case = _BY_NAME[name]
    if walker == "zonewatch":
        docs = case.docs(ZW_BASE, ZW_FOREIGN)
        base, fbase = ZW_BASE, ZW_FOREIGN

        def once() -> Outcome:
            return run_zonewatch(case, docs)
    else:
        import usp.fetch_parse  # noqa: F401 (imported before the baseline)
        base, fbase = f"http://{HOST}:{port}/{name}", f"http://{HOST}:{fport}/{name}"

        def once() -> Outcome:
            return run_usp(case, base)
    gc.collect()
    rss0 = _rss_mib()
    t0 = time.perf_counter()
    out = once()
    seconds = time.perf_counter() - t0
    rss = _rss_mib() - rss0
    del out
    gc.collect()
    tracemalloc.start()
    out = once()
    py_peak = tracemalloc.get_traced_memory()[1] / (1 << 20)
    tracemalloc.stop()
    requests_ = out.requests
    return {
        "case": name, "walker": walker, "basis": case.basis,
        "pages_ok": sorted(p for p, _ in out.pages) == sorted(p for p, _ in case.pages),
        "dates_ok": sorted(out.pages, key=repr) == sorted(case.pages, key=repr),
        "pages_found": len(out.pages), "pages_expected": len(case.pages),
        "reported": bool(out.reports), "should_report": case.reports,
        "requests": len(requests_),
        "foreign_requests": sum(u.startswith(fbase) for u in requests_),
        "outside_stack": max(0, len(requests_) - 1) if walker == "usp" else 0,
        "seconds": round(seconds, 3), "rss_mib": round(rss, 1),
        "py_peak_mib": round(py_peak, 1),
        "reports": out.reports[:5], "logged": out.logged[:3],
        "pages_sample": [(p, d.isoformat() if d else None) for p, d in out.pages[:10]],
    }


def run(names: list[str], walkers: list[str]) -> list[dict[str, Any]]:
    """Every (case, walker), each in a fresh process, with the usp server running."""
    ctx = mp.get_context("spawn")
    ports = ctx.Queue()
    server = ctx.Process(target=serve, args=(names, ports), daemon=True)
    server.start()
    try:
        port, fport = ports.get(timeout=120)
        rows = []
        for name in names:
            for walker in walkers:
                with ProcessPoolExecutor(1, mp_context=ctx, max_tasks_per_child=1) as pool:
                    rows.append(pool.submit(measure, walker, name, port, fport).result())
                print(_line(rows[-1]), flush=True)
        return rows
    finally:
        server.terminate()
        server.join(10)


_COLS = ("case", "walker", "basis", "pages", "dates", "reported", "req", "foreign",
         "outside", "seconds", "rss_mib", "py_mib")
_WIDTHS = (18, 9, 6, 17, 5, 13, 4, 7, 7, 7, 7, 7)


def _mark(ok: bool) -> str:
    return "ok" if ok else "WRONG"


def _line(r: dict[str, Any]) -> str:
    cells = (r["case"], r["walker"], r["basis"],
             f"{_mark(r['pages_ok'])} {r['pages_found']}/{r['pages_expected']}",
             _mark(r["dates_ok"]),
             f"{'yes' if r['reported'] else 'no'}"
             f"{'' if r['reported'] == r['should_report'] else ' (WRONG)'}",
             r["requests"], r["foreign_requests"], r["outside_stack"],
             f"{r['seconds']:.2f}", f"{r['rss_mib']:.1f}", f"{r['py_peak_mib']:.1f}")
    return " ".join(str(c).ljust(w) for c, w in zip(cells, _WIDTHS, strict=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(c.name for c in CASES),
                    help="comma-separated case names")
    ap.add_argument("--walkers", default="zonewatch,usp")
    args = ap.parse_args()
    names = args.cases.split(",")
    print(" ".join(c.ljust(w) for c, w in zip(_COLS, _WIDTHS, strict=True)))
    rows = run(names, args.walkers.split(","))
    cases = [{"name": c.name, "entry": c.entry, "basis": c.basis, "note": c.note,
              "should_report": c.reports, "pages_expected": len(c.pages)}
             for c in CASES if c.name in names]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"cases": cases, "rows": rows}, indent=1), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
