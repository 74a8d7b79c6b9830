"""Canonical URLs: one article is one page, however the link was written.

`canonical(url)` lowercases the scheme and host, drops a default port, the fragment
and tracking parameters (`TRACKING_PARAMS` / `TRACKING_PREFIXES`, data below),
sorts the remaining query parameters, collapses `//` and `.`/`..` segments in the
path, removes a trailing slash from a non-root path and decodes %-escapes of
unreserved characters (and upper-cases the hex of the rest). Query values keep
their original encoding apart from that, so a parameter is never re-quoted.

A string that is not an http(s) URL is returned stripped but otherwise untouched;
the fetcher refuses it with a reason.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = ["canonical", "host_of", "TRACKING_PARAMS", "TRACKING_PREFIXES", "DEFAULT_PORTS"]

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that say how a link was shared, never which page it is (compared
# case-insensitively). Analytics (utm_*, Baidu hm*, spm), ad click ids, WeChat/Weixin
# share decorations (from=singlemessage, isappinstalled=0, scene=1, ...).
TRACKING_PARAMS: frozenset[str] = frozenset({
    # analytics / campaign
    "spm", "spm_id_from", "from", "from_source", "ref_src", "_hsenc", "_hsmi", "mc_cid",
    "mc_eid", "hmsr", "hmpl", "hmcu", "hmkw", "hmci", "bd_vid", "srcid",
    # ad click ids
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    # WeChat / Weixin share decorations
    "isappinstalled", "scene", "subscene", "ascene", "clicktime", "enterid", "devicetype",
    "nettype", "exportkey", "pass_ticket", "wx_header", "sessionid", "wxfrom", "poc_token",
})
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "share", "sharer_")

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_SLASHES = re.compile(r"/{2,}")


def _norm_escapes(s: str) -> str:
    """Decode %-escapes of unreserved characters; upper-case the hex of the others."""

    def sub(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else "%" + m.group(1).upper()

    return _PCT.sub(sub, s)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, on an absolute path."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _is_tracking(raw_key: str) -> bool:
    key = unquote_plus(raw_key).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def host_of(url: str) -> str:
    """The lowercased host name of `url` ('' when there is none)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def canonical(url: str) -> str:
    """The canonical form of an http(s) URL (see the module docstring)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        return url

    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: leave it for the fetcher to refuse
        port = None
        raw_port = parts.netloc.rsplit(":", 1)[-1]
        host = f"{host}:{raw_port}"
    netloc = host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        netloc = f"{userinfo}@{netloc}"

    path = _norm_escapes(parts.path or "/")
    path = _SLASHES.sub("/", path)
    path = _remove_dot_segments(path if path.startswith("/") else "/" + path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"

    kept = []
    for item in parts.query.split("&"):
        if not item:
            continue
        raw_key = item.split("=", 1)[0]
        if _is_tracking(raw_key):
            continue
        kept.append(_norm_escapes(item))
    query = "&".join(sorted(kept))
    return urlunsplit((scheme, netloc, path, query, ""))
