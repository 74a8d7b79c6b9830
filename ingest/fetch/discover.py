"""Discovery: turn one `Source` into the page URLs to fetch, without doing HTTP itself.

`discover(source, get, stats)` yields `Discovered(url, published_hint, via)` lazily.
`get(url) -> (status, headers, body, error)` is supplied by the caller (the lead wires
it to the rate-limited, host-checked fetcher; tests pass a dict). What each kind does:

* `urls`    — the listed URLs, as they are.
* `list`    — fetch each `entry` page, decode it (`ingest.process.decode`), take the
  `link_selector` matches (an element with `href`, or the `a[href]` inside it),
  resolve them against the page (`<base href>` honoured), follow `next_selector`
  for at most `max_list_pages` pages per entry; a list page is never fetched twice.
* `feed`    — RSS 2.0 / RSS 1.0 items (`link`, `pubDate` / `dc:date`) and Atom
  entries (`link[@rel=alternate or no rel]/@href`, `published`, `updated`).
* `sitemap` — `urlset/url/loc` (+ `lastmod`) and `sitemapindex/sitemap/loc`
  (followed to depth `MAX_SITEMAP_DEPTH`, at most `MAX_SITEMAPS` documents), plain
  text sitemaps (one URL a line), gzip (magic bytes) decompressed in chunks with
  a hard cap (`MAX_SITEMAP_BYTES`): a gzip bomb becomes an error, not an OOM.

XML is parsed with lxml without entity resolution, DTD loading, network access or
huge-tree mode. Every yielded URL is http(s), on one of `source.allowed_hosts`,
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

from bs4 import BeautifulSoup, Tag
from lxml import etree

from ingest.dates import calendar_date, parse_date
from ingest.fetch.body import SizeLimitError, gunzip_capped
from ingest.fetch.headers import header
from ingest.fetch.sources import Source
from ingest.fetch.xmltree import child_text, children, local_name, xml_base, xml_root
from ingest.process.decode import UndecodableError, decode

__all__ = ["Discovered", "DiscoveryError", "DiscoveryStats", "GetFn", "discover",
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
    """One page to fetch. `via`: 'urls', or '<kind>:<URL of the list page/feed/sitemap>'."""

    url: str
    published_hint: date | None
    via: str


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


class _Run:
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
             modified: date | None = None) -> Discovered | None:
        if url is None:
            return None
        if url in self.seen:
            self.stats.duplicates += 1
            return None
        self.seen.add(url)
        hint = published or date_from_url(self.pattern, url) or modified
        self.stats.yielded += 1
        return Discovered(url=url, published_hint=hint, via=via)

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
        walk = {"list": self.list_pages, "feed": self.feed,
                "sitemap": lambda u: self.sitemap(u, 1)}.get(kind)
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

    def list_pages(self, entry: str) -> Iterator[Discovered]:
        page: str | None = entry
        for n in range(self.source.max_list_pages):
            if page is None or self.full():
                return
            got = self.fetch(page)
            if got is None:
                return
            headers, body = got
            try:
                text = self._decode(body, header(headers, "Content-Type"))
            except UndecodableError as exc:
                self.error(page, "decode", str(exc))
                return
            soup = BeautifulSoup(text, "lxml")
            base_tag = soup.find("base", href=True)
            base = page
            if isinstance(base_tag, Tag):
                base = urljoin(page, str(base_tag.get("href") or ""))
            via = f"list:{page}"
            try:
                links = [h for el in soup.select(self.source.link_selector or "a[href]")
                         for h in _hrefs(el)]
                nxt = (soup.select(self.source.next_selector)
                       if self.source.next_selector else [])
            except Exception as exc:  # soupsieve faults on odd markup: record, go on
                self.error(page, "parse", f"selector failed: {exc.__class__.__name__}: {exc}")
                return
            for href in links:
                d = self.emit(self.clean(href, base), via)
                if d:
                    yield d
                    if self.full():
                        return
            page = None
            for el in nxt:
                hrefs = _hrefs(el)
                if not hrefs:
                    continue
                candidate = self.clean(hrefs[0], base)
                if candidate is None:
                    break
                if candidate in self.visited:
                    self.stats.loops += 1
                    break
                page = candidate
                break
            if page is not None and n + 1 >= self.source.max_list_pages:
                logger.info("discover %s: stopped pagination at max_list_pages=%d (%s)",
                            self.source.name, self.source.max_list_pages, entry)

    def xml_body(self, url: str) -> bytes | None:
        """The feed's or sitemap's bytes, gunzipped when gzip; None (recorded) on failure."""
        got = self.fetch(url)
        return None if got is None else self.gunzipped(url, got[1])

    def parsed(self, url: str, body: bytes) -> Any:
        """The XML root of a feed or sitemap; None (recorded) when it is not well-formed."""
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

    def _decode(self, body: bytes, content_type: str | None) -> str:
        if self.source.encoding:
            try:
                return decode(body, content_type, self.source.encoding).text
            except UndecodableError:
                pass
        return decode(body, content_type).text

    def feed(self, url: str) -> Iterator[Discovered]:
        body = self.xml_body(url)
        if body is None:
            return
        root = self.parsed(url, body)
        if root is None:
            return
        via = f"feed:{url}"
        top = local_name(root)
        if top not in ("rss", "RDF", "feed"):
            self.error(url, "parse", f"not an RSS/Atom feed (root element <{top}>)")
            return
        for el in root.iter():
            name = local_name(el)
            if name == "item":
                link = child_text(el, "link")
                if link is None:  # RSS 2.0: a permalink guid stands in for a missing link
                    for g in children(el, "guid"):
                        if (g.get("isPermaLink") or "true").lower() == "true" and g.text:
                            link = g.text.strip()
                            break
                published = parse_date(child_text(el, "pubDate", "date", "published"))
                modified = parse_date(child_text(el, "updated", "modified"))
            elif name == "entry":
                link = None
                for ln in children(el, "link"):
                    if (ln.get("rel") or "alternate") == "alternate" and ln.get("href"):
                        link = urljoin(xml_base(ln, url), ln.get("href"))
                        break
                published = parse_date(child_text(el, "published", "issued"))
                modified = parse_date(child_text(el, "updated", "modified"))
            else:
                continue
            d = self.emit(self.clean(link, url), via, published, modified)
            if d:
                yield d
                if self.full():
                    return

    def sitemap(self, url: str, depth: int) -> Iterator[Discovered]:
        # Long on purpose: the urlset and sitemapindex branches share the fetch, the gunzip
        # and the depth and count limits.
        if self.sitemaps >= self.max_sitemaps:
            self.error(url, "limit", f"more than {self.max_sitemaps} sitemaps; not fetched")
            return
        self.sitemaps += 1
        body = self.xml_body(url)
        if body is None:
            return
        if urlsplit(url).path.lower().endswith(".gz") and body.lstrip()[:1] != b"<":
            self.error(url, "decode", "'.gz' sitemap is neither gzip nor XML")
            return
        if len(body) > self.max_sitemap_bytes:
            self.error(url, "limit", f"sitemap larger than {self.max_sitemap_bytes} bytes")
            return
        via = f"sitemap:{url}"
        head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if head and head != b"<":  # a text sitemap: one URL a line
            for line in body.decode("utf-8", "replace").splitlines():
                d = self.emit(self.clean(line), via) if line.strip() else None
                if d:
                    yield d
                    if self.full():
                        return
            return
        root = self.parsed(url, body)
        if root is None:
            return
        top = local_name(root)
        if top == "urlset":
            for el in children(root, "url"):
                loc = child_text(el, "loc")
                d = self.emit(self.clean(loc), via, None, parse_date(child_text(el, "lastmod")))
                if d:
                    yield d
                    if self.full():
                        return
        elif top == "sitemapindex":
            nested: list[str] = []
            for el in children(root, "sitemap"):
                child = self.clean(child_text(el, "loc"))
                if child is None:
                    continue
                if child in self.visited or child in nested:
                    self.stats.loops += 1
                    continue
                nested.append(child)
            if nested and depth >= self.max_sitemap_depth:
                self.error(url, "limit", f"sitemap index nested deeper than "
                           f"{self.max_sitemap_depth}; {len(nested)} child sitemap(s) skipped")
                return
            for child in nested:
                if child in self.visited:
                    self.stats.loops += 1
                    continue
                yield from self.sitemap(child, depth + 1)
                if self.full():
                    return
        else:
            self.error(url, "parse", f"not a sitemap (root element <{top}>)")


def _hrefs(el: Tag) -> list[str]:
    """`el`'s own href, or the hrefs of the `a[href]` inside it."""
    own = el.get("href")
    if isinstance(own, str) and own.strip():
        return [own]
    out: list[str] = []
    for a in el.select("a[href]"):
        h = a.get("href")
        if isinstance(h, str) and h.strip():
            out.append(h)
    return out


def discover(source: Source, get: GetFn, stats: DiscoveryStats | None = None, *,
             max_sitemap_bytes: int = MAX_SITEMAP_BYTES,
             max_sitemap_depth: int = MAX_SITEMAP_DEPTH,
             max_sitemaps: int = MAX_SITEMAPS) -> Iterator[Discovered]:
    """Yield the pages `source` points at (see the module docstring); never raises for
    fetch/parse faults. Pass `stats` to read counts and errors afterwards."""
    st = stats if stats is not None else DiscoveryStats()
    st.source = source.name
    run = _Run(source, get, st, max_sitemap_bytes, max_sitemap_depth, max_sitemaps)
    try:
        yield from run.run()
    finally:
        logger.info("discover %s (%s): %d url(s), %d duplicate(s), %d dropped, %d error(s)%s",
                    source.name, source.kind, st.yielded, st.duplicates, st.dropped,
                    len(st.errors), ", stopped at max_pages" if st.hit_max_pages else "")
