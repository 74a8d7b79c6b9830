"""Quality gate: Great Expectations suites on the build copy decide whether it is published.

The reviewed source of truth is `expectations/gate.yml` (every threshold, every
expectation's severity). From it `ingest.gate.context` builds a GX 1.x file context:
pandas data source -> one dataframe asset + whole-dataframe batch definition per
table -> suites -> one validation definition per (suite, table) -> per table, one
checkpoint for row-wise expectations and one for whole-column ones (uniqueness);
Data Docs are built once after the last checkpoint.
`python -m ingest.gate.run sync` writes that context to `expectations/gx/` for
review; each gate run builds the same context fresh under `<report_dir>/gx/`
(so runs never write into the repository) and runs it.

Tables are read from the build copy with DuckDB opened read-only into pandas. GX's SQL
datasource on duckdb-engine returns no rows unless each SQLAlchemy cursor gets its own
DuckDB cursor (`benchmarks/gx_routes.py` shows why and the fix, and times both routes);
pandas is kept because it reads bounded chunks and computes the joined checks in DuckDB
(the planted-failure test in tests/gate/test_gx_sql_route.py keeps the SQL route honest). Row-wise
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
import functools
import gc
import logging
import math
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.config import ConfigError
from ingest.gate.context import build_context, context_drift, sync_context
from ingest.gate.frames import (
    chunks,
    columns_read,
    count_rows,
    encodable,
    whole_frame,
)
from ingest.gate.judge import Findings
from ingest.gate.report import Failure, GateResult, write_reports
from ingest.gate.spec import (
    DEFAULT_CONFIG,
    FACT_TABLES,
    ROW_KEY,
    TABLE_QUERIES,
    GateSpec,
    checkpoint_name,
    load_spec,
)
from ingest.gate.tally import Tally

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

# --------------------------------------------------------------------------- reading


def _duckdb_config() -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB's cap while the gate reads: ZONEWATCH_GATE_DUCKDB_MEMORY_LIMIT, default
    512MB. Reading mentions joins every page's text; past the cap DuckDB spills to disk
    instead of growing (at 100k pages its 80%-of-RAM default took gigabytes)."""
    return {"memory_limit": os.environ.get("ZONEWATCH_GATE_DUCKDB_MEMORY_LIMIT", "512MB")}


def _parameters(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, list[str]], list[Failure]]:
    """$PARAMETER values in gate.yml: the ids dim_region / dim_indicator hold. A dimension
    that cannot be read is a blocking failure of its own, named with DuckDB's error (the
    expectations that use its ids would otherwise fail every row for no visible reason)."""
    import duckdb

    params: dict[str, list[str]] = {}
    failures: list[Failure] = []
    for pname, dim, col in (("region_ids", "dim_region", "region_id"),
                            ("indicator_ids", "dim_indicator", "indicator_id")):
        try:
            params[pname] = [str(r[0]) for r in con.execute(
                f'select distinct "{col}" from main."{dim}" '  # noqa: S608 (fixed names)
                f'where "{col}" is not null order by 1').fetchall()]
        except duckdb.Error as e:
            params[pname] = []
            failures.append(_unreadable(dim, "parameters", e))
    return params, failures


def _unreadable(table: str, suite: str, e: Exception) -> Failure:
    error = str(e).splitlines()[0]
    if "lock" in error.lower():  # another process holds the file read-write
        hint = (f"{table} could not be read: another process holds the file read-write "
                f"(the error names the file and its pid); stop it and run again")
    else:
        hint = f"the build copy has no readable {table}; did `dbt build` run?"
    return Failure(suite=suite, expectation="table_readable", table=table, severity="block",
                   unexpected_count=None, examples=(), hint=hint, error=error)


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
    with contextlib.suppress(OSError, AttributeError):
        libc = _libc()
        if libc is not None:
            libc.malloc_trim(0)


