"""`zonewatch report` on a small hand-made warehouse: the charts carry the marts' data, the
file needs no network, and a missing warehouse or mart is one line and exit 2.

The warehouse here holds only the columns the report reads, with the marts' names and
types; tests/e2e/test_report_e2e.py builds the report from a real `zonewatch run`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from ingest.cli import main
from ingest.serve.report import REQUIRED_TABLES, write_report
from tests.report_html import plotly_json, remote_refs

SCHEMA = """
create table fct_target_progress (target_fact_id varchar, indicator_id varchar,
    region_id varchar, measure varchar, unit varchar, target_value double,
    actual_value double, attainment_share double, progress_state varchar,
    target_period_end date, actual_period_end date);
create table fct_compute (fact_id varchar, region_id varchar, measure varchar,
    status varchar, unit varchar, value double, period_end date, is_current boolean);
create table dim_region (region_id varchar, name_zh varchar);
create table dim_indicator (indicator_id varchar, name_zh varchar, name_en varchar);
create table dim_document (document_id varchar, url varchar, status varchar,
    excluded_reason varchar, fact_count integer, published_at date);
create table validation_runs (run_id varchar, verdict varchar, warning_count integer,
    blocking_count integer, validated_at timestamp);
create table quarantine (mention_id varchar, run_id varchar);
"""
ROWS = """
insert into dim_region values ('cn-420112', '东西湖区'), ('cn-3401', '合肥市');
insert into dim_indicator values ('gdp', '地区生产总值', 'GDP'),
    ('computing_power', '算力规模', 'computing power');
insert into fct_target_progress values
    ('t1', 'gdp', 'cn-420112', 'level', 'CNY', 2e11, 1.8e11, 0.9, 'on_track',
     '2025-12-31', '2024-12-31'),
    ('t2', 'computing_power', 'cn-3401', 'level', 'PFLOPS', 10000, null, null,
     'no_actual_yet', '2025-12-31', null);
insert into fct_compute values
    ('c1', 'cn-3401', 'level', 'actual', 'PFLOPS', 120, '2024-12-31', true),
    ('c2', 'cn-3401', 'level', 'actual', 'PFLOPS', 40, '2024-12-31', false),
    ('c3', 'cn-3401', 'level', 'target', 'PFLOPS', 10000, '2025-12-31', true),
    ('c4', 'cn-3401', 'growth_yoy', 'actual', 'percent', 25, '2024-12-31', true);
insert into dim_document values
    ('d1', 'https://www.wuhan.gov.cn/a.html', 'ok', null, 7, '2024-03-20'),
    ('d2', 'https://www.wuhan.gov.cn/b.html', 'ok', null, 5, '2024-03-02'),
    ('d3', 'file:///corpus/c.txt', 'ok', null, 4, null),
    ('d4', 'https://example.com/d.html', 'rejected', null, 0, '2024-03-20'),
    ('d5', 'https://excluded.example.cn/e.html', 'ok', 'unit slip', 9, '2024-04-01');
insert into validation_runs values
    ('20261201T100000Z-aaaaaa', 'blocked', 1, 2, '2026-12-01 10:00:00'),
    ('20261202T100000Z-bbbbbb', 'passed', 3, 0, '2026-12-02 10:00:00');
insert into quarantine values ('m1', '20261202T100000Z-bbbbbb'),
    ('m2', '20261202T100000Z-bbbbbb');
