"""ingest.process.parse on lxml's tree: what BeautifulSoup used to give it, it still gets.

parse worked on a BeautifulSoup tree before; it works on lxml's now, from the same
libxml2 parser.  Text lengths decide the share rules (noise boxes, the content
container), so they must be bs4's: checked here against bs4 itself, element by
element, on the markup where the two trees differ.
"""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from ingest.process import html_tree as T
from ingest.process.parse import parse

BODY = (
    "滨江新区今年计划新开工产业项目四十个，总投资约六百亿元"
    "，带动就业超过两万人，全区生产总值预计突破一千九百亿元。"
)

TRICKY = {
    "plain": f"<html><head><title>标题</title></head><body>\n<div>\n  <p>{BODY}</p>\n</div>\n"
    "</body></html>",
    "pre and textarea keep whitespace": "<body><pre>  \n  </pre><textarea> </textarea>"
    f"<p>{BODY}</p></body>",
    "form feed": f"<body><div>&#12; \x0c</div>\x0c<p>{BODY}</p></body>",
    "script, style, template": f"<body><script>var a;</script><style>p{{}}</style>"
    f"<template><p>模板</p></template><p>{BODY}</p></body>",
    "ruby": "<body><p>产<rt>chǎn</rt>业<rp>(</rp></p><rt class='content'>注<b>音</b></rt>"
    f"{BODY}</body>",
    "comments": f"<body><!-- a --><div><!--b--> <!--c--></div><p>{BODY}</p></body>",
    "doctype inside the page": f"<body><div class='content'>\n<!DOCTYPE html>\n<html>\n<head>\n"
    f"</head>\n<p>{BODY}</p></div>\n<!doctype html>\n</body>",
    "text before the doctype": f"&nbsp;<!DOCTYPE html>\n<html>\n<body><p>{BODY}</p></body></html>",
    "after a stray </html>": f"<body><p>{BODY}</p></body></html>\n\n<p>又一段</p>\n</html>\n",
    "no body": "<html><head><title>只有标题</title></head>\n<frameset><frame src=a></frameset>"
    "</html>\n<!-- x -->\n",
}


def _bs4_lengths(markup: str) -> list[tuple[str, int]]:
    soup = BeautifulSoup(markup, "lxml")
    tags = [(t.name, len(t.get_text())) for t in soup.find_all(True)]
    return [*tags, ("<document>", len(soup.get_text()))]


def _our_lengths(markup: str) -> list[tuple[str, int | None]]:
    """What parse's share rules see before chrome removal, prepared as `html_page.from_html` does
    (None: a <script>... that no rule ever asks for its length)."""
    root = T.parse_html(markup)
    assert root is not None
    found_body = T.BODY_XPATH(root)
    events = T.bs4_events(markup)
    needed = T.needs_events(markup, bool(found_body))
    fixes = T.length_fixes(root, events.inner) if needed else {}
    lengths = T.Lengths(*T.bs4_strings(root, markup), fixes)
    doc = T.whole_document(root, lengths, events.top)
    out: list[tuple[str, int | None]] = [
        (el.tag, None if el.tag in T.HIDDEN_TEXT and el not in lengths.own else lengths.of(el))
        for el in doc.iterdescendants()
        if isinstance(el.tag, str)
    ]
    return [*out, ("<document>", lengths.of(doc))]


@pytest.mark.parametrize("name", TRICKY)
def test_text_lengths_are_bs4s(name: str) -> None:
    ours = _our_lengths(TRICKY[name])
    theirs = _bs4_lengths(TRICKY[name])
    assert [tag for tag, _ in ours] == [tag for tag, _ in theirs]
    assert [n for n, _ in zip(ours, theirs, strict=True) if n[1] is not None] == [
        t for n, t in zip(ours, theirs, strict=True) if n[1] is not None
    ]


def test_comment_inside_removed_chrome() -> None:
    """(bs4's tree raised AttributeError here: a comment inside a decomposed box.)"""
    p = parse(f"<html><body><div class='nav'><!-- 导航 --><a href='/'>首页</a></div><p>{BODY}</p>")
    assert p.blocks == (BODY,)


def test_control_characters_in_text() -> None:
    """lxml takes no control characters in text set from Python; the page's own stay
    where they are, and U+001E still ends a line as it did."""
    p = parse(f"<body><div class='share'>分享\x1e到&#12;</div><p>第一行\x1e第二行，{BODY}</p>")
    assert p.blocks == ("第一行", f"第二行，{BODY}")


def test_meta_after_a_stray_html_end_tag() -> None:
    page = (
        f"<html><head><title>滨江新区发布年度计划</title></head><body><p>{BODY}</p></body></html>"
        "\n<meta name='pubdate' content='2024-03-18'><script>var a=1;</script>"
    )
    p = parse(page)
    assert (p.title, p.published_at, p.date_source, p.blocks) == (
        "滨江新区发布年度计划", dt.date(2024, 3, 18), "meta", (BODY,)
    )


def test_frameset_page_without_body() -> None:
    p = parse("<html><head><title>滨江新区政务公开</title></head>"
              "<frameset><frame src='/main.html'></frameset></html>")
    assert (p.title, p.blocks) == ("滨江新区政务公开", ())


def test_ruby_annotation_is_not_text() -> None:
    assert parse(f"<body><p>产<rt>chǎn</rt>业园区{BODY}</p></body>").blocks == (f"产业园区{BODY}",)


def test_pre_lines_kept() -> None:
    p = parse(f"<body><pre>  第一行\n  第二行  </pre><p>{BODY}</p></body>")
    assert p.blocks == ("第一行 第二行", BODY)
