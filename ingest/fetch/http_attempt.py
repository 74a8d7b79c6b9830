"""One attempt at a URL, hop by hop, at the network boundary: what `ingest.fetch.http.fetch`
retries.

`attempt()` follows redirects by hand (at most `MAX_REDIRECTS`) so that every hop is
checked (`check_url`): http/https only, a host in `allowed_hosts` when given, and only
global addresses unless `allow_private=True`; the connection goes to the address that
was checked (`ingest.fetch.boundary.pinned`) inside the request's overall deadline
(`boundary.deadline`), and within the caller's `request_slot(host)` (rate limiting).

The body is read by hand from the socket (`resp.raw`, content-coding not applied by
urllib3): a body shorter than its `Content-Length` is "truncated body: got N of M
bytes" (retried); gzip/deflate are decompressed with a bounded output
(`ingest.fetch.body.BoundedBody`), so the size cap counts DECOMPRESSED bytes and a gzip
bomb stops at `max_bytes` with "oversized body". Only `ACCEPTED_TYPES` are fetched
("unsupported content type: X", not retried); a missing or octet-stream type is
accepted only when the body sniffs as HTML/XML.

What an attempt ends in: an `Attempt` (a response, maybe with an `error` such as
"http 404"), `Retryable` (a transient fault worth another attempt), or `Refused` (a URL
or a server we will not try again).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Collection, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from ingest.fetch.body import BodyError, BoundedBody
from ingest.fetch.boundary import (
    BoundaryError,
    DeadlineExpired,
    check_deadline,
    checked_address,
    deadline,
    pinned,
)
from ingest.fetch.headers import header

__all__ = ["ACCEPTED_TYPES", "MAX_REDIRECTS", "RETRY_STATUSES", "Attempt", "Refused",
           "RequestSlot", "Retryable", "attempt", "check_url", "refusal"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
# Media types we land. Feeds and sitemaps come as XML (RSS 1.0 as RDF; CDF, which
# feedparser reads too, as application/x-cdf).
ACCEPTED_TYPES: frozenset[str] = frozenset({
    "text/html", "application/xhtml+xml", "text/plain", "text/markdown",
    "application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
    "application/rdf+xml", "application/x-cdf",
})
# Types that say nothing: the body is landed only if it looks like HTML/XML.
SNIFF_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream",
                         "application/unknown", "unknown/unknown"})
SNIFF_MARKERS = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<rss",
                 b"<feed", b"<urlset", b"<sitemapindex", b"<channel")

RequestSlot = Callable[[str], AbstractContextManager[object]]


class Refused(Exception):
    """A URL we will not fetch (scheme, host or address). Never retried."""


class Retryable(Exception):
    """A transient fault worth another attempt."""

    def __init__(self, msg: str, status: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.headers = headers or {}


@dataclass
class Attempt:
    """What one attempt produced (mutable scratch, turned into a FetchResult at the end)."""

    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    retry_after: float | None = None
    not_modified: bool = False


def check_url(url: str, allowed_hosts: Iterable[str] | None, allow_private: bool) -> str:
    """The one address `url`'s host may be reached at (`boundary.checked_address`), or
    Refused saying why not; Retryable when the name does not resolve."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise Refused(f"refused: only http/https URLs are fetched, got '{parts.scheme}:'")
    try:
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise Refused("refused: URL has an invalid port") from None
    if not host:
        raise Refused("refused: URL has no host")
    if allowed_hosts is not None and host not in {h.lower() for h in allowed_hosts}:
        raise Refused(f"refused: host {host} is not in allowed_hosts")
    try:
        return checked_address(host, allow_private)
    except BoundaryError as exc:
        raise Refused(f"refused: {exc} (set allow_private to fetch it)") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise Retryable(f"dns: cannot resolve {host} ({getattr(exc, 'strerror', exc)})") \
            from None


def refusal(url: str, allowed_hosts: Iterable[str] | None = None,
            allow_private: bool = False) -> str | None:
    """Why `fetch` would refuse `url` outright (scheme, host, address), or None."""
    try:
        check_url(url, tuple(allowed_hosts) if allowed_hosts is not None else None,
                   allow_private)
    except Refused as exc:
        return str(exc)
    except Retryable:  # DNS trouble is not a refusal; fetch records it
        return None
    return None

def _retry_after(headers: dict[str, str]) -> float | None:
    v = header(headers, "Retry-After")
    if v and v.strip().isdigit():
        return float(v.strip())
    return None


def _media_type(headers: dict[str, str]) -> str:
    return (header(headers, "Content-Type") or "").split(";", 1)[0].strip().lower()