"""


def _warehouse(path: Path, *, rows: bool = True, drop: str | None = None) -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA)
        if rows:
            con.execute(ROWS)
        if drop:
            con.execute(f"drop table {drop}")
    finally:
        con.close()
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return _warehouse(tmp_path / "warehouse.duckdb")


def test_report_carries_the_charts_data(warehouse: Path, tmp_path: Path) -> None:
    rep = write_report(warehouse, tmp_path / "out" / "report.html")
    page = rep.path.read_text(encoding="utf-8")

    assert rep.charts == 4 and rep.bytes == len(page.encode("utf-8"))
    for chart in ("targets", "compute", "facts_by_source", "gate"):
        assert f'id="chart-{chart}"' in page
    # targets: region, indicator, the target and actual figures, the mart's state
    assert plotly_json("东西湖区 · 地区生产总值 · 2025") in page
    assert plotly_json("1,800亿元 / 2,000亿元") in page
    assert plotly_json("合肥市 · 算力规模 · 2025") in page
    assert plotly_json("– / 10,000 PFLOPS") in page
    assert '"x":[90.0]' in page  # attainment, % of the target
    assert '"on_track"' in page and '"no_actual_yet"' in page
    # compute: current level facts only (40 PFLOPS was revised, 25 % is a growth rate)
    assert '"y":[120.0,10000.0]' in page
    # facts per source and month: accepted pages that are not set aside
    assert '"www.wuhan.gov.cn"' in page and '"local files"' in page and '"undated"' in page
    assert '"2024-03"' in page
    assert "example.com" not in page and "excluded.example.cn" not in page
    # gate history: both runs, their verdicts and quarantined counts
    assert "20261201T100000Z-aaaaaa" in page and "20261202T100000Z-bbbbbb" in page
    assert '"blocked"' in page and '"passed"' in page
    assert '"quarantined"' in page


def test_report_is_self_contained(warehouse: Path, tmp_path: Path) -> None:
    page = write_report(warehouse, tmp_path / "report.html").path.read_text(encoding="utf-8")

    assert remote_refs(page) == []
    assert "<script src" not in page and "<link" not in page
    assert "Plotly.newPlot" in page and "plotly.js v" in page.lower()  # the library, inline


def test_report_reads_the_warehouse_without_changing_it(warehouse: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    write_report(warehouse, tmp_path / "report.html")
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before


def test_empty_marts_give_a_report_that_says_so(tmp_path: Path) -> None:
    wh = _warehouse(tmp_path / "empty.duckdb", rows=False)
    page = write_report(wh, tmp_path / "report.html").path.read_text(encoding="utf-8")

    assert "no targets in this warehouse" in page
    assert "no quality-gate runs recorded" in page
    assert remote_refs(page) == []


def test_cli_writes_beside_the_warehouse_by_default(warehouse: Path, capsys) -> None:
    assert main(["report", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert (warehouse.parent / "report.html").is_file()
    assert f"report: {warehouse.parent / 'report.html'}" in out


def test_cli_out_and_the_default_warehouse(warehouse: Path, tmp_path: Path, monkeypatch,
                                           capsys) -> None:
    monkeypatch.setenv("ZONEWATCH_WAREHOUSE", str(warehouse))
    out = tmp_path / "elsewhere" / "r.html"
    assert main(["report", "--out", str(out)]) == 0
    assert out.is_file() and str(out) in capsys.readouterr().out


def test_cli_missing_warehouse_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nope.duckdb"
    assert main(["report", "--warehouse", str(missing), "--out",
                 str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(missing) in err and "zonewatch run" in err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("table", ["fct_target_progress", "validation_runs"])
def test_cli_warehouse_without_a_mart_is_one_line_and_exit_2(tmp_path: Path, capsys,
                                                             table: str) -> None:
    assert table in REQUIRED_TABLES
    wh = _warehouse(tmp_path / "old.duckdb", drop=table)
    assert main(["report", "--warehouse", str(wh), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and table in err
    assert not (tmp_path / "r.html").exists()


def test_cli_a_file_that_is_not_duckdb_is_exit_2(tmp_path: Path, capsys) -> None:
    bogus = tmp_path / "warehouse.duckdb"
    bogus.write_text("not a database", encoding="utf-8")
    assert main(["report", "--warehouse", str(bogus), "--out", str(tmp_path / "r.html")]) == 2
    assert str(bogus) in capsys.readouterr().err
