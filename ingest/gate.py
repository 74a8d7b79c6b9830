"""Quality gate: Great Expectations suites on the build copy decide whether it is published.

The reviewed source of truth is `expectations/gate.yml` (every threshold, every
expectation's severity). From it this module builds a GX 1.x file context:
pandas data source -> one dataframe asset + whole-dataframe batch definition per
table -> suites -> one validation definition per (suite, table) -> one checkpoint
per table; Data Docs are built once after the last checkpoint.
`python -m ingest.gate sync` writes that context to `expectations/gx/` for
review; each gate run builds the same context fresh under `<report_dir>/gx/`
(so runs never write into the repository) and runs it.

Tables are read from the build copy with DuckDB opened read-only into pandas
(GX's SQL datasource on duckdb-engine returns no rows on this stack). Checks
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
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.config import ConfigError
from ingest.gate_config import (
    DEFAULT_CONFIG,
    FACT_TABLES,
    ROW_KEY,
    TABLE_QUERIES,
    GateSpec,
    TableSource,
    load_spec,
)
from ingest.gate_context import build_context, context_drift, sync_context

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


def _failing_rows(frame: pd.DataFrame, result: Mapping[str, Any]) -> list[int]:
    """Positions (ROW_KEY) of every row an expectation failed (result_format COMPLETE)."""
    rows: list[int] = []
    for item in result.get("unexpected_index_list") or ():
        r = item.get(ROW_KEY) if isinstance(item, Mapping) else None
        if r is not None:
            rows.append(int(r))
    return sorted(set(rows))


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


def _example_rows(frame: pd.DataFrame, src: TableSource, result: Mapping[str, Any],
                  columns: list[str], n: int,
                  con: duckdb.DuckDBPyConnection | None = None,
                  table: str | None = None) -> tuple[dict[str, Any], ...]:
    """Up to n failing rows with the failing columns, the table's context, URL and
    sentence. Validated values come from the frame; the rest is read back by key."""
    rows: list[int] = []
    for item in result.get("partial_unexpected_index_list") or ():
        r = item.get(ROW_KEY) if isinstance(item, Mapping) else None
        if r is not None and int(r) not in rows:
            rows.append(int(r))
        if len(rows) >= n:
            break
    show = [c for c in dict.fromkeys([src.key, *columns, *src.context, src.url, src.sentence])
            if c]
    full: dict[Any, dict[str, Any]] = {}
    if con is not None and table is not None and src.key in frame.columns:
        full = _rows_by_key(con, table, [frame[src.key].iloc[r] for r in rows])
    out = []
    for r in rows:
        rec = frame.iloc[r]
        back = full.get(rec[src.key], {}) if src.key in frame.columns else {}
        out.append({c: _jsonable(back[c] if c in back else rec[c]) for c in show
                    if c in back or c in frame.columns})
    return tuple(out)


def _failure_columns(cfg: Mapping[str, Any]) -> list[str]:
    kw = cfg.get("kwargs") or {}
    cols = [kw.get("column"), kw.get("column_A"), kw.get("column_B")]
    return [c for c in cols if isinstance(c, str)]


# --------------------------------------------------------------------------- reading


READ_CHUNK_VECTORS = 100  # x 2048 rows per chunk when reading a table for GX


def _validated_columns(spec: GateSpec, table: str) -> dict[str, bool]:
    """Columns the expectations on `table` read -> whether only their nullness matters
    (every use is a not-null check), in gate.yml order; the table's key comes first."""
    suites = {s for s, ts in spec.suites.items() if table in ts}
    uses: dict[str, bool] = {TABLE_QUERIES[table].key: False}
    for e in spec.expectations:
        if e.suite not in suites:
            continue
        kw = e.kwargs
        cols = [kw.get("column"), kw.get("column_A"), kw.get("column_B"),
                *(kw.get("column_list") or ()), *e.when]
        for c in cols:
            if isinstance(c, str):
                null_only = e.expect == "column_values_to_not_be_null" and c == kw.get("column")
                uses[c] = uses.get(c, True) and null_only
    return uses


def _read_frame(con: duckdb.DuckDBPyConnection, table: str,
                columns: Mapping[str, bool]) -> pd.DataFrame:
    """The columns GX validates, and nothing else, in a compact frame: at 100k pages the
    mentions table has millions of rows, and the sentence/URL/text columns that examples
    show are fetched afterwards for the few failing rows only (_rows_by_key).

    A column checked only for NULLs is read as '' / NULL (its nullness, not its text).
    """
    import pandas as pd

    select = ", ".join(
        (f'case when "{c}" is null then null else \'\' end as "{c}"' if null_only else f'"{c}"')
        for c, null_only in columns.items())
    query = f"select {select} from ({TABLE_QUERIES[table].sql}) as t"  # noqa: S608 (names from gate.yml, checked by GX)
    key = TABLE_QUERIES[table].key
    rel = con.sql(query)
    text = [c for c, t in zip(rel.columns, rel.types, strict=True)
            if str(t) == "VARCHAR" and c != key]
    dtypes: dict[str, Any] = {}
    if text:
        # Repeating text (units, statuses, region ids) becomes a categorical whose
        # categories are known before the rows are read, so each chunk converts alone.
        row = con.execute("select count(*), "
                          + ", ".join(f'approx_count_distinct("{c}")' for c in text)
                          + f" from ({query}) as t").fetchone() or (0,)
        for c, distinct in zip(text, row[1:], strict=True):
            if row[0] > 1000 and distinct <= row[0] // 20:
                cats = [r[0] for r in con.execute(
                    f'select distinct "{c}" from ({query}) as t where "{c}" is not null '
                    "order by 1").fetchall()]
                dtypes[c] = pd.CategoricalDtype(cats)
    # Read in chunks: a whole-table .df() builds every text value as a Python string
    # first (2 GB transient for the 2.4M mentions of 100k pages).
    cur = con.execute(query)
    parts = []
    while True:
        chunk = cur.fetch_df_chunk(READ_CHUNK_VECTORS)
        for c, dtype in dtypes.items():
            chunk[c] = chunk[c].astype(dtype)
        parts.append(chunk)
        if len(chunk) == 0:
            break
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    del parts
    frame.insert(0, ROW_KEY, range(len(frame)))
    return frame


