"""Decoded page text -> title, publication date and main-text blocks.

Three input shapes are handled: full HTML, Jekyll / markdown files with YAML
front matter (the body may be HTML fragments or markdown) and plain text (one
paragraph per line).  Site chrome is removed structurally (nav, footer,
scripts, share widgets...) and boilerplate lines are dropped by the rules in
``ingest/process/parse_rules.yml``, matched on a simplified, full-width-folded
key so traditional pages match too.

HTML is parsed by lxml (libxml2's HTML parser, ``recover=True``) and worked on
as lxml's tree: chrome, meta tags, dates and the content container are found
with compiled XPath, text is serialised by libxml2.  This is the parser
BeautifulSoup's "lxml" builder ran for this module before, so broken markup is
mended exactly as it was; what bs4 itself added (its whitespace-only strings,
the text it leaves out of ``get_text()``, the strings between two top-level
``<html>`` elements) is reproduced (`_bs4_strings`, `_Bs4Strings`), and
the output is the same page for page.  BeautifulSoup stays where it is the
right tool: list-page link discovery (``ingest/fetch/discover.py``) runs each
source's CSS ``link_selector`` / ``next_selector`` through soupsieve, which
works on bs4 trees, once per index page rather than once per article.  It is
not needed here for odd markup: the leniency was always libxml2's.

The publication date comes from, in order: the sidecar, ``<meta>`` tags, the
front matter, the URL path, a date line near the top of the text.  Dates
deeper in the body are event dates and are never used.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from lxml import etree
from lxml.etree import _Element

from ingest.dates import calendar_date, date_from_string
from ingest.process.normalise import FULLWIDTH_FOLD, strip_pinyin_glosses, to_simplified

__all__ = ["ParsedPage", "parse", "date_from_string", "RULES_FILE"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

RULES_FILE = Path(__file__).resolve().parent / "parse_rules.yml"

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
#: a line at least this long (or shorter prose with a full stop) ends the top area
LONG_LINE = 80
HEAD_LINES = 8
#: a date line at the top is at most this long
DATE_LINE_MAX = 80
TITLE_MIN, TITLE_MAX = 4, 100

_DATE_LINE_RE = re.compile(
    r"^(?:[(\[【]?(?:发布|发表|更新|成文|印发)?(?:时间|日期)[:])?"
    r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}"
    r"|(?:来源|发布|时间|日期|作者|编辑|浏览|点击)[^\n]{0,40}(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}"
)
_TITLE_SEP_RE = re.compile(r"\s+[-|–—]\s+|_|\||｜")
_FINAL = frozenset("。！？!?；;…")
_FRONT_MATTER_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HTML_RE = re.compile(
    r"<\s*(?:!doctype|html|head|body|div|p|br|span|article|section|table|h[1-6]|meta|title|ul)\b",
    re.I,
)
_MD_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_RULE_RE = re.compile(r"^[-*_]{3,}$")
_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_LINK_ONLY_RE = re.compile(r"^(?:\s|[|｜·•/,，、]|!?\[[^\]]*\]\([^)]*\))*$")
_BARE_URL_RE = re.compile(r"^<?(?:https?:)?//\S+>?$")
_MARKER = "\x1e"
_WS_RE = re.compile(r"[^\S\x1e]+")


@dataclass(frozen=True)
class ParsedPage:
    """What parse found; ``date_source`` is sidecar, meta, front_matter, url, text or none."""

    title: str | None
    published_at: dt.date | None
    date_source: str
    blocks: tuple[str, ...]


@dataclass(frozen=True)
class _LineRule:
    name: str
    pattern: re.Pattern[str]
    max_len: int


@dataclass
class _Found:
    """What one input shape yields before the shared steps."""

    lines: list[str]
    head: list[str]
    title: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class _Rules:
    """``ingest/process/parse_rules.yml``, compiled."""

    lines: tuple[_LineRule, ...]
    noise: frozenset[str]
    content: frozenset[str]
    drop_tags: tuple[str, ...]
    meta_date_keys: tuple[str, ...]
    url_dates: tuple[re.Pattern[str], ...]


@functools.lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return _Rules(
        lines=tuple(
            _LineRule(r["name"], re.compile(r["pattern"], re.I), int(r["max_len"]))
            for r in data["line_rules"]
        ),
        noise=frozenset(str(s).lower() for s in data["noise_selectors"]),
        content=frozenset(str(s).lower() for s in data["content_selectors"]),
        drop_tags=tuple(data["drop_tags"]),
        meta_date_keys=tuple(str(k).lower() for k in data["meta_date_keys"]),
        url_dates=tuple(re.compile(p) for p in data["url_date_patterns"]),
    )


def _date_from_value(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return date_from_string(str(v)) if v is not None else None


def _url_date(url: str | None) -> dt.date | None:
    if not url:
        return None
    path = urlparse(url).path
    for rx in _rules().url_dates:
        for m in rx.finditer(path):
            day = calendar_date(m["y"], m["m"], m["d"])
            if day:
                return day
    return None


def _clean_title(t: str | None, strip_suffix: bool) -> str | None:
    if not t:
        return None
    t = " ".join(t.split())
    if strip_suffix:
        parts = [p.strip() for p in _TITLE_SEP_RE.split(t) if p.strip()]
        if parts and len(parts[0]) >= TITLE_MIN:
            t = parts[0]
    return t or None


def _keys(lines: Sequence[str]) -> list[str]:
    """Matching keys: no pinyin glosses, simplified, folded, no whitespace."""
    joined = "\n".join(lines)
    key = to_simplified(strip_pinyin_glosses(joined)).translate(FULLWIDTH_FOLD)
    out = key.split("\n")
    if len(out) != len(lines):
        out = [to_simplified(strip_pinyin_glosses(s)).translate(FULLWIDTH_FOLD) for s in lines]
    return ["".join(k.split()) for k in out]


def _noise(line: str, key: str) -> str | None:
    """Name of the boilerplate rule that drops this line, if any."""
    if _MD_LINK_ONLY_RE.match(line):
        return "link_only"
    for rule in _rules().lines:
        if len(key) <= rule.max_len and rule.pattern.search(key):
            return rule.name
    return None


def _tokens(el: _Element) -> set[str]:
    """Class and id values of ``el``, whole and split on - and _ (lower case)."""
    vals = [v.lower() for v in [*(el.get("class") or "").split(), el.get("id")] if v]
    return {*vals, *(t for v in vals for t in re.split(r"[\s_\-]+", v) if t)}


# ---------------------------------------------------------------- the HTML tree
#
# The tree is libxml2's, from the same lxml HTMLParser (recover=True, the whole text
# fed at once) that BeautifulSoup's "lxml" builder drives, so broken markup is
# mended exactly as before.  What BeautifulSoup added on top, and the rules below
# rely on, is reproduced on the lxml tree by `_bs4_strings`:
#   * a string made only of ASCII whitespace outside <pre>/<textarea> is one "\n"
#     (if it has a newline) or one " ", which sets the text lengths the share
#     thresholds compare;
#   * text inside <script>, <style>, <template>, <rt>, <rp> is not page text
#     (bs4 gives it its own string classes, which get_text() leaves out);
# and, on the rare pages that need it, by `_Bs4Strings` (bs4's string boundaries
# that the tree does not have).  Comments and processing instructions are nodes
# whose text the text serialisation skips.  lxml takes no control characters in
# text set from Python, so page text is never re-set or joined: a removed element
# stays as an empty `_REMOVED` (its tail, the text after it, kept) and line marks
# are elements of their own (`_MARK`).

#: bs4's string containers: their text never counts as page text
_HIDDEN_TEXT = ("script", "style", "template", "rt", "rp")
_HIDDEN_XPATH = etree.XPath("|".join(f"//{t}" for t in _HIDDEN_TEXT))
#: whitespace-only strings (XPath whitespace: space, tab, CR, LF) outside <pre>/<textarea>
_BLANK_XPATH = etree.XPath(
    "//text()[normalize-space()=''][not(ancestor::pre or ancestor::textarea)]"
)
#: all strings outside <pre>/<textarea> (when the page has a form feed, also ASCII space
#: to bs4 but not to XPath, and no XPath literal can hold it)
_FREE_TEXT_XPATH = etree.XPath("//text()[not(ancestor::pre or ancestor::textarea)]")
_FORM_FEED_RE = re.compile(r"\x0c|&#0*12(?![0-9])|&#[xX]0*[cC](?![0-9a-fA-F])")
_ASCII_SPACE = " \n\t\x0c\r"
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
_BODY_XPATH = etree.XPath("(//body)[1]")
_CLASSED_XPATH = etree.XPath("descendant::*[@class or @id]")
#: the site header; an article's own header stays
_HEADER_XPATH = etree.XPath("descendant::header[not(ancestor::article or ancestor::main)]")
_LIST_XPATH = etree.XPath(
    "descendant::*[" + " or ".join(f"self::{t}" for t in sorted(LIST_TAGS)) + "]"
    "[count(descendant::a) >= 3]"
)
_MARKED_XPATH = etree.XPath(
    "descendant::*[" + " or ".join(f"self::{t}" for t in sorted(BLOCK_TAGS | {"td", "th"})) + "]"
)
_CONTENT_XPATH = etree.XPath(
    "descendant::*[self::article or self::main or @itemprop='articleBody' or @class or @id]"
    "[not(self::br or self::hr)]"
)


def _html_tree(markup: str) -> _Element | None:
    """The document element, as BeautifulSoup(markup, "lxml") builds it (None: empty)."""
    if markup[:1] == "\ufeff":
        markup = markup[1:]
    parser = etree.HTMLParser(recover=True)
    try:
        parser.feed(markup)
        return parser.close()
    except (UnicodeDecodeError, LookupError, etree.ParserError):
        parser = etree.HTMLParser(recover=True, encoding="utf8")  # bs4's second attempt
        parser.feed(markup.encode("utf8"))
        return parser.close()


class _Bs4Strings:
    """lxml parser target: the strings BeautifulSoup makes of a page, in order.

    bs4 ends a string at every parser event.  Two kinds of them leave no node in
    lxml's tree: a <!DOCTYPE> inside the page (the whitespace on either side of
    it is then one string in the tree, two in bs4's) and the text between two
    top-level <html> elements (libxml2 starts a second one after a stray
    </html>).  Only pages with one of these (`_needs_events`) are read this way.

    ``inner``: (string, bs4 length) for each string inside an element, but those
    whose text bs4 leaves out (`_HIDDEN_TEXT`).  ``top[i]``: the strings after
    top-level node ``i`` (``top[0]``: before the first), as bs4 has them.
    """

    def __init__(self) -> None:
        self.open: list[str] = []
        self.hidden = 0
        self.keep_space = 0
        self.nodes = 0
        self.inner: list[tuple[str, int]] = []
        self.top: dict[int, list[str]] = {}
        self._data: list[str] = []

    def _flush(self) -> None:
        if not self._data:
            return
        s = "".join(self._data)
        self._data = []
        blank = not self.keep_space and not s.strip(_ASCII_SPACE)
        if not self.open:
            self.top.setdefault(self.nodes, []).append(("\n" if "\n" in s else " ") if blank else s)
        elif not self.hidden:
            self.inner.append((s, 1 if blank else len(s)))

    def start(self, tag: str, attrib: Any, nsmap: Any = None) -> None:
        self._flush()
        self.open.append(tag)
        self.hidden += tag in _HIDDEN_TEXT
        self.keep_space += tag in ("pre", "textarea")

    def end(self, tag: str) -> None:
        self._flush()
        tag = self.open.pop()
        self.hidden -= tag in _HIDDEN_TEXT
        self.keep_space -= tag in ("pre", "textarea")
        if not self.open:
            self.nodes += 1

    def data(self, data: str) -> None:
        self._data.append(data)

    def comment(self, text: str) -> None:
        self._flush()
        if not self.open:
            self.nodes += 1

    def pi(self, target: str, data: str | None = None) -> None:
        self.comment(target)

    def doctype(self, *args: Any) -> None:
        self._flush()

    def close(self) -> _Bs4Strings:
        self._flush()
        return self


_DOCTYPE_RE = re.compile(r"<!doctype", re.I)
#: what may come before the page's own <!DOCTYPE>
_LEAD_RE = re.compile(r"\ufeff?(?:\s|<!--.*?-->)*", re.S)


def _needs_events(markup: str, has_body: bool) -> bool:
    """Does the page need a `_Bs4Strings` reading (no <body>; a <!DOCTYPE> inside)?"""
    if not has_body:
        return True
    lead = -1
    for m in _DOCTYPE_RE.finditer(markup):
        if lead < 0:
            lead = _LEAD_RE.match(markup).end()  # type: ignore[union-attr]
        if m.start() > lead:
            return True
    return False


def _events(markup: str) -> _Bs4Strings:
    if markup[:1] == "\ufeff":
        markup = markup[1:]
    parser = etree.HTMLParser(recover=True, target=_Bs4Strings())
    parser.feed(markup)
    return parser.close()  # type: ignore[no-any-return]


def _top_nodes(root: _Element) -> list[_Element]:
    return [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]


def _length_fixes(root: _Element, inner: Sequence[tuple[str, int]]) -> dict[_Element, int]:
    """bs4's text length minus the tree's (after `_bs4_strings`) where they differ.

    bs4's strings are laid over the tree's text slots in document order; this
    runs on the tree as parsed.  {} (and a log line) if they do not line up.
    """
    fixes: dict[_Element, int] = {}
    strings = iter(inner)

    def slot(text: str | None, owner: _Element, keep_space: bool) -> None:
        if not text:
            return
        got, n = "", 0
        while len(got) < len(text):
            piece, length = next(strings)
            got += piece
            n += length
        if got != text:
            raise ValueError("bs4's strings do not match the tree")
        delta = n - (1 if not keep_space and not text.strip(_ASCII_SPACE) else len(text))
        if delta:
            for el in (owner, *owner.iterancestors()):
                fixes[el] = fixes.get(el, 0) + delta

    def walk(el: _Element, keep_space: bool) -> None:
        if not isinstance(el.tag, str) or el.tag in _HIDDEN_TEXT:
            return
        keep_space = keep_space or el.tag in ("pre", "textarea")
        slot(el.text, el, keep_space)
        for child in el:
            walk(child, keep_space)
            slot(child.tail, el, keep_space)

    try:
        for top in _top_nodes(root):
            walk(top, False)
    except (StopIteration, ValueError):
        logger.debug("bs4's strings and lxml's tree differ; text lengths as the tree has them")
        return {}
    return fixes


def _whole_document(root: _Element, lengths: _Lengths, top: Mapping[int, list[str]]) -> _Element:
    """All top-level nodes under one new element, with bs4's strings between them."""
    doc = root.makeelement(_DOCUMENT)
    doc.text = "".join(top.get(0, ())) or None
    tops = _top_nodes(root)
    for i, node in enumerate(tops, 1):
        doc.append(node)
        node.tail = "".join(top.get(i, ())) or None
    lengths.fixes[doc] = sum(lengths.fixes.get(t, 0) for t in tops)
    return doc


