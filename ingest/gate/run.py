"""Quality gate: Great Expectations suites on the build copy decide whether it is published.

The reviewed source of truth is `expectations/gate.yml` (every threshold, every
expectation's severity). From it this module builds a GX 1.x file context:
pandas data source -> one dataframe asset + whole-dataframe batch definition per
table -> suites -> one validation definition per (suite, table) -> per table, one
checkpoint for row-wise expectations and one for whole-column ones (uniqueness);
Data Docs are built once after the last checkpoint.
`python -m ingest.gate.run sync` writes that context to `expectations/gx/` for
review; each gate run builds the same context fresh under `<report_dir>/gx/`
(so runs never write into the repository) and runs it.

Tables are read from the build copy with DuckDB opened read-only into pandas
(GX's SQL datasource on duckdb-engine returns no rows on this stack): row-wise
expectations run on bounded chunks and their results are summed, whole-column ones on
a frame of just their columns (ingest.gate.frames), so memory does not grow with the
widest table. Checks
that need a join (raw_text == the slice of the document text, ids present in
another table) are computed as boolean columns by the DuckDB query and then
validated by GX like any other column.

Outputs in `report_dir`: `gate.json` (every expectation's outcome),
`summary.txt` (what failed, how many rows, three example rows with page URL and
sentence, where to look first) and Data Docs under `docs/`.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.config import ConfigError
from ingest.gate.context import build_context, context_drift, sync_context
from ingest.gate.frames import (
    chunks,
    columns_read,
    count_rows,
    decode,
    encodable,
    rows_by_key,
    whole_frame,
)
from ingest.gate.spec import (
    DEFAULT_CONFIG,
    FACT_TABLES,
    ROW_KEY,
    TABLE_QUERIES,
    GateSpec,
    TableSource,
    checkpoint_name,
    load_spec,
)

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pandas as pd

__all__ = [
    "DEFAULT_CONFIG",
    "Failure",
    "GateResult",
    "GateSpec",
    "TABLE_QUERIES",
    "context_drift",
    "load_spec",
    "run_gate",
    "sync_context",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Failure:
    """One expectation that did not pass on one table."""

    suite: str
    expectation: str
    table: str
    severity: str  # "block" | "warn" | "quarantine"
    unexpected_count: int | None  # rows (or tables, for row_counts) that failed; None: errored
    examples: tuple[Mapping[str, Any], ...]
    hint: str
    element_count: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class GateResult:
    passed: bool
    blocking: tuple[Failure, ...]
    warnings: tuple[Failure, ...]
    report_path: Path
    summary_path: Path
    docs_path: Path | None
    expectations_run: int = 0
    seconds: float = 0.0
    # Row-level mention failures set aside rather than blocking: every failing row, with
    # the expectation that failed it (the pipeline quarantines them and rebuilds).
    quarantined: tuple[Failure, ...] = ()
    quarantine_rows: tuple[Mapping[str, Any], ...] = ()


def _quarantine_row(row: Mapping[str, Any], expectation: str, hint: str) -> dict[str, Any]:
    return {"mention_id": str(row["mention_id"]), "document_id": str(row["document_id"]),
            "url": None if _is_null(row.get("url")) else str(row.get("url")),
            "sentence": str(row.get("sentence") or ""),
            "raw_text": str(row.get("raw_text") or ""), "expectation": expectation,
            "reason": hint}


def _is_null(v: Any) -> bool:
    import pandas as pd

    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):  # a list or other container
        return False


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if hasattr(v, "item") and not hasattr(v, "__len__"):  # numpy scalar
        return _jsonable(v.item())
    try:
        import pandas as pd

        if v is pd.NaT or (not isinstance(v, list | tuple | dict) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _row_positions(frame: pd.DataFrame, items: Any) -> list[int]:
    """Positions in `frame` of the rows GX listed by ROW_KEY (COMPLETE or partial lists)."""
    if frame.empty:
        return []
    first = int(frame[ROW_KEY].iloc[0])  # chunks number their rows across the table
    rows: list[int] = []
    for item in items or ():
        r = item.get(ROW_KEY) if isinstance(item, Mapping) else None
        if r is not None and 0 <= int(r) - first < len(frame):
            rows.append(int(r) - first)
    return sorted(set(rows))


def _example_rows(frame: pd.DataFrame, src: TableSource, result: Mapping[str, Any],
                  columns: list[str], n: int) -> list[dict[str, Any]]:
    """Up to n failing rows with their key, the validated columns that failed and whatever
    context the frame holds (the rest is read back by key once the table is done:
    `_with_context`)."""
    show = [c for c in dict.fromkeys([src.key, *columns, *src.context, src.url, src.sentence])
            if c and c in frame.columns]
    return [{c: _jsonable(frame[c].iloc[r]) for c in show}
            for r in _row_positions(frame, result.get("partial_unexpected_index_list"))[:n]]


def _with_context(examples: list[dict[str, Any]], src: TableSource,
                  back: Mapping[Any, Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Examples with the table's context, URL and sentence from their rows read back by
    key (whole values, where the frame held only a column's nullness or its rank)."""
    out = []
    for ex in examples:
        row = back.get(ex.get(src.key), {})
        show = dict.fromkeys([*ex, *src.context, src.url, src.sentence])
        out.append({c: _jsonable(row[c] if c in row else ex[c]) for c in show
                    if c and (c in ex or c in row)})
    return tuple(out)


