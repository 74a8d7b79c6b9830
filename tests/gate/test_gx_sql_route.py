"""Pin down how GX's SQL route behaves on the DuckDB build copy, and why the gate reads
tables into pandas instead (measured by `benchmarks.gx_routes`).

On a small synthetic build copy with bad rows planted in staging.stg_landing__mentions
(7 non-positive CNY values, 5 unknown units, 4 negative char_start, 3 null sentences):

* the plain SQL datasource (duckdb-engine) reports none of them: every expectation comes
  back success=False with unexpected_count None - the metric rows are lost
  ("list index out of range"), and the table asset in schema `staging` also hits a catalog
  error (reflection fallback drops the schema);
* with the execution path fixed (own DuckDB cursor per SQLAlchemy cursor, query asset,
  no temp table) it finds exactly the planted rows;
* the pandas route (what ingest.gate.run does) finds exactly the planted rows;
* on a clean copy both working routes pass with unexpected_count 0.
"""

from __future__ import annotations

import logging

logging.getLogger("great_expectations").setLevel(logging.WARNING)

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from benchmarks.buildcopy import build_copy  # noqa: E402
from benchmarks.gx_routes import PLANTED, build_db, run_route  # noqa: E402

N_MENTIONS = 200


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    path = tmp_path_factory.mktemp("gx_routes") / "planted.duckdb"
    return path, build_db(path, n_mentions=N_MENTIONS)


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert result["error"] is None, result.get("traceback")
    out = {o["expectation"]: o for o in result["expectations"]}
    assert set(out) == set(PLANTED), out.keys()
    return out


def test_planted_rows(planted_db: tuple[Path, dict[str, list[str]]]) -> None:
    _, planted = planted_db
    assert {k: len(v) for k, v in planted.items()} == {k: n for k, (n, _) in PLANTED.items()}
    ids = [i for v in planted.values() for i in v]
    assert len(ids) == len(set(ids))  # disjoint: each bad row fails one expectation


@pytest.mark.parametrize("route", ["sql", "sql_query_asset", "sql_no_temp_table"])
def test_plain_sql_route_reports_no_planted_rows(
        planted_db: tuple[Path, dict[str, list[str]]], route: str) -> None:
    path, planted = planted_db
    res = by_name(run_route(route, path, planted))
    assert not res_found(res)
    for name, o in res.items():
        # "failed" - but only because the metrics errored: no count, no row, nothing to
        # quarantine or show; a clean table would fail the same way
        assert o["success"] is False, (name, o)
        assert o["unexpected_count"] is None, (name, o)
        assert o["element_count"] is None, (name, o)
        assert o["exception"], (name, o)
        assert "table.row_count: list index out of range" in o["exception"] or (
            route == "sql" and "does not exist" in o["exception"]), (name, o)


def res_found(res: dict[str, dict[str, Any]]) -> bool:
    return any(o["found_planted"] for o in res.values())


@pytest.mark.parametrize("route", ["sql_fixed", "pandas"])
def test_working_routes_catch_exactly_the_planted_rows(
        planted_db: tuple[Path, dict[str, list[str]]], route: str) -> None:
    path, planted = planted_db
    res = by_name(run_route(route, path, planted))
    for name, o in res.items():
        assert o["exception"] is None, (name, o)
        assert o["success"] is False, (name, o)
        assert o["unexpected_count"] == len(planted[name]), (name, o)
        assert o["element_count"] is not None and o["element_count"] > 0, (name, o)
        assert o["found_planted"], (name, o)  # the unexpected mention_ids are the planted ones


@pytest.mark.parametrize("route", ["sql_fixed", "pandas"])
def test_working_routes_pass_a_clean_table(tmp_path: Path, route: str) -> None:
    path = tmp_path / "clean.duckdb"
    build_copy(path, n_mentions=N_MENTIONS, n_facts=N_MENTIONS // 5)
    res = by_name(run_route(route, path, {name: [] for name in PLANTED}))
    for name, o in res.items():
        assert o["exception"] is None, (name, o)
        assert o["success"] is True and o["unexpected_count"] == 0, (name, o)
