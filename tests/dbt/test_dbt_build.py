"""`dbt build` on a tiny landing zone, in-process, into a temp warehouse.

Fixture (written with the duckdb API against ingest/landing/landing.sql):
- fixed-asset investment of Wuhan 2023 = 1000亿元, stated by d1 once and d2 twice
  (d2 repeats it in title and body) -> one fact, 3 mentions, 2 documents, source = d1;
- Wuhan GDP 2023: d1 (2024-01-15) says 2.0万亿元, d3 (2024-03-01) says 2.1万亿元 -> two facts,
  a revision (fct_fact_vintages: two vintages, 2.1万亿元 current), not a conflict; the
  investment figure restated by d2 with the same value stays one vintage;
- a project in 黄陂区: d3 says 50亿元, d7 (also 2024-03-01) 60亿元 -> a same-date conflict
  (fct_conflicts), neither current;
- a compute target with no region -> region_id 'unknown';
- 黄陂区 is not in the regions seed -> discovered region 'x-<md5>';
- d4 is rejected (not Chinese): its mention never reaches the facts, d4 is in dim_document;
- d5 is set aside (`zonewatch exclude`, landing table exclusions): its retail-sales figure
  reaches no fact, d5 is in dim_document with its excluded_reason; d1 was excluded once and
  included again, so it counts as before.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pytest

from ingest.build.dbt_build import run_dbt
from ingest.gate.spec import TABLE_QUERIES
from ingest.landing.store import DDL_PATH as LANDING_DDL

URL_A = "https://www.wuhan.gov.cn/a.html"
URL_B = "https://www.wuhan.gov.cn/b.html"
URL_C = "https://www.hubei.gov.cn/c.html"
URL_D = "https://example.com/d.html"
URL_E = "https://www.wuhan.gov.cn/e.html"
URL_G = "https://www.huangpi.gov.cn/g.html"
EXCLUDED_REASON = "fact_value_range_cny: a unit slip on this page"
README = Path(__file__).resolve().parents[2] / "README.md"
# The README's "Questions the warehouse answers": which figures conflict, which were revised?
REVISIONS_QUERY = """\
select indicator_id, region_id, period_end, status, value, valid_from, valid_to,
       case when is_contested then 'conflict' when valid_to is not null then 'revised'
            else 'current' end as standing,
       source_url
from fct_fact_vintages
where conflict_group_id in (select conflict_group_id from fct_fact_vintages
                            group by conflict_group_id having count(distinct value) > 1)
order by indicator_id, region_id, period_end, status, valid_from nulls first, value;"""
BUILD_SHA = "ab" * 32


# --------------------------------------------------------------------------- dbt helpers


@dataclass
class BuildResult:
    success: bool
    seconds: float
    failures: list[str] = field(default_factory=list)


def dbt_build(tmp: Path, build_db: Path, landing_db: Path) -> BuildResult:
    """`dbt build` as the pipeline runs it (ingest.build.dbt_build.run_dbt: in-process,
    the DuckDB file released afterwards), this process's environment left as it was."""
    started = time.perf_counter()
    with mock.patch.dict(os.environ):  # run_dbt sets ZONEWATCH_BUILD_DB / _LANDING_DB
        res = run_dbt("build", build_db, landing_db, tmp)
    return BuildResult(success=res.success, seconds=time.perf_counter() - started,
                       failures=[*res.failed_tests, *res.errored_nodes])


# --------------------------------------------------------------------------- fixture data

MENTION_COLUMNS = (
    "mention_id",
    "document_id",
    "char_start",
    "char_end",
    "raw_text",
    "sentence",
    "value",
    "value_high",
    "unit",
    "qualifier",
    "indicator_id",
    "category",
    "status",
    "period_start",
    "period_end",
    "period_basis",
    "region_id",
    "region_text",
    "region_basis",
    "extractor_version",
    "confidence",
    "basis",
)