@dataclass
class _Tally:
    """One expectation on one table, summed over the chunks it ran on.

    Row-wise expectations (the only ones run on more than one chunk) count rows
    independently, so the table's result is the sum of its chunks': unexpected, element
    and missing counts add up, and `mostly` is judged on the sums the way GX judges one
    batch (unexpected share of the rows considered)."""

    suite: str
    name: str
    type: str
    severity: str
    hint: str
    columns: list[str]
    mostly: float | None
    chunks: int = 0
    all_passed: bool = True
    errored: bool = False
    error: str | None = None
    unexpected: int | None = 0
    elements: int = 0
    missing: int = 0
    observed: Any = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    failing_keys: list[Any] = field(default_factory=list)
    too_many: bool = False  # more failing rows than could ever be quarantined
    encoded: frozenset[str] = frozenset()  # columns GX saw as ranks (gate_frames.decode)

    @classmethod
    def of(cls, r: Any, when: Mapping[tuple[str, str], tuple[str, ...]]) -> _Tally:
        cfg = r.expectation_config
        meta = cfg.meta or {}
        suite, name = str(meta.get("suite")), str(meta.get("name") or cfg.type)
        kwargs = cfg.to_json_dict().get("kwargs") or {}
        return cls(suite=suite, name=name, type=cfg.type,
                   severity=str(meta.get("severity") or "block"), hint=str(meta.get("hint") or ""),
                   columns=[*_failure_columns(kwargs), *when.get((suite, name), ())],
                   mostly=kwargs.get("mostly"))

    def add(self, r: Any, frame: pd.DataFrame, src: TableSource, n_examples: int,
            key_cap: int) -> None:
        res = dict(r.result or {})
        exc = r.exception_info or {}
        self.chunks += 1
        if exc.get("raised_exception"):
            self.errored = True
            self.error = self.error or str(exc.get("exception_message"))
        count = res.get("unexpected_count")
        self.unexpected = None if count is None or self.unexpected is None \
            else self.unexpected + int(count)
        self.elements += int(res.get("element_count") or 0)
        self.missing += int(res.get("missing_count") or 0)
        self.observed = res.get("observed_value")
        self.all_passed = self.all_passed and bool(r.success)
        if r.success:
            return
        if len(self.examples) < n_examples:
            self.examples += _example_rows(frame, src, res, self.columns,
                                           n_examples - len(self.examples))
        if self.severity == "quarantine" and not self.too_many:
            rows = _row_positions(frame, res.get("unexpected_index_list"))
            self.failing_keys += [frame[src.key].iloc[i] for i in rows]
            if len(self.failing_keys) > key_cap:
                self.too_many, self.failing_keys = True, []

    @property
    def success(self) -> bool:
        if self.errored:
            return False
        if self.chunks <= 1 or self.mostly is None:
            return self.all_passed
        considered = self.elements - self.missing
        if considered <= 0:
            return True
        return self.unexpected is not None and \
            (considered - self.unexpected) / considered >= float(self.mostly)

    def outcome(self, table: str) -> dict[str, Any]:
        return {"suite": self.suite, "table": table, "expectation": self.name,
                "type": self.type, "severity": self.severity, "success": self.success,
                "errored": self.errored, "unexpected_count": self.unexpected,
                "element_count": self.elements, "observed_value": _jsonable(self.observed),
                "chunks": self.chunks}


def _failure_columns(kw: Mapping[str, Any]) -> list[str]:
    cols = [kw.get("column"), kw.get("column_A"), kw.get("column_B")]
    return [c for c in cols if isinstance(c, str)]


# --------------------------------------------------------------------------- reading


