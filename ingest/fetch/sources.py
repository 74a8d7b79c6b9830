"""Where pages come from: a sources YAML file, or a directory of saved pages.

`load_sources(path)` reads and validates a sources file (format documented in
`samples/sources.yml`); every problem is a one-line `ConfigError` naming the file
and line. A source is one of four kinds: `urls` (a fixed list of page URLs),
`list` (list pages: a CSS selector for article links, optional pagination),
`feed` (RSS/Atom) or `sitemap` (sitemap, sitemap index, gzip); the last three
start from `entry` URLs and are expanded by `ingest.fetch.discover.discover()`.

Pages saved on disk (`--input DIR`) are read by `ingest.fetch.local`; the checks for
one value of the file are in `ingest.fetch.source_yaml`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ingest.config import ConfigError
from ingest.fetch.source_yaml import (
    SCHEDULE_PRESETS,
    Fields,
    YamlDoc,
    boolean,
    check_host,
    check_url,
    codec,
    contact,
    date_regex,
    given,
    number,
    optional,
    positive_int,
    schedule,
    selector,
    str_list,
)

__all__ = ["KINDS", "SCHEDULE_PRESETS", "Source", "load_sources"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
KINDS = ("urls", "list", "feed", "sitemap")
DEFAULT_MAX_LIST_PAGES = 5
DEFAULT_RATE_LIMIT = 2.0
DEFAULT_REVISIT_HOURS = 24.0
DEFAULT_CONCURRENCY = 2


@dataclass(frozen=True)
class Source:
    """One named group of start URLs and the rules for fetching them.

    `kind == "urls"`: `urls` are the pages and `entry` is empty. Other kinds: `entry`
    holds the list page / feed / sitemap URLs and `urls` is empty; the pages come
    from `ingest.fetch.discover.discover()`. `date_from_url` is a regex (named groups
    y, m, d) as written in the file; `date_pattern` is it compiled.
    """

    name: str
    urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    encoding: str | None
    max_pages: int | None
    allow_private: bool
    kind: str = "urls"
    entry: tuple[str, ...] = ()
    link_selector: str | None = None
    next_selector: str | None = None
    max_list_pages: int = DEFAULT_MAX_LIST_PAGES
    schedule: str | None = None
    date_from_url: str | None = None
    rate_limit: float = DEFAULT_RATE_LIMIT
    concurrency: int = DEFAULT_CONCURRENCY
    user_agent_contact: str | None = None
    # An article fetched successfully this recently is not asked for again (0: every run
    # revalidates with a conditional GET). List pages, feeds and sitemaps always are.
    revisit_after_hours: float = DEFAULT_REVISIT_HOURS

    @property
    def date_pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.date_from_url) if self.date_from_url else None

    @property
    def start_urls(self) -> tuple[str, ...]:
        """`urls` for kind 'urls', `entry` otherwise."""
        return self.urls if self.kind == "urls" else self.entry


# --------------------------------------------------------------------------- YAML

SOURCE_KEYS = {"name", "kind", "url", "urls", "entry", "allowed_hosts", "encoding", "max_pages",
               "allow_private", "link_selector", "next_selector", "max_list_pages", "schedule",
               "date_from_url", "rate_limit", "concurrency", "user_agent_contact",
               "revisit_after_hours"}
LIST_ONLY_KEYS = ("link_selector", "next_selector", "max_list_pages")



def _source(doc: YamlDoc, node: yaml.Node, index: int, seen: set[str]) -> Source:
    m = doc.mapping(node, f"sources[{index}]")
    name = _name(doc, m, node, index, seen)
    where = f"source '{name}'"
    for key, (knode, _) in m.items():
        if key not in SOURCE_KEYS:
            raise doc.error(knode, f"{where}: unknown key '{key}' "
                            f"(allowed: {', '.join(sorted(SOURCE_KEYS))})")
    kind = _kind(doc, m, where)
    start, start_node = _start(doc, m, node, kind, where)
    if kind != "list":
        for key in LIST_ONLY_KEYS:
            if key in m:
                raise doc.error(m[key][0], f"{where}: '{key}' only applies to kind 'list' "
                                f"(this source is kind '{kind}')")
    link_selector = selector(doc, m, "link_selector", where)
    if kind == "list" and link_selector is None:
        raise doc.error(m["link_selector"][1] if "link_selector" in m else node,
                        f"{where}: kind 'list' needs 'link_selector' (a CSS selector for "
                        f"the article links)")
    return Source(
        name=name, urls=tuple(start) if kind == "urls" else (),
        allowed_hosts=_hosts(doc, m, start, where), encoding=optional(doc, m, "encoding",
                                                                      where, codec),
        max_pages=positive_int(doc, m, "max_pages", where),
        allow_private=boolean(doc, m, "allow_private", where), kind=kind,
        entry=() if kind == "urls" else tuple(start),
        link_selector=link_selector, next_selector=selector(doc, m, "next_selector", where),
        max_list_pages=positive_int(doc, m, "max_list_pages", where) or DEFAULT_MAX_LIST_PAGES,
        schedule=optional(doc, m, "schedule", where, schedule),
        date_from_url=optional(doc, m, "date_from_url", where, date_regex),
        rate_limit=number(doc, m, "rate_limit", where, DEFAULT_RATE_LIMIT, minimum=0,
                          strict=True, meaning="requests per second per host"),
        concurrency=positive_int(doc, m, "concurrency", where) or DEFAULT_CONCURRENCY,
        user_agent_contact=optional(doc, m, "user_agent_contact", where, contact),
        revisit_after_hours=number(doc, m, "revisit_after_hours", where,
                                   DEFAULT_REVISIT_HOURS, minimum=0, strict=False,
                                   meaning="hours"))


def _name(doc: YamlDoc, m: Fields, node: yaml.Node, index: int, seen: set[str]) -> str:
    name_entry = m.get("name")
    if name_entry is None:
        raise doc.error(node, f"sources[{index}]: missing required key 'name'")
    name = doc.value(name_entry[1])
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise doc.error(name_entry[1], f"sources[{index}]: name must be a word "
                        f"(letters, digits, _ . -), got {name!r}")
    if name in seen:
        raise doc.error(name_entry[1], f"source '{name}': duplicate name")
    seen.add(name)
    return name


def _kind(doc: YamlDoc, m: Fields, where: str) -> str:
    got = given(m, doc, "kind")
    if got is None:
        return "urls"
    knode, kv = got
    if not isinstance(kv, str) or kv.strip().lower() not in KINDS:
        raise doc.error(knode, f"{where}: kind must be one of {', '.join(KINDS)}, got {kv!r}")
    return kv.strip().lower()


def _start(doc: YamlDoc, m: Fields, node: yaml.Node, kind: str,
           where: str) -> tuple[list[str], yaml.Node]:
    """The start URLs: `urls` (or `url`) for kind urls, `entry` for the others."""
    if kind == "urls":
        if "entry" in m:
            raise doc.error(m["entry"][0], f"{where}: 'entry' is for kinds list, feed and "
                            f"sitemap; kind 'urls' takes 'urls'")
        if "url" in m and "urls" in m:
            raise doc.error(m["url"][0], f"{where}: give either 'url' or 'urls', not both")
        url_entry = m.get("urls") or m.get("url")
        if url_entry is None:
            raise doc.error(node, f"{where}: missing required key 'urls' "
                            f"(a list of http(s) URLs)")
        start_key = "urls"
    else:
        for key in ("url", "urls"):
            if key in m:
                raise doc.error(m[key][0], f"{where}: kind '{kind}' starts from 'entry' "
                                f"(its {kind} URLs), not '{key}'")
        url_entry = m.get("entry")
        if url_entry is None:
            raise doc.error(node, f"{where}: kind '{kind}' needs key 'entry' "
                            f"(the {kind} URL or a list of them)")
        start_key = "entry"
    start = str_list(doc, url_entry[1], f"{where}: {start_key}", check_url)
    if len(set(start)) != len(start):
        dup = next(u for u in start if start.count(u) > 1)
        raise doc.error(url_entry[1], f"{where}: url '{dup}' is listed twice")
    return start, url_entry[1]


def _hosts(doc: YamlDoc, m: Fields, start: list[str], where: str) -> tuple[str, ...]:
    """`allowed_hosts` (each start URL's host must be one), else the start URLs' hosts."""
    url_hosts = [urlsplit(u).hostname or "" for u in start]
    if "allowed_hosts" not in m:
        return tuple(dict.fromkeys(h.lower() for h in url_hosts))
    hosts = str_list(doc, m["allowed_hosts"][1], f"{where}: allowed_hosts", check_host)
    for u, h in zip(start, url_hosts, strict=True):
        if h.lower() not in hosts:
            raise doc.error(m["allowed_hosts"][1],
                            f"{where}: host of '{u}' is not in allowed_hosts")
    return tuple(dict.fromkeys(hosts))


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources YAML file; raise ConfigError (file:line: why) on any fault."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such sources file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read sources file ({exc.__class__.__name__})") from None

    loader = yaml.SafeLoader(text)
    try:
        doc = YamlDoc(p, loader)
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = (exc.problem or exc.context or "invalid YAML").strip()
            raise ConfigError(f"{p}{line}: invalid YAML: {problem}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{p}: invalid YAML: {exc}") from None
        if root is None:
            raise ConfigError(f"{p}: file is empty; expected a 'sources:' list")
        top = doc.mapping(root, "the top level")
        for key, (knode, _) in top.items():
            if key != "sources":
                raise doc.error(knode, f"unknown top-level key '{key}' (expected 'sources')")
        if "sources" not in top:
            raise doc.error(root, "missing top-level key 'sources'")
        snode = top["sources"][1]
        if not isinstance(snode, yaml.SequenceNode) or not snode.value:
            raise doc.error(snode, "'sources' must be a non-empty list")
        seen: set[str] = set()
        sources = [_source(doc, item, i, seen) for i, item in enumerate(snode.value)]
    finally:
        loader.dispose()
    logger.info("loaded %d sources from %s", len(sources), p)
    return sources
