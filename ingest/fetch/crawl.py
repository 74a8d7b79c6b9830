"""Fetch one source's URLs politely, in parallel, into raw files and a spool (never DuckDB).

`crawl_source(source, urls, workdir=..., run_id=..., state=...)`:

1. canonicalises the URLs (`ingest.fetch.urls.canonical`) and drops duplicates;
2. refuses what fetch would refuse (scheme, allowed hosts, private addresses) without
   touching the network, then checks robots.txt (`RobotsCache`, once per origin;
   a Crawl-delay slows the host down, an unreachable robots.txt skips the host);
3. fetches in a thread pool; every HTTP request holds a `HostLimiter` slot (per-host
   rate and concurrency cap; the source's `rate_limit` / `concurrency` when it has
   them, else 2 req/s and 2 in flight); a known ETag / Last-Modified (`state`) makes
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
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter

from ingest.config import Paths
from ingest.fetch.http import fetch, make_session, refusal
from ingest.fetch.ratelimit import HostLimiter
from ingest.fetch.robots import RobotsCache, robots_getter
from ingest.fetch.urls import canonical, host_of
from ingest.landing.spool import SpoolRecord, SpoolWriter
from ingest.landing.store import sha256_hex, write_raw_file

__all__ = ["crawl_source", "CrawlSummary", "DEFAULT_RATE", "DEFAULT_CONCURRENCY"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

DEFAULT_RATE = 2.0  # requests per second per host
DEFAULT_CONCURRENCY = 2  # requests in flight per host


class SourceLike(Protocol):
    @property
    def name(self) -> str: ...


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
    adapter = HTTPAdapter(pool_connections=16, pool_maxsize=max(10, max_workers))
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def crawl_source(
    source: SourceLike,
    urls: Iterable[str],
    *,
    workdir: str | Path | Paths,
    run_id: str,
    state: Mapping[str, tuple[str | None, str | None]] | None = None,
    session: requests.Session | None = None,
    limiter: HostLimiter | None = None,
    robots: RobotsCache | None = None,
    check_robots: bool = True,
    max_workers: int = 8,
    hints: Mapping[str, str | None] | None = None,
    timeout: tuple[float, float] = (5, 20),
    attempts: int = 4,
    backoff_initial: float = 1.0,
    backoff_max: float = 30.0,
    max_bytes: int = 10_000_000,
    progress: Callable[[str], None] | None = None,
) -> CrawlSummary:
    """Fetch `urls` for `source` into raw files + the run's spool; see the module docstring.

    `state` maps canonical URL -> (etag, last_modified) (`LandingStore.fetch_validators`);
    `hints` maps URL -> published date hint (from a feed or list page).
    """
    started = time.monotonic()
    paths = workdir if isinstance(workdir, Paths) else Paths.create(workdir)
    name = source.name
    allowed: tuple[str, ...] | None = getattr(source, "allowed_hosts", None)
    allow_private = bool(getattr(source, "allow_private", False))
    rate = getattr(source, "rate_limit", None)
    conc = getattr(source, "concurrency", None)
    state = state or {}
    hint_map = {canonical(k): v for k, v in (hints or {}).items() if v}

    requested = 0
    todo: dict[str, str] = {}  # canonical -> first requested form
    for u in urls:
        requested += 1
        todo.setdefault(canonical(u), u)

    if session is None:
        session = _session(max_workers)
    if limiter is None:
        limiter = HostLimiter(rate if rate is not None else DEFAULT_RATE,
                              conc if conc is not None else DEFAULT_CONCURRENCY)
    if rate is not None or conc is not None:
        for host in {*(allowed or ()), *(host_of(u) for u in todo)} - {""}:
            limiter.configure(host, rate_per_s=rate, concurrency=conc)
    fetch_kw: dict[str, Any] = dict(timeout=timeout, attempts=attempts,
                                    backoff_initial=backoff_initial, backoff_max=backoff_max,
                                    allowed_hosts=allowed, allow_private=allow_private)
    if robots is None and check_robots:
        robots = RobotsCache(robots_getter(session, request_slot=limiter.slot, **fetch_kw),
                             user_agent=str(session.headers.get("User-Agent", "")))
    slowed: set[str] = set()
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    total_bytes = 0

    def one(url: str, requested_url: str) -> SpoolRecord:
        base: dict[str, Any] = dict(source=name, url=url, requested_url=requested_url,
                                    published_hint=hint_map.get(url))
        why = refusal(url, allowed, allow_private)
        if why is None and robots is not None and check_robots:
            why = robots.why_not(url)
            if why is not None:
                counts["robots"] += 1
            else:
                host = host_of(url)
                delay = robots.crawl_delay(url)
                if delay and host not in slowed:
                    slowed.add(host)
                    limiter.min_interval(host, delay)
        if why is not None:
            return SpoolRecord(final_url=None, fetched_at=datetime.now(UTC), status=None,
                               error=why, **base)
        etag, last_mod = state.get(url, (None, None))
        res = fetch(session, url, max_bytes=max_bytes, etag=etag, last_modified=last_mod,
                    request_slot=limiter.slot, **fetch_kw)
        common: dict[str, Any] = dict(final_url=res.final_url, fetched_at=res.fetched_at,
                                      status=res.status, headers=res.headers, **base)
        if res.not_modified:
            return SpoolRecord(not_modified=True, etag=res.etag or etag,
                               last_modified=res.last_modified or last_mod, **common)
        if res.error is not None or res.body is None:
            return SpoolRecord(error=res.error or "empty body", etag=res.etag,
                               last_modified=res.last_modified, **common)
        sha = sha256_hex(res.body)
        write_raw_file(paths.raw_dir, sha, res.body)  # bytes complete on disk first
        return SpoolRecord(sha256=sha, size=len(res.body), etag=res.etag,
                           last_modified=res.last_modified, **common)

    def guarded(spool: SpoolWriter, url: str, requested_url: str) -> SpoolRecord:
        try:
            rec = one(url, requested_url)
        except Exception as exc:  # disk full, a bug: record it, keep crawling
            logger.exception("crawl %s", url)
            rec = SpoolRecord(source=name, url=url, requested_url=requested_url,
                              final_url=None, fetched_at=datetime.now(UTC), status=None,
                              error=f"unexpected: {exc.__class__.__name__}: {exc}")
        spool.write(rec)  # as soon as it is known: a crash loses at most in-flight URLs
        return rec

    done = 0
    with SpoolWriter(paths, run_id, name) as spool, \
            ThreadPoolExecutor(max_workers=max(1, max_workers),
                               thread_name_prefix=f"crawl-{name}") as pool:
        futures = [pool.submit(guarded, spool, u, req) for u, req in todo.items()]
        for fut in as_completed(futures):
            rec = fut.result()
            done += 1
            if rec.error is not None:
                counts["errors"] += 1
                reasons[_reason_kind(rec.error)] += 1
            elif rec.not_modified:
                counts["not_modified"] += 1
            else:
                counts["fetched"] += 1
                total_bytes += rec.size or 0
            if progress is not None and done % 100 == 0:
                progress(f"{name}: {done}/{len(todo)} URLs")
        spool_file = spool.path
    summary = CrawlSummary(
        source=name, run_id=run_id, spool_path=spool_file, requested=requested,
        unique=len(todo), fetched=counts["fetched"], not_modified=counts["not_modified"],
        errors=counts["errors"], robots_skipped=counts["robots"], bytes=total_bytes,
        seconds=time.monotonic() - started, reasons=dict(reasons))
    logger.info("crawl %s: %d URLs, %d fetched, %d unchanged, %d errors in %.1fs", name,
                summary.unique, summary.fetched, summary.not_modified, summary.errors,
                summary.seconds)
    return summary
