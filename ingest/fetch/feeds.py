"""Discovery from feeds (`source.kind == "feed"`), parsed by `feedparser`.

Why feedparser: it is the well-kept parser for every feed dialect a portal may serve
(RSS 0.90/0.91/0.92/0.93/0.94, RSS 1.0, RSS 2.0, Atom 0.3 and 1.0, CDF), it resolves
Atom links against `xml:base`, reads dates in many more shapes than RFC 2822 / ISO 8601,
and it is lenient: a feed with a bare `&` in a link, an HTML entity (`&nbsp;`,
`&eacute;`) or an undeclared namespace prefix still gives its entries (the strict XML
parse failing falls back to its loose parser) instead of nothing.

What it does not do here: any I/O. The discovery run fetches the feed (robots, rate
limit, host checks), caps and gunzips it (`DiscoveryRun.xml_body`); feedparser is given
those bytes wrapped in a `BytesIO` (a bare `bytes` or `str` would be tried as a file name
or URL), so it never opens a file or the network. No external DTD or entity is loaded;
the DOCTYPE and its internal subset are dropped before parsing, so a feed's own entity
definitions are never expanded (expat would expand them: ~50x the body in memory).

Per entry: the link is the first `rel="alternate"` link (a link with no `rel` counts),
else, in RSS, a permalink `guid` standing in for a missing link. Dates are read from the
text with `ingest.dates.parse_date` (the publisher's own calendar day), else from
feedparser's parsed `struct_time` (UTC). In RSS the publication date is `pubDate`, else
`dc:date` (which feedparser files under `updated`); in Atom it is `published` (0.3:
`issued`) and the modification date `updated` (0.3: `modified`).

A body that is not a feed (no feed version and no entries: HTML, text, a sitemap) and a
document that ends before its root element closes (truncated or empty) are one "parse"
error each, and no links.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any
from xml.parsers.expat import errors as expat_errors
from xml.sax import SAXParseException

import feedparser

from ingest.dates import calendar_date, parse_date

if TYPE_CHECKING:  # pragma: no cover
    from ingest.fetch.discover import Discovered, DiscoveryRun

__all__ = ["feed", "parse_feed"]


def feed(run: DiscoveryRun, url: str) -> Iterator[Discovered]:
    """The links of the feed at `url`, with their publication and modification dates."""
    body = run.xml_body(url)
    if body is None:
        return
    parsed = parse_feed(body, url)
    problem = _not_a_feed(parsed)
    if problem:
        run.error(url, "parse", problem)
        return
    via = f"feed:{url}"
    rss = not str(parsed.get("version", "")).startswith("atom")
    for entry in parsed.entries:
        link, published, modified = _entry(entry, rss)
        title = entry.get("title")
        d = run.emit(run.clean(link, url), via, published, modified,
                     title=" ".join(title.split()) if isinstance(title, str) else None)
        if d:
            yield d
            if run.full():
                return


# A document type declaration with its internal subset, before the root element.
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.I | re.S)
_DOCTYPE_WITHIN = 4096  # where a feed's prolog ends; a later DOCTYPE is no prolog


def _without_doctype(body: bytes) -> bytes:
    """`body` without its DOCTYPE: a feed needs no DTD (feedparser knows the HTML entities
    RSS 0.91's DTD defined), and entities a hostile feed defines would be expanded."""
    head = body[:_DOCTYPE_WITHIN]
    if b"<!doctype" not in head.lower():
        return body
    m = _DOCTYPE.search(body)
    return body[:m.start()] + body[m.end():] if m else body


def parse_feed(body: bytes, url: str) -> Any:
    """feedparser's result for the feed `body` fetched from `url` (relative links resolve
    against it). No I/O: the bytes go in as a stream, without their DOCTYPE."""
    return feedparser.parse(
        io.BytesIO(_without_doctype(body)),
        # the base URL for relative links; application/xml lets the document's own
        # BOM / XML declaration pick the encoding, as an XML parser would
        response_headers={"content-location": url, "content-type": "application/xml"},
        resolve_relative_uris=False, sanitize_html=False)  # entry HTML is not used here


def _not_a_feed(parsed: Any) -> str | None:
    """Why `parsed` gives no links at all (one line), or None when it is a feed."""
    exc = parsed.get("bozo_exception")
    why = " ".join(str(exc).split()) if exc else ""
    truncated = expat_errors.XML_ERROR_NO_ELEMENTS  # "no element found": ended too soon
    if isinstance(exc, SAXParseException) and exc.getMessage() == truncated:
        return f"truncated or empty XML: {why}"
    if not parsed.get("version") and not parsed.entries:
        return "not an RSS/Atom/CDF feed" + (f": {why}" if why else "")
    return None


def _entry(entry: Any, rss: bool) -> tuple[str | None, date | None, date | None]:
    """An entry's (link, published, modified)."""
    link = next((ln.get("href") for ln in entry.get("links", ())
                 if ln.get("rel", "alternate") == "alternate" and ln.get("href")), None)
    if link is None and rss and entry.get("guidislink"):  # a permalink guid
        link = entry.get("link")
    published = _date(entry, "published")
    modified = _date(entry, "updated")
    return link, (published or modified) if rss else published, modified


def _date(entry: Any, key: str) -> date | None:
    """The calendar date of `entry[key]`: as written, else feedparser's UTC reading.
    Read with `dict.get`: FeedParserDict's own `get` answers `updated` with `published`
    (a deprecated fallback) when the entry has no `updated`."""
    day = parse_date(dict.get(entry, key))
    if day is not None:
        return day
    t: time.struct_time | None = dict.get(entry, f"{key}_parsed")
    return calendar_date(t.tm_year, t.tm_mon, t.tm_mday) if t else None
