"""Discovery: turn one `Source` into the page URLs to fetch, without doing HTTP itself.

`discover(source, get, stats)` yields `Discovered(url, published_hint, via)` lazily.
`get(url) -> (status, headers, body, error)` is supplied by the caller (the lead wires
it to the rate-limited, host-checked fetcher; tests pass a dict). What each kind does:

* `urls`    — the listed URLs, as they are.
* `list`    — `ingest.fetch.list_pages`: the `link_selector` matches of each `entry`
  page, following `next_selector` for at most `max_list_pages` pages per entry; a list
  page is never fetched twice.
* `feed`    — `ingest.fetch.feeds`: RSS (0.9x, 1.0, 2.0), Atom (0.3, 1.0) and CDF entries,
  parsed by feedparser from the bytes fetched here.
* `sitemap` — `ingest.fetch.sitemaps`: `urlset`, `sitemapindex` (followed to depth
  `MAX_SITEMAP_DEPTH`, at most `MAX_SITEMAPS` documents) and plain text sitemaps.

This module holds what the kinds share (`DiscoveryRun`): fetching a discovery document
through `get`, gzip (magic bytes) decompressed in chunks with a hard cap
(`MAX_SITEMAP_BYTES`: a gzip bomb becomes an error, not an OOM), sitemap XML parsed with
lxml without entity resolution, DTD loading, network access or huge-tree mode, and the
bookkeeping. Every yielded URL is http(s), on one of `source.allowed_hosts`,
fragment-free and new in this discovery; at most `source.max_pages` are yielded.
Everything else is counted in `DiscoveryStats` (pass one in to read it afterwards).
A fault (fetch, decode, parse, limits) never raises: it is recorded in
`stats.errors` and discovery goes on with the next document.

`published_hint` precedence: a feed's publication date (`pubDate`, `published`,
`dc:date`), then `date_from_url`, then a modification date (Atom `updated`,
sitemap `lastmod`).
"""
from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from ingest.dates import calendar_date, parse_date
from ingest.fetch.body import SizeLimitError, gunzip_capped
from ingest.fetch.feeds import feed
from ingest.fetch.list_pages import list_pages
from ingest.fetch.sitemaps import sitemap
from ingest.fetch.sources import Source
from ingest.fetch.xmltree import xml_root

