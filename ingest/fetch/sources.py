"""Where pages come from: a sources YAML file, or a directory of saved pages.

`load_sources(path)` reads and validates a sources file (format documented in
`samples/sources.yml`); every problem is a one-line `ConfigError` naming the file
and line. A source is one of four kinds: `urls` (a fixed list of page URLs),
`list` (list pages: a CSS selector for article links, optional pagination),
`feed` (RSS/Atom) or `sitemap` (sitemap, sitemap index, gzip); the last three
start from `entry` URLs and are expanded by `ingest.fetch.discover.discover()`.

`iter_input_dir(dir)` walks an `--input DIR` (see CONTRACT.md): every `.html`,
`.htm`, `.txt`, `.md` file is one page, with an optional `NAME.json` sidecar giving
`url`, `title`, `published_at`.
"""

from __future__ import annotations

import codecs
import json
import logging
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import soupsieve
import yaml

from ingest.config import ConfigError

__all__ = ["Source", "LocalPage", "PAGE_SUFFIXES", "KINDS", "SCHEDULE_PRESETS", "load_sources",
           "iter_input_dir", "read_sidecar"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

PAGE_SUFFIXES = (".html", ".htm", ".txt", ".md")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
HTTP_SCHEMES = ("http", "https")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
KINDS = ("urls", "list", "feed", "sitemap")
SCHEDULE_PRESETS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily",
                              "@midnight", "@hourly"})
_CRON_FIELD_RE = re.compile(r"[0-9A-Za-z*/,?LW#-]+")
DATE_GROUPS = ("y", "m", "d")
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


@dataclass(frozen=True)
class LocalPage:
    """One saved page under `--input DIR`."""

    path: Path
    url: str
    title: str | None
    published_at: date | None
    sidecar: dict[str, Any] | None


# --------------------------------------------------------------------------- YAML


class _Doc:
    """Builds one-line errors that name the file and the line of a YAML node."""

    def __init__(self, path: Path, loader: yaml.SafeLoader) -> None:
        self.path = path
        self.loader = loader

    def error(self, node: yaml.Node | None, msg: str) -> ConfigError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return ConfigError(f"{self.path}{line}: {msg}")

    def value(self, node: yaml.Node) -> Any:
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node); rejects non-mappings, non-string and duplicate keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping of key: value")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in node.value:
            key = self.value(knode)
            if not isinstance(key, str):
                raise self.error(knode, f"{what}: keys must be strings, got {key!r}")
            if key in out:
                raise self.error(knode, f"{what}: duplicate key '{key}'")
            out[key] = (knode, vnode)
        return out


def _check_url(doc: _Doc, node: yaml.Node, where: str) -> str:
    url = doc.value(node)
    if not isinstance(url, str) or not url.strip():
        raise doc.error(node, f"{where}: each url must be a non-empty string, got {url!r}")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in HTTP_SCHEMES or not parts.hostname:
        raise doc.error(node, f"{where}: '{url}' is not an http(s) URL with a host")
    return url


def _str_list(doc: _Doc, node: yaml.Node, where: str, check: Callable[..., str]) -> list[str]:
    if isinstance(node, yaml.ScalarNode):
        return [check(doc, node, where)]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise doc.error(node, f"{where} must be a non-empty list")
    return [check(doc, item, where) for item in node.value]


def _check_host(doc: _Doc, node: yaml.Node, where: str) -> str:
    host = doc.value(node)
    if not isinstance(host, str) or not re.fullmatch(r"[A-Za-z0-9.-]+", host.strip()):
        raise doc.error(node, f"{where}: {host!r} is not a host name (no scheme, no port)")
    return host.strip().lower()


SOURCE_KEYS = {"name", "kind", "url", "urls", "entry", "allowed_hosts", "encoding", "max_pages",
               "allow_private", "link_selector", "next_selector", "max_list_pages", "schedule",
               "date_from_url", "rate_limit", "concurrency", "user_agent_contact",
               "revisit_after_hours"}
LIST_ONLY_KEYS = ("link_selector", "next_selector", "max_list_pages")


def _given(m: dict[str, tuple[yaml.Node, yaml.Node]], doc: _Doc,
           key: str) -> tuple[yaml.Node, Any] | None:
    """(value node, value) when `key` is present and not null, else None."""
    entry = m.get(key)
    if entry is None:
        return None
    value = doc.value(entry[1])
    return None if value is None else (entry[1], value)


def _positive_int(doc: _Doc, m: dict[str, tuple[yaml.Node, yaml.Node]], key: str,
                  where: str) -> int | None:
    got = _given(m, doc, key)
    if got is None:
        return None
    node, v = got
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise doc.error(node, f"{where}: {key} must be a positive integer, got {v!r}")
    return v