def _sniffs_as_markup(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(SNIFF_MARKERS) or b"<html" in head


def _cause_name(exc: BaseException) -> str:
    """The innermost interesting exception class name (e.g. ConnectionResetError)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    name = exc.__class__.__name__
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        name = cur.__class__.__name__
        nxt = getattr(cur, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = next((a for a in cur.args if isinstance(a, BaseException)), None)
        cur = nxt or cur.__cause__ or cur.__context__
    return name


def _read_body(resp: requests.Response, max_bytes: int) -> bytes:
    """The whole body (content-coding removed) or an exception saying why not."""
    headers = dict(resp.headers)
    declared_s = (header(headers, "Content-Length") or "").strip()
    declared = int(declared_s) if declared_s.isdigit() else None
    codings = [c.strip().lower() for c in (header(headers, "Content-Encoding") or "").split(",")
               if c.strip() and c.strip().lower() != "identity"]
    if len(codings) > 1:
        raise BodyError(f"unsupported content encoding: {', '.join(codings)}")
    coding = codings[0] if codings else ""
    if not coding and declared is not None and declared > max_bytes:
        raise BodyError(f"oversized body: Content-Length {declared} exceeds "
                         f"max_bytes={max_bytes}")
    sink = BoundedBody(coding, max_bytes)
    got = 0
    status = resp.status_code
    try:
        while True:
            data = resp.raw.read(CHUNK, decode_content=False)
            _raise_if_past_deadline()
            if not data:
                break
            got += len(data)
            sink.feed(data)
    except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
        _raise_if_past_deadline()
        raise Retryable(f"timeout: reading body (got {got} bytes)", status, headers) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        _raise_if_past_deadline()
        if declared is not None and got < declared:
            raise Retryable(f"truncated body: got {got} of {declared} bytes",
                             status, headers) from None
        raise Retryable(f"connection error while reading body: {_cause_name(exc)} "
                         f"(got {got} bytes)", status, headers) from None
    if declared is not None and got < declared:
        raise Retryable(f"truncated body: got {got} of {declared} bytes", status, headers)
    return sink.finish()


def _raise_if_past_deadline() -> None:
    """A request past its deadline is refused, not retried: a server that slow would
    hold every retry as long."""
    try:
        check_deadline()
    except DeadlineExpired:
        raise Refused("timeout: no whole response within the request's deadline "
                       "(a server sending too slowly)") from None


def _headers_cut_off(resp: requests.Response) -> bool:
    """http.client takes EOF inside the header block for its end; the parsed message
    then carries a MissingHeaderBodySeparatorDefect."""
    original = getattr(resp.raw, "_original_response", None)
    msg = getattr(original, "msg", None)
    defects = getattr(msg, "defects", None) or ()
    return any(d.__class__.__name__ == "MissingHeaderBodySeparatorDefect" for d in defects)


def _one_request(session: requests.Session, url: str, timeout: tuple[float, float],
                 max_bytes: int, conditional: dict[str, str],
                 accept_types: Collection[str] | None) -> Attempt | str:
    """One HTTP request: an `Attempt`, or the next URL when it is a redirect."""
    try:
        resp = session.get(url, timeout=timeout, stream=True, allow_redirects=False,
                           headers=conditional or None)
    except requests.Timeout as exc:
        _raise_if_past_deadline()
        raise Retryable(f"timeout: {exc.__class__.__name__}") from None
    except requests.ConnectionError as exc:
        _raise_if_past_deadline()
        raise Retryable(f"connection error: {_cause_name(exc)}") from None
    except requests.RequestException as exc:
        raise Refused(f"request error: {exc.__class__.__name__}: {exc}") from None
    with resp:
        headers = dict(resp.headers)
        if _headers_cut_off(resp):
            raise Retryable("connection error: connection closed mid-headers")
        if resp.is_redirect and resp.headers.get("Location"):
            return urljoin(url, resp.headers["Location"])
        att = Attempt(final_url=url, status=resp.status_code, headers=headers)
        if resp.status_code == 304:
            att.not_modified = True
            return att
        if resp.status_code in RETRY_STATUSES:
            att.error = f"http {resp.status_code}"
            att.retry_after = _retry_after(headers)
            return att
        if not 200 <= resp.status_code < 300:
            att.error = f"http {resp.status_code}"
            return att
        mtype = _media_type(headers)
        if accept_types is not None and mtype not in accept_types and mtype not in SNIFF_TYPES:
            att.error = f"unsupported content type: {mtype}"
            return att
        try:
            body = _read_body(resp, max_bytes)
        except BodyError as exc:
            att.error = str(exc)
            return att
        if accept_types is not None and mtype in SNIFF_TYPES and not _sniffs_as_markup(body):
            att.error = f"unsupported content type: {mtype or '(none)'} (body is not HTML/XML)"
            return att
        att.body = body
        return att


def attempt(session: requests.Session, url: str, timeout: tuple[float, float],
            max_bytes: int, allowed_hosts: Iterable[str] | None,
            allow_private: bool, conditional: dict[str, str],
            accept_types: Collection[str] | None, request_slot: RequestSlot | None,
            deadline_s: float | None) -> Attempt:
    """One try at `url`, each redirect hop checked, pinned, slotted and under the deadline."""
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        address = check_url(current, allowed_hosts, allow_private)
        host = (urlsplit(current).hostname or "").lower()
        gate = request_slot(host) if request_slot is not None else contextlib.nullcontext()
        with gate, pinned(host, address), deadline(deadline_s):
            out = _one_request(session, current, timeout, max_bytes, conditional, accept_types)
        if isinstance(out, str):
            current = out
            continue
        return out
    raise Refused(f"refused: too many redirects (>{MAX_REDIRECTS})")

