"""HTTP fetching: an honest session, bounded retries, a size cap, never an exception.

`fetch()` returns a `FetchResult` for every outcome. A network fault, an HTTP
error status, an oversized body or a refused address is recorded in `error`
(body `None`) so the caller can write it to `page_errors` and move on.

Retries (tenacity): connection errors, timeouts, 5xx and 429, with exponential
backoff plus jitter; a numeric `Retry-After` is honoured up to `backoff_max`.
Redirects are followed by hand (at most `MAX_REDIRECTS`) so that every hop is
checked: http/https only, a host in `allowed_hosts` when given, and only global
addresses unless `allow_private=True`; the connection goes to the address that was
checked, and each request has an overall deadline (`ingest.fetch.boundary`).

Conditional GET: `etag` / `last_modified` become `If-None-Match` / `If-Modified-Since`;
a 304 is a `FetchResult` with `not_modified=True`, no body and no error.

The body is read by hand from the socket (`resp.raw`, content-coding not applied by
urllib3): a body shorter than its `Content-Length` is "truncated body: got N of M
bytes" (retried); gzip/deflate are decompressed here with a bounded output, so the
size cap counts DECOMPRESSED bytes and a gzip bomb stops at `max_bytes` with
"oversized body" (memory stays bounded). Only `ACCEPTED_TYPES` are fetched
("unsupported content type: X", not retried); a missing or octet-stream type is
accepted only when the body sniffs as HTML/XML.

`request_slot(host)` (e.g. `HostLimiter.slot`) wraps every HTTP request: each
attempt and each redirect hop, headers and body; backoff sleeps happen outside it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Callable, Collection, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ingest.config import MAX_PAGE_BYTES
from ingest.fetch.body import BodyError, BoundedBody
from ingest.fetch.boundary import (
    BoundaryError,
    DeadlineExpired,
    PinnedAdapter,
    check_deadline,
    checked_address,
    deadline,
    pinned,
)
from ingest.fetch.headers import header

__all__ = ["FetchResult", "make_session", "fetch", "refusal", "DEFAULT_USER_AGENT",
           "RETRY_STATUSES", "ACCEPTED_TYPES", "RequestSlot"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

DEFAULT_CONTACT = "https://github.com/zonewatch/zonewatch"
DEFAULT_USER_AGENT = f"zonewatch/0.1 (+{DEFAULT_CONTACT})"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
DEADLINE_S = 60.0  # one request as a whole: connect, headers and body
CHUNK = 64 * 1024
# Media types we land. Feeds and sitemaps come as XML.
ACCEPTED_TYPES: frozenset[str] = frozenset({
    "text/html", "application/xhtml+xml", "text/plain", "text/markdown",
    "application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
})
# Types that say nothing: the body is landed only if it looks like HTML/XML.
SNIFF_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream",
                         "application/unknown", "unknown/unknown"})
SNIFF_MARKERS = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<rss",
                 b"<feed", b"<urlset", b"<sitemapindex")

RequestSlot = Callable[[str], AbstractContextManager[object]]


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch. `body` is set only for a 2xx response within the size cap."""

    url: str
    final_url: str
    status: int | None
    headers: dict[str, str]
    body: bytes | None
    error: str | None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    attempts: int = 1
    not_modified: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None

    @property
    def etag(self) -> str | None:
        return header(self.headers, "ETag")

    @property
    def last_modified(self) -> str | None:
        return header(self.headers, "Last-Modified")


def make_session(user_agent: str | None = None) -> requests.Session:
    """A session that says who we are: `zonewatch/0.1 (+contact)`.

    The contact comes from env `ZONEWATCH_CONTACT` (a URL or e-mail address) when set.
    """
    if user_agent is None:
        contact = os.environ.get("ZONEWATCH_CONTACT", "").strip() or DEFAULT_CONTACT
        user_agent = f"zonewatch/0.1 (+{contact})"
    s = requests.Session()
    s.headers.update({
        "User-Agent": user_agent,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
        "Accept-Language": "zh-CN,zh;q=0.9,zh-TW;q=0.8,en;q=0.5",
        "Accept-Encoding": "gzip, deflate",  # the only codings BoundedBody decodes
    })
    s.max_redirects = MAX_REDIRECTS
    s.mount("http://", PinnedAdapter())
    s.mount("https://", PinnedAdapter())
    return s