@dataclass
class Doc:
    document_id: str
    url: str
    published_at: date | None
    fetched_at: datetime
    text: str
    status: str = "ok"
    reject_reason: str | None = None
    mentions: list[dict[str, Any]] = field(default_factory=list)

    def mention(self, mention_id: str, raw_text: str, *, nth: int = 0, **fact: Any) -> None:
        """A mention of `raw_text` (its nth occurrence) with offsets into self.text."""
        start = -1
        for _ in range(nth + 1):
            start = self.text.index(raw_text, start + 1)
        end = start + len(raw_text)
        sentence_start = max(self.text.rfind("。", 0, start) + 1, 0)
        sentence_end = self.text.find("。", end)
        sentence = self.text[sentence_start : sentence_end + 1 if sentence_end >= 0 else None]
        row = {
            "mention_id": mention_id,
            "document_id": self.document_id,
            "char_start": start,
            "char_end": end,
            "raw_text": raw_text,
            "sentence": sentence,
            "value_high": None,
            "qualifier": "exact",
            "status": "actual",
            "period_start": None,
            "period_end": None,
            "period_basis": "explicit",
            "region_id": None,
            "region_text": None,
            "region_basis": "none",
            "extractor_version": "test-0",
            "confidence": 0.9,
            "basis": "indicator=keyword_near;status=no_cue;period=explicit;region=none",
        }
        row.update(fact)
        self.mentions.append(row)


# Wuhan, 2023, named in the sentence: the period and region of most fixture facts.
WUHAN_2023: dict[str, Any] = dict(
    period_start=date(2023, 1, 1),
    period_end=date(2023, 12, 31),
    region_id="cn-4201",
    region_text="武汉",
    region_basis="sentence",
)
FAI_2023: dict[str, Any] = dict(
    value=1.0e11, unit="CNY", indicator_id="fixed_asset_investment", category="investment",
    **WUHAN_2023,
)
GDP_2023: dict[str, Any] = dict(unit="CNY", indicator_id="gdp", category="output", **WUHAN_2023)


