"""Discovery from list pages: the article links on a source's index pages, following its
pagination (`source.kind == "list"`).

Each `entry` page is fetched through the discovery run, decoded (`ingest.process.decode`,
the source's `encoding` first when it has one), and its `link_selector` matches taken (an
element with `href`, or the `a[href]` inside it), resolved against the page (`<base href>`
honoured). `next_selector` is followed for at most `max_list_pages` pages per entry; a
list page already visited in this discovery counts as a loop and ends the pagination.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from ingest.fetch.headers import header
from ingest.process.decode import UndecodableError, decode

if TYPE_CHECKING:  # pragma: no cover
    from ingest.fetch.discover import Discovered, DiscoveryRun
    from ingest.fetch.sources import Source

__all__ = ["list_pages"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


def list_pages(run: DiscoveryRun, entry: str) -> Iterator[Discovered]:
    """The links of `entry` and of the pages its pagination leads to."""
    source = run.source
    page: str | None = entry
    for n in range(source.max_list_pages):
        if page is None or run.full():
            return
        got = run.fetch(page)
        if got is None:
            return
        headers, body = got
        try:
            text = _decode(source, body, header(headers, "Content-Type"))
        except UndecodableError as exc:
            run.error(page, "decode", str(exc))
            return
        soup = BeautifulSoup(text, "lxml")
        base_tag = soup.find("base", href=True)
        base = page
        if isinstance(base_tag, Tag):
            base = urljoin(page, str(base_tag.get("href") or ""))
        via = f"list:{page}"
        try:
            links = [link for el in soup.select(source.link_selector or "a[href]")
                     for link in _anchors(el)]
            nxt = soup.select(source.next_selector) if source.next_selector else []
        except Exception as exc:  # soupsieve faults on odd markup: record, go on
            run.error(page, "parse", f"selector failed: {exc.__class__.__name__}: {exc}")
            return
        for href, text in links:
            d = run.emit(run.clean(href, base), via, title=text)
            if d:
                yield d
                if run.full():
                    return
        page = _next_page(run, nxt, base)
        if page is not None and n + 1 >= source.max_list_pages:
            logger.info("discover %s: stopped pagination at max_list_pages=%d (%s)",
                        source.name, source.max_list_pages, entry)


def _next_page(run: DiscoveryRun, nxt: list[Tag], base: str) -> str | None:
    """The next list page: the first `next_selector` match with an href, when it is a
    usable URL not visited yet (a visited one counts as a loop)."""
    for el in nxt:
        hrefs = _hrefs(el)
        if not hrefs:
            continue
        candidate = run.clean(hrefs[0], base)
        if candidate is None:
            return None
        if candidate in run.visited:
            run.stats.loops += 1
            return None
        return candidate
    return None


def _decode(source: Source, body: bytes, content_type: str | None) -> str:
    """The list page's text: the source's own encoding when it decodes, else detected."""
    if source.encoding:
        try:
            return decode(body, content_type, source.encoding).text
        except UndecodableError:
            pass
    return decode(body, content_type).text


def _hrefs(el: Tag) -> list[str]:
    """`el`'s own href, or the hrefs of the `a[href]` inside it."""
    return [href for href, _ in _anchors(el)]


def _anchors(el: Tag) -> list[tuple[str, str]]:
    """(href, text) of `el` when it has an href, else of each `a[href]` inside it; the
    text is the anchor's, whitespace collapsed (its `title` attribute when it has none)."""
    own = el.get("href")
    links = [el] if isinstance(own, str) and own.strip() else el.select("a[href]")
    out: list[tuple[str, str]] = []
    for a in links:
        h = a.get("href")
        if isinstance(h, str) and h.strip():
            text = " ".join(a.get_text(" ").split())
            alt = a.get("title")
            out.append((h, text or (" ".join(alt.split()) if isinstance(alt, str) else "")))
    return out
