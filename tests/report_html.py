"""Helpers for the tests of `zonewatch report` (tests/unit/test_report.py,
tests/e2e/test_report_e2e.py): what the page asks of the network, and text as plotly
writes it into the page's JSON."""

from __future__ import annotations

import json
from html.parser import HTMLParser


class _Tags(HTMLParser):
    """Every tag's attributes (script bodies are not markup to this parser)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(page: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def remote_refs(page: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, value) of every src/href in `page` that would load over the
    network (http:, https:, protocol-relative)."""
    return [(tag, k, v) for tag, attrs in tags(page) for k, v in attrs.items()
            if k in ("src", "href")
            and v.strip().lower().startswith(("http:", "https:", "//"))]


def plotly_json(text: str) -> str:
    """`text` as plotly writes it into the page's JSON (non-ASCII and `/ < > &` escaped)."""
    escaped = json.dumps(text)[1:-1]
    for ch in "/<>&":
        escaped = escaped.replace(ch, f"\\u{ord(ch):04x}")
    return escaped
