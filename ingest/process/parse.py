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
``<html>`` elements) is reproduced (``ingest/process/html_tree.py``), and
the output is the same page for page.  ``html_page.py`` finds the title, meta
date and text lines on that tree; this module decides the date, title and
blocks for every input shape.  BeautifulSoup stays where it is the
right tool: list-page link discovery (``ingest/fetch/list_pages.py``) runs each
source's CSS ``link_selector`` / ``next_selector`` through soupsieve, which
works on bs4 trees, once per index page rather than once per article.  It is
not needed here for odd markup: the leniency was always libxml2's.

The publication date comes from, in order: the sidecar, ``<meta>`` tags, the
front matter, the URL path, a date line near the top of the text.  Dates
deeper in the body are event dates and are never used.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import yaml

from ingest.dates import calendar_date, date_from_string
from ingest.process.html_page import TITLE_MAX, TITLE_MIN, Found, clean_title, from_html
from ingest.process.normalise import (
    fold_width,
    has_pinyin_gloss,
    strip_pinyin_glosses,
    to_simplified,
)
from ingest.process.parse_rules import RULES_FILE, rules

__all__ = ["ParsedPage", "parse", "date_from_string", "RULES_FILE"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

#: a line at least this long (or shorter prose with a full stop) ends the top area
LONG_LINE = 80
HEAD_LINES = 8
#: a date line at the top is at most this long
DATE_LINE_MAX = 80

_DATE_LINE_RE = re.compile(
    r"^(?:[(\[【]?(?:发布|发表|更新|成文|印发)?(?:时间|日期)[:])?"
    r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}"
    # a report's dateline under its title: ——2024年1月9日在…人民代表大会…会议上
    r"|^(?:[—–-]+|[(\[【])(?:19|20)\d{2}年\d{1,2}月\d{1,2}日在[^\n]{2,60}(?:会议|大会)上"
    r"|(?:来源|发布|时间|日期|作者|编辑|浏览|点击)[^\n]{0,40}(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}"
)
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


@dataclass(frozen=True)
class ParsedPage:
    """What parse found; ``date_source`` is sidecar, meta, front_matter, url, text or none."""

    title: str | None
    published_at: dt.date | None
    date_source: str
    blocks: tuple[str, ...]


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
    for rx in rules().url_dates:
        for m in rx.finditer(path):
            day = calendar_date(m["y"], m["m"], m["d"])
            if day:
                return day
    return None


def _keys(lines: Sequence[str], known: Mapping[str, str] | None = None) -> list[str]:
    """Matching keys: no pinyin glosses, simplified, folded, no whitespace.

    `known`: keys already made of some of these lines. They are used only when the lines
    hold no gloss: whether a toneless run is a gloss depends on the whole text, but
    without one a line's key is its own (OpenCC's phrases never span a line break)."""
    joined = "\n".join(lines)
    if known and not has_pinyin_gloss(joined):
        missing = [s for s in dict.fromkeys(lines) if s not in known]
        made = dict(zip(missing, _keys(missing), strict=True)) if missing else {}
        return [known[s] if s in known else made[s] for s in lines]
    key = fold_width(to_simplified(strip_pinyin_glosses(joined)))
    out = key.split("\n")
    if len(out) != len(lines):
        out = [fold_width(to_simplified(strip_pinyin_glosses(s))) for s in lines]
    return ["".join(k.split()) for k in out]


def _noise(line: str, key: str) -> str | None:
    """Name of the boilerplate rule that drops this line, if any."""
    if _MD_LINK_ONLY_RE.match(line):
        return "link_only"
    for rule in rules().lines:
        if len(key) <= rule.max_len and rule.pattern.search(key):
            return rule.name
    return None


def _md_line(line: str) -> str:
    line = re.sub(r"^\s{0,3}(?:#{1,6}\s*|>\s*|[-*+]\s+)", "", line)
    line = _MD_IMAGE_RE.sub("", line)
    line = _MD_LINK_RE.sub(r"\1", line)
    return line.replace("**", "").replace("__", "").strip()


def _from_text(body: str, markdown: bool) -> Found:
    lines = [s.strip() for s in body.splitlines() if not _MD_RULE_RE.match(s.strip())]
    if markdown:
        lines = [_md_line(s) for s in lines if not _link_line(s)]
    lines = [s for s in lines if s]
    return Found(lines=lines, head=lines)


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
        found = from_html(body)
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

    title = clean_title(str(sidecar.get("title") or ""), False) or found.title
    if not title and fm and fm.get("title"):
        title = clean_title(str(fm["title"]), False)
    if not title and not is_html and any(_is_long(line) for line in found.head):
        options = [found.head[i] for i in head_idx if i != date_line and _headline(found.head[i])]
        title = max(options, key=len) if options else None

    keys = head_keys if found.lines is found.head else _keys(
        found.lines, dict(zip(found.head, head_keys, strict=True)))
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