def _duckdb_config() -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB's cap while the gate reads: ZONEWATCH_GATE_DUCKDB_MEMORY_LIMIT, default
    512MB. Reading mentions joins every page's text; past the cap DuckDB spills to disk
    instead of growing (at 100k pages its 80%-of-RAM default took gigabytes)."""
    return {"memory_limit": os.environ.get("ZONEWATCH_GATE_DUCKDB_MEMORY_LIMIT", "512MB")}


def _parameters(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """$PARAMETER values in gate.yml: the ids dim_region / dim_indicator hold."""
    import duckdb

    params: dict[str, list[str]] = {}
    for pname, dim, col in (("region_ids", "dim_region", "region_id"),
                            ("indicator_ids", "dim_indicator", "indicator_id")):
        try:
            params[pname] = [str(r[0]) for r in con.execute(
                f'select distinct "{col}" from main."{dim}" '  # noqa: S608 (fixed names)
                f'where "{col}" is not null order by 1').fetchall()]
        except duckdb.Error:
            params[pname] = []  # the table's own readability check reports it
    return params


def _drop_gx_batches(ctx: Any) -> None:
    """Let go of the frames GX cached for the table just validated.

    The pandas datasource keeps one execution engine whose BatchManager holds every batch
    and its DataFrame (`_batch_data_cache`; `reset_batch_cache()` leaves that one). At
    100k pages that kept all tables alive: 4.5 GB peak instead of the largest table's."""
    from ingest.gate.spec import DATASOURCE

    try:
        manager = ctx.data_sources.get(DATASOURCE).get_execution_engine().batch_manager
        manager.reset_batch_cache()
        manager._batch_data_cache.clear()
        manager._active_batch_data_id = None
    except (AttributeError, KeyError, LookupError) as e:
        # private GX state: a GX upgrade may move it; the gate still works, with more memory
        logger.warning("could not drop GX's cached batches (%s); the gate keeps each "
                       "table in memory until it returns", e)


def _release_memory() -> None:
    """Hand freed heap back to the OS (glibc keeps it otherwise): the gate runs inside
    long-lived Airflow workers and the CLI's pipeline, after the biggest allocations."""
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError):
        name = ctypes.util.find_library("c")
        if name:
            ctypes.CDLL(name).malloc_trim(0)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int | None:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [table]
    ).fetchone()
    if not exists or not exists[0]:
        return None
    row = con.execute(f'select count(*) from main."{table}"').fetchone()  # noqa: S608 (fixed names)
    return int(row[0]) if row else 0


def _row_counts(con: duckdb.DuckDBPyConnection, published_db: Path | None,
                spec: GateSpec) -> pd.DataFrame:
    import duckdb
    import pandas as pd

    published: dict[str, int | None] = dict.fromkeys(FACT_TABLES)
    if published_db is not None and Path(published_db).is_file():
        pcon = duckdb.connect(str(published_db), read_only=True)
        try:
            published = {t: _count(pcon, t) for t in FACT_TABLES}
        finally:
            pcon.close()
    recs = []
    for t in FACT_TABLES:
        p = published[t]
        floor = math.ceil(spec.collapse_ratio * p) if (
            p is not None and p >= spec.collapse_min_published_rows) else 0
        recs.append({"table_name": t, "build_rows": _count(con, t) or 0,
                     "published_rows": p, "min_rows": floor})
    frame = pd.DataFrame.from_records(recs)
    frame.insert(0, ROW_KEY, range(len(frame)))
    return frame


# --------------------------------------------------------------------------- the gate


def _validate_table(ctx: Any, con: duckdb.DuckDBPyConnection, table: str, spec: GateSpec,
                    params: dict[str, list[str]], published_db: Path | None,
                    clock: list[float]) -> tuple[list[_Tally], int]:
    """Run the table's checkpoints: whole-column expectations once on just their columns,
    then row-wise ones chunk by chunk; each frame is dropped (with GX's cached copy)
    before the next is read. Returns one tally per expectation and the table's rows."""
    from great_expectations.core.run_identifier import RunIdentifier

    src = TABLE_QUERIES[table]
    when = {(e.suite, e.name): tuple(e.when) for e in spec.expectations}
    key_cap = 0
    if any(e.severity == "quarantine" for e in spec.for_table(table)):
        key_cap = max(math.ceil(spec.quarantine_max_share * count_rows(con, table)),
                      spec.quarantine_min_rows)
    tallies: dict[tuple[str, str], _Tally] = {}
    encoded = encodable(spec, table)
    n_rows = 0
    for row_wise in (False, True):
        if not any(e.row_wise == row_wise for e in spec.for_table(table)):
            continue  # no checkpoint of this kind for the table (gate_context)
        cp_name = checkpoint_name(table, row_wise)
        columns = columns_read(spec, table, row_wise)
        frames: Iterator[pd.DataFrame]
        if table == "row_counts":
            frames = iter([_row_counts(con, published_db, spec)])
        elif row_wise:
            frames = chunks(con, table, columns)
        else:
            frames = iter([whole_frame(con, table, columns, encoded)])
        seen = 0
        while True:
            t = time.monotonic()
            frame = next(frames, None)
            clock[0] += time.monotonic() - t
            if frame is None:
                break
            part = "whole columns" if not row_wise else f"rows {seen}-{seen + len(frame)}"
            result = ctx.checkpoints.get(cp_name).run(
                batch_parameters={"dataframe": frame}, expectation_parameters=params,
                run_id=RunIdentifier(run_name=f"{table} {part}"))
            seen += len(frame)
            for vr in result.run_results.values():
                for r in vr.results:
                    tally = _Tally.of(r, when)
                    tally = tallies.setdefault((tally.suite, tally.name), tally)
                    tally.encoded = frozenset() if row_wise else encoded
                    tally.add(r, frame, src, spec.examples_per_failure, key_cap)
            del frame, result
            _drop_gx_batches(ctx)
        n_rows = seen
    return list(tallies.values()), n_rows


