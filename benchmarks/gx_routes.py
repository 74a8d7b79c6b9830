"""Which way should the gate hand DuckDB tables to Great Expectations? Measured.

`compare_routes(n_mentions)` builds a synthetic build copy (`benchmarks.buildcopy`),
plants a known number of bad rows in `staging.stg_landing__mentions`, and validates
the same four expectations on that table through each route, timing each:

* ``sql``               GX's SQL datasource as documented: ``add_sql(connection_string=
                        "duckdb:///<file>")`` (duckdb-engine, read-only), table asset with
                        ``schema_name="staging"``, whole-table batch definition.
* ``sql_query_asset``   the same datasource, query asset ``select * from staging.<table>``.
* ``sql_no_temp_table`` the query asset with ``create_temp_table=False``.
* ``sql_fixed_table``   the fix below on the table asset (still fails: schema, see below).
* ``sql_fixed``         the fix: the engine hands every SQLAlchemy cursor its own DuckDB
                        cursor (``kwargs={"creator": duckdb_engine_creator(path)}``), with
                        the query asset and ``create_temp_table=False``. No GX or
                        duckdb-engine code is patched.
* ``sql_buffered``      diagnosis: the plain datasource and query asset with GX's
                        ``SqlAlchemyExecutionEngine.execute_query`` patched (for the run
                        only) to fetch the rows before it releases the connection.
* ``pandas``            what ``ingest.gate.run`` does: DuckDB (read-only) -> pandas
                        DataFrame -> GX pandas datasource, dataframe asset.

Why the plain SQL route finds nothing (measured on GX 1.24.1, SQLAlchemy 2.1, duckdb-engine
0.17, duckdb 2.0): GX runs each metric query as ``with engine.connect() as c: result =
c.execute(q)`` and calls ``result.fetchall()`` only after the ``with`` block. Leaving it
closes the SQLAlchemy connection, which rolls back on the DBAPI connection. duckdb-engine's
cursor *is* the DuckDB connection (its ``CursorWrapper`` delegates to the one
``DuckDBPyConnection``, which keeps a single pending result), so that rollback discards the
result: ``fetchall()`` returns ``[]`` and ``resolve_metric_bundle`` fails on ``res[0]``
(IndexError "list index out of range" -> MetricResolutionError). Every expectation then
comes back ``success=False`` with an empty result: ``unexpected_count`` None, no rows named.
Psycopg2/sqlite buffer the rows in their own cursor object, so they do not hit this.
The query asset and ``create_temp_table=False`` fail the same way.

A second, independent problem hits tables outside ``main`` (the gate's staging tables):
column reflection fails on this stack (SQLAlchemy 2.1's PostgreSQL reflection query, which
duckdb-engine inherits, reads ``pg_catalog.pg_collation``; DuckDB has none), and GX's
fallback then runs ``select * from <table> limit 1`` *without* the schema -> "Catalog
Error: Table with name stg_landing__mentions does not exist". So a table asset with
``schema_name="staging"`` errors even with the fetch fixed; a query asset naming the schema
works. GX's query asset must start with ``select`` (the gate's ``with ...`` queries would
need wrapping), and with the own-cursor fix ``create_temp_table`` must be False (GX's temp
table is created on one DuckDB cursor, i.e. one connection, and invisible to the others).

Expectations: three mention expectations taken from ``expectations/gate.yml`` (value
positive for money/count/compute units - a between with a row condition -, unit in set,
char_start non-negative) plus ``sentence`` not null, with planted counts 7, 5, 4, 3 on
disjoint rows. A route "found the bad rows" when its unexpected_count equals the planted
count and the unexpected mention_ids are exactly the planted ones.

Run: ``python -m benchmarks.gx_routes [n_mentions]`` - prints a table, returns the dict.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

logging.getLogger("great_expectations").setLevel(logging.WARNING)
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

__all__ = ["ROUTES", "PLANTED", "build_db", "compare_routes", "duckdb_engine_creator",
           "run_route"]

SCHEMA, TABLE = "staging", "stg_landing__mentions"
KEY = "mention_id"
# expectation name -> (how many rows are planted, how they are made bad)
PLANTED: dict[str, tuple[int, str]] = {
    "mention_value_positive": (7, "set value = -1"),            # unit stays CNY
    "mention_unit_in_set": (5, "set unit = 'bogus_unit'"),
    "mention_char_start_non_negative": (4, "set char_start = -1"),
    "mention_sentence_not_null": (3, "set sentence = null"),
}
FROM_GATE_YML = ("mention_value_positive", "mention_unit_in_set",
                 "mention_char_start_non_negative")
RESULT_FORMAT: dict[str, Any] = {"result_format": "COMPLETE",
                                 "unexpected_index_column_names": [KEY]}
ROUTES = ("sql", "sql_query_asset", "sql_no_temp_table", "sql_fixed_table", "sql_fixed",
          "sql_buffered", "pandas")


# --------------------------------------------------------------------------- data


def build_db(path: str | Path, n_mentions: int = 100_000) -> dict[str, list[str]]:
    """A synthetic build copy at `path` with bad rows planted in the mentions table.

    Returns expectation name -> the mention_ids made bad for it (disjoint sets, all
    rows whose unit was CNY, so the value rows stay inside the row condition).
    """
    import duckdb

    from benchmarks.buildcopy import build_copy

    need = sum(n for n, _ in PLANTED.values())
    if n_mentions < 5 * need:
        raise ValueError(f"n_mentions must be at least {5 * need}")
    build_copy(path, n_mentions=n_mentions, n_facts=max(1, n_mentions // 5))
    con = duckdb.connect(str(path))
    try:
        ids = [r[0] for r in con.execute(
            f"select {KEY} from {SCHEMA}.{TABLE} where unit = 'CNY' "
            f"order by hash({KEY}) limit {need}").fetchall()]
        if len(ids) < need:
            raise RuntimeError(f"only {len(ids)} CNY mentions to plant bad rows in")
        planted: dict[str, list[str]] = {}
        start = 0
        for name, (n, change) in PLANTED.items():
            planted[name] = sorted(ids[start:start + n])
            start += n
            con.execute(f"update {SCHEMA}.{TABLE} {change} where {KEY} in "
                        f"(select unnest(?::varchar[]))", [planted[name]])
        con.execute("checkpoint")
    finally:
        con.close()
    return planted


def _expectations(gx: Any) -> list[Any]:
    """The gate's own definitions from gate.yml (`ingest.gate.run.load_spec`) plus one not-null.

    Built here from the public spec (expect/kwargs/when), the way ingest's context
    builder does, so the benchmark does not depend on the gate's private helpers.
    """
    from great_expectations.expectations.row_conditions import Column

    from ingest.gate.run import load_spec

    specs = {e.name: e for e in load_spec().for_suite("mentions")}
    out = []
    for name in FROM_GATE_YML:
        spec = specs[name]
        cls = getattr(gx.expectations,
                      "Expect" + "".join(p.capitalize() for p in spec.expect.split("_")))
        kwargs = dict(spec.kwargs)
        cond = None
        for col, val in spec.when.items():
            c = Column(col).is_in(list(val)) if isinstance(val, list) else Column(col) == val
            cond = c if cond is None else cond & c
        if cond is not None:
            kwargs["row_condition"] = cond
        out.append(cls(**kwargs, meta={"name": name}))
    out.append(gx.expectations.ExpectColumnValuesToNotBeNull(
        column="sentence", meta={"name": "mention_sentence_not_null"}))
    return out


# --------------------------------------------------------------------------- the fix


def duckdb_engine_creator(path: str | Path, read_only: bool = True) -> Callable[[], Any]:
    """A SQLAlchemy `creator` for duckdb-engine whose cursors are real DuckDB cursors.

    duckdb-engine's ``ConnectionWrapper.cursor()`` returns a wrapper around the connection
    itself, so every "cursor" shares the connection's single pending result and the
    rollback SQLAlchemy issues when GX releases the connection wipes it before GX fetches.
    Here each cursor wraps ``DuckDBPyConnection.cursor()`` (its own connection to the same
    database), which keeps its result whatever happens on the parent connection.
    """
    import duckdb
    import duckdb_engine

    class _OwnCursorConnection(duckdb_engine.ConnectionWrapper):  # type: ignore[misc]
        def cursor(self) -> Any:
            raw = self._ConnectionWrapper__c  # name-mangled private attribute
            return duckdb_engine.CursorWrapper(raw.cursor(), self)

    def create() -> Any:
        return _OwnCursorConnection(duckdb.connect(str(path), read_only=read_only))

    return create


@contextlib.contextmanager
def _buffered_execute_query() -> Iterator[None]:
    """Patch GX's execute_query to fetch the rows before the connection is released."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as see

    cls = see.SqlAlchemyExecutionEngine
    original = cls.execute_query

    def execute_query(self: Any, query: Any) -> Any:
        with self.get_connection() as connection:
            result = self._execute_query_with_recovery(connection, query)
            if result.returns_rows:
                return result.freeze()()  # rows fetched while the connection is open
        return result

    cls.execute_query = execute_query  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.execute_query = original  # type: ignore[method-assign]


