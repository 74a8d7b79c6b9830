"""Canonical URLs: one article is one page, however the link was written.

`canonical(url)` is w3lib's `canonicalize_url` (the crawl-dedup canonicaliser Scrapy
uses: lowercased scheme and host, IDNA hosts, `.`/`..` segments resolved, %-escapes of
unreserved characters decoded and the hex of the rest upper-cased, non-ASCII written as
UTF-8 escapes, query parameters sorted, the fragment dropped; query values keep their
bytes, GBK escapes included, and a space is written `+`), plus what zonewatch adds for
news portals: the default port dropped, tracking parameters dropped
(`TRACKING_PARAMS` / `TRACKING_PREFIXES`, data below), `//` collapsed and the trailing
slash of a non-root path removed.

A string that is not an http(s) URL is returned stripped but otherwise untouched;
the fetcher refuses it with a reason.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

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

_SLASHES = re.compile(r"/{2,}")


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
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.netloc:
        return url
    query = "&".join(item for item in parts.query.split("&")
                     if item and not _is_tracking(item.split("=", 1)[0]))
    path = _SLASHES.sub("/", parts.path or "/")
    try:
        parts = urlsplit(canonicalize_url(urlunsplit(parts._replace(path=path, query=query))))
    except ValueError:  # e.g. a host IDNA cannot encode: left for the fetcher to refuse
        return url
    scheme = parts.scheme
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: leave it for the fetcher to refuse
        port = None
        host = f"{host}:{parts.netloc.rsplit(':', 1)[-1]}"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if parts.username is not None:
        netloc = f"{parts.netloc.rsplit('@', 1)[0]}@{netloc}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))