def _read_back(con: duckdb.DuckDBPyConnection, table: str,
               tallies: list[_Tally]) -> dict[Any, dict[str, Any]]:
    """Whole rows for every example of the table's failures, in one query after its
    chunks are read (a query beside an open chunk stream would hold a second copy of
    the documents' text)."""
    failed = [t for t in tallies if not t.success]
    for c in {c for t in failed for c in t.encoded}:
        shown = [ex for t in failed if c in t.encoded for ex in t.examples
                 if ex.get(c) is not None]
        values = decode(con, table, c, [ex[c] for ex in shown])
        for ex in shown:
            ex[c] = _jsonable(values.get(int(ex[c])))
    key = TABLE_QUERIES[table].key
    keys = {ex[key] for t in failed for ex in t.examples if key in ex}
    return rows_by_key(con, table, sorted(keys, key=str))


def run_gate(build_db: Path, report_dir: Path, published_db: Path | None = None,
             config_path: Path | None = None) -> GateResult:
    """Validate the build copy; write gate.json, summary.txt and Data Docs into report_dir.

    `passed` is False when any `block` expectation fails (or errors, or a table
    cannot be read); `warn` failures are reported but do not stop publication.
    """
    t0 = time.monotonic()
    import duckdb

    spec = load_spec(config_path)
    build_db, report_dir = Path(build_db).resolve(), Path(report_dir).resolve()
    if not build_db.is_file():
        raise ConfigError(f"build copy {build_db} does not exist")
    report_dir.mkdir(parents=True, exist_ok=True)
    docs_dir = report_dir / "docs"

    failures: list[Failure] = []
    quarantine_rows: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    rows: dict[str, int] = {}
    clock = [0.0]  # seconds spent reading frames
    ctx = build_context(report_dir, spec, docs_dir=docs_dir)
    n_run = 0
    con = duckdb.connect(str(build_db), read_only=True, config=_duckdb_config())
    try:
        params = _parameters(con)
        for table in dict.fromkeys(t for ts in spec.suites.values() for t in ts):
            try:
                tallies, rows[table] = _validate_table(ctx, con, table, spec, params,
                                                       published_db, clock)
            except duckdb.Error as e:
                suites = [s for s, ts in spec.suites.items() if table in ts]
                failures.append(Failure(
                    suite=",".join(suites), expectation="table_readable", table=table,
                    severity="block", unexpected_count=None, examples=(),
                    hint=f"the build copy has no readable {table}; did `dbt build` run?",
                    error=str(e).splitlines()[0]))
                continue
            finally:
                gc.collect()
                _release_memory()
            back = _read_back(con, table, tallies)
            for tally in tallies:
                n_run += 1
                outcomes.append(tally.outcome(table))
                if tally.success:
                    continue
                severity = "block" if tally.errored else tally.severity
                if severity == "quarantine":
                    limit = max(spec.quarantine_max_share * (tally.elements or 1),
                                spec.quarantine_min_rows)
                    if (tally.unexpected is None or tally.too_many or not tally.failing_keys
                            or len(tally.failing_keys) > limit):
                        severity = "block"  # systemic: too many rows to set aside
                    else:
                        quarantine_rows += [
                            _quarantine_row(row, tally.name, tally.hint)
                            for row in rows_by_key(con, table, tally.failing_keys).values()]
                failures.append(Failure(
                    suite=tally.suite, expectation=tally.name, table=table,
                    severity=severity, unexpected_count=tally.unexpected,
                    examples=_with_context(tally.examples, TABLE_QUERIES[table], back),
                    hint=tally.hint,
                    element_count=tally.elements, error=tally.error))
    finally:
        con.close()
    _release_memory()

    ctx.build_data_docs()
    blocking = tuple(f for f in failures if f.severity == "block")
    warnings = tuple(f for f in failures if f.severity == "warn")
    quarantined = tuple(f for f in failures if f.severity == "quarantine")
    index = docs_dir / "index.html"
    result_obj = GateResult(
        passed=not blocking, blocking=blocking, warnings=warnings,
        report_path=report_dir / "gate.json", summary_path=report_dir / "summary.txt",
        docs_path=index if index.exists() else None, expectations_run=n_run,
        seconds=round(time.monotonic() - t0, 3), quarantined=quarantined,
        quarantine_rows=tuple(quarantine_rows))
    _write_reports(result_obj, outcomes, build_db, published_db, spec,
                   rows, clock[0])
    logger.info("gate %s: %d blocking, %d warnings; report %s",
                "passed" if result_obj.passed else "BLOCKED", len(blocking), len(warnings),
                result_obj.summary_path)
    return result_obj