def _text(el: _Element) -> str:
    """``el``'s text (its own tail excluded), as bs4's get_text() after `_bs4_strings`.

    The same as ``"".join(el.itertext())`` (comments and processing instructions
    left out), serialised by libxml2 instead of joined in Python.
    """
    return str(etree.tostring(el, method="text", encoding=str, with_tail=False))


_Saved = dict[_Element, tuple[str | None, str | None]]


def _bs4_strings(root: _Element, markup: str) -> tuple[set[_Element], _Saved]:
    """Make the tree's strings what BeautifulSoup's get_text() would see (in place).

    Returns the <script>/<style>/<template>/<rt>/<rp> elements that carry a class,
    id or itemprop (the noise and content rules can ask those for their own text,
    `_Lengths`), and the text and tail of every node inside them, before blanking.
    """
    hidden = _HIDDEN_XPATH(root)
    form_feed = _FORM_FEED_RE.search(markup) is not None
    candidates = (_FREE_TEXT_XPATH if form_feed else _BLANK_XPATH)(root)
    for s in candidates:
        if s.strip(_ASCII_SPACE):
            continue
        new = "\n" if "\n" in s else " "
        if s != new:
            parent = s.getparent()
            if s.is_tail:
                parent.tail = new
            else:
                parent.text = new
    own = {
        el
        for el in hidden
        if el.get("class") is not None or el.get("id") is not None or el.get("itemprop")
    }
    saved: _Saved = {}
    for el in own:
        for node in el.iter():
            saved[node] = (node.text if isinstance(node.tag, str) else None, node.tail)
    for el in hidden:
        el.text = None
        for d in el.iterdescendants():
            if isinstance(d.tag, str):
                d.text = None
            d.tail = None
    return own, saved


