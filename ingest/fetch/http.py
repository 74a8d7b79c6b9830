"""HTTP fetching: an honest session, bounded retries, a size cap, never an exception.

`fetch()` returns a `FetchResult` for every outcome. A network fault, an HTTP
error status, an oversized body or a refused address is recorded in `error`
(body `None`) so the caller can write it to `page_errors` and move on.

Retries (tenacity): connection errors, timeouts, 5xx and 429, with exponential
backoff plus jitter; a numeric `Retry-After` is honoured up to `backoff_max`. What one
try does (redirects followed by hand with every hop checked, the pinned connection,
the overall deadline, the bounded body, the accepted content types) is
`ingest.fetch.http_attempt`; the addresses a fetch may reach are `ingest.fetch.boundary`.

Conditional GET: `etag` / `last_modified` become `If-None-Match` / `If-Modified-Since`;
a 304 is a `FetchResult` with `not_modified=True`, no body and no error.

`request_slot(host)` (e.g. `HostLimiter.slot`) wraps every HTTP request: each
attempt and each redirect hop, headers and body; backoff sleeps happen outside it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ingest.config import MAX_PAGE_BYTES
from ingest.fetch.boundary import PinnedAdapter
from ingest.fetch.headers import header
from ingest.fetch.http_attempt import (
    ACCEPTED_TYPES,
    MAX_REDIRECTS,
    RETRY_STATUSES,
    Attempt,
    Refused,
    RequestSlot,
    Retryable,
    attempt,
)

__all__ = ["FetchResult", "make_session", "fetch", "DEFAULT_USER_AGENT"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

DEFAULT_CONTACT = "https://github.com/zonewatch/zonewatch"
DEFAULT_USER_AGENT = f"zonewatch/0.1 (+{DEFAULT_CONTACT})"
DEADLINE_S = 60.0  # one request as a whole: connect, headers and body


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


def _on_give_up(url: str) -> Callable[[RetryCallState], Attempt]:
    def give_up(state: RetryCallState) -> Attempt:
        outcome = state.outcome
        if outcome is None:
            return Attempt(final_url=url, error="failed")
        if not outcome.failed:
            att: Attempt = outcome.result()
            return att
        exc = outcome.exception()
        if isinstance(exc, Retryable):
            return Attempt(final_url=url, status=exc.status, headers=exc.headers,
                           error=str(exc))
        return Attempt(final_url=url, error=str(exc))

    return give_up


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The request headers that make a GET conditional on the validators we hold."""
    conditional: dict[str, str] = {}
    if etag:
        conditional["If-None-Match"] = etag
    if last_modified:
        conditional["If-Modified-Since"] = last_modified
    return conditional


def _retrying(url: str, attempts: int, backoff_initial: float,
              backoff_max: float) -> Retrying:
    """Retry a Retryable fault or a retryable status at most `attempts` times in all,
    waiting a numeric Retry-After (capped at `backoff_max`) or exponential backoff with
    jitter; when the tries run out, the last outcome becomes the Attempt."""
    base_wait = wait_exponential_jitter(multiplier=backoff_initial, max=backoff_max,
                                        jitter=backoff_initial)

    def wait(state: RetryCallState) -> float:
        if state.outcome is not None and not state.outcome.failed:
            ra = state.outcome.result().retry_after
            if ra is not None:
                return min(ra, backoff_max)
        return float(base_wait(state))

    return Retrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait,
        retry=(retry_if_exception_type(Retryable)
               | retry_if_result(lambda a: a.status in RETRY_STATUSES)),
        retry_error_callback=_on_give_up(url),
        reraise=False,
    )


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
    conditional = _conditional(etag, last_modified)
    retrying = _retrying(url, attempts, backoff_initial, backoff_max)
    started = datetime.now(UTC)
    tries = 0

    def one() -> Attempt:
        nonlocal tries
        tries += 1
        return attempt(session, url, timeout, max_bytes, hosts, allow_private, conditional,
                       accept_types, request_slot, deadline_s)

    try:
        att: Attempt = retrying(one)
    except Refused as exc:
        att = Attempt(final_url=url, error=str(exc))
    except Exception as exc:  # a bug or an unexpected library fault: record it, do not crash
        logger.exception("unexpected error fetching %s", url)
        att = Attempt(final_url=url, error=f"unexpected: {exc.__class__.__name__}: {exc}")
    if att.error:
        logger.warning("fetch %s failed after %d attempt(s): %s", url, tries, att.error)
    return FetchResult(url=url, final_url=att.final_url, status=att.status,
                       headers=att.headers, body=att.body, error=att.error,
                       fetched_at=started, attempts=tries, not_modified=att.not_modified)
