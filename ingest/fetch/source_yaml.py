"""Checks for one sources-file value at a time; every fault is a one-line `ConfigError`
naming the file and the line of the YAML node (`YamlDoc.error`)."""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ingest.config import ConfigError

HTTP_SCHEMES = ("http", "https")
SCHEDULE_PRESETS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily",
                              "@midnight", "@hourly"})
_CRON_FIELD_RE = re.compile(r"[0-9A-Za-z*/,?LW#-]+")
DATE_GROUPS = ("y", "m", "d")
# A mapping node read as key -> (key node, value node).
Fields = dict[str, tuple[yaml.Node, yaml.Node]]


class YamlDoc:
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


def check_url(doc: YamlDoc, node: yaml.Node, where: str) -> str:
    url = doc.value(node)
    if not isinstance(url, str) or not url.strip():
        raise doc.error(node, f"{where}: each url must be a non-empty string, got {url!r}")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in HTTP_SCHEMES or not parts.hostname:
        raise doc.error(node, f"{where}: '{url}' is not an http(s) URL with a host")
    return url


def str_list(doc: YamlDoc, node: yaml.Node, where: str, check: Callable[..., str]) -> list[str]:
    if isinstance(node, yaml.ScalarNode):
        return [check(doc, node, where)]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise doc.error(node, f"{where} must be a non-empty list")
    return [check(doc, item, where) for item in node.value]


def check_host(doc: YamlDoc, node: yaml.Node, where: str) -> str:
    host = doc.value(node)
    if not isinstance(host, str) or not re.fullmatch(r"[A-Za-z0-9.-]+", host.strip()):
        raise doc.error(node, f"{where}: {host!r} is not a host name (no scheme, no port)")
    return host.strip().lower()


def given(m: Fields, doc: YamlDoc,
           key: str) -> tuple[yaml.Node, Any] | None:
    """(value node, value) when `key` is present and not null, else None."""
    entry = m.get(key)
    if entry is None:
        return None
    value = doc.value(entry[1])
    return None if value is None else (entry[1], value)


def positive_int(doc: YamlDoc, m: Fields, key: str,
                  where: str) -> int | None:
    got = given(m, doc, key)
    if got is None:
        return None
    node, v = got
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise doc.error(node, f"{where}: {key} must be a positive integer, got {v!r}")
    return v


def selector(doc: YamlDoc, m: Fields, key: str,
              where: str) -> str | None:
    got = given(m, doc, key)
    if got is None:
        return None
    node, v = got
    if not isinstance(v, str) or not v.strip():
        raise doc.error(node, f"{where}: {key} must be a CSS selector string, got {v!r}")
    import soupsieve  # here, not at the top: it imports bs4, which a DAG file's parse
    # (dags/zonewatch_fetch.py reads the sources file) should not pay for without selectors

    try:
        soupsieve.compile(v.strip())
    except soupsieve.SelectorSyntaxError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise doc.error(node, f"{where}: {key} {v!r} is not a valid CSS selector "
                        f"({first})") from None
    return v.strip()


def schedule(doc: YamlDoc, node: yaml.Node, v: Any, where: str) -> str:
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


def date_regex(doc: YamlDoc, node: yaml.Node, v: Any, where: str) -> str:
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


def contact(doc: YamlDoc, node: yaml.Node, v: Any, where: str) -> str:
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




def number(doc: YamlDoc, m: Fields, key: str, where: str, default: float, *,
           minimum: float, strict: bool, meaning: str) -> float:
    """A finite number above `minimum` (or at it, unless `strict`), else `default`."""
    got = given(m, doc, key)
    if got is None:
        return default
    node, v = got
    ok = not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v) and (
        v > minimum if strict else v >= minimum)
    if not ok:
        bound = f"greater than {minimum:g}" if strict else f">= {minimum:g}"
        raise doc.error(node, f"{where}: {key} must be a number of {meaning} {bound}, "
                        f"got {v!r}")
    return float(v)


def optional(doc: YamlDoc, m: Fields, key: str, where: str,
             check: Callable[[YamlDoc, yaml.Node, Any, str], str]) -> str | None:
    """`check`ed value of `key`, or None when it is absent or null."""
    got = given(m, doc, key)
    return None if got is None else check(doc, got[0], got[1], where)


def codec(doc: YamlDoc, node: yaml.Node, v: Any, where: str) -> str:
    """A codec name Python knows, normalised (`GB2312` -> `gb2312`)."""
    if not isinstance(v, str):
        raise doc.error(node, f"{where}: encoding must be a codec name, got {v!r}")
    try:
        info = codecs.lookup(v)
    except LookupError:
        raise doc.error(node, f"{where}: unknown encoding '{v}'") from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib: not a charset
        raise doc.error(node, f"{where}: encoding '{v}' is not a text encoding")
    return info.name


def boolean(doc: YamlDoc, m: Fields, key: str, where: str) -> bool:
    """`key` as true or false (absent: false)."""
    if key not in m:
        return False
    node = m[key][1]
    v = doc.value(node)
    if not isinstance(v, bool):
        raise doc.error(node, f"{where}: {key} must be true or false, got {v!r}")
    return v