def _rows_by_key(con: duckdb.DuckDBPyConnection, table: str,
                 keys: list[Any]) -> dict[Any, dict[str, Any]]:
    """Whole rows of `table` (its TABLE_QUERIES select) for some keys: examples and
    quarantine rows are read back by key, never kept for every row."""
    if not keys or not TABLE_QUERIES[table].sql:
        return {}
    key = TABLE_QUERIES[table].key
    rel = con.execute(
        f'select * from ({TABLE_QUERIES[table].sql}) as t '  # noqa: S608 (fixed names)
        f'where "{key}" in (select unnest(?))', [[str(k) for k in keys]])
    names = [d[0] for d in rel.description]
    out: dict[Any, dict[str, Any]] = {}
    for row in rel.fetchall():
        rec = dict(zip(names, row, strict=True))
        out.setdefault(rec[key], rec)
    return out


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
    from ingest.gate_config import DATASOURCE

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
    t_read = 0.0
    ctx = build_context(report_dir, spec, docs_dir=docs_dir)
    when_columns = {(e.suite, e.name): tuple(e.when) for e in spec.expectations}
    n_run = 0
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        params = _parameters(con)
        # One table at a time: its frame is dropped before the next is read, so the
        # gate's memory is that of the largest table's validated columns.
        for table in dict.fromkeys(t for ts in spec.suites.values() for t in ts):
            t = time.monotonic()
            try:
                frame = (_row_counts(con, published_db, spec) if table == "row_counts"
                         else _read_frame(con, table, _validated_columns(spec, table)))
            except duckdb.Error as e:
                suites = [s for s, ts in spec.suites.items() if table in ts]
                failures.append(Failure(
                    suite=",".join(suites), expectation="table_readable", table=table,
                    severity="block", unexpected_count=None, examples=(),
                    hint=f"the build copy has no readable {table}; did `dbt build` run?",
                    error=str(e).splitlines()[0]))
                continue
            t_read += time.monotonic() - t
            rows[table] = len(frame)
            cp = ctx.checkpoints.get(f"gate__{table}")
            result = cp.run(batch_parameters={"dataframe": frame},
                            expectation_parameters=params)
            for vr in result.run_results.values():
                suite = vr.suite_name
                for r in vr.results:
                    n_run += 1
                    cfg = r.expectation_config
                    meta = cfg.meta or {}
                    res = dict(r.result or {})
                    exc = r.exception_info or {}
                    errored = bool(exc.get("raised_exception"))
                    count = res.get("unexpected_count")
                    outcomes.append({
                        "suite": suite, "table": table, "expectation": meta.get("name"),
                        "type": cfg.type, "severity": meta.get("severity"),
                        "success": bool(r.success), "errored": errored,
                        "unexpected_count": count, "element_count": res.get("element_count"),
                        "observed_value": _jsonable(res.get("observed_value"))})
                    if r.success and not errored:
                        continue
                    severity = "block" if errored else str(meta.get("severity") or "block")
                    if severity == "quarantine":
                        failing = _failing_rows(frame, res)
                        total = int(res.get("element_count") or len(frame)) or 1
                        limit = max(spec.quarantine_max_share * total, spec.quarantine_min_rows)
                        if count is None or not failing or len(failing) > limit:
                            severity = "block"  # systemic: too many rows to set aside
                        else:
                            key = TABLE_QUERIES[table].key
                            back = _rows_by_key(con, table,
                                                [frame[key].iloc[i] for i in failing])
                            quarantine_rows += [
                                _quarantine_row(row, str(meta.get("name")),
                                                str(meta.get("hint") or ""))
                                for row in back.values()]
                    failures.append(Failure(
                        suite=suite, expectation=str(meta.get("name") or cfg.type),
                        table=table, severity=severity,
                        unexpected_count=None if count is None else int(count),
                        examples=_example_rows(
                            frame, TABLE_QUERIES[table], res,
                            [*_failure_columns(cfg.to_json_dict()),
                             *when_columns.get((suite, str(meta.get("name"))), ())],
                            spec.examples_per_failure, con, table),
                        hint=str(meta.get("hint") or ""), element_count=res.get("element_count"),
                        error=str(exc.get("exception_message")) if errored else None))
            del frame, result
            _drop_gx_batches(ctx)
            gc.collect()
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
                   rows, t_read)
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
    """`python -m ingest.gate sync|check|run BUILD_DB REPORT_DIR [PUBLISHED_DB]`."""
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