# --------------------------------------------------------------------------- routes


def _context(gx: Any) -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def _exception_text(r: Any) -> str | None:
    """'metric: first line of the message' for every metric that raised, deduplicated."""
    msgs = []
    for key, info in (getattr(r, "exception_info", None) or {}).items():
        if isinstance(info, dict) and info.get("raised_exception") and \
                info.get("exception_message"):
            first = str(info["exception_message"]).strip().splitlines()[0]
            m = re.search(r"metric_name='([^']+)'", str(key))
            msgs.append(f"{m.group(1) if m else key}: {first}")
    return "; ".join(dict.fromkeys(msgs)) or None


def _outcome(r: Any, planted: dict[str, list[str]]) -> dict[str, Any]:
    name = r.expectation_config.meta["name"]
    res = r.result or {}
    ids = sorted({str(i.get(KEY)) for i in (res.get("unexpected_index_list") or ())
                  if isinstance(i, dict)})
    count = res.get("unexpected_count")
    return {"expectation": name, "success": bool(r.success), "unexpected_count": count,
            "element_count": res.get("element_count"), "planted": len(planted[name]),
            "found_planted": count == len(planted[name]) and ids == planted[name],
            "exception": _exception_text(r)}


def _validate(gx: Any, ctx: Any, batch_definition: Any, planted: dict[str, list[str]],
              batch_parameters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    suite = ctx.suites.add(gx.ExpectationSuite(name="routes"))
    for e in _expectations(gx):
        suite.add_expectation(e)
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(
        name="routes", data=batch_definition, suite=suite))
    result = vd.run(batch_parameters=batch_parameters, result_format=RESULT_FORMAT)
    return [_outcome(r, planted) for r in result.results]


