"""Land a run's fetch spool: the single-writer half of fetching (fetch tasks write spool
files and raw bytes; one writer turns them into `raw_pages`, `fetch_state` and
`page_errors` rows)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ingest.landing.raw import RAW_PAGE_COLUMNS, raw_file_path, raw_page_row, sha256_hex, utc_naive

if TYPE_CHECKING:  # pragma: no cover
    from ingest.landing.store import LandingStore

__all__ = ["IngestSummary", "SPOOL_BATCH", "ingest_spool"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

SPOOL_BATCH = 500  # spool records landed per transaction
PAGE_ERROR_COLUMNS = ("url", "sha256", "stage", "reason", "recorded_at", "run_id")
FETCH_STATE_COLUMNS = ("url", "source", "etag", "last_modified", "last_status", "last_sha256",
                       "last_fetched_at", "last_error", "consecutive_failures")


@dataclass(frozen=True)
class IngestSummary:
    """What `LandingStore.ingest_spool` did with a run's spool records."""

    records: int = 0
    landed_new: int = 0  # new raw_pages rows
    landed_known: int = 0  # bytes fetched fine but already in raw_pages
    not_modified: int = 0  # 304s
    errors: int = 0  # page_errors rows written (fetch failures, missing raw files)
    skipped: int = 0  # already ingested (same url, same or older fetched_at)



def ingest_spool(store: LandingStore, records: Iterable[Any], run_id: str | None,
                 batch_size: int = SPOOL_BATCH) -> IngestSummary:
    """Land a run's `ingest.landing.spool.SpoolRecord`s (the single-writer half of fetching).

    Records are taken `batch_size` at a time, each batch in one transaction: bytes
    whose file is complete and matches its sha256 go to `raw_pages` (once per
    content; the first URL that brought it keeps the row); the URL's `fetch_state`
    row is upserted (validators, last status/sha256/error, `consecutive_failures`);
    a failure goes to `page_errors` (stage 'fetch'). A record not newer than the
    URL's `last_fetched_at` was ingested already and is skipped, so ingesting a spool
    twice (e.g. after a crash, which rolls back at most the batch in flight) changes
    nothing. Lookups and writes are set-based per batch: per-record statements cost
    ~7 ms a page (measured), a batch costs a few statements.
    """
    totals = IngestSummary()
    chunk: list[Any] = []
    for r in records:
        chunk.append(r)
        if len(chunk) >= batch_size:
            totals = _ingest_batch(store, chunk, run_id, totals)
            chunk = []
    if chunk:
        totals = _ingest_batch(store, chunk, run_id, totals)
    logger.info("ingested spool: %s", totals)
    return totals


def _ingest_batch(store: LandingStore, chunk: list[Any], run_id: str | None,
                  totals: IngestSummary) -> IngestSummary:
    """One batch: two set-based lookups, each record judged against them, then the three
    row lists written in one transaction."""
    batch = _Batch(store, chunk, run_id, totals)
    for r in chunk:
        batch.take(r)
    with store.transaction():
        store.insert_rows("raw_pages", RAW_PAGE_COLUMNS, batch.raw_rows)
        store.insert_rows("page_errors", PAGE_ERROR_COLUMNS, batch.error_rows)
        if batch.state_rows:
            store.con.execute("delete from fetch_state where url in "
                              "(select unnest(?::varchar[]))", [list(batch.state_rows)])
            store.insert_rows("fetch_state", FETCH_STATE_COLUMNS,
                              list(batch.state_rows.values()))
    return IngestSummary(**batch.counts)


class _Batch:
    """What one batch of spool records turns into: the counters (carried on from the
    batches before) and the raw_pages, page_errors and fetch_state rows to write."""

    def __init__(self, store: LandingStore, chunk: list[Any], run_id: str | None,
                 totals: IngestSummary) -> None:
        self.store = store
        self.run_id = run_id
        urls = sorted({r.url for r in chunk})
        # url -> (last_fetched_at, etag, last_modified, last_sha256, consecutive_failures)
        self.state: dict[str, tuple[Any, ...]] = {
            row[0]: tuple(row[1:]) for row in store.con.execute(
                "select url, last_fetched_at, etag, last_modified, last_sha256, "
                "consecutive_failures from fetch_state "
                "where url in (select unnest(?::varchar[]))", [urls]).fetchall()}
        shas = sorted({r.sha256 for r in chunk if r.sha256})
        self.stored = {row[0] for row in store.con.execute(
            "select sha256 from raw_pages where sha256 in (select unnest(?::varchar[]))",
            [shas]).fetchall()}
        self.counts = asdict(totals)
        self.raw_rows: list[tuple[Any, ...]] = []
        self.error_rows: list[tuple[Any, ...]] = []
        self.state_rows: dict[str, tuple[Any, ...]] = {}

    def take(self, r: Any) -> None:
        """Count one record and add its rows: a 304 keeps the URL's validators, a body is
        checked against its raw file, a failure is a page error and one more
        consecutive failure; a record not newer than the URL's state is skipped."""
        self.counts["records"] += 1
        fetched = utc_naive(r.fetched_at)
        prev = self.state.get(r.url)
        if prev is not None and prev[0] is not None and prev[0] >= fetched:
            self.counts["skipped"] += 1
            return
        _, p_etag, p_lm, p_sha, p_fail = prev if prev else (None, None, None, None, 0)
        error: str | None = r.error
        row: tuple[Any, ...] = ()
        if error is None and r.not_modified:
            self.counts["not_modified"] += 1
            row = (r.etag or p_etag, r.last_modified or p_lm, r.status, p_sha, None, 0)
        elif error is None and r.sha256:
            error = self._land_body(r, fetched)
            if error is None:
                row = (r.etag, r.last_modified, r.status, r.sha256, None, 0)
        elif error is None:
            error = "no body and no error recorded"
        if error is not None:
            self.counts["errors"] += 1
            self.error_rows.append((r.url, None, "fetch", error, utc_naive(None), self.run_id))
            row = (p_etag, p_lm, r.status, p_sha, error, int(p_fail or 0) + 1)
        self.state[r.url] = (fetched, row[0], row[1], row[3], row[5])
        self.state_rows[r.url] = (r.url, r.source, row[0], row[1], row[2], row[3], fetched,
                                  row[4], row[5])

    def _land_body(self, r: Any, fetched: datetime) -> str | None:
        """A raw_pages row for the record's bytes when its raw file is whole and new;
        what is wrong with the file otherwise (None: nothing)."""
        from ingest.fetch.urls import canonical

        paths = self.store.paths
        path = raw_file_path(paths.raw_dir, r.sha256)
        body = path.read_bytes() if path.is_file() else None
        if body is None:
            return f"raw file missing: {path.relative_to(paths.workdir)}"
        if sha256_hex(body) != r.sha256:
            return "raw file does not match its sha256 (incomplete write?)"
        if r.sha256 in self.stored:
            self.counts["landed_known"] += 1
            return None
        self.stored.add(r.sha256)
        self.counts["landed_new"] += 1
        self.raw_rows.append(raw_page_row(
            r.sha256, canonical(r.final_url or r.url), r.source, fetched, r.status,
            r.headers, len(body), path.relative_to(paths.workdir).as_posix(),
            {"published_at": r.published_hint} if r.published_hint else None))
        return None
