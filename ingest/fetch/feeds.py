"""Discovery from feeds (`source.kind == "feed"`): RSS 2.0 and RSS 1.0 items (`link`, a
permalink `guid` standing in for a missing link; `pubDate` / `dc:date`) and Atom entries
(`link[@rel=alternate or no rel]/@href`, resolved against `xml:base`; `published`,
`updated`). The feed is fetched, gunzipped and parsed by the discovery run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from ingest.dates import parse_date
from ingest.fetch.xmltree import child_text, children, local_name, xml_base

if TYPE_CHECKING:  # pragma: no cover
    from ingest.fetch.discover import Discovered, DiscoveryRun

__all__ = ["feed"]

FEED_ROOTS = ("rss", "RDF", "feed")


def feed(run: DiscoveryRun, url: str) -> Iterator[Discovered]:
    """The links of the feed at `url`, with their publication and modification dates."""
    body = run.xml_body(url)
    if body is None:
        return
    root = run.parsed(url, body)
    if root is None:
        return
    via = f"feed:{url}"
    top = local_name(root)
    if top not in FEED_ROOTS:
        run.error(url, "parse", f"not an RSS/Atom feed (root element <{top}>)")
        return
    for el in root.iter():
        name = local_name(el)
        if name == "item":
            link, published, modified = _rss_item(el)
        elif name == "entry":
            link, published, modified = _atom_entry(el, url)
        else:
            continue
        d = run.emit(run.clean(link, url), via, published, modified)
        if d:
            yield d
            if run.full():
                return


def _rss_item(el: Any) -> tuple[str | None, date | None, date | None]:
    """An RSS item's (link, published, modified)."""
    link = child_text(el, "link")
    if link is None:  # RSS 2.0: a permalink guid stands in for a missing link
        for g in children(el, "guid"):
            if (g.get("isPermaLink") or "true").lower() == "true" and g.text:
                link = g.text.strip()
                break
    return (link, parse_date(child_text(el, "pubDate", "date", "published")),
            parse_date(child_text(el, "updated", "modified")))


def _atom_entry(el: Any, url: str) -> tuple[str | None, date | None, date | None]:
    """An Atom entry's (link, published, modified); the link resolved against xml:base."""
    link = None
    for ln in children(el, "link"):
        if (ln.get("rel") or "alternate") == "alternate" and ln.get("href"):
            link = urljoin(xml_base(ln, url), ln.get("href"))
            break
    return (link, parse_date(child_text(el, "published", "issued")),
            parse_date(child_text(el, "updated", "modified")))