def _selector(doc: _Doc, m: dict[str, tuple[yaml.Node, yaml.Node]], key: str,
              where: str) -> str | None:
    got = _given(m, doc, key)
    if got is None:
        return None
    node, v = got
    if not isinstance(v, str) or not v.strip():
        raise doc.error(node, f"{where}: {key} must be a CSS selector string, got {v!r}")
    try:
        soupsieve.compile(v.strip())
    except soupsieve.SelectorSyntaxError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise doc.error(node, f"{where}: {key} {v!r} is not a valid CSS selector "
                        f"({first})") from None
    return v.strip()


def _schedule(doc: _Doc, node: yaml.Node, v: Any, where: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise doc.error(node, f"{where}: schedule must be a cron string or an @preset, "
                        f"got {v!r}")
    text = " ".join(v.split())
    if text.startswith("@"):
        if text.lower() not in SCHEDULE_PRESETS:
            raise doc.error(node, f"{where}: schedule {v!r} is not a known preset "
                            f"(one of {', '.join(sorted(SCHEDULE_PRESETS))})")
        return text.lower()
    fields = text.split(" ")
    if len(fields) != 5 or not all(_CRON_FIELD_RE.fullmatch(f) for f in fields):
        raise doc.error(node, f"{where}: schedule {v!r} is not a cron expression "
                        f"(5 fields: minute hour day month weekday) or an @preset")
    return text


def _date_regex(doc: _Doc, node: yaml.Node, v: Any, where: str) -> str:
    if not isinstance(v, str) or not v:
        raise doc.error(node, f"{where}: date_from_url must be a regex string, got {v!r}")
    try:
        pattern = re.compile(v)
    except re.error as exc:
        raise doc.error(node, f"{where}: date_from_url is not a valid regex ({exc})") from None
    missing = [g for g in DATE_GROUPS if g not in pattern.groupindex]
    if missing:
        raise doc.error(node, f"{where}: date_from_url needs named groups (?P<y>...), "
                        f"(?P<m>...), (?P<d>...); missing {', '.join(missing)}")
    return v


def _contact(doc: _Doc, node: yaml.Node, v: Any, where: str) -> str:
    ok = isinstance(v, str) and bool(v.strip()) and not re.search(r"[\s\x00-\x1f\x7f]",
                                                                 v.strip())
    if ok:
        c = v.strip()
        parts = urlsplit(c)
        is_url = parts.scheme.lower() in HTTP_SCHEMES and bool(parts.hostname)
        is_mail = re.fullmatch(r"(mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+", c) is not None
        if is_url or is_mail:
            return c
    raise doc.error(node, f"{where}: user_agent_contact must be an http(s) URL or an e-mail "
                    f"address without spaces, got {v!r}")


def _source(doc: _Doc, node: yaml.Node, index: int, seen: set[str]) -> Source:
    m = doc.mapping(node, f"sources[{index}]")
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
    where = f"source '{name}'"
    for key, (knode, _) in m.items():
        if key not in SOURCE_KEYS:
            raise doc.error(knode, f"{where}: unknown key '{key}' "
                            f"(allowed: {', '.join(sorted(SOURCE_KEYS))})")

    kind = "urls"
    got = _given(m, doc, "kind")
    if got is not None:
        knode, kv = got
        if not isinstance(kv, str) or kv.strip().lower() not in KINDS:
            raise doc.error(knode, f"{where}: kind must be one of {', '.join(KINDS)}, "
                            f"got {kv!r}")
        kind = kv.strip().lower()

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
    start = _str_list(doc, url_entry[1], f"{where}: {start_key}", _check_url)
    if len(set(start)) != len(start):
        dup = next(u for u in start if start.count(u) > 1)
        raise doc.error(url_entry[1], f"{where}: url '{dup}' is listed twice")

    url_hosts = [urlsplit(u).hostname or "" for u in start]
    if "allowed_hosts" in m:
        hosts = _str_list(doc, m["allowed_hosts"][1], f"{where}: allowed_hosts", _check_host)
        for u, h in zip(start, url_hosts, strict=True):
            if h.lower() not in hosts:
                raise doc.error(m["allowed_hosts"][1],
                                f"{where}: host of '{u}' is not in allowed_hosts")
    else:
        hosts = [h.lower() for h in url_hosts]
    allowed = tuple(dict.fromkeys(hosts))

    encoding: str | None = None
    got = _given(m, doc, "encoding")
    if got is not None:
        enode, enc = got
        if not isinstance(enc, str):
            raise doc.error(enode, f"{where}: encoding must be a codec name, got {enc!r}")
        try:
            encoding = codecs.lookup(enc).name
        except LookupError:
            raise doc.error(enode, f"{where}: unknown encoding '{enc}'") from None

    max_pages = _positive_int(doc, m, "max_pages", where)

    allow_private = False
    if "allow_private" in m:
        pnode = m["allow_private"][1]
        ap = doc.value(pnode)
        if not isinstance(ap, bool):
            raise doc.error(pnode, f"{where}: allow_private must be true or false, got {ap!r}")
        allow_private = ap

    if kind != "list":
        for key in LIST_ONLY_KEYS:
            if key in m:
                raise doc.error(m[key][0], f"{where}: '{key}' only applies to kind 'list' "
                                f"(this source is kind '{kind}')")
    link_selector = _selector(doc, m, "link_selector", where)
    if kind == "list" and link_selector is None:
        raise doc.error(m["link_selector"][1] if "link_selector" in m else node,
                        f"{where}: kind 'list' needs 'link_selector' (a CSS selector for "
                        f"the article links)")
    next_selector = _selector(doc, m, "next_selector", where)
    max_list_pages = _positive_int(doc, m, "max_list_pages", where) or DEFAULT_MAX_LIST_PAGES

    schedule: str | None = None
    got = _given(m, doc, "schedule")
    if got is not None:
        schedule = _schedule(doc, got[0], got[1], where)

    date_from_url: str | None = None
    got = _given(m, doc, "date_from_url")
    if got is not None:
        date_from_url = _date_regex(doc, got[0], got[1], where)

    rate_limit = DEFAULT_RATE_LIMIT
    got = _given(m, doc, "rate_limit")
    if got is not None:
        rnode, rv = got
        if (isinstance(rv, bool) or not isinstance(rv, int | float) or not math.isfinite(rv)
                or rv <= 0):
            raise doc.error(rnode, f"{where}: rate_limit must be a number of requests per "
                            f"second per host greater than 0, got {rv!r}")
        rate_limit = float(rv)

    concurrency = _positive_int(doc, m, "concurrency", where) or DEFAULT_CONCURRENCY

    revisit = DEFAULT_REVISIT_HOURS
    got = _given(m, doc, "revisit_after_hours")
    if got is not None:
        vnode, vv = got
        if (isinstance(vv, bool) or not isinstance(vv, int | float) or not math.isfinite(vv)
                or vv < 0):
            raise doc.error(vnode, f"{where}: revisit_after_hours must be a number of hours "
                            f">= 0, got {vv!r}")
        revisit = float(vv)

    contact: str | None = None
    got = _given(m, doc, "user_agent_contact")
    if got is not None:
        contact = _contact(doc, got[0], got[1], where)

    return Source(name=name, urls=tuple(start) if kind == "urls" else (),
                  allowed_hosts=allowed, encoding=encoding, max_pages=max_pages,
                  allow_private=allow_private, kind=kind,
                  entry=() if kind == "urls" else tuple(start),
                  link_selector=link_selector, next_selector=next_selector,
                  max_list_pages=max_list_pages, schedule=schedule,
                  date_from_url=date_from_url, rate_limit=rate_limit,
                  concurrency=concurrency, user_agent_contact=contact,
                  revisit_after_hours=revisit)


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
        doc = _Doc(p, loader)
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


# --------------------------------------------------------------------- --input DIR


def read_sidecar(path: Path) -> dict[str, Any]:
    """Parse and check one sidecar JSON file; raise ConfigError naming it when malformed."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: sidecar is not valid UTF-8 JSON ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read sidecar ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: sidecar must be a JSON object")
    for key in ("url", "title", "published_at"):
        v = data.get(key)
        if v is not None and not isinstance(v, str):
            raise ConfigError(f"{path}: sidecar '{key}' must be a string, got {v!r}")
    url = data.get("url")
    if url is not None:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in (*HTTP_SCHEMES, "file") or not (parts.netloc or parts.path):
            raise ConfigError(f"{path}: sidecar url {url!r} is not an http(s) or file URL")
    pub = data.get("published_at")
    if pub:
        try:
            if not DATE_RE.fullmatch(pub.strip()):
                raise ValueError(pub)
            date.fromisoformat(pub.strip())
        except ValueError:
            raise ConfigError(f"{path}: sidecar published_at {pub!r} is not YYYY-MM-DD") from None
    return data


def _is_hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def iter_input_dir(directory: str | Path) -> Iterator[LocalPage]:
    """Yield every page file under `directory` (recursively, sorted by relative path)."""
    root = Path(directory).expanduser().resolve()
    if not root.is_dir():
        raise ConfigError(f"--input {directory}: not a directory")
    files = sorted(
        (p for p in root.rglob("*")
         if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()
         and not _is_hidden(p.relative_to(root))),
        key=lambda p: p.relative_to(root).as_posix(),
    )
    for path in files:
        side_path = path.with_suffix(".json")
        sidecar = read_sidecar(side_path) if side_path.is_file() else None
        url = (sidecar or {}).get("url") or None
        title = (sidecar or {}).get("title") or None
        pub_s = (sidecar or {}).get("published_at") or None
        yield LocalPage(
            path=path,
            url=url.strip() if url else f"file://{path}",
            title=title.strip() if title else None,
            published_at=date.fromisoformat(pub_s.strip()) if pub_s else None,
            sidecar=sidecar,
        )