#: stands for the whole document when a page has no <body> (bs4's soup itself)
_DOCUMENT = "zw-document"
#: what a removed element becomes: empty, a name no rule looks for, its tail kept
_REMOVED = "zw-removed"
#: an element holding one line marker or cell space, put in by `_mark_lines`
_MARK = "zw-mark"


def _drop(el: _Element, fixes: dict[_Element, int]) -> None:
    """Remove ``el`` and everything inside it; the text after it stays."""
    if delta := fixes.pop(el, 0):
        for anc in el.iterancestors():
            fixes[anc] = fixes.get(anc, 0) - delta
    el.clear(keep_tail=True)
    el.tag = _REMOVED


@dataclass
class _Lengths:
    """bs4's get_text() lengths, where the tree's text alone does not give them."""

    #: string containers that can be asked for their own text, and their strings
    own: set[_Element]
    saved: _Saved
    #: elements whose text bs4 split into more strings (see `_Bs4Strings`)
    fixes: dict[_Element, int]

    def own_text(self, el: _Element) -> str:
        """bs4's get_text() of a string container (<rt>...): its own kind of strings,
        those still in the tree (line marks are bs4's plain strings: not its kind)."""
        want = el.tag
        parts: list[str] = []
        none = (None, None)

        def walk(node: _Element, inside: str) -> None:
            if not isinstance(node.tag, str) or node.tag in (_REMOVED, _MARK):
                return  # a comment or processing instruction, a removed element, a mark
            if node.tag in _HIDDEN_TEXT:
                inside = node.tag
            text = self.saved.get(node, none)[0]
            if text and inside == want:
                parts.append(text)
            for child in node:
                walk(child, inside)
                tail = self.saved.get(child, none)[1]
                if tail and inside == want:
                    parts.append(tail)

        walk(el, want)
        return "".join(parts)

    def text(self, el: _Element) -> str:
        return self.own_text(el) if el in self.own else _text(el)

    def of(self, el: _Element) -> int:
        if el in self.own:
            return len(self.own_text(el))
        return len(_text(el)) + self.fixes.get(el, 0)


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
    for key in _rules().meta_date_keys:
        if key in found and (day := date_from_string(found[key])):
            return day
    for t in _DATE_PUBLISHED_XPATH(root):
        if day := date_from_string(t.get("datetime") or t.get("content") or _text(t)):
            return day
    for t in _PUBDATE_XPATH(root):
        if day := date_from_string(t.get("datetime") or _text(t)):
            return day
    return None


