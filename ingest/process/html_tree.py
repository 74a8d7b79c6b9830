"""lxml's HTML tree, read the way BeautifulSoup read it.

The tree is libxml2's, from the same lxml HTMLParser (recover=True, the whole text
fed at once) that BeautifulSoup's "lxml" builder drives, so broken markup is
mended exactly as before.  What BeautifulSoup added on top, and the rules below
rely on, is reproduced on the lxml tree by `bs4_strings`:
  * a string made only of ASCII whitespace outside <pre>/<textarea> is one "\n"
    (if it has a newline) or one " ", which sets the text lengths the share
    thresholds compare;
  * text inside <script>, <style>, <template>, <rt>, <rp> is not page text
    (bs4 gives it its own string classes, which get_text() leaves out);
and, on the rare pages that need it, by `Bs4Strings` (bs4's string boundaries
that the tree does not have).  Comments and processing instructions are nodes
whose text the text serialisation skips.  lxml takes no control characters in
text set from Python, so page text is never re-set or joined: a removed element
stays as an empty `REMOVED` (its tail, the text after it, kept) and line marks
are elements of their own (`MARK`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml.etree import _Element

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

#: bs4's string containers: their text never counts as page text
HIDDEN_TEXT = ("script", "style", "template", "rt", "rp")
_HIDDEN_XPATH = etree.XPath("|".join(f"//{t}" for t in HIDDEN_TEXT))
#: whitespace-only strings (XPath whitespace: space, tab, CR, LF) outside <pre>/<textarea>
_BLANK_XPATH = etree.XPath(
    "//text()[normalize-space()=''][not(ancestor::pre or ancestor::textarea)]"
)
#: all strings outside <pre>/<textarea> (when the page has a form feed, also ASCII space
#: to bs4 but not to XPath, and no XPath literal can hold it)
_FREE_TEXT_XPATH = etree.XPath("//text()[not(ancestor::pre or ancestor::textarea)]")
_FORM_FEED_RE = re.compile(r"\x0c|&#0*12(?![0-9])|&#[xX]0*[cC](?![0-9a-fA-F])")
_ASCII_SPACE = " \n\t\x0c\r"
BODY_XPATH = etree.XPath("(//body)[1]")


def parse_html(markup: str) -> _Element | None:
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


class Bs4Strings:
    """lxml parser target: the strings BeautifulSoup makes of a page, in order.

    bs4 ends a string at every parser event.  Two kinds of them leave no node in
    lxml's tree: a <!DOCTYPE> inside the page (the whitespace on either side of
    it is then one string in the tree, two in bs4's) and the text between two
    top-level <html> elements (libxml2 starts a second one after a stray
    </html>).  Only pages with one of these (`needs_events`) are read this way.

    ``inner``: (string, bs4 length) for each string inside an element, but those
    whose text bs4 leaves out (`HIDDEN_TEXT`).  ``top[i]``: the strings after
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
        self.hidden += tag in HIDDEN_TEXT
        self.keep_space += tag in ("pre", "textarea")

    def end(self, tag: str) -> None:
        self._flush()
        tag = self.open.pop()
        self.hidden -= tag in HIDDEN_TEXT
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

    def close(self) -> Bs4Strings:
        self._flush()
        return self


_DOCTYPE_RE = re.compile(r"<!doctype", re.I)
#: what may come before the page's own <!DOCTYPE>
_LEAD_RE = re.compile(r"\ufeff?(?:\s|<!--.*?-->)*", re.S)


def needs_events(markup: str, has_body: bool) -> bool:
    """Does the page need a `Bs4Strings` reading (no <body>; a <!DOCTYPE> inside)?"""
    if not has_body:
        return True
    lead = -1
    for m in _DOCTYPE_RE.finditer(markup):
        if lead < 0:
            lead = _LEAD_RE.match(markup).end()  # type: ignore[union-attr]
        if m.start() > lead:
            return True
    return False


def bs4_events(markup: str) -> Bs4Strings:
    if markup[:1] == "\ufeff":
        markup = markup[1:]
    parser = etree.HTMLParser(recover=True, target=Bs4Strings())
    parser.feed(markup)
    return parser.close()  # type: ignore[no-any-return]


def _top_nodes(root: _Element) -> list[_Element]:
    return [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]


def length_fixes(root: _Element, inner: Sequence[tuple[str, int]]) -> dict[_Element, int]:
    """bs4's text length minus the tree's (after `bs4_strings`) where they differ.

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
        if not isinstance(el.tag, str) or el.tag in HIDDEN_TEXT:
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


def whole_document(root: _Element, lengths: Lengths, top: Mapping[int, list[str]]) -> _Element:
    """All top-level nodes under one new element, with bs4's strings between them."""
    doc = root.makeelement(DOCUMENT)
    doc.text = "".join(top.get(0, ())) or None
    tops = _top_nodes(root)
    for i, node in enumerate(tops, 1):
        doc.append(node)
        node.tail = "".join(top.get(i, ())) or None
    lengths.fixes[doc] = sum(lengths.fixes.get(t, 0) for t in tops)
    return doc


def text_of(el: _Element) -> str:
    """``el``'s text (its own tail excluded), as bs4's get_text() after `bs4_strings`.

    The same as ``"".join(el.itertext())`` (comments and processing instructions
    left out), serialised by libxml2 instead of joined in Python.
    """
    return str(etree.tostring(el, method="text", encoding=str, with_tail=False))


_Saved = dict[_Element, tuple[str | None, str | None]]


def bs4_strings(root: _Element, markup: str) -> tuple[set[_Element], _Saved]:
    """Make the tree's strings what BeautifulSoup's get_text() would see (in place).

    Returns the <script>/<style>/<template>/<rt>/<rp> elements that carry a class,
    id or itemprop (the noise and content rules can ask those for their own text,
    `Lengths`), and the text and tail of every node inside them, before blanking.
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
DOCUMENT = "zw-document"
#: what a removed element becomes: empty, a name no rule looks for, its tail kept
REMOVED = "zw-removed"
#: an element holding one line marker or cell space, put in by `_mark_lines`
MARK = "zw-mark"


def drop(el: _Element, fixes: dict[_Element, int]) -> None:
    """Remove ``el`` and everything inside it; the text after it stays."""
    if delta := fixes.pop(el, 0):
        for anc in el.iterancestors():
            fixes[anc] = fixes.get(anc, 0) - delta
    el.clear(keep_tail=True)
    el.tag = REMOVED


@dataclass
class Lengths:
    """bs4's get_text() lengths, where the tree's text alone does not give them."""

    #: string containers that can be asked for their own text, and their strings
    own: set[_Element]
    saved: _Saved
    #: elements whose text bs4 split into more strings (see `Bs4Strings`)
    fixes: dict[_Element, int]

    def own_text(self, el: _Element) -> str:
        """bs4's get_text() of a string container (<rt>...): its own kind of strings,
        those still in the tree (line marks are bs4's plain strings: not its kind)."""
        want = el.tag
        parts: list[str] = []
        none = (None, None)

        def walk(node: _Element, inside: str) -> None:
            if not isinstance(node.tag, str) or node.tag in (REMOVED, MARK):
                return  # a comment or processing instruction, a removed element, a mark
            if node.tag in HIDDEN_TEXT:
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
        return self.own_text(el) if el in self.own else text_of(el)

    def of(self, el: _Element) -> int:
        if el in self.own:
            return len(self.own_text(el))
        return len(text_of(el)) + self.fixes.get(el, 0)
