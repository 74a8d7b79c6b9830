"""The fetch state a crawl reads back from the landing zone: per source URL, the
conditional-GET validators of its last landed content, what was fetched recently, and
what failed last time (`fetch_state`, written when a run's spool is landed:
`ingest.landing.spool_ingest`).

`FetchStateQueries` is mixed into `ingest.landing.store.LandingStore`; all values go to
DuckDB as bound parameters.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from ingest.landing.raw import utc_naive

__all__ = ["FetchStateQueries"]


class FetchStateQueries:
    """A source's fetch state on a landing store (`con`: its connection)."""

    if TYPE_CHECKING:  # LandingStore provides it; declared here for the type checker only

        @property
        def con(self) -> duckdb.DuckDBPyConnection: ...

    def fetch_validators(self, source: Any) -> dict[str, tuple[str | None, str | None]]:
        """url -> (etag, last_modified) for a source's URLs whose last landed content is
        still in raw_pages: the conditional-GET state for the next crawl."""
        name = source if isinstance(source, str) else source.name
        rows = self.con.execute(
            "select f.url, f.etag, f.last_modified from fetch_state f "
            "where f.source = ? and (f.etag is not null or f.last_modified is not null) "
            "and f.last_sha256 is not null "
            "and exists (select 1 from raw_pages r where r.sha256 = f.last_sha256)",
            [name]).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def recently_fetched(self, source: Any, since: datetime) -> set[str]:
        """A source's URLs fetched without error at or after `since` (UTC): not worth
        asking for again yet."""
        name = source if isinstance(source, str) else source.name
        rows = self.con.execute(
            "select url from fetch_state where source = ? and last_error is null "
            "and last_fetched_at >= ?", [name, utc_naive(since)]).fetchall()
        return {r[0] for r in rows}

    def failed_urls(self, source: Any) -> list[str]:
        """A source's URLs whose last fetch failed (to retry on the next run)."""
        name = source if isinstance(source, str) else source.name
        rows = self.con.execute(
            "select url from fetch_state where source = ? and last_error is not null "
            "order by url", [name]).fetchall()
        return [r[0] for r in rows]