def _remove_chrome(body: _Element, lengths: _Lengths) -> None:
    """Drop scripts, site header/nav/footer, noise-classed boxes and link lists.

    Each rule looks at the page as it came (what an enclosing removal would take
    away goes with it anyway), so the removals can be collected, then applied.
    """
    rules = _rules()
    total = lengths.of(body)
    drop = [el for el in _drop_xpath(rules.drop_tags)(body) if el.tag not in _KEEP]
    drop += [el for el in _HEADER_XPATH(body) if el.tag not in _KEEP]
    skip = _KEEP | {"header", *rules.drop_tags}
    drop += [
        el
        for el in _CLASSED_XPATH(body)
        if el.tag not in skip
        and _tokens(el) & rules.noise
        and lengths.of(el) <= 0.5 * total
    ]
    for el in drop:
        _drop(el, lengths.fixes)
    # link lists, on what is left: link text / all text, both without whitespace
    link_len: dict[_Element, int] = {}
    lists = []
    for tag in _LIST_XPATH(body):
        text_len = _nonspace_len(_text(tag))
        if not text_len:
            continue
        linked = 0
        for a in tag.iter("a"):
            if a not in link_len:
                link_len[a] = _nonspace_len(_text(a))
            linked += link_len[a]
        if linked / text_len >= LINK_DENSITY:
            lists.append(tag)
    for tag in lists:
        _drop(tag, lengths.fixes)


