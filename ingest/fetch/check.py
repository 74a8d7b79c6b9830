"""`zonewatch sources check FILE`: does each source's entry answer, and do its selectors
find article links?

`check_source(source)` fetches the source's entry page(s) through `source_client` (the
session, robots.txt cache, rate limiter and address checks a run uses) and runs the
source's own discovery on them, with one difference: a `list` source reads only its
first list page per entry (`next_selector` is not followed), so a check costs one
request per entry (plus robots.txt). Feeds and sitemaps are discovered as in a run
(a sitemap index is followed). Nothing is written anywhere: no raw files, no spool, no
DuckDB. `format_check` / `format_summary` give the text the CLI prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ingest.fetch.discover import Discovered, DiscoveryError, DiscoveryStats, discover
from ingest.fetch.source_client import SourceClient, source_client
from ingest.fetch.sources import Source

__all__ = ["CHECK_LIST_PAGES", "SHOWN_LINKS", "Request", "SourceCheck", "check_source",
           "format_check", "format_summary"]

CHECK_LIST_PAGES = 1  # list pages read per entry by a check
SHOWN_LINKS = 3  # links printed per source


@dataclass(frozen=True)
class Request:
    """One discovery document asked for: its HTTP status (None when nothing answered),
    the one-line error, and `refused` when robots.txt kept it from being requested."""

    url: str
    status: int | None
    error: str | None
    refused: str | None = None  # 'robots' (disallowed) or 'robots-unreachable'

    def describe(self) -> str:
        """One line: `http 200`, `http 404`, `refused by robots.txt ...`, or the error."""
        if self.refused == "robots":
            return "refused by robots.txt (disallowed for our user agent); not fetched"
        if self.refused == "robots-unreachable":
            return f"not fetched: {self.error}"
        if self.status is None:
            return f"error: {self.error or 'no answer'}"
        if self.error is None or self.error == f"http {self.status}":
            return f"http {self.status}"
        return f"http {self.status}: {self.error}"


@dataclass(frozen=True)
class SourceCheck:
    """What checking one source found: the documents asked for, the links discovery gave
    (`links`, at most the source's `max_pages`) and its other faults (decode, parse,
    limit). `ok` when at least one link was found."""

    source: Source
    requests: tuple[Request, ...]
    links: tuple[Discovered, ...]
    problems: tuple[DiscoveryError, ...]
    dropped_host: int = 0
    dropped_scheme: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.links)

    @property
    def why_not(self) -> str:
        """Why no link was found, in a few words (empty when `ok`)."""
        if self.ok:
            return ""
        failed = [r for r in self.requests
                  if r.error or not (r.status and 200 <= r.status < 300)]
        if failed:
            first = failed[0]
            return "refused by robots.txt" if first.refused == "robots" else first.describe()
        if self.problems:
            return f"{self.problems[0].stage}: {self.problems[0].reason}"
        return "no links matched"


def _recording(client: SourceClient, log: list[Request]) -> Callable[
        [str], tuple[int, dict[str, str], bytes | None, str | None]]:
    """`client.get`, noting each document's outcome in `log`."""

    def get(url: str) -> tuple[int, dict[str, str], bytes | None, str | None]:
        status, headers, body, err = client.get(url)
        refused = None
        if status == 0 and err is not None:
            rules = client.robots.rules(url)  # cached: asked by get() already
            if rules.state == "unreachable":
                refused = "robots-unreachable"
            elif not client.robots.allowed(url):
                refused = "robots"
        log.append(Request(url, status or None, err, refused))
        return status, headers, body, err

    return get


def check_source(source: Source,
                 client_for: Callable[[Source], SourceClient] = source_client) -> SourceCheck:
    """Fetch `source`'s entry page(s) as a run would and run its discovery on them (a
    list source: first list page only); never raises for fetch or parse faults."""
    probe = replace(source, max_list_pages=CHECK_LIST_PAGES) if source.kind == "list" \
        else source
    log: list[Request] = []
    stats = DiscoveryStats()
    links = tuple(discover(probe, _recording(client_for(probe), log), stats))
    return SourceCheck(source=source, requests=tuple(log), links=links,
                       problems=tuple(e for e in stats.errors if e.stage != "fetch"),
                       dropped_host=stats.dropped_host, dropped_scheme=stats.dropped_scheme)


def format_check(c: SourceCheck) -> str:
    """One block per source: each document's status, the link count, the first links."""
    s = c.source
    lines = [f"source {s.name} ({s.kind})"]
    if s.kind == "urls":
        lines.append("  kind urls: nothing to discover; its urls are the pages")
    lines += [f"  {r.url}: {r.describe()}" for r in c.requests]
    scope = " (first list page only)" if s.kind == "list" else ""
    dropped = [f"{n} {what}" for n, what in ((c.dropped_host, "to other hosts"),
                                             (c.dropped_scheme, "not http(s)")) if n]
    extra = f"; dropped {', '.join(dropped)}" if dropped else ""
    lines.append(f"  {len(c.links)} article link(s){scope}{extra}")
    lines += [f"    {i}. {d.title or '(no link text)'} <{d.url}>"
              for i, d in enumerate(c.links[:SHOWN_LINKS], 1)]
    lines += [f"  {p.stage} error: {p.url}: {p.reason}" for p in c.problems]
    return "\n".join(lines)


def format_summary(checks: list[SourceCheck]) -> str:
    """The last line: all found links, or which sources did not (and why, briefly)."""
    bad = [c for c in checks if not c.ok]
    if not bad:
        return f"sources check: all {len(checks)} source(s) found article links"
    named = "; ".join(f"{c.source.name} ({c.why_not})" for c in bad)
    return (f"sources check: {len(bad)} of {len(checks)} source(s) found no article "
            f"links: {named}")
