"""An HTML page's title, meta date and text lines, on the tree `html_tree` reads: site
chrome removed structurally (scripts, the site header, noise-classed boxes, link lists),
block elements turned into lines, and the main-text container chosen."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass

from lxml import etree
from lxml.etree import _Element

from ingest.dates import date_from_string
from ingest.process.html_tree import (
    BODY_XPATH,
    MARK,
    Lengths,
    bs4_events,
    bs4_strings,
    drop,
    length_fixes,
    needs_events,
    parse_html,
    text_of,
    whole_document,
)
from ingest.process.parse_rules import rules, tokens

#: elements that end a line of text
BLOCK_TAGS = frozenset(
    ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre")
    + ("section", "article", "header", "footer", "table", "tr", "caption")
    + ("figure", "figcaption", "ul", "ol", "dl", "br", "hr", "main", "address", "center")
)
LIST_TAGS = frozenset(("ul", "ol", "dl", "table", "div", "section"))
_KEEP = frozenset(("html", "body", "main", "article"))
#: link-text share above which a list/box is a link list (related articles, menus)
LINK_DENSITY = 0.7
TITLE_MIN, TITLE_MAX = 4, 100
_TITLE_SEP_RE = re.compile(r"\s+[-|–—]\s+|_|\||｜")
_MARKER = "\x1e"
_WS_RE = re.compile(r"[^\S\x1e]+")


@dataclass
class Found:
    """What one input shape yields before the shared steps."""

    lines: list[str]
    head: list[str]
    title: str | None = None
    date: dt.date | None = None


def clean_title(t: str | None, strip_suffix: bool) -> str | None:
    if not t:
        return None
    t = " ".join(t.split())
    if strip_suffix:
        parts = [p.strip() for p in _TITLE_SEP_RE.split(t) if p.strip()]
        if parts and len(parts[0]) >= TITLE_MIN:
            t = parts[0]
    return t or None


_OG_TITLE_XPATHS = (
    etree.XPath("(//meta[@property='og:title'])[1]"),
    etree.XPath("(//meta[@name='og:title'])[1]"),
)
_DATE_PUBLISHED_XPATH = etree.XPath(
    "//*[self::time or self::span or self::div][@itemprop='datePublished']"
)
_PUBDATE_XPATH = etree.XPath("//time[@pubdate]")
_META_XPATH = etree.XPath("//meta")
_TITLE_XPATH = etree.XPath("(//title)[1]")
_CLASSED_XPATH = etree.XPath("descendant::*[@class or @id]")
#: the site header; an article's own header stays
_HEADER_XPATH = etree.XPath("descendant::header[not(ancestor::article or ancestor::main)]")
# The list boxes and the elements that end a line, found by lxml's tag filter, not by an
# XPath that tests each element against every name (~8x faster; same elements, same order).
_LIST_TAGS = tuple(sorted(LIST_TAGS))
_MARKED_TAGS = tuple(sorted(BLOCK_TAGS | {"td", "th"}))
_CONTENT_XPATH = etree.XPath(
    "descendant::*[self::article or self::main or @itemprop='articleBody' or @class or @id]"
    "[not(self::br or self::hr)]"
)




def _nonspace_len(s: str) -> int:
    return len("".join(s.split()))


def _meta_date(root: _Element) -> dt.date | None:
    found: dict[str, str] = {}
    for meta in _META_XPATH(root):
        content = meta.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), content)
    for key in rules().meta_date_keys:
        if key in found and (day := date_from_string(found[key])):
            return day
    for t in _DATE_PUBLISHED_XPATH(root):
        if day := date_from_string(t.get("datetime") or t.get("content") or text_of(t)):
            return day
    for t in _PUBDATE_XPATH(root):
        if day := date_from_string(t.get("datetime") or text_of(t)):
            return day
    return None


def _remove_chrome(body: _Element, lengths: Lengths) -> None:
    """Drop scripts, site header/nav/footer, noise-classed boxes and link lists.

    Each rule looks at the page as it came (what an enclosing removal would take
    away goes with it anyway), so the removals can be collected, then applied.
    """
    found = rules()
    total = lengths.of(body)
    doomed = [el for el in _drop_xpath(found.drop_tags)(body) if el.tag not in _KEEP]
    doomed += [el for el in _HEADER_XPATH(body) if el.tag not in _KEEP]
    skip = _KEEP | {"header", *found.drop_tags}
    doomed += [
        el
        for el in _CLASSED_XPATH(body)
        if el.tag not in skip and tokens(el) & found.noise and lengths.of(el) <= 0.5 * total
    ]
    for el in doomed:
        drop(el, lengths.fixes)
    # link lists, on what is left: link text / all text, both without whitespace
    link_len: dict[_Element, int] = {}
    lists = []
    for tag in _link_boxes(body):
        text_len = _nonspace_len(text_of(tag))
        if not text_len:
            continue
        linked = 0
        for a in tag.iter("a"):
            if a not in link_len:
                link_len[a] = _nonspace_len(text_of(a))
            linked += link_len[a]
        if linked / text_len >= LINK_DENSITY:
            lists.append(tag)
    for tag in lists:
        drop(tag, lengths.fixes)


def _link_boxes(body: _Element) -> list[_Element]:
    """The list-like boxes inside `body` with at least three links, in document order."""
    return [el for el in body.iter(*_LIST_TAGS)
            if el is not body and sum(1 for _ in itertools.islice(el.iter("a"), 3)) >= 3]


@functools.lru_cache(maxsize=4)
def _drop_xpath(tags: tuple[str, ...]) -> etree.XPath:
    return etree.XPath("|".join(f"descendant::{t}" for t in tags))


def _mark_lines(body: _Element, mark: str) -> None:
    """Put ``mark`` around block elements (a space before table cells: the cells of
    one row stay on one line).

    Marks are elements of their own (`MARK`) holding the text; ``mark`` stands in
    for `_MARKER`, a control character lxml does not take (see `_mark_char`).
    """

    def new(text: str) -> _Element:
        m = body.makeelement(MARK)
        m.text = text
        return m

    for el in [el for el in body.iter(*_MARKED_TAGS) if el is not body]:
        name = el.tag
        if name in ("td", "th"):
            el.addprevious(new(" "))
        elif name in ("br", "hr"):  # the element itself becomes the marker
            for child in list(el):
                el.remove(child)
            el.text = mark
        else:
            el.addprevious(new(mark))
            el.append(new(mark))


#: stand-ins for `_MARKER` in the tree (noncharacters: not expected in any page)
_MARK_CHARS = "".join(chr(c) for c in range(0xFDD0, 0xFDF0))


def _mark_char(text: str) -> str:
    """A stand-in for `_MARKER` that ``text`` (the page's text) does not contain."""
    for ch in _MARK_CHARS:
        if ch not in text:
            return ch
    raise ValueError("page text holds every marker stand-in")  # 32 noncharacters: never


def _text_lines(text: str, mark: str) -> list[str]:
    text = _WS_RE.sub(" ", text.replace(mark, _MARKER))
    return [s for s in (p.strip() for p in text.split(_MARKER)) if s]


def _container(body: _Element, lengths: Lengths) -> _Element:
    best, best_len = body, 0
    content = rules().content
    for el in _CONTENT_XPATH(body):
        if (
            el.tag in ("article", "main")
            or el.get("itemprop") == "articleBody"
            or (tokens(el) & content)
        ):
            n = lengths.of(el)
            if n > best_len:
                best, best_len = el, n
    return best if best is not body and best_len >= 0.3 * lengths.of(body) else body


def from_html(markup: str) -> Found:
    """The text lines of ``markup`` (all, and the main-text container's), its title
    and meta date."""
    root = parse_html(markup)
    if root is None:
        return Found([], [])
    found_body = BODY_XPATH(root)
    events = bs4_events(markup) if needs_events(markup, bool(found_body)) else None
    fixes = length_fixes(root, events.inner) if events is not None else {}
    lengths = Lengths(*bs4_strings(root, markup), fixes)
    og = next((m[0] for m in (xp(root) for xp in _OG_TITLE_XPATHS) if m), None)
    og_title = clean_title(og.get("content") or "", True) if og is not None else None
    title = _TITLE_XPATH(root)
    title_tag = clean_title(text_of(title[0]), True) if title else None
    meta_date = _meta_date(root)
    if found_body:
        body = found_body[0]
    else:  # no <body> (a frameset, a bare <title>): the whole document, as bs4 had it
        assert events is not None
        body = whole_document(root, lengths, events.top)
    _remove_chrome(body, lengths)
    h1 = next(body.iter("h1"), None)
    h1_title = clean_title(text_of(h1), False) if h1 is not None else None
    mark = _mark_char(text_of(body))
    _mark_lines(body, mark)
    head = _text_lines(text_of(body), mark)
    container = _container(body, lengths)
    # (a string container's own text holds no marks: one line)
    lines = head if container is body else _text_lines(lengths.text(container), mark)
    return Found(lines, head, og_title or h1_title or title_tag, meta_date)