@functools.lru_cache(maxsize=4)
def _drop_xpath(tags: tuple[str, ...]) -> etree.XPath:
    return etree.XPath("|".join(f"descendant::{t}" for t in tags))


def _mark_lines(body: _Element, mark: str) -> None:
    """Put ``mark`` around block elements (a space before table cells: the cells of
    one row stay on one line).

    Marks are elements of their own (`_MARK`) holding the text; ``mark`` stands in
    for `_MARKER`, a control character lxml does not take (see `_mark_char`).
    """

    def new(text: str) -> _Element:
        m = body.makeelement(_MARK)
        m.text = text
        return m

    for el in _MARKED_XPATH(body):
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


def _container(body: _Element, lengths: _Lengths) -> _Element:
    best, best_len = body, 0
    content = _rules().content
    for el in _CONTENT_XPATH(body):
        if el.tag in ("article", "main") or el.get("itemprop") == "articleBody" or (
            _tokens(el) & content
        ):
            n = lengths.of(el)
            if n > best_len:
                best, best_len = el, n
    return best if best is not body and best_len >= 0.3 * lengths.of(body) else body


def _from_html(markup: str) -> _Found:
    root = _html_tree(markup)
    if root is None:
        return _Found([], [])
    found_body = _BODY_XPATH(root)
    events = _events(markup) if _needs_events(markup, bool(found_body)) else None
    fixes = _length_fixes(root, events.inner) if events is not None else {}
    lengths = _Lengths(*_bs4_strings(root, markup), fixes)
    og = next((m[0] for m in (xp(root) for xp in _OG_TITLE_XPATHS) if m), None)
    og_title = _clean_title(og.get("content") or "", True) if og is not None else None
    title = _TITLE_XPATH(root)
    title_tag = _clean_title(_text(title[0]), True) if title else None
    meta_date = _meta_date(root)
    if found_body:
        body = found_body[0]
    else:  # no <body> (a frameset, a bare <title>): the whole document, as bs4 had it
        assert events is not None
        body = _whole_document(root, lengths, events.top)
    _remove_chrome(body, lengths)
    h1 = next(body.iter("h1"), None)
    h1_title = _clean_title(_text(h1), False) if h1 is not None else None
    mark = _mark_char(_text(body))
    _mark_lines(body, mark)
    head = _text_lines(_text(body), mark)
    container = _container(body, lengths)
    # (a string container's own text holds no marks: one line)
    lines = head if container is body else _text_lines(lengths.text(container), mark)
    return _Found(lines, head, og_title or h1_title or title_tag, meta_date)


