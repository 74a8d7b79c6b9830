"""Decoded page text -> title, publication date and main-text blocks.

Three input shapes are handled: full HTML (BeautifulSoup + lxml), Jekyll /
markdown files with YAML front matter (the body may be HTML fragments or
markdown) and plain text (one paragraph per line).  Site chrome is removed
structurally (nav, footer, scripts, share widgets...) and boilerplate lines
are dropped by the rules in ``ingest/process/parse_rules.yml``, matched on a
simplified, full-width-folded key so traditional pages match too.

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
from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction, Tag

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


def _tokens(tag: Tag) -> set[str]:
    """Class and id values of ``tag``, whole and split on - and _ (lower case)."""
    cls: Any = tag.get("class") or []
    vals = [str(v).lower() for v in [*cls, tag.get("id")] if v]
    return {*vals, *(t for v in vals for t in re.split(r"[\s_\-]+", v) if t)}


def _meta_date(soup: BeautifulSoup) -> dt.date | None:
    found: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        content = meta.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(str(key).strip().lower(), str(content))
    for key in _rules().meta_date_keys:
        if key in found and (day := date_from_string(found[key])):
            return day
    for t in soup.find_all(["time", "span", "div"], attrs={"itemprop": "datePublished"}):
        if day := date_from_string(str(t.get("datetime") or t.get("content") or t.get_text())):
            return day
    for t in soup.find_all("time", attrs={"pubdate": True}):
        if day := date_from_string(str(t.get("datetime") or t.get_text())):
            return day
    return None


def _tags(root: Tag) -> list[Tag]:
    """All tags under ``root`` in document order (cheaper than bs4's find_all filters)."""
    return [t for t in root.descendants if isinstance(t, Tag)]


def _remove_chrome(root: Tag) -> None:
    """Drop scripts, site header/nav/footer, noise-classed boxes and link lists.

    Tags inside an already-removed subtree are skipped (`decomposed`; asking a
    decomposed tag for `.parent` would run a child search for a tag named "parent").
    """
    rules = _rules()
    total = len(root.get_text())
    for node in list(root.descendants):
        if isinstance(node, Comment | Doctype | Declaration | ProcessingInstruction):
            node.extract()
        elif not isinstance(node, Tag) or node.decomposed or node.name in _KEEP:
            continue
        elif node.name in rules.drop_tags:
            node.decompose()
        elif node.name == "header":
            if not any(p.name in ("article", "main") for p in node.parents):
                node.decompose()  # the site header; an article's own header stays
        elif _tokens(node) & rules.noise and len(node.get_text()) <= 0.5 * total:
            node.decompose()
    tags = _tags(root)
    linked: dict[int, int] = {}
    links: dict[int, int] = {}
    for a in (t for t in tags if t.name == "a"):
        n = len("".join(a.get_text().split()))
        for anc in a.parents:
            linked[id(anc)] = linked.get(id(anc), 0) + n
            links[id(anc)] = links.get(id(anc), 0) + 1
    for tag in tags:
        if tag.name not in LIST_TAGS or tag.parent is None or links.get(id(tag), 0) < 3:
            continue
        text_len = len("".join(tag.get_text().split()))
        if text_len and linked[id(tag)] / text_len >= LINK_DENSITY:
            tag.decompose()


def _text_lines(root: Tag) -> list[str]:
    text = _WS_RE.sub(" ", root.get_text())
    return [s for s in (p.strip() for p in text.split(_MARKER)) if s]


def _container(body: Tag) -> Tag:
    best, best_len = body, 0
    for tag in _tags(body):
        if (
            tag.name in ("article", "main")
            or tag.get("itemprop") == "articleBody"
            or _tokens(tag) & _rules().content
        ):
            n = len(tag.get_text())
            if n > best_len:
                best, best_len = tag, n
    total = len(body.get_text())
    return best if best is not body and best_len >= 0.3 * total else body


def _from_html(markup: str) -> _Found:
    soup = BeautifulSoup(markup, "lxml")
    og = soup.find("meta", attrs={"property": "og:title"}) or soup.find(
        "meta", attrs={"name": "og:title"}
    )
    og_title = _clean_title(str(og.get("content") or ""), True) if og else None
    title_tag = _clean_title(soup.title.get_text(), True) if soup.title else None
    meta_date = _meta_date(soup)
    body = soup.body or soup
    _remove_chrome(body)
    h1 = body.find("h1")
    h1_title = _clean_title(h1.get_text(), False) if h1 else None
    for tag in _tags(body):
        if tag.name in ("td", "th"):  # cells of one row stay on one line
            tag.insert_before(" ")
        elif tag.name not in BLOCK_TAGS:
            continue
        elif tag.name in ("br", "hr"):
            tag.replace_with(_MARKER)
        else:
            tag.insert_before(_MARKER)
            tag.append(_MARKER)
    head = _text_lines(body)
    container = _container(body)
    lines = head if container is body else _text_lines(container)
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
