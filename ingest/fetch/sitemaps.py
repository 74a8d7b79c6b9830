"""Discovery from sitemaps (`source.kind == "sitemap"`): `urlset/url/loc` (+ `lastmod`),
`sitemapindex/sitemap/loc` followed to depth `max_sitemap_depth` (at most `max_sitemaps`
documents a discovery), and plain-text sitemaps (one URL a line). The discovery run
fetches each document and gunzips it with a hard cap (a gzip bomb becomes an error, not
an OOM); a sitemap already visited counts as a loop and is not fetched again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ingest.dates import parse_date
from ingest.fetch.xmltree import child_text, children, local_name

if TYPE_CHECKING:  # pragma: no cover
    from ingest.fetch.discover import Discovered, DiscoveryRun

__all__ = ["sitemap"]


def sitemap(run: DiscoveryRun, url: str, depth: int) -> Iterator[Discovered]:
    """The pages the sitemap at `url` lists (`depth`: 1 for an entry sitemap)."""
    body = _body(run, url)
    if body is None:
        return
    via = f"sitemap:{url}"
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head and head != b"<":  # a text sitemap: one URL a line
        yield from _text_sitemap(run, body, via)
        return
    root = run.parsed(url, body)
    if root is None:
        return
    top = local_name(root)
    if top == "urlset":
        yield from _urlset(run, root, via)
    elif top == "sitemapindex":
        yield from _sitemap_index(run, url, root, depth)
    else:
        run.error(url, "parse", f"not a sitemap (root element <{top}>)")


def _body(run: DiscoveryRun, url: str) -> bytes | None:
    """The sitemap's bytes (gunzipped), counted against max_sitemaps; None, with the
    reason recorded, when it is over a limit or cannot be read."""
    if run.sitemaps >= run.max_sitemaps:
        run.error(url, "limit", f"more than {run.max_sitemaps} sitemaps; not fetched")
        return None
    run.sitemaps += 1
    body = run.xml_body(url)
    if body is None:
        return None
    if urlsplit(url).path.lower().endswith(".gz") and body.lstrip()[:1] != b"<":
        run.error(url, "decode", "'.gz' sitemap is neither gzip nor XML")
        return None
    if len(body) > run.max_sitemap_bytes:
        run.error(url, "limit", f"sitemap larger than {run.max_sitemap_bytes} bytes")
        return None
    return body


def _text_sitemap(run: DiscoveryRun, body: bytes, via: str) -> Iterator[Discovered]:
    for line in body.decode("utf-8", "replace").splitlines():
        d = run.emit(run.clean(line), via) if line.strip() else None
        if d:
            yield d
            if run.full():
                return


def _urlset(run: DiscoveryRun, root: Any, via: str) -> Iterator[Discovered]:
    for el in children(root, "url"):
        loc = child_text(el, "loc")
        d = run.emit(run.clean(loc), via, None, parse_date(child_text(el, "lastmod")))
        if d:
            yield d
            if run.full():
                return


def _sitemap_index(run: DiscoveryRun, url: str, root: Any,
                   depth: int) -> Iterator[Discovered]:
    """The pages of every child sitemap not visited yet, unless that is too deep."""
    nested: list[str] = []
    for el in children(root, "sitemap"):
        child = run.clean(child_text(el, "loc"))
        if child is None:
            continue
        if child in run.visited or child in nested:
            run.stats.loops += 1
            continue
        nested.append(child)
    if nested and depth >= run.max_sitemap_depth:
        run.error(url, "limit", f"sitemap index nested deeper than "
                  f"{run.max_sitemap_depth}; {len(nested)} child sitemap(s) skipped")
        return
    for child in nested:
        if child in run.visited:
            run.stats.loops += 1
            continue
        yield from sitemap(run, child, depth + 1)
        if run.full():
            return