def _md_line(line: str) -> str:
    line = re.sub(r"^\s{0,3}(?:#{1,6}\s*|>\s*|[-*+]\s+)", "", line)
    line = _MD_IMAGE_RE.sub("", line)
    line = _MD_LINK_RE.sub(r"\1", line)
    return line.replace("**", "").replace("__", "").strip()


def _from_text(body: str, markdown: bool) -> _Found:
    lines = [s.strip() for s in body.splitlines() if not _MD_RULE_RE.match(s.strip())]
    if markdown:
        lines = [_md_line(s) for s in lines if not _link_line(s)]
    lines = [s for s in lines if s]
    return _Found(lines=lines, head=lines)


def _front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    m = _FRONT_MATTER_RE.match(text)
    if not m:
        return None, text
    raw = m.group(1)
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):  # invalid YAML: take the simple key: value lines
        data = dict(re.findall(r"(?m)^(\w+):[ \t]*(.*?)[ \t]*$", raw))
    return data, text[m.end() :]


def _is_long(line: str) -> bool:
    return len(line) >= LONG_LINE or (len(line) >= 40 and "。" in line)


def _head_region(lines: list[str], keys: list[str]) -> list[int]:
    """Indexes of non-boilerplate lines at the top, before the first long paragraph."""
    out: list[int] = []
    for i, (line, key) in enumerate(zip(lines, keys, strict=True)):
        if len(out) >= HEAD_LINES or _is_long(line):
            break
        if _noise(line, key) is None:
            out.append(i)
    return out


