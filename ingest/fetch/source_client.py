"""The HTTP side of one source: its session, per-host limiter, robots.txt cache, and the
`get` that discovery fetches list pages, feeds and sitemaps with.

`source_client(source)` builds what a run uses for that source: the user agent (with the
source's contact), `HostLimiter(rate_limit, concurrency)`, one `RobotsCache` shared by
discovery and the crawl, and `get(url)`, which asks robots.txt first and then calls
`ingest.fetch.http.fetch` with the source's `allowed_hosts` and `allow_private` (the
address checks of `ingest.fetch.boundary`). `fetch_source` and `zonewatch sources check`
both start from it, so a check fetches exactly as a run does.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from ingest.fetch.http import fetch, make_session
from ingest.fetch.ratelimit import HostLimiter
from ingest.fetch.robots import RobotsCache, robots_getter
from ingest.fetch.sources import Source

__all__ = ["SourceClient", "source_client"]


@dataclass
class SourceClient:
    """One source's session, limiter and robots.txt cache (see the module docstring)."""

    source: Source
    session: requests.Session
    limiter: HostLimiter
    robots: RobotsCache

    def get(self, url: str) -> tuple[int, dict[str, str], bytes | None, str | None]:
        """(status, headers, body, error) for a discovery document; status 0 and the
        reason when robots.txt refuses it (nothing is requested then)."""
        why = self.robots.why_not(url)
        if why is not None:
            return 0, {}, None, why
        r = fetch(self.session, url, allowed_hosts=self.source.allowed_hosts,
                  allow_private=self.source.allow_private, request_slot=self.limiter.slot)
        return r.status or 0, r.headers, r.body, r.error


def source_client(source: Source) -> SourceClient:
    """The session, limiter and robots.txt cache a run uses for `source`."""
    session = make_session(source.user_agent_contact)
    limiter = HostLimiter(source.rate_limit, source.concurrency)
    # One robots.txt cache for discovery and the crawl: list pages, feeds and sitemaps are
    # asked about like articles, and each origin's robots.txt is fetched once.
    robots = RobotsCache(robots_getter(session, request_slot=limiter.slot,
                                       allowed_hosts=source.allowed_hosts,
                                       allow_private=source.allow_private),
                         user_agent=str(session.headers.get("User-Agent", "")))
    return SourceClient(source=source, session=session, limiter=limiter, robots=robots)
