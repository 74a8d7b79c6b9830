"""The process step: decode → parse → normalise → extract every landed page this
extractor version has not done, in worker processes (`ingest.process.pool`), written to
the landing zone a batch at a time."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ingest.config import RunConfig
from ingest.results import Processed
from ingest.steps import Progress, noop

if TYPE_CHECKING:  # pragma: no cover
    from ingest.landing.store import LandingStore
    from ingest.process.pool import Outcome

__all__ = ["BATCH", "WorkerDied", "process_step"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

BATCH = 200


class WorkerDied(RuntimeError):
    """A processing worker process died (killed, out of memory). What finished before it
    is saved; the rest stays pending and the next run (or a retry) takes it."""


def _encodings(cfg: RunConfig) -> dict[str, str]:
    if not cfg.sources_file:
        return {}
    from ingest.fetch.sources import load_sources

    return {s.name: s.encoding for s in load_sources(cfg.sources_file) if s.encoding}


def process_step(cfg: RunConfig, progress: Progress = noop) -> Processed:
    """decode → parse → normalise → extract every landed page not processed yet by this
    extractor version."""
    from concurrent.futures.process import BrokenProcessPool

    from ingest.landing.store import LandingStore
    from ingest.process.extract import extractor_version
    from ingest.process.pool import process_pages

    overrides = _encodings(cfg)
    with LandingStore(cfg.paths) as store:
        # Pages an older extractor processed are processed again (their raw bytes are
        # kept for this); their old rows are replaced in the same transaction.
        version = extractor_version()
        stale = store.count_stale(version)
        if stale:
            progress(f"process: {stale} pages were extracted by an older version; redoing")
        total = store.count_pending(version)
        pending = store.pending_pages(extractor_version=version)  # streamed
        batches = _Batches(store, cfg.run_id, replace=bool(stale))
        i = 0
        try:
            for i, out in enumerate(process_pages(pending, overrides, total=total), 1):
                if not batches.take(out):
                    continue
                if i % 50 == 0 or i == total:
                    progress(f"process: {i}/{total} pages")
        except BrokenProcessPool as exc:
            batches.flush()  # the pages already returned are whole: keep them
            raise WorkerDied(
                f"process: a worker process died (killed, or out of memory?) after {i} of "
                f"{total} pages; those are saved, the other {total - i} stay pending and "
                f"the next run takes them") from exc
        if batches.docs:
            batches.flush()
    return Processed(pages_processed=batches.done, pages_rejected=batches.rejected,
                     mentions=batches.mentions)


class _Batches:
    """Processed pages on their way into the landing zone: their page errors recorded at
    once, their rows written `BATCH` documents at a time, each batch in one transaction
    (with `replace`, the rows an older extractor version wrote are dropped in it)."""

    def __init__(self, store: LandingStore, run_id: str, *, replace: bool) -> None:
        self.store = store
        self.run_id = run_id
        self.replace = replace
        self.docs: list[dict[str, Any]] = []
        self.rows: list[dict[str, Any]] = []
        self.done = self.rejected = self.mentions = 0

    def take(self, out: Outcome) -> bool:
        """One page's outcome; False when processing it failed (its error recorded)."""
        raw, result = out.raw, out.processed
        if result is None:  # a parser bug must not lose the other pages
            logger.error("processing %s failed: %s", raw.url, out.trace)
            self.store.record_error(raw.url, "parse", out.error or "", self.run_id,
                                    sha256=raw.sha256)
            return False
        if result.reject_reason:
            self.rejected += 1
            self.store.record_error(raw.url, "decode" if result.reject_reason.startswith(
                "undecodable") else "parse", result.reject_reason, self.run_id,
                sha256=raw.sha256)
        self.docs.append(result.document)
        self.rows.extend(result.mentions)
        self.done += 1
        self.mentions += len(result.mentions)
        if len(self.docs) >= BATCH:
            self.flush()
        return True

    def flush(self) -> None:
        with self.store.transaction():
            if self.replace:
                self.store.delete_documents([d["document_id"] for d in self.docs])
            self.store.insert_documents(self.docs)
            self.store.insert_mentions(self.rows)
        self.docs.clear()
        self.rows.clear()