def _headline(line: str) -> bool:
    return (
        TITLE_MIN <= len(line) <= TITLE_MAX
        and line[-1] not in _FINAL
        and "。" not in line
        and not _DATE_LINE_RE.match(line)
    )


def _link_line(line: str) -> bool:
    s = line.strip()
    return bool(s) and (_MD_LINK_ONLY_RE.match(s) is not None or _BARE_URL_RE.match(s) is not None)


def parse(
    text: str, url: str | None = None, sidecar: Mapping[str, Any] | None = None
) -> ParsedPage:
    """Parse decoded page text (HTML, front-matter markdown or plain text)."""
    sidecar = sidecar or {}
    fm, body = _front_matter(text)
    is_html = _HTML_RE.search(body[:5000]) is not None
    if is_html:
        if fm is not None:  # markdown link lines around HTML fragments go first
            body = "\n".join(s for s in body.splitlines() if not _link_line(s))
        found = _from_html(body)
    else:
        found = _from_text(body, markdown=fm is not None)

    head_keys = _keys(found.head)
    head_idx = _head_region(found.head, head_keys)
    dated = [i for i in head_idx if _DATE_LINE_RE.match(head_keys[i])]
    date_line = next((i for i in dated if len(found.head[i]) <= DATE_LINE_MAX), None)

    dates = (
        ("sidecar", _date_from_value(sidecar.get("published_at"))),
        ("meta", found.date),
        ("front_matter", _date_from_value(fm.get("date")) if fm else None),
        ("url", _url_date(url)),
        ("text", date_from_string(found.head[date_line]) if date_line is not None else None),
    )
    date_source, published = next(((s, d) for s, d in dates if d), ("none", None))

    title = _clean_title(str(sidecar.get("title") or ""), False) or found.title
    if not title and fm and fm.get("title"):
        title = _clean_title(str(fm["title"]), False)
    if not title and not is_html and any(_is_long(line) for line in found.head):
        options = [found.head[i] for i in head_idx if i != date_line and _headline(found.head[i])]
        title = max(options, key=len) if options else None

    keys = head_keys if found.lines is found.head else _keys(found.lines)
    drop_once = {title, found.head[date_line] if date_line is not None else None}
    blocks: list[str] = []
    for n, (line, key) in enumerate(zip(found.lines, keys, strict=True)):
        rule = _noise(line, key)
        if rule:
            logger.debug("dropping %s line %r", rule, line[:40])
            continue
        if n < 2 * HEAD_LINES and line in drop_once:
            drop_once.discard(line)
            continue
        blocks.append(line)
    return ParsedPage(
        title=title, published_at=published, date_source=date_source, blocks=tuple(blocks)
    )