def _write_reports(res: GateResult, outcomes: list[dict[str, Any]], build_db: Path,
                   published_db: Path | None, spec: GateSpec, rows: dict[str, int],
                   t_read: float) -> None:
    doc = {
        "passed": res.passed,
        "build_db": str(build_db),
        "published_db": str(published_db) if published_db else None,
        "config": str(spec.source),
        "seconds": res.seconds,
        "read_seconds": round(t_read, 3),
        "rows": rows,
        "blocking": [asdict(f) for f in res.blocking],
        "warnings": [asdict(f) for f in res.warnings],
        "quarantined": [asdict(f) for f in res.quarantined],
        "quarantine_rows": list(res.quarantine_rows),
        "expectations": outcomes,
        "docs": str(res.docs_path) if res.docs_path else None,
    }
    res.report_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str),
                               encoding="utf-8")
    res.summary_path.write_text(_summary_text(res, build_db, published_db, rows),
                                encoding="utf-8")


def _summary_text(res: GateResult, build_db: Path, published_db: Path | None,
                  rows: dict[str, int]) -> str:
    verdict = "PASSED" if res.passed else "BLOCKED - not published"
    lines = [
        f"zonewatch quality gate: {verdict}",
        f"{len(res.blocking)} blocking, {len(res.warnings)} warning(s); "
        f"{res.expectations_run} expectations on {len(rows)} tables in {res.seconds:.1f}s",
        f"build copy: {build_db}",
        f"compared with published: {published_db or 'none'}",
        "",
    ]
    if res.quarantine_rows:
        lines += [f"{len(res.quarantine_rows)} mention(s) quarantined: set aside with their "
                  "reason (table `quarantine`), not published; the rest goes on", ""]
    for f in (*res.blocking, *res.quarantined, *res.warnings):
        label = {"block": "BLOCK", "quarantine": "QUAR "}.get(f.severity, "WARN ")
        if f.unexpected_count is None:
            what = f"errored: {f.error}" if f.error else "failed"
        else:
            total = f" of {f.element_count}" if f.element_count is not None else ""
            what = f"{f.unexpected_count}{total} rows unexpected"
        lines.append(f"{label} {f.expectation} on {f.table} ({f.suite}): {what}")
        if f.hint:
            lines.append(f"      first look: {f.hint}")
        for i, ex in enumerate(f.examples, 1):
            lines.append(f"      example {i}:")
            for k, v in ex.items():
                if v is not None:
                    lines.append(f"        {k}: {v}")
        lines.append("")
    if not res.blocking and not res.warnings and not res.quarantined:
        lines += ["every expectation passed", ""]
    lines.append(f"details: {res.report_path}")
    if res.docs_path:
        lines.append(f"Data Docs: {res.docs_path}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """`python -m ingest.gate.run sync|check|run BUILD_DB REPORT_DIR [PUBLISHED_DB]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    cmd = args.pop(0) if args else ""
    if cmd == "sync":
        print(sync_context())
        return 0
    if cmd == "check":
        drift = context_drift()
        for d in drift:
            print(f"out of date: expectations/gx/{d}")
        return 1 if drift else 0
    if cmd == "run" and len(args) in (2, 3):
        res = run_gate(Path(args[0]), Path(args[1]), Path(args[2]) if len(args) == 3 else None)
        print(res.summary_path.read_text(encoding="utf-8"))
        return 0 if res.passed else 3
    print(main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())

