"""Fetch one source's URLs politely, in parallel, into raw files and a spool (never DuckDB).

`crawl_source(source, urls, workdir=..., run_id=..., state=...)`:

1. canonicalises the URLs (`ingest.fetch.urls.canonical`) and drops duplicates;
2. refuses what fetch would refuse (scheme, allowed hosts, private addresses) without
   touching the network, then checks robots.txt (`RobotsCache`, once per origin;
   a Crawl-delay slows the host down, an unreachable robots.txt skips the host);
3. fetches in a thread pool; every HTTP request holds a `HostLimiter` slot (per-host
   rate and concurrency cap, the source's `rate_limit` / `concurrency`, whose defaults
   live in `ingest.fetch.sources`); a known ETag / Last-Modified (`state`) makes
   it a conditional GET, so an unchanged page costs a 304;
4. writes each body to `raw/<sha[:2]>/<sha256>` (atomic, content-addressed) and then
   one `SpoolRecord` per URL -- fine, 304 or error -- to `spool/<run_id>/<source>.jsonl`.

`LandingStore.ingest_spool` lands the spool afterwards (the single DuckDB writer).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from ingest.config import MAX_PAGE_BYTES, Paths
from ingest.fetch.boundary import PinnedAdapter
from ingest.fetch.http import fetch, make_session
from ingest.fetch.http_attempt import refusal
from ingest.fetch.ratelimit import HostLimiter
from ingest.fetch.robots import RobotsCache, robots_getter
from ingest.fetch.sources import Source
from ingest.fetch.urls import canonical, host_of
from ingest.landing.raw import sha256_hex, write_raw_file
from ingest.landing.spool import SpoolRecord, SpoolWriter

__all__ = ["CrawlOptions", "CrawlSummary", "crawl_source"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


@dataclass(frozen=True)
class CrawlSummary:
    source: str
    run_id: str
    spool_path: Path
    requested: int = 0  # URLs given
    unique: int = 0  # distinct canonical URLs
    fetched: int = 0  # bodies written
    not_modified: int = 0  # 304s
    errors: int = 0  # error records (refusals, robots skips and fetch failures included)
    robots_skipped: int = 0
    bytes: int = 0
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)  # error kind -> count


def _reason_kind(error: str) -> str:
    return error.split(":", 1)[0].split("(", 1)[0].strip()


def _session(max_workers: int) -> requests.Session:
    s = make_session()
    adapter = PinnedAdapter(pool_connections=16, pool_maxsize=max(10, max_workers))
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


@dataclass(frozen=True)
class CrawlOptions:
    """How hard one crawl tries: worker threads, timeouts (connect, read), attempts and
    backoff per URL, and the largest body kept (decompressed)."""

    max_workers: int = 8
    timeout: tuple[float, float] = (5, 20)
    attempts: int = 4
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    max_bytes: int = MAX_PAGE_BYTES


def crawl_source(
    source: Source,
    urls: Iterable[str],
    *,
    workdir: str | Path | Paths,
    run_id: str,
    state: Mapping[str, tuple[str | None, str | None]] | None = None,
    hints: Mapping[str, str | None] | None = None,
    session: requests.Session | None = None,
    limiter: HostLimiter | None = None,
    robots: RobotsCache | None = None,
    check_robots: bool = True,
    options: CrawlOptions = CrawlOptions(),
    progress: Callable[[str], None] | None = None,
) -> CrawlSummary:
    """Fetch `urls` for `source` into raw files + the run's spool; see the module docstring.

    `state` maps canonical URL -> (etag, last_modified) (`LandingStore.fetch_validators`);
    `hints` maps URL -> published date hint (from a feed or list page). The source's
    `rate_limit` and `concurrency` apply to every host it fetches from.
    """
    started = time.monotonic()
    requested = 0
    todo: dict[str, str] = {}  # canonical -> first requested form
    for u in urls:
        requested += 1
        todo.setdefault(canonical(u), u)
    crawl = _Crawl(source, Paths.create(workdir) if not isinstance(workdir, Paths) else workdir,
                   state or {}, {canonical(k): v for k, v in (hints or {}).items() if v},
                   session or _session(options.max_workers),
                   limiter or HostLimiter(source.rate_limit, source.concurrency), options)
    for host in {*source.allowed_hosts, *(host_of(u) for u in todo)} - {""}:
        crawl.limiter.configure(host, rate_per_s=source.rate_limit,
                                concurrency=source.concurrency)
    if robots is None and check_robots:
        robots = RobotsCache(robots_getter(crawl.session, request_slot=crawl.limiter.slot,
                                           **crawl.fetch_kw),
                             user_agent=str(crawl.session.headers.get("User-Agent", "")))
    crawl.robots = robots if check_robots else None
    spool_file = crawl.run(todo, run_id, progress)
    summary = CrawlSummary(
        source=source.name, run_id=run_id, spool_path=spool_file, requested=requested,
        unique=len(todo), fetched=crawl.counts["fetched"],
        not_modified=crawl.counts["not_modified"], errors=crawl.counts["errors"],
        robots_skipped=crawl.counts["robots"], bytes=crawl.total_bytes,
        seconds=time.monotonic() - started, reasons=dict(crawl.reasons))
    logger.info("crawl %s: %d URLs, %d fetched, %d unchanged, %d errors in %.1fs",
                source.name, summary.unique, summary.fetched, summary.not_modified,
                summary.errors, summary.seconds)
    return summary


class _Crawl:
    """One source's crawl in flight: what each URL became, counted as it comes back."""

    def __init__(self, source: Source, paths: Paths,
                 state: Mapping[str, tuple[str | None, str | None]],
                 hints: Mapping[str, str | None], session: requests.Session,
                 limiter: HostLimiter, options: CrawlOptions) -> None:
        self.source, self.paths, self.state, self.hints = source, paths, state, hints
        self.session, self.limiter, self.options = session, limiter, options
        self.robots: RobotsCache | None = None
        self.fetch_kw: dict[str, Any] = dict(
            timeout=options.timeout, attempts=options.attempts,
            backoff_initial=options.backoff_initial, backoff_max=options.backoff_max,
            allowed_hosts=source.allowed_hosts, allow_private=source.allow_private)
        self.slowed: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.total_bytes = 0

    def refused(self, url: str) -> str | None:
        """Why `url` is not fetched (scheme, host, address, robots.txt), or None."""
        why = refusal(url, self.source.allowed_hosts, self.source.allow_private)
        if why is not None or self.robots is None:
            return why
        why = self.robots.why_not(url)
        if why is not None:
            self.counts["robots"] += 1
            return why
        host = host_of(url)
        delay = self.robots.crawl_delay(url)
        if delay and host not in self.slowed:
            self.slowed.add(host)
            self.limiter.min_interval(host, delay)
        return None

    def one(self, url: str, requested_url: str) -> SpoolRecord:
        base: dict[str, Any] = dict(source=self.source.name, url=url,
                                    requested_url=requested_url,
                                    published_hint=self.hints.get(url))
        why = self.refused(url)
        if why is not None:
            return SpoolRecord(final_url=None, fetched_at=datetime.now(UTC), status=None,
                               error=why, **base)
        etag, last_mod = self.state.get(url, (None, None))
        res = fetch(self.session, url, max_bytes=self.options.max_bytes, etag=etag,
                    last_modified=last_mod, request_slot=self.limiter.slot, **self.fetch_kw)
        common: dict[str, Any] = dict(final_url=res.final_url, fetched_at=res.fetched_at,
                                      status=res.status, headers=res.headers, **base)
        if res.not_modified:
            return SpoolRecord(not_modified=True, etag=res.etag or etag,
                               last_modified=res.last_modified or last_mod, **common)
        if res.error is not None or res.body is None:
            return SpoolRecord(error=res.error or "empty body", etag=res.etag,
                               last_modified=res.last_modified, **common)
        sha = sha256_hex(res.body)
        write_raw_file(self.paths.raw_dir, sha, res.body)  # bytes complete on disk first
        return SpoolRecord(sha256=sha, size=len(res.body), etag=res.etag,
                           last_modified=res.last_modified, **common)

    def guarded(self, spool: SpoolWriter, url: str, requested_url: str) -> SpoolRecord:
        try:
            rec = self.one(url, requested_url)
        except Exception as exc:  # disk full, a bug: record it, keep crawling
            logger.exception("crawl %s", url)
            rec = SpoolRecord(source=self.source.name, url=url, requested_url=requested_url,
                              final_url=None, fetched_at=datetime.now(UTC), status=None,
                              error=f"unexpected: {exc.__class__.__name__}: {exc}")
        spool.write(rec)  # as soon as it is known: a crash loses at most in-flight URLs
        return rec

    def count(self, rec: SpoolRecord) -> None:
        if rec.error is not None:
            self.counts["errors"] += 1
            self.reasons[_reason_kind(rec.error)] += 1
        elif rec.not_modified:
            self.counts["not_modified"] += 1
        else:
            self.counts["fetched"] += 1
            self.total_bytes += rec.size or 0

    def run(self, todo: Mapping[str, str], run_id: str,
            progress: Callable[[str], None] | None) -> Path:
        """Every URL through the thread pool into the spool; returns the spool file."""
        name = self.source.name
        with SpoolWriter(self.paths, run_id, name) as spool, \
                ThreadPoolExecutor(max_workers=max(1, self.options.max_workers),
                                   thread_name_prefix=f"crawl-{name}") as pool:
            futures = [pool.submit(self.guarded, spool, u, req) for u, req in todo.items()]
            for done, fut in enumerate(as_completed(futures), 1):
                self.count(fut.result())
                if progress is not None and done % 100 == 0:
                    progress(f"{name}: {done}/{len(todo)} URLs")
            return spool.path