def _dispose(source: Any) -> None:
    """Close every connection the datasource opened (GX keeps the context alive, and
    DuckDB refuses connections with another configuration while one is open)."""
    for get in (lambda: source.get_execution_engine().engine, source.get_engine):
        with contextlib.suppress(Exception):
            get().dispose()


def _sql_route(gx: Any, path: Path, planted: dict[str, list[str]], route: str) -> Any:
    ctx = _context(gx)
    # read-only like the gate (DuckDB refuses a second connection to the file with a
    # different configuration in the same process)
    kw: dict[str, Any] = {"kwargs": {"connect_args": {"read_only": True}}}
    if route in ("sql_fixed", "sql_fixed_table"):
        kw = {"kwargs": {"creator": duckdb_engine_creator(path, read_only=True)},
              "create_temp_table": False}
    if route == "sql_no_temp_table":
        kw["create_temp_table"] = False
    source = ctx.data_sources.add_sql("build_copy_sql", connection_string=f"duckdb:///{path}",
                                      **kw)
    try:
        if route in ("sql", "sql_fixed_table"):
            asset = source.add_table_asset(TABLE, table_name=TABLE, schema_name=SCHEMA)
        else:
            asset = source.add_query_asset(TABLE, query=f"select * from {SCHEMA}.{TABLE}")
        bd = asset.add_batch_definition_whole_table("whole_table")
        patch = _buffered_execute_query() if route == "sql_buffered" else contextlib.nullcontext()
        with patch:
            return _validate(gx, ctx, bd, planted), {}
    finally:
        _dispose(source)


