"""The landing zone: raw bytes on disk, content-addressed, and their rows in DuckDB.

`LandingStore(workdir)` opens (and creates) `workdir/landing.duckdb` with the DDL
in `ingest/landing/landing.sql`. `land()` writes the bytes to
`workdir/raw/<sha[:2]>/<sha256>` atomically (temp file, fsync, `os.replace`,
directory fsync) and only then inserts the `raw_pages` row, so a crash in
between leaves a file that the next run finds and re-lands idempotently.

All values go to DuckDB as bound parameters or as a registered DataFrame; no SQL
is ever built from values.
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
import pandas as pd

from ingest.config import Paths
from ingest.landing.exclusions import ExclusionLedger
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
# Tables whose rows callers may insert in bulk (fixed names: never taken from input).
BULK_TABLES = ("documents", "mentions")
# What identifies a row's content in each table a build reads (LandingStore.state_digest).
_STATE_KEYS = (
    ("raw_pages", "sha256, url, fetched_at, sidecar"),
    ("documents", "document_id, sha256, extractor_version, processed_at"),
    ("mentions", "mention_id, extractor_version"),
    ("page_errors", "url, stage, reason, recorded_at"),
    ("quarantine", "mention_id, expectation, quarantined_at"),
    ("exclusions", "document_id, excluded_at, included_at"),
)


def _naive_utc_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn tz-aware timestamps (datetime64[tz] or datetime objects) into naive UTC."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_convert("UTC").dt.tz_localize(None)
        elif s.dtype == object and any(isinstance(v, datetime) and v.tzinfo is not None
                                       for v in s):
            out[col] = [utc_naive(v) if isinstance(v, datetime) else v for v in s]
    return out


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


class LandingStore(ExclusionLedger):
    """The one writer of `landing.duckdb` and `raw/`. Use as a context manager. The
    exclusion ledger's methods (`exclude`, `include`, `exclusions`): ExclusionLedger."""

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

    # ------------------------------------------------------------------ validation history
    def record_validation(self, *, run_id: str, passed: bool, blocking: int, warnings: int,
                          expectations: int, report_dir: str, summary: str,
                          failures: list[dict[str, Any]],
                          build_sha256: str | None = None) -> None:
        """One quality-gate run (replaces an earlier row of the same run id)."""
        self.con.execute("delete from validation_runs where run_id = ?", [run_id])
        self.con.execute(
            "insert into validation_runs (run_id, validated_at, passed, blocking_count, "
            "warning_count, expectations, report_dir, summary, failures, build_sha256) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, utc_naive(None), passed, blocking, warnings, expectations, report_dir,
             summary, json.dumps(failures, ensure_ascii=False, default=str), build_sha256])

    def validated_build(self, run_id: str) -> tuple[bool, str | None] | None:
        """(passed, sha256 of the build copy it validated) for a run's gate; None: none."""
        row = self.con.execute("select passed, build_sha256 from validation_runs "
                               "where run_id = ?", [run_id]).fetchone()
        return None if row is None else (bool(row[0]), row[1])

    def validation_runs(self, *, failed_only: bool = False,
                        limit: int = 20) -> list[dict[str, Any]]:
        where = "where not passed" if failed_only else ""
        cur = self.con.execute(
            f"select * from validation_runs {where} order by validated_at desc limit ?",
            [limit])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def quarantine(self, rows: Iterable[Mapping[str, Any]], run_id: str) -> int:
        """Set mentions aside (the gate's row-level failures); a mention quarantined once
        stays out. Returns how many were new."""
        now = utc_naive(None)
        new = 0
        for r in rows:
            exists = self.con.execute("select count(*) from quarantine where mention_id = ?",
                                      [r["mention_id"]]).fetchone()
            if exists and exists[0]:
                continue
            self.con.execute(
                "insert into quarantine (mention_id, document_id, url, sentence, raw_text, "
                "expectation, reason, run_id, quarantined_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [r["mention_id"], r["document_id"], r.get("url"), r.get("sentence"),
                 r.get("raw_text"), r["expectation"], r.get("reason") or r["expectation"],
                 run_id, now])
            new += 1
        return new

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

    # ------------------------------------------------------------------ bulk inserts
    def table_columns(self, table: str) -> list[str]:
        rows = self.con.execute(
            "select column_name from information_schema.columns "
            "where table_name = ? order by ordinal_position", [table]).fetchall()
        return [r[0] for r in rows]

    def _insert_frame(self, table: str, rows: pd.DataFrame | Iterable[Any],
                      columns: Sequence[str] | None) -> int:
        if table not in BULK_TABLES:
            raise ValueError(f"bulk insert only into {BULK_TABLES}, not {table!r}")
        known = self.table_columns(table)
        if isinstance(rows, pd.DataFrame):
            frame = rows
        else:
            items = list(rows)
            if not items:
                return 0
            if isinstance(items[0], Mapping):
                frame = pd.DataFrame.from_records(items)
            else:
                cols = list(columns) if columns is not None else known
                frame = pd.DataFrame.from_records(items, columns=cols)
        if frame.empty:
            return 0
        frame = _naive_utc_frame(frame)
        if columns is not None and isinstance(rows, pd.DataFrame):
            frame = frame[list(columns)]
        unknown = [c for c in frame.columns if c not in known]
        if unknown:
            raise ValueError(f"{table}: unknown column(s) {unknown}; table has {known}")
        cols = [c for c in known if c in frame.columns]
        col_sql = ", ".join(f'"{c}"' for c in cols)  # names checked against the schema above
        view = f"_zw_bulk_{table}"
        self.con.register(view, frame[cols])
        try:
            self.con.execute(f"insert into {table} ({col_sql}) select {col_sql} from {view}")
        finally:
            self.con.unregister(view)
        return len(frame)

    def insert_documents(self, rows: pd.DataFrame | Iterable[Any],
                         columns: Sequence[str] | None = None) -> int:
        """Insert `documents` rows: a DataFrame, mappings (column -> value), or tuples in
        `columns` order (default: the table's column order). Returns the row count."""
        return self._insert_frame("documents", rows, columns)

    def insert_mentions(self, rows: pd.DataFrame | Iterable[Any],
                        columns: Sequence[str] | None = None) -> int:
        """Insert `mentions` rows; same forms as `insert_documents`."""
        return self._insert_frame("mentions", rows, columns)

    # ------------------------------------------------------------------ fetch spool
    def ingest_spool(self, records: Iterable[Any], run_id: str | None,
                     batch_size: int = SPOOL_BATCH) -> IngestSummary:
        """Land a run's spool records (`ingest.landing.spool_ingest.ingest_spool`)."""
        return ingest_spool(self, records, run_id, batch_size)

    def insert_rows(self, table: str, columns: Sequence[str],
                     rows: list[tuple[Any, ...]]) -> None:
        """Insert tuples into one of the landing's own tables in one statement."""
        if not rows:
            return
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
        col_sql = ", ".join(columns)  # fixed names from this module
        view = f"_zw_rows_{table}"
        self.con.register(view, frame)
        try:
            self.con.execute(f"insert into {table} ({col_sql}) select {col_sql} from {view}")
        finally:
            self.con.unregister(view)

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