def fixture_docs(*, broken: bool = False) -> list[Doc]:
    d1 = Doc(
        "d000000000000001",
        URL_A,
        date(2024, 1, 15),
        datetime(2024, 5, 1, 8, 0),
        "2023年武汉市固定资产投资1000亿元。2023年武汉市地区生产总值2.0万亿元。",
    )
    d1.mention("m01", "1000亿元", **FAI_2023)
    d1.mention("m02", "2.0万亿元", value=2.0e12, **GDP_2023)

    d2 = Doc(
        "d000000000000002",
        URL_B,
        date(2024, 2, 1),
        datetime(2024, 4, 1, 8, 0),
        "武汉固定资产投资1000亿元。正文：2023年武汉市固定资产投资1000亿元，增长较快。",
    )
    d2.mention("m03", "1000亿元", **FAI_2023)
    # float noise must not split the fact (12 significant digits in the key)
    d2.mention("m04", "1000亿元", nth=1, **{**FAI_2023, "value": 1.0e11 + 1e-3})

    d3 = Doc(
        "d000000000000003",
        URL_C,
        date(2024, 3, 1),
        datetime(2024, 3, 2, 8, 0),
        "2023年武汉市地区生产总值2.1万亿元。到2025年算力规模达到5000PFLOPS。"
        "黄陂区项目总投资50亿元。",
    )
    d3.mention("m05", "2.1万亿元", value=2.1e12, **GDP_2023)
    d3.mention(
        "m06",
        "5000PFLOPS",
        value=5000.0,
        unit="PFLOPS",
        indicator_id="computing_power",
        category="compute",
        status="target",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    d3.mention(
        "m07",
        "50亿元",
        value=5.0e9,
        unit="CNY",
        indicator_id="total_investment",
        category="investment",
        period_basis="publication_date",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        region_text="黄陂区",
        region_basis="sentence",
    )

    d4 = Doc(
        "d000000000000004",
        URL_D,
        None,
        datetime(2024, 5, 2, 8, 0),
        "Signed investment 800亿元 in English mostly.",
        status="rejected",
        reject_reason="not_chinese",
    )
    d4.mention(
        "m08",
        "800亿元",
        value=8.0e10,
        unit="CNY",
        indicator_id="signed_investment",
        category="investment",
    )
    d5 = Doc(
        "d000000000000005",
        URL_E,
        date(2024, 4, 1),
        datetime(2024, 5, 3, 8, 0),
        "2023年武汉市社会消费品零售总额8000亿元。",
    )
    d5.mention("m10", "8000亿元", value=8.0e11, unit="CNY", indicator_id="retail_sales",
               category="output", **WUHAN_2023)
    d7 = Doc(
        "d000000000000007",
        URL_G,
        date(2024, 3, 1),
        datetime(2024, 3, 3, 8, 0),
        "黄陂区项目总投资60亿元。",
    )
    d7.mention(
        "m11",
        "60亿元",
        value=6.0e9,
        unit="CNY",
        indicator_id="total_investment",
        category="investment",
        period_basis="publication_date",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        region_text="黄陂区",
        region_basis="sentence",
    )
    if broken:
        d3.mention(
            "m09",
            "50亿元",
            value=5.0e9,
            unit="CNY",
            indicator_id="no_such_indicator",
            category="investment",
        )
    return [d1, d2, d3, d4, d5, d7]


# The exclusion ledger: d5 set aside now; d1 set aside once and included again.
EXCLUSIONS = [
    ("d000000000000005", URL_E, URL_E, EXCLUDED_REASON, "oncall", datetime(2024, 5, 4, 8, 0),
     None, None),
    ("d000000000000001", URL_A, "d000000000000001", "wrong page", "oncall",
     datetime(2024, 5, 4, 9, 0), "oncall", datetime(2024, 5, 4, 10, 0)),
]


def write_landing(path: Path, docs: list[Doc]) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(LANDING_DDL.read_text(encoding="utf-8"))
        for d in docs:
            sha = (d.document_id * 4)[:64]
            con.execute(
                "insert into raw_pages values (?, ?, 'test', ?, 200, '{}', ?, ?, null)",
                [sha, d.url, d.fetched_at, len(d.text.encode()), f"raw/{sha[:2]}/{sha}"],
            )
            con.execute(
                "insert into documents values "
                "(?, ?, ?, ?, ?, ?, ?, 'utf-8', 'bom', ?, ?, ?, ?, ?, 'test-0', ?)",
                [
                    d.document_id,
                    sha,
                    d.url,
                    "标题",
                    d.published_at,
                    "sidecar" if d.published_at else "none",
                    d.fetched_at,
                    d.text,
                    len(d.text),
                    0.9 if d.status == "ok" else 0.1,
                    d.status,
                    d.reject_reason,
                    d.fetched_at,
                ],
            )
            for m in d.mentions:
                con.execute(
                    f"insert into mentions ({', '.join(MENTION_COLUMNS)}) "
                    f"values ({', '.join('?' for _ in MENTION_COLUMNS)})",
                    [m[c] for c in MENTION_COLUMNS],
                )
        con.execute(
            "insert into page_errors values (?, null, 'fetch', 'HTTP 404', ?, 'run-1')",
            ["https://www.wuhan.gov.cn/missing.html", datetime(2024, 5, 1, 9, 0)],
        )
        con.executemany("insert into exclusions values (?, ?, ?, ?, ?, ?, ?, ?)", EXCLUSIONS)
        con.execute(
            "insert into validation_runs (run_id, validated_at, passed, blocking_count, "
            "warning_count, expectations, report_dir, summary, failures, build_sha256) "
            "values ('run-1', ?, true, 0, 0, 90, '/r', 'PASSED', '[]', ?)",
            [datetime(2024, 5, 1, 9, 30), BUILD_SHA],
        )
    finally:
        con.close()


# --------------------------------------------------------------------------- tests


@dataclass
class Built:
    tmp: Path
    build_db: Path
    landing_db: Path
    first: BuildResult

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        # read-only and WITHOUT the landing attachment: what a BI tool sees
        con = duckdb.connect(str(self.build_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("dbt_build")
    landing_db = tmp / "landing.duckdb"
    build_db = tmp / "build" / "warehouse.duckdb"
    build_db.parent.mkdir()
    write_landing(landing_db, fixture_docs())
    result = dbt_build(tmp, build_db, landing_db)
    print(f"\ndbt build on fixture: {result.seconds:.2f}s")
    yield Built(tmp, build_db, landing_db, result)


def test_build_succeeds(built: Built) -> None:
    assert built.first.success, built.first.failures


def test_build_runs_every_unit_test(built: Built) -> None:
    """The pipeline's production build leaves dbt's unit tests out; this build (CI's) is
    where they run, so every one of them must be here and pass."""
    import json

    results = json.loads((built.tmp / "target" / "run_results.json").read_text())["results"]
    unit = {r["unique_id"]: r["status"] for r in results
            if r["unique_id"].startswith("unit_test.")}
    manifest = json.loads((built.tmp / "target" / "manifest.json").read_text())
    assert unit and set(unit) == set(manifest["unit_tests"])
    assert set(unit.values()) == {"pass"}


def test_build_file_is_self_contained(built: Built, tmp_path: Path) -> None:
    # The only views are the gate's, and none reads the `landing` catalog (absent for BI
    # tools).
    views = built.query(
        "select schema_name, view_name, sql from duckdb_views() where not internal"
    )
    assert {(s, n.removeprefix("gate__")) for s, n, _ in views} == {
        ("gate", t) for t in TABLE_QUERIES if TABLE_QUERIES[t].relation}
    for _, name, sql in views:
        assert not any(c in sql for c in ("landing.", '"landing".')), name
    tables = built.query(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE'"
    )
    # Every table and view reads without landing attached, from a copy under another name.
    published = tmp_path / "published.duckdb"
    shutil.copyfile(built.build_db, published)
    con = duckdb.connect(str(published), read_only=True)
    try:
        for schema, name in [*tables, *((s, n) for s, n, _ in views)]:
            con.execute(f'select count(*) from "{schema}"."{name}"').fetchall()
    finally:
        con.close()
    names = {n for _, n in tables}
    for contract_table in (
        "fct_investment",
        "fct_output",
        "fct_compute",
        "fct_mentions",
        "dim_region",
        "dim_indicator",
        "dim_document",
    ):
        assert contract_table in names
    assert ("main", "fct_investment") in tables


def test_contract_columns(built: Built) -> None:
    def cols(table: str) -> list[str]:
        return [
            r[0]
            for r in built.query(
                "select column_name from information_schema.columns "
                "where table_schema = 'main' and table_name = ? order by ordinal_position",
                [table],
            )
        ]

    fact_cols = {
        "fact_id",
        "indicator_id",
        "region_id",
        "period_start",
        "period_end",
        "status",
        "value",
        "unit",
        "qualifier",
        "mention_count",
        "document_count",
        "evidence",
        "source_url",
        # beyond CONTRACT.md (extra columns are welcome): how sure, and why
        "confidence",
        "basis",
        # what value measures (level, growth_yoy, share, count) and what span the period is
        "measure",
        "period_grain",
        # the latest word of its indicator, region, period, status and unit
        "is_current",
    }
    for t in ("fct_investment", "fct_output", "fct_compute"):
        assert set(cols(t)) == fact_cols
    assert {"region_id", "name_zh", "aliases", "parent_region_id", "level"} <= set(
        cols("dim_region")
    )
    assert {"indicator_id", "category", "measure", "name_zh", "name_en", "unit"} <= set(
        cols("dim_indicator"))
    assert {
        "target_fact_id", "indicator_id", "region_id", "measure", "unit",
        "target_period_start", "target_period_end", "target_value", "target_source_url",
        "target_evidence", "actual_fact_id", "actual_status", "actual_value",
        "actual_period_end", "actual_source_url", "actual_evidence", "baseline_value",
        "baseline_period_end", "attainment_share", "progress_state",
    } <= set(cols("fct_target_progress"))
    assert {"document_id", "url", "title", "published_at", "fetched_at", "content_sha256"} <= set(
        cols("dim_document")
    )
    assert {
        "mention_id",
        "fact_id",
        "document_id",
        "char_start",
        "char_end",
        "sentence",
        "raw_text",
    } <= set(cols("fct_mentions"))
    types = dict(
        built.query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main' and table_name = 'fct_investment'"
        )
    )
    assert types["mention_count"] == "INTEGER"
    assert types["document_count"] == "INTEGER"
    assert types["value"] == "DOUBLE"
    assert types["period_start"] == "DATE"


def test_every_mart_and_mart_column_carries_its_description_as_a_comment(built: Built) -> None:
    """persist_docs: what a BI tool shows for a table or column (DuckDB's COMMENT) is the
    description in the models' YAML, rendered (doc blocks), and no mart column lacks one."""
    import json

    manifest = json.loads((built.tmp / "target" / "manifest.json").read_text())
    marts = {n["name"]: n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["fqn"][1] == "marts"}
    tables = dict(built.query(
        "select table_name, comment from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'main'"))
    assert set(tables) == set(marts)  # schema main holds the marts, and only them
    for name, comment in tables.items():
        assert comment and comment == marts[name]["description"], name
    columns = built.query(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main'")
    assert len(columns) > 150
    undescribed = [f"{t}.{c}" for t, c, comment in columns if not (comment or "").strip()]
    assert undescribed == []
    for table, column, comment in columns:
        assert comment == marts[table]["columns"][column]["description"], (table, column)
        assert "{{" not in comment and "doc(" not in comment, (table, column)
    # the seeds (the enums) carry theirs too
    assert built.query(
        "select comment from duckdb_tables() where schema_name = 'seeds' "
        "and table_name = 'measures'")[0][0].startswith("What a value measures")


def test_exposures_name_what_the_report_and_the_bi_schema_read(built: Built) -> None:
    """dbt_project/models/exposures.yml: the report depends on exactly the marts
    `zonewatch report` reads, the BI schema on every mart serve-postgres switches in."""
    import json

    from ingest.serve.report import REQUIRED_TABLES

    manifest = json.loads((built.tmp / "target" / "manifest.json").read_text())
    marts = {n["unique_id"] for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["fqn"][1] == "marts"}
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"zonewatch_report", "bi_schema"}
    report, bi = exposures["zonewatch_report"], exposures["bi_schema"]
    assert set(report["depends_on"]["nodes"]) == {
        f"model.zonewatch.{t}" for t in REQUIRED_TABLES}
    assert set(bi["depends_on"]["nodes"]) == marts
    for e in (report, bi):
        assert e["owner"]["name"] and e["description"].strip()
    assert (report["type"], bi["type"]) == ("dashboard", "application")


def test_docs_site_lists_mart_columns_with_descriptions_and_the_exposures(
    built: Built, tmp_path: Path
) -> None:
    """`zonewatch docs` (`make docs`): dbt docs generate against a copy of the published
    warehouse; the catalog has every mart column with its comment, the manifest the
    exposures, and the site is served on 127.0.0.1. The warehouse itself is untouched."""
    import hashlib
    import json
    import threading
    import urllib.request

    from ingest.config import Paths
    from ingest.serve.docs import docs_server, generate_docs, url_of

    before = hashlib.sha256(built.build_db.read_bytes()).hexdigest()
    with mock.patch.dict(os.environ):  # run_dbt sets ZONEWATCH_BUILD_DB / _LANDING_DB
        site = generate_docs(Paths.create(tmp_path / "work", built.build_db))
    assert hashlib.sha256(built.build_db.read_bytes()).hexdigest() == before
    assert site.directory == tmp_path / "work" / "docs" / "target"
    assert not (tmp_path / "work" / "docs" / "db").exists()  # the copy is gone
    assert site.static_index.stat().st_size > site.index.stat().st_size

    catalog = json.loads((site.directory / "catalog.json").read_text())
    manifest = json.loads((site.directory / "manifest.json").read_text())
    assert not catalog.get("errors")
    marts = {uid: n for uid, n in manifest["nodes"].items()
             if n["resource_type"] == "model" and n["fqn"][1] == "marts"}
    assert len(marts) >= 13 and set(marts) <= set(catalog["nodes"])
    in_db = {t for (t,) in built.query(
        "select table_name from duckdb_tables() where schema_name = 'main'")}
    assert {n["name"] for n in marts.values()} == in_db
    for uid, node in marts.items():
        entry = catalog["nodes"][uid]
        assert entry["metadata"]["comment"] == node["description"], uid
        columns = entry["columns"]
        assert len(columns) >= 4, uid
        for name, col in columns.items():
            assert col["comment"] and col["comment"] == node["columns"][name]["description"], (
                uid, name)
    assert {e["name"] for e in manifest["exposures"].values()} == {"zonewatch_report",
                                                                    "bi_schema"}

    with docs_server(site) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = url_of(server)
            assert url.startswith("http://127.0.0.1:")
            with urllib.request.urlopen(url, timeout=10) as resp:
                assert resp.status == 200 and b"dbt" in resp.read()
            with urllib.request.urlopen(url + "manifest.json", timeout=10) as resp:
                assert "exposure.zonewatch.bi_schema" in json.loads(resp.read())["exposures"]
        finally:
            server.shutdown()
            thread.join(timeout=5)


def test_fact_counts(built: Built) -> None:
    assert built.query("select count(*) from fct_investment") == [(3,)]
    assert built.query("select count(*) from fct_output") == [(2,)]
    assert built.query("select count(*) from fct_compute") == [(1,)]
    assert built.query("select count(*) from fct_mentions") == [(8,)]


def test_repeated_fact_collapses(built: Built) -> None:
    rows = built.query(
        "select mention_count, document_count, source_url, evidence, value "
        "from fct_investment where indicator_id = 'fixed_asset_investment'"
    )
    assert rows == [(3, 2, URL_A, "2023年武汉市固定资产投资1000亿元。", 1.0e11)]


def test_rejected_document_kept_in_dim_only(built: Built) -> None:
    assert built.query(
        "select status, reject_reason, mention_count from dim_document "
        "where document_id = 'd000000000000004'"
    ) == [("rejected", "not_chinese", 0)]
    assert built.query("select count(*) from dim_document") == [(6,)]
    assert built.query(
        "select count(*) from fct_mentions where document_id = 'd000000000000004'"
    ) == [(0,)]
    assert built.query(
        "select count(*) from fct_investment where indicator_id = 'signed_investment'"
    ) == [(0,)]


def test_excluded_document_states_no_fact_and_says_why(built: Built) -> None:
    # d5 is excluded now: in dim_document with the reason, in no fact or mention table
    assert built.query(
        "select status, excluded_reason, mention_count, fact_count from dim_document "
        "where document_id = 'd000000000000005'"
    ) == [("ok", EXCLUDED_REASON, 0, 0)]
    assert built.query(
        "select count(*) from fct_mentions where document_id = 'd000000000000005'"
    ) == [(0,)]
    assert built.query(
        "select count(*) from fct_output where indicator_id = 'retail_sales'"
    ) == [(0,)]
    # staging keeps the page as landed: the ledger is applied in the intermediate layer
    assert built.query(
        "select count(*) from staging.stg_landing__mentions where document_id = 'd000000000000005'"
    ) == [(1,)]
    # d1's exclusion was undone: its facts count, and it has no excluded_reason
    assert built.query(
        "select excluded_reason, mention_count from dim_document "
        "where document_id = 'd000000000000001'"
    ) == [(None, 2)]
    assert built.query(
        "select document_id, is_current from staging.stg_landing__exclusions order by 1"
    ) == [("d000000000000001", False), ("d000000000000005", True)]


def test_validation_runs_carry_the_build_sha256(built: Built) -> None:
    assert built.query(
        "select run_id, verdict, build_sha256 from validation_runs") == [
        ("run-1", "passed", BUILD_SHA)]
    assert built.query(
        "select build_sha256 from staging.stg_landing__validation_runs") == [(BUILD_SHA,)]


def test_regions_unknown_and_discovered(built: Built) -> None:
    assert built.query("select region_id from fct_compute") == [("unknown",)]
    rows = built.query(
        "select distinct f.region_id, r.name_zh, r.level, r.is_discovered from fct_investment f "
        "join dim_region r using (region_id) where f.indicator_id = 'total_investment'"
    )
    assert len(rows) == 1  # d3 and d7 name the same district
    region_id, name_zh, level, is_discovered = rows[0]
    assert region_id.startswith("x-") and (name_zh, level, is_discovered) == (
        "黄陂区",
        "unknown",
        True,
    )


def test_target_progress_of_the_compute_target(built: Built) -> None:
    # d3's 2025 compute target (no region) has no actual; "today" is the newest accepted
    # page not set aside (d3, 2024-03-01: d5 is later but excluded) -> no_actual_yet
    target_id = built.query("select fact_id from fct_compute where status = 'target'")[0][0]
    assert built.query(
        "select target_fact_id, region_id, measure, unit, target_value, actual_fact_id, "
        "progress_state, progress_as_of_date, target_source_url from fct_target_progress"
    ) == [(target_id, "unknown", "level", "PFLOPS", 5000.0, None, "no_actual_yet",
           date(2024, 3, 1), URL_C)]


def test_facts_say_what_they_measure(built: Built) -> None:
    assert built.query(
        "select measure, period_grain, count(*) from fct_output group by all") == [
        ("level", "year", 2)]


def test_conflicts_are_same_date_disagreements(built: Built) -> None:
    # d3 and d7, both of 2024-03-01, disagree on 黄陂区's 2024 total investment: a conflict
    rows = built.query(
        "select indicator_id, value, conflicting_fact_count, group_min_value, group_max_value, "
        "as_of_date from fct_conflicts order by value"
    )
    assert rows == [
        ("total_investment", 5.0e9, 1, 5.0e9, 6.0e9, date(2024, 3, 1)),
        ("total_investment", 6.0e9, 1, 5.0e9, 6.0e9, date(2024, 3, 1)),
    ]
    # both sides stay in the fact table, and neither wins
    assert built.query(
        "select f.value, f.is_current from fct_investment f join fct_conflicts c "
        "using (fact_id) order by 1"
    ) == [(5.0e9, False), (6.0e9, False)]
    assert built.query(
        "select value, is_contested, is_current, valid_from, valid_to from fct_fact_vintages "
        "where indicator_id = 'total_investment' order by value"
    ) == [(5.0e9, True, False, date(2024, 3, 1), None),
          (6.0e9, True, False, date(2024, 3, 1), None)]


def test_a_later_value_is_a_revision(built: Built) -> None:
    # Wuhan GDP 2023: 2.0万亿元 on d1 (2024-01-15), then 2.1万亿元 on d3 (2024-03-01)
    assert built.query(
        "select value, vintage_number, as_of_date, valid_from, valid_to, is_current, "
        "is_contested, source_url, evidence from fct_fact_vintages "
        "where indicator_id = 'gdp' order by valid_from"
    ) == [
        (2.0e12, 1, date(2024, 1, 15), date(2024, 1, 15), date(2024, 3, 1), False, False, URL_A,
         "2023年武汉市地区生产总值2.0万亿元。"),
        (2.1e12, 2, date(2024, 3, 1), date(2024, 3, 1), None, True, False, URL_C,
         "2023年武汉市地区生产总值2.1万亿元。"),
    ]
    assert built.query(
        "select value, is_current from fct_output where indicator_id = 'gdp' order by value"
    ) == [(2.0e12, False), (2.1e12, True)]
    assert built.query("select count(*) from fct_conflicts where indicator_id = 'gdp'") == [(0,)]


def test_a_restatement_with_the_same_value_is_one_vintage(built: Built) -> None:
    # d1 (2024-01-15) and d2 (2024-02-01) give the same investment figure: one vintage
    assert built.query(
        "select v.value, v.valid_from, v.valid_to, v.is_current, v.document_count, v.source_url, "
        "f.is_current from fct_fact_vintages v join fct_investment f using (fact_id) "
        "where v.indicator_id = 'fixed_asset_investment'"
    ) == [(1.0e11, date(2024, 1, 15), None, True, 2, URL_A, True)]
    # every fact has a vintage, and each vintage's fact is in a fact table
    assert built.query(
        "select count(distinct fact_id) from fct_fact_vintages") == [(6,)]


def test_readme_question_which_figures_conflict_and_which_were_revised(built: Built) -> None:
    assert REVISIONS_QUERY in README.read_text(encoding="utf-8")
    rows = built.query(REVISIONS_QUERY)
    assert [(r[0], r[4], r[7]) for r in rows] == [
        ("gdp", 2.0e12, "revised"),
        ("gdp", 2.1e12, "current"),
        ("total_investment", 5.0e9, "conflict"),
        ("total_investment", 6.0e9, "conflict"),
    ]


def test_fact_ids_stable_across_builds(built: Built, tmp_path: Path) -> None:
    first = built.query(
        "select fact_id from fct_investment union all "
        "select fact_id from fct_output union all "
        "select fact_id from fct_compute order by 1"
    )
    second_db = tmp_path / "warehouse2.duckdb"
    result = dbt_build(tmp_path, second_db, built.landing_db)
    assert result.success, result.failures
    con = duckdb.connect(str(second_db), read_only=True)
    try:
        second = con.execute(
            "select fact_id from fct_investment union all "
            "select fact_id from fct_output union all "
            "select fact_id from fct_compute order by 1"
        ).fetchall()
    finally:
        con.close()
    assert first == second and len(first) == 6


def test_build_file_released_after_build(built: Built) -> None:
    # another connection with a different configuration would fail while dbt holds it
    con = duckdb.connect(str(built.build_db), read_only=False)
    con.close()


def test_unknown_indicator_fails_build(tmp_path: Path) -> None:
    landing_db = tmp_path / "landing.duckdb"
    write_landing(landing_db, fixture_docs(broken=True))
    result = dbt_build(tmp_path, tmp_path / "warehouse.duckdb", landing_db)
    assert not result.success
    assert any("relationships_stg_landing__mentions_indicator_id" in f for f in result.failures), (
        result.failures
    )


def test_incremental_build_mirrors_a_landing_zone_that_lost_a_page(
    built: Built, tmp_path: Path
) -> None:
    # Start from a copy of the built warehouse (as the pipeline's build copy does) but
    # build it over a landing zone without the first document: its raw page, document and
    # mentions must leave staging, and with them its facts; nothing stale is published.
    import shutil

    docs = fixture_docs()
    gone = docs[0]
    landing_db = tmp_path / "landing.duckdb"
    write_landing(landing_db, docs[1:])
    build_db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built.build_db, build_db)
    result = dbt_build(tmp_path, build_db, landing_db)
    assert result.success, result.failures
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        def count(sql: str) -> int:
            return int(con.execute(sql, [gone.document_id]).fetchone()[0])

        assert count("select count(*) from staging.stg_landing__documents "
                     "where document_id = ?") == 0
        assert count("select count(*) from staging.stg_landing__mentions "
                     "where document_id = ?") == 0
        assert count("select count(*) from fct_mentions where document_id = ?") == 0
        assert count("select count(*) from dim_document where document_id = ?") == 0
        kept = con.execute("select count(*) from staging.stg_landing__raw_pages").fetchone()[0]
    finally:
        con.close()
    assert kept == len(docs) - 1
    assert gone.mentions, "the fixture's first document must state facts"