def _pandas_route(gx: Any, path: Path, planted: dict[str, list[str]]) -> Any:
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect(str(path), read_only=True)
    try:
        frame = con.sql(f"select * from {SCHEMA}.{TABLE}").df()
    finally:
        con.close()
    read_s = time.perf_counter() - t0
    ctx = _context(gx)
    bd = (ctx.data_sources.add_pandas("build_copy").add_dataframe_asset(TABLE)
          .add_batch_definition_whole_dataframe("whole_table"))
    return (_validate(gx, ctx, bd, planted, batch_parameters={"dataframe": frame}),
            {"read_s": round(read_s, 3), "rows": len(frame)})


def run_route(route: str, path: str | Path, planted: dict[str, list[str]]) -> dict[str, Any]:
    """Validate the planted table through one route; never raises (errors are recorded)."""
    if route not in ROUTES:
        raise ValueError(f"unknown route {route!r}; one of {ROUTES}")
    import great_expectations as gx

    t0 = time.perf_counter()
    out: dict[str, Any] = {"route": route}
    try:
        if route == "pandas":
            outcomes, extra = _pandas_route(gx, Path(path), planted)
        else:
            outcomes, extra = _sql_route(gx, Path(path), planted, route)
        out.update(extra)
        out["expectations"] = outcomes
        out["error"] = None
    except Exception as e:  # a route that cannot even start is a result too
        out["expectations"] = []
        out["error"] = f"{type(e).__name__}: {e}"
        out["traceback"] = traceback.format_exc(limit=5)
    out["seconds"] = round(time.perf_counter() - t0, 3)
    exps = out["expectations"]
    out["found_all_planted"] = bool(exps) and all(o["found_planted"] for o in exps)
    return out


def compare_routes(n_mentions: int = 100_000, routes: tuple[str, ...] = ROUTES,
                   repeat: int = 3, verbose: bool = True) -> dict[str, Any]:
    """Build the planted table once, run every route on it `repeat` times (seconds: the
    fastest run; runs_s: all of them; outcomes from the last run), return and print."""
    import duckdb
    import duckdb_engine
    import great_expectations as gx
    import sqlalchemy

    with tempfile.TemporaryDirectory(prefix="gx_routes_") as tmp:
        path = Path(tmp) / "build.duckdb"
        t0 = time.perf_counter()
        planted = build_db(path, n_mentions)
        build_s = time.perf_counter() - t0
        _context(gx)  # one-time GX start-up cost outside every route's timing
        results = {}
        for r in routes:
            runs = [run_route(r, path, planted) for _ in range(max(1, repeat))]
            results[r] = dict(runs[-1], seconds=min(x["seconds"] for x in runs),
                              runs_s=[x["seconds"] for x in runs])
    doc = {"n_mentions": n_mentions, "build_s": round(build_s, 3), "repeat": repeat,
           "planted": {k: len(v) for k, v in planted.items()},
           "versions": {"great_expectations": gx.__version__, "duckdb": duckdb.__version__,
                        "duckdb_engine": duckdb_engine.__version__,
                        "sqlalchemy": sqlalchemy.__version__},
           "routes": results}
    if verbose:
        print(format_table(doc))
    return doc


def format_table(doc: dict[str, Any]) -> str:
    lines = [f"GX routes on {doc['n_mentions']:,} mentions "
             f"({', '.join(f'{k} {v}' for k, v in doc['versions'].items())}); "
             f"planted: {doc['planted']}", "",
             f"{'route':<18} {'seconds':>8}  {'all found':<9}  unexpected_count per expectation"]
    for name, r in doc["routes"].items():
        counts = ", ".join(f"{o['expectation'].removeprefix('mention_')}="
                           f"{o['unexpected_count']}" for o in r["expectations"])
        found = "yes" if r["found_all_planted"] else "NO"
        lines.append(f"{name:<18} {r['seconds']:>8.2f}  {found:<9}  {counts or r['error']}")
    lines.append("")
    for name, r in doc["routes"].items():
        errs = sorted({o["exception"] for o in r["expectations"] if o["exception"]})
        if errs or r["error"]:
            lines.append(f"{name}: {r['error'] or ''}{' | '.join(errs)}"[:300])
    if "pandas" in doc["routes"] and "read_s" in doc["routes"]["pandas"]:
        lines.append(f"pandas: of which DuckDB -> DataFrame read "
                     f"{doc['routes']['pandas']['read_s']:.2f}s")
    return "\n".join(lines)


if __name__ == "__main__":
    compare_routes(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
