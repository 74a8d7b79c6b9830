"""One source, start to finish: discover its pages, skip what was fetched recently, retry
what failed last run, and crawl the rest into raw files and the run's spool.

The CLI (one source after another) and the DAG (one mapped task per source) both call
`fetch_source`; neither writes DuckDB here, so sources can be fetched in parallel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ingest.config import Paths
from ingest.fetch.crawl import crawl_source
from ingest.fetch.discover import DiscoveryStats, discover
from ingest.fetch.source_client import source_client
from ingest.fetch.sources import Source
from ingest.fetch.urls import canonical
from ingest.landing.store import LandingStore
from ingest.results import SourceFetched

__all__ = ["SourceFailed", "fetch_source"]


class SourceFailed(RuntimeError):
    """Every page of a source failed (its errors are recorded and retried next run)."""


def fetch_source(source: Source, paths: Paths, run_id: str,
                 progress: Callable[[str], None]) -> SourceFetched:
    """Discover and fetch `source`; raises SourceFailed when pages were found and every
    one of them failed. Last run's failures are retried; unchanged pages cost a
    conditional GET (304)."""
    paths.ensure()
    validators: dict[str, tuple[str | None, str | None]] = {}
    retry: list[str] = []
    fresh: set[str] = set()
    if paths.landing_db.is_file():
        since = datetime.now(UTC) - timedelta(hours=source.revisit_after_hours)
        with LandingStore(paths, read_only=True) as store:
            validators, retry = store.fetch_validators(source), store.failed_urls(source)
            if source.revisit_after_hours > 0:
                fresh = store.recently_fetched(source, since)
    client = source_client(source)

    stats = DiscoveryStats()
    found = list(discover(source, client.get, stats))
    hints = {d.url: d.published_hint.isoformat() if d.published_hint else None for d in found}
    todo = [u for u in (d.url for d in found) if canonical(u) not in fresh]
    summary = crawl_source(source, [*todo, *retry], workdir=paths, run_id=run_id,
                           state=validators, hints=hints, session=client.session,
                           limiter=client.limiter, robots=client.robots)
    name = source.name
    progress(f"fetch {name}: {len(found)} discovered, {len(found) - len(todo)} fetched "
             f"recently (skipped), {summary.fetched} fetched, "
             f"{summary.not_modified} unchanged (304), {summary.errors} errors")
    if found and not summary.fetched and not summary.not_modified and summary.errors:
        raise SourceFailed(f"source {name}: every page failed ({summary.reasons}); "
                           f"errors are recorded and retried next run")
    return SourceFetched(source=name, discovered=len(found),
                         skipped_fresh=len(found) - len(todo),
                         discovery_errors=len(stats.errors), fetched=summary.fetched,
                         not_modified=summary.not_modified, errors=summary.errors,
                         seconds=round(summary.seconds, 2))
