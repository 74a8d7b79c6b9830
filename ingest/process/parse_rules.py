"""``ingest/process/parse_rules.yml``, compiled: the boilerplate line rules, the class and
id tokens of noise and content boxes, the tags dropped whole, the meta keys and URL
patterns that carry a publication date."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from lxml.etree import _Element

RULES_FILE = Path(__file__).resolve().parent / "parse_rules.yml"


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]
    max_len: int


@dataclass(frozen=True)
class Rules:
    """``ingest/process/parse_rules.yml``, compiled."""

    lines: tuple[LineRule, ...]
    noise: frozenset[str]
    content: frozenset[str]
    drop_tags: tuple[str, ...]
    meta_date_keys: tuple[str, ...]
    url_dates: tuple[re.Pattern[str], ...]


@functools.lru_cache(maxsize=1)
def rules() -> Rules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return Rules(
        lines=tuple(
            LineRule(r["name"], re.compile(r["pattern"], re.I), int(r["max_len"]))
            for r in data["line_rules"]
        ),
        noise=frozenset(str(s).lower() for s in data["noise_selectors"]),
        content=frozenset(str(s).lower() for s in data["content_selectors"]),
        drop_tags=tuple(data["drop_tags"]),
        meta_date_keys=tuple(str(k).lower() for k in data["meta_date_keys"]),
        url_dates=tuple(re.compile(p) for p in data["url_date_patterns"]),
    )


def tokens(el: _Element) -> frozenset[str]:
    """Class and id values of ``el``, whole and split on - and _ (lower case)."""
    return _tokens_of(el.get("class"), el.get("id"))


# the same few class names come back on every page of a site: remembered by (class, id)
@functools.lru_cache(maxsize=10_000)
def _tokens_of(classes: str | None, id_: str | None) -> frozenset[str]:
    vals = [v.lower() for v in [*(classes or "").split(), id_] if v]
    return frozenset({*vals, *(t for v in vals for t in re.split(r"[\s_\-]+", v) if t)})