class _Refused(Exception):
    """A URL we will not fetch (scheme, host or address). Never retried."""


class _Retryable(Exception):
    """A transient fault worth another attempt."""

    def __init__(self, msg: str, status: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.headers = headers or {}


@dataclass
class _Attempt:
    """What one attempt produced (mutable scratch, turned into a FetchResult at the end)."""

    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    retry_after: float | None = None
    not_modified: bool = False


def _check_url(url: str, allowed_hosts: Iterable[str] | None, allow_private: bool) -> str:
    """The one address `url`'s host may be reached at (`boundary.checked_address`), or
    _Refused saying why not; _Retryable when the name does not resolve."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise _Refused(f"refused: only http/https URLs are fetched, got '{parts.scheme}:'")
    try:
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise _Refused("refused: URL has an invalid port") from None
    if not host:
        raise _Refused("refused: URL has no host")
    if allowed_hosts is not None and host not in {h.lower() for h in allowed_hosts}:
        raise _Refused(f"refused: host {host} is not in allowed_hosts")
    try:
        return checked_address(host, allow_private)
    except BoundaryError as exc:
        raise _Refused(f"refused: {exc} (set allow_private to fetch it)") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise _Retryable(f"dns: cannot resolve {host} ({getattr(exc, 'strerror', exc)})") \
            from None


def refusal(url: str, allowed_hosts: Iterable[str] | None = None,
            allow_private: bool = False) -> str | None:
    """Why `fetch` would refuse `url` outright (scheme, host, address), or None."""
    try:
        _check_url(url, tuple(allowed_hosts) if allowed_hosts is not None else None,
                   allow_private)
    except _Refused as exc:
        return str(exc)
    except _Retryable:  # DNS trouble is not a refusal; fetch records it
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
        raise _Retryable(f"timeout: reading body (got {got} bytes)", status, headers) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        _raise_if_past_deadline()
        if declared is not None and got < declared:
            raise _Retryable(f"truncated body: got {got} of {declared} bytes",
                             status, headers) from None
        raise _Retryable(f"connection error while reading body: {_cause_name(exc)} "
                         f"(got {got} bytes)", status, headers) from None
    if declared is not None and got < declared:
        raise _Retryable(f"truncated body: got {got} of {declared} bytes", status, headers)
    return sink.finish()


def _raise_if_past_deadline() -> None:
    """A request past its deadline is refused, not retried: a server that slow would
    hold every retry as long."""
    try:
        check_deadline()
    except DeadlineExpired:
        raise _Refused("timeout: no whole response within the request's deadline "
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
                 accept_types: Collection[str] | None) -> _Attempt | str:
    """One HTTP request: an `_Attempt`, or the next URL when it is a redirect."""
    try:
        resp = session.get(url, timeout=timeout, stream=True, allow_redirects=False,
                           headers=conditional or None)
    except requests.Timeout as exc:
        _raise_if_past_deadline()
        raise _Retryable(f"timeout: {exc.__class__.__name__}") from None
    except requests.ConnectionError as exc:
        _raise_if_past_deadline()
        raise _Retryable(f"connection error: {_cause_name(exc)}") from None
    except requests.RequestException as exc:
        raise _Refused(f"request error: {exc.__class__.__name__}: {exc}") from None
    with resp:
        headers = dict(resp.headers)
        if _headers_cut_off(resp):
            raise _Retryable("connection error: connection closed mid-headers")
        if resp.is_redirect and resp.headers.get("Location"):
            return urljoin(url, resp.headers["Location"])
        att = _Attempt(final_url=url, status=resp.status_code, headers=headers)
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


def _attempt(session: requests.Session, url: str, timeout: tuple[float, float],
             max_bytes: int, allowed_hosts: Iterable[str] | None,
             allow_private: bool, conditional: dict[str, str],
             accept_types: Collection[str] | None, request_slot: RequestSlot | None,
             deadline_s: float | None) -> _Attempt:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        address = _check_url(current, allowed_hosts, allow_private)
        host = (urlsplit(current).hostname or "").lower()
        gate = request_slot(host) if request_slot is not None else contextlib.nullcontext()
        with gate, pinned(host, address), deadline(deadline_s):
            out = _one_request(session, current, timeout, max_bytes, conditional, accept_types)
        if isinstance(out, str):
            current = out
            continue
        return out
    raise _Refused(f"refused: too many redirects (>{MAX_REDIRECTS})")


def _on_give_up(url: str) -> Callable[[RetryCallState], _Attempt]:
    def give_up(state: RetryCallState) -> _Attempt:
        outcome = state.outcome
        if outcome is None:
            return _Attempt(final_url=url, error="failed")
        if not outcome.failed:
            att: _Attempt = outcome.result()
            return att
        exc = outcome.exception()
        if isinstance(exc, _Retryable):
            return _Attempt(final_url=url, status=exc.status, headers=exc.headers,
                            error=str(exc))
        return _Attempt(final_url=url, error=str(exc))

    return give_up


def fetch(session: requests.Session, url: str, *, timeout: tuple[float, float] = (5, 20),
          max_bytes: int = MAX_PAGE_BYTES, attempts: int = 4, backoff_initial: float = 1.0,
          backoff_max: float = 30.0, allowed_hosts: Iterable[str] | None = None,
          allow_private: bool = False, etag: str | None = None,
          last_modified: str | None = None,
          accept_types: Collection[str] | None = ACCEPTED_TYPES,
          request_slot: RequestSlot | None = None,
          deadline_s: float | None = DEADLINE_S) -> FetchResult:
    """GET `url` and return what happened; never raises for network or HTTP faults.

    `attempts` bounds the tries (first one included); waits grow exponentially from
    `backoff_initial` seconds with jitter, capped at `backoff_max`. `etag` and
    `last_modified` make it a conditional GET. `accept_types=None` accepts any
    content type. `request_slot(host)` wraps each HTTP request (rate limiting).
    `deadline_s` bounds each request (connect, headers and body) as a whole.
    """
    hosts = tuple(allowed_hosts) if allowed_hosts is not None else None
    conditional: dict[str, str] = {}
    if etag:
        conditional["If-None-Match"] = etag
    if last_modified:
        conditional["If-Modified-Since"] = last_modified
    base_wait = wait_exponential_jitter(multiplier=backoff_initial, max=backoff_max,
                                        jitter=backoff_initial)

    def wait(state: RetryCallState) -> float:
        if state.outcome is not None and not state.outcome.failed:
            ra = state.outcome.result().retry_after
            if ra is not None:
                return min(ra, backoff_max)
        return float(base_wait(state))

    retrying = Retrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait,
        retry=(retry_if_exception_type(_Retryable)
               | retry_if_result(lambda a: a.status in RETRY_STATUSES)),
        retry_error_callback=_on_give_up(url),
        reraise=False,
    )
    started = datetime.now(UTC)
    tries = 0

    def one() -> _Attempt:
        nonlocal tries
        tries += 1
        return _attempt(session, url, timeout, max_bytes, hosts, allow_private, conditional,
                        accept_types, request_slot, deadline_s)

    try:
        att: _Attempt = retrying(one)
    except _Refused as exc:
        att = _Attempt(final_url=url, error=str(exc))
    except Exception as exc:  # a bug or an unexpected library fault: record it, do not crash
        logger.exception("unexpected error fetching %s", url)
        att = _Attempt(final_url=url, error=f"unexpected: {exc.__class__.__name__}: {exc}")
    if att.error:
        logger.warning("fetch %s failed after %d attempt(s): %s", url, tries, att.error)
    return FetchResult(url=url, final_url=att.final_url, status=att.status,
                       headers=att.headers, body=att.body, error=att.error,
                       fetched_at=started, attempts=tries, not_modified=att.not_modified)