@functools.cache
def _libc() -> Any:
    """The C library, looked up once (find_library runs ldconfig in a subprocess)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


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
                    clock: list[float]) -> tuple[list[Tally], int]:
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
    tallies: dict[tuple[str, str], Tally] = {}
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
                    tally = Tally.of(r, when)
                    tally = tallies.setdefault((tally.suite, tally.name), tally)
                    tally.encoded = frozenset() if row_wise else encoded
                    tally.add(r, frame, src, spec.examples_per_failure, key_cap)
            del frame, result
            _drop_gx_batches(ctx)
        n_rows = seen
    return list(tallies.values()), n_rows


def run_gate(build_db: Path, report_dir: Path, published_db: Path | None = None,
             config_path: Path | None = None) -> GateResult:
    """Validate the build copy; write gate.json, summary.txt and Data Docs into report_dir.

    `passed` is False when any `block` expectation fails (or errors, or a table
    cannot be read); `warn` failures are reported but do not stop publication.
    """
    t0 = time.monotonic()

    spec = load_spec(config_path)
    build_db, report_dir = Path(build_db).resolve(), Path(report_dir).resolve()
    if not build_db.is_file():
        raise ConfigError(f"build copy {build_db} does not exist")
    report_dir.mkdir(parents=True, exist_ok=True)
    docs_dir = report_dir / "docs"

    run = Findings()
    clock = [0.0]  # seconds spent reading frames
    ctx = build_context(report_dir, spec, docs_dir=docs_dir)
    _validate_tables(ctx, build_db, spec, published_db, run, clock)
    ctx.build_data_docs()
    _docs_offline(docs_dir)
    result_obj = _result(run, report_dir, docs_dir, t0)
    write_reports(result_obj, run.outcomes, build_db, published_db, spec,
                  run.rows, clock[0])
    logger.info("gate %s: %d blocking, %d warnings; report %s",
                "passed" if result_obj.passed else "BLOCKED", len(result_obj.blocking),
                len(result_obj.warnings), result_obj.summary_path)
    return result_obj


def _docs_offline(docs_dir: Path) -> None:
    """Data Docs that render with no network; without the pinned assets they keep their CDN
    links, and the log says so in one line (the verdict does not depend on them)."""
    from ingest.gate.datadocs_offline import AssetsMissing, make_offline

    try:
        make_offline(docs_dir)
    except AssetsMissing as exc:
        logger.warning("%s; the Data Docs need the network until then", exc)


def _validate_tables(ctx: Any, build_db: Path, spec: GateSpec, published_db: Path | None,
                     run: Findings, clock: list[float]) -> None:
    """Validate every table the suites name, one after another, and judge each; a table
    that cannot be read is a failure of its suites, not the end of the gate."""
    import duckdb

    # Everything alive now (GX, pandas, dbt in the CLI's process, the suites) outlives the
    # gate: frozen, the collections after each table walk only what validating it made.
    gc.freeze()
    con = duckdb.connect(str(build_db), read_only=True, config=_duckdb_config())
    try:
        params, run.failures = _parameters(con)
        for table in dict.fromkeys(t for ts in spec.suites.values() for t in ts):
            try:
                tallies, run.rows[table] = _validate_table(ctx, con, table, spec, params,
                                                           published_db, clock)
            except duckdb.Error as e:
                run.failures.append(_unreadable(
                    table, ",".join(s for s, ts in spec.suites.items() if table in ts), e))
                continue
            finally:
                gc.collect()
                _release_memory()
            run.judge(con, table, tallies, spec)
        run.settle(con, spec)
    finally:
        con.close()
        gc.unfreeze()  # a long-lived worker collects the gate's objects as usual again
    _release_memory()


def _result(run: Findings, report_dir: Path, docs_dir: Path, t0: float) -> GateResult:
    """The gate's verdict from what the tables' validation found."""
    blocking = tuple(f for f in run.failures if f.severity == "block")
    warnings = tuple(f for f in run.failures if f.severity == "warn")
    quarantined = tuple(f for f in run.failures if f.severity == "quarantine")
    index = docs_dir / "index.html"
    return GateResult(
        passed=not blocking, blocking=blocking, warnings=warnings,
        report_path=report_dir / "gate.json", summary_path=report_dir / "summary.txt",
        docs_path=index if index.exists() else None, expectations_run=len(run.outcomes),
        seconds=round(time.monotonic() - t0, 3), quarantined=quarantined,
        quarantine_rows=tuple(run.quarantine_rows))


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

