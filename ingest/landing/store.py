"""The landing zone: raw bytes on disk, content-addressed, and their rows in DuckDB.

`LandingStore(workdir)` opens (and creates) `workdir/landing.duckdb` with the DDL
in `ingest/landing/landing.sql`. `land()` writes the bytes to
`workdir/raw/<sha[:2]>/<sha256>` atomically (temp file, fsync, `os.replace`,
directory fsync) and only then inserts the `raw_pages` row, so a crash in
between leaves a file that the next run finds and re-lands idempotently.

All values go to DuckDB as bound parameters or as a registered DataFrame; no SQL
is ever built from values. The store's other jobs live beside it and are mixed in:
`bulk` (bulk inserts), `gate_history` (validation runs, quarantine), `fetch_state`
(what a crawl reads back) and `exclusions` (the exclusion ledger).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from ingest.config import Paths
from ingest.landing.bulk import BULK_TABLES, BulkInserts
from ingest.landing.exclusions import ExclusionLedger
from ingest.landing.fetch_state import FetchStateQueries
from ingest.landing.gate_history import GateHistory
from ingest.landing.raw import (
    RAW_PAGE_COLUMNS,
    TMP_PREFIX,
    raw_file_path,
    raw_page_row,
    sha256_hex,
    utc_naive,
    write_raw_file,
)
from ingest.landing.spool_ingest import SPOOL_BATCH, IngestSummary, ingest_spool

__all__ = ["LandingStore", "LandResult", "RawPage", "ERROR_STAGES", "sha256_hex",
           "IngestSummary", "raw_file_path", "write_raw_file"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

DDL_PATH = Path(__file__).resolve().parent / "landing.sql"
ERROR_STAGES = ("fetch", "read", "decode", "parse", "extract")
# What identifies a row's content in each table a build reads (LandingStore.state_digest).
_STATE_KEYS = (
    ("raw_pages", "sha256, url, fetched_at, sidecar"),
    ("documents", "document_id, sha256, extractor_version, processed_at"),
    ("mentions", "mention_id, extractor_version"),
    ("page_errors", "url, stage, reason, recorded_at"),
    ("quarantine", "mention_id, expectation, quarantined_at"),
    ("exclusions", "document_id, excluded_at, included_at"),
)


@dataclass(frozen=True)
class LandResult:
    sha256: str
    path: Path
    is_new: bool


@dataclass(frozen=True)
class RawPage:
    """One `raw_pages` row; `path` is absolute."""

    sha256: str
    url: str
    source: str | None
    fetched_at: datetime
    http_status: int | None
    headers: dict[str, str]
    size: int
    path: Path
    sidecar: dict[str, Any] | None

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


class LandingStore(BulkInserts, GateHistory, FetchStateQueries, ExclusionLedger):
    """The one writer of `landing.duckdb` and `raw/`. Use as a context manager.

    Here: the connection, raw bytes and their rows, page errors, reading pages back and
    the state digest. Mixed in: bulk inserts (`insert_documents`, `insert_mentions`,
    `insert_rows`: BulkInserts), the gate's history (`record_validation`,
    `validated_build`, `validation_runs`, `quarantine`: GateHistory), the fetch state
    (`fetch_validators`, `recently_fetched`, `failed_urls`: FetchStateQueries) and the
    exclusion ledger (`exclude`, `include`, `exclusions`: ExclusionLedger)."""

    def __init__(self, workdir: str | Path | Paths, *, read_only: bool = False) -> None:
        self.paths = workdir if isinstance(workdir, Paths) else Paths.create(workdir)
        self.read_only = read_only
        if not read_only:
            self.paths.workdir.mkdir(parents=True, exist_ok=True)
            self.paths.raw_dir.mkdir(parents=True, exist_ok=True)
        self._con: duckdb.DuckDBPyConnection | None = duckdb.connect(
            str(self.paths.landing_db), read_only=read_only)
        if not read_only:
            self._con.execute(DDL_PATH.read_text(encoding="utf-8"))
            self._sweep_temp_files()

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> LandingStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise RuntimeError("LandingStore is closed")
        return self._con

    def _sweep_temp_files(self) -> None:
        """Remove temp files a crashed writer left behind (we are the only writer)."""
        for tmp in self.paths.raw_dir.glob(f"*/{TMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                logger.info("removed stale temp file %s", tmp)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing block, e.g. one page's document row and its mentions."""
        self.con.execute("begin transaction")
        try:
            yield self.con
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    # ------------------------------------------------------------------ raw bytes
    def raw_path(self, sha256: str) -> Path:
        return raw_file_path(self.paths.raw_dir, sha256)

    def _write_raw(self, sha256: str, body: bytes) -> Path:
        return write_raw_file(self.paths.raw_dir, sha256, body)

    def land(self, body: bytes, *, url: str, source: str | None, fetched_at: datetime,
             http_status: int | None = None, headers: Mapping[str, str] | None = None,
             sidecar: Mapping[str, Any] | None = None) -> LandResult:
        """Store `body` byte-for-byte; one `raw_pages` row per distinct content.

        The first URL that brought a given content keeps the row; landing the same
        bytes again (any URL) returns `is_new=False` and changes nothing.
        """
        sha = sha256_hex(body)
        path = self._write_raw(sha, body)
        rel = path.relative_to(self.paths.workdir).as_posix()
        exists = self.con.execute(
            "select count(*) from raw_pages where sha256 = ?", [sha]).fetchone()
        if exists is not None and exists[0]:
            return LandResult(sha256=sha, path=path, is_new=False)
        self.con.execute(
            f"insert into raw_pages ({', '.join(RAW_PAGE_COLUMNS)}) "
            f"values ({', '.join('?' for _ in RAW_PAGE_COLUMNS)})",
            list(raw_page_row(sha, url, source, fetched_at, http_status, headers, len(body),
                               rel, sidecar)))
        logger.debug("landed %s (%d bytes) from %s", sha[:12], len(body), url)
        return LandResult(sha256=sha, path=path, is_new=True)

    # ------------------------------------------------------------------ errors
    def record_error(self, url: str, stage: str, reason: str, run_id: str | None,
                     sha256: str | None = None) -> None:
        if stage not in ERROR_STAGES:
            raise ValueError(f"unknown error stage {stage!r}; expected one of {ERROR_STAGES}")
        self.con.execute(
            "insert into page_errors (url, sha256, stage, reason, recorded_at, run_id) "
            "values (?, ?, ?, ?, ?, ?)",
            [url, sha256, stage, reason, utc_naive(None), run_id],
        )

    # ------------------------------------------------------------------ reading
    def _raw_pages(self, where: str, params: Sequence[Any] = (),
                   limit: int | None = None) -> list[RawPage]:
        rows = self.con.execute(
            "select sha256, url, source, fetched_at, http_status, headers, size, path, sidecar "
            f"from raw_pages r {where} order by fetched_at, sha256"
            + ("" if limit is None else f" limit {int(limit)}"), list(params)).fetchall()
        return [
            RawPage(sha256=r[0], url=r[1], source=r[2], fetched_at=r[3], http_status=r[4],
                    headers=json.loads(r[5]) if r[5] else {}, size=r[6],
                    path=self.paths.workdir / r[7],
                    sidecar=json.loads(r[8]) if r[8] else None)
            for r in rows
        ]

    @staticmethod
    def _pending(extractor_version: str | None) -> tuple[str, list[Any]]:
        if extractor_version is None:
            return "not exists (select 1 from documents d where d.sha256 = r.sha256)", []
        return ("not exists (select 1 from documents d where d.sha256 = r.sha256 "
                "and d.extractor_version = ?)", [extractor_version])

    def count_pending(self, extractor_version: str | None = None) -> int:
        """How many raw pages have no `documents` row yet (or, given a version, none
        written by that extractor version)."""
        pending, params = self._pending(extractor_version)
        row = self.con.execute(f"select count(*) from raw_pages r where {pending}",  # noqa: S608 (fixed SQL)
                               params).fetchone()
        return int(row[0]) if row else 0

    def state_digest(self) -> str:
        """A digest of everything in the landing zone a build reads: pages, documents,
        mentions, page errors, quarantine and the exclusion ledger (not validation
        history, which each gate appends to). Equal digests mean a build would publish
        the same facts; one scan of each table, order-free (xor of row hashes)."""
        h = hashlib.sha256()
        for table, key in _STATE_KEYS:
            row = self.con.execute(
                f"select count(*), coalesce(bit_xor(hash({key})), 0) from {table}"  # noqa: S608 (fixed SQL)
            ).fetchone()
            h.update(f"{table}:{row[0] if row else 0}:{row[1] if row else 0};".encode())
        return h.hexdigest()[:16]

    def count_stale(self, extractor_version: str) -> int:
        """How many `documents` rows another extractor version wrote."""
        row = self.con.execute("select count(*) from documents where extractor_version <> ?",
                               [extractor_version]).fetchone()
        return int(row[0]) if row else 0

    def pending_pages(self, page_size: int = 1000,
                      extractor_version: str | None = None) -> Iterator[RawPage]:
        """Raw pages `count_pending` counts, oldest first, read `page_size` rows at a
        time (keyset on fetched_at, sha256): a backlog of any size is streamed, and the
        caller may write documents between pages (a processed page is simply not seen
        again; one that failed is not re-read in this pass)."""
        pending, params = self._pending(extractor_version)
        batch = self._raw_pages(f"where {pending}", params, limit=page_size)
        while batch:
            yield from batch
            last = batch[-1]
            batch = self._raw_pages(
                f"where {pending} and (r.fetched_at, r.sha256) > (?, ?)",
                [*params, last.fetched_at, last.sha256], limit=page_size)

    def delete_documents(self, document_ids: Sequence[str]) -> None:
        """Drop documents and their mentions (before a page's rows are written again)."""
        if document_ids:
            for table in ("mentions", "documents"):  # fixed names
                self.con.execute(f"delete from {table} where document_id in "  # noqa: S608
                                 "(select unnest(?))", [list(document_ids)])

    def raw_pages(self) -> list[RawPage]:
        return self._raw_pages("")

    def count(self, table: str) -> int:
        if table not in ("raw_pages", "page_errors", *BULK_TABLES):
            raise ValueError(f"unknown landing table {table!r}")
        row = self.con.execute(f"select count(*) from {table}").fetchone()
        return int(row[0]) if row else 0

    # ------------------------------------------------------------------ fetch spool
    def ingest_spool(self, records: Iterable[Any], run_id: str | None,
                     batch_size: int = SPOOL_BATCH) -> IngestSummary:
        """Land a run's spool records (`ingest.landing.spool_ingest.ingest_spool`)."""
        return ingest_spool(self, records, run_id, batch_size)