__all__ = ["Discovered", "DiscoveryError", "DiscoveryRun", "DiscoveryStats", "GetFn", "discover",
           "date_from_url", "parse_date", "gunzip_capped", "SizeLimitError",
           "MAX_SITEMAP_BYTES", "MAX_SITEMAP_DEPTH", "MAX_SITEMAPS"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

#: get(url) -> (status, headers, body or None, error or None)
GetFn = Callable[[str], tuple[int, dict[str, str], bytes | None, str | None]]

MAX_SITEMAP_BYTES = 50_000_000  # the sitemap protocol's own limit (uncompressed)
MAX_SITEMAP_DEPTH = 3  # entry sitemap = depth 1
MAX_SITEMAPS = 100  # sitemap documents fetched per discovery
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Discovered:
    """One page to fetch. `via`: 'urls', or '<kind>:<URL of the list page/feed/sitemap>'.
    `title`: the link's text on a list page, or the feed item's title (None elsewhere);
    it is not part of equality."""

    url: str
    published_hint: date | None
    via: str
    title: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DiscoveryError:
    """A document discovery could not use. `stage`: fetch, decode, parse or limit."""

    url: str
    stage: str
    reason: str


@dataclass
class DiscoveryStats:
    """Counts for one discovery (filled in while iterating; final once exhausted)."""

    source: str = ""
    requests: int = 0  # calls to get()
    yielded: int = 0
    duplicates: int = 0  # links seen again in this discovery
    dropped_scheme: int = 0  # not http(s) (mailto:, javascript:, ...)
    dropped_host: int = 0  # host not in allowed_hosts
    loops: int = 0  # pagination / sitemap links to a document already visited
    not_modified: int = 0  # list/feed/sitemap answered 304 (nothing new to read)
    hit_max_pages: bool = False
    errors: list[DiscoveryError] = field(default_factory=list)

    @property
    def dropped(self) -> int:
        return self.dropped_scheme + self.dropped_host


# ------------------------------------------------------------------------ helpers


def date_from_url(pattern: re.Pattern[str] | None, url: str) -> date | None:
    """The date the named groups y, m, d of `pattern` find in `url` (a 2-digit y is 20yy)."""
    if pattern is None:
        return None
    m = pattern.search(url)
    if m is None:
        return None
    try:
        return calendar_date(m.group("y"), m.group("m"), m.group("d"))
    except IndexError:
        return None


# ------------------------------------------------------------------------ discovery


class DiscoveryRun:
    """One discovery's state, shared by the kinds' walkers (list_pages, feeds, sitemaps)."""

    def __init__(self, source: Source, get: GetFn, stats: DiscoveryStats,
                 max_sitemap_bytes: int, max_sitemap_depth: int, max_sitemaps: int) -> None:
        self.source = source
        self.get = get
        self.stats = stats
        self.hosts = {h.lower() for h in source.allowed_hosts}
        self.pattern = source.date_pattern
        self.seen: set[str] = set()
        self.visited: set[str] = set()  # list pages, feeds, sitemaps fetched
        self.max_sitemap_bytes = max_sitemap_bytes
        self.max_sitemap_depth = max_sitemap_depth
        self.max_sitemaps = max_sitemaps
        self.sitemaps = 0

    # -- bookkeeping

    def error(self, url: str, stage: str, reason: str) -> None:
        self.stats.errors.append(DiscoveryError(url, stage, reason))
        logger.warning("discover %s: %s %s: %s", self.source.name, stage, url, reason)

    def clean(self, raw: str | None, base: str | None = None) -> str | None:
        """Absolute, fragment-free http(s) URL on an allowed host, else None (counted)."""
        if raw is None:
            return None
        href = raw.strip()
        if not href:
            return None
        try:
            url = urldefrag(urljoin(base, href) if base else href).url
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:  # e.g. a malformed IPv6 literal
            self.stats.dropped_scheme += 1
            return None
        if parts.scheme.lower() not in ("http", "https") or not host:
            self.stats.dropped_scheme += 1
            return None
        if host not in self.hosts:
            self.stats.dropped_host += 1
            return None
        return url

    def full(self) -> bool:
        mp = self.source.max_pages
        if mp is not None and self.stats.yielded >= mp:
            self.stats.hit_max_pages = True
            return True
        return False

    def emit(self, url: str | None, via: str, published: date | None = None,
             modified: date | None = None, title: str | None = None) -> Discovered | None:
        if url is None:
            return None
        if url in self.seen:
            self.stats.duplicates += 1
            return None
        self.seen.add(url)
        hint = published or date_from_url(self.pattern, url) or modified
        self.stats.yielded += 1
        return Discovered(url=url, published_hint=hint, via=via, title=title or None)

    def fetch(self, url: str) -> tuple[dict[str, str], bytes] | None:
        """The body of a discovery document, or None (error / 304 recorded)."""
        self.visited.add(url)
        self.stats.requests += 1
        try:
            status, headers, body, err = self.get(url)
        except Exception as exc:  # the caller's get() must not crash discovery
            self.error(url, "fetch", f"unexpected: {exc.__class__.__name__}: {exc}")
            return None
        if status == 304 and not err:
            self.stats.not_modified += 1
            return None
        if err or body is None or not 200 <= (status or 0) < 300:
            self.error(url, "fetch", err or (f"http {status}" if status else "no response"))
            return None
        return dict(headers or {}), body

    # -- kinds

    def run(self) -> Iterator[Discovered]:
        kind = self.source.kind
        if kind == "urls":
            for raw in self.source.urls:
                if self.full():
                    return
                d = self.emit(self.clean(raw), "urls")
                if d:
                    yield d
            return
        walkers: dict[str, Callable[[str], Iterator[Discovered]]] = {
            "list": lambda u: list_pages(self, u), "feed": lambda u: feed(self, u),
            "sitemap": lambda u: sitemap(self, u, 1)}
        walk = walkers.get(kind)
        if walk is None:
            self.error("", "parse", f"unknown source kind {kind!r}")
            return
        for entry in self.source.entry:
            if self.full():
                return
            url = self.clean(entry)
            if url is None or url in self.visited:
                continue
            for d in walk(url):
                yield d
                if self.full():
                    return

    def xml_body(self, url: str) -> bytes | None:
        """The feed's or sitemap's bytes, gunzipped when gzip; None (recorded) on failure."""
        got = self.fetch(url)
        return None if got is None else self.gunzipped(url, got[1])

    def parsed(self, url: str, body: bytes) -> Any:
        """The XML root of a sitemap; None (recorded) when it is not well-formed."""
        try:
            return xml_root(body)
        except (etree.XMLSyntaxError, ValueError) as exc:
            self.error(url, "parse", f"not well-formed XML: {exc}")
            return None

    def gunzipped(self, url: str, body: bytes) -> bytes | None:
        """`body`, gunzipped when it is gzip (capped at max_sitemap_bytes); None, with the
        error recorded, when it cannot be."""
        if body[:2] != GZIP_MAGIC:
            return body
        try:
            return gunzip_capped(body, self.max_sitemap_bytes)
        except SizeLimitError as exc:
            self.error(url, "limit", str(exc))
        except zlib.error as exc:
            self.error(url, "decode", f"bad gzip data: {exc}")
        return None


def discover(source: Source, get: GetFn, stats: DiscoveryStats | None = None, *,
             max_sitemap_bytes: int = MAX_SITEMAP_BYTES,
             max_sitemap_depth: int = MAX_SITEMAP_DEPTH,
             max_sitemaps: int = MAX_SITEMAPS) -> Iterator[Discovered]:
    """Yield the pages `source` points at (see the module docstring); never raises for
    fetch/parse faults. Pass `stats` to read counts and errors afterwards."""
    st = stats if stats is not None else DiscoveryStats()
    st.source = source.name
    run = DiscoveryRun(source, get, st, max_sitemap_bytes, max_sitemap_depth, max_sitemaps)
    try:
        yield from run.run()
    finally:
        logger.info("discover %s (%s): %d url(s), %d duplicate(s), %d dropped, %d error(s)%s",
                    source.name, source.kind, st.yielded, st.duplicates, st.dropped,
                    len(st.errors), ", stopped at max_pages" if st.hit_max_pages else "")
