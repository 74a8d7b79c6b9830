"""A synthetic build copy at scale for the gate benchmark.

The schema is here (every table `ingest.gate.run.run_gate` reads, with the columns dbt
gives them: `DDL`), with `write_build`, which creates it in a fresh DuckDB file, fills it
and lays dbt's compiled `gate` views over it. The gate tests' fixture builder
(tests/gate/builder.py) writes its small good build with these; `build_copy` fills the
same schema with many rows: `n_mentions` mentions over
`n_mentions / mentions_per_doc` documents, grouped into `n_facts` facts, plus the real
seeds as `dim_region` / `dim_indicator`. Rows are consistent the way a good build is
(offsets slice `raw_text` out of the document text, every mention's fact exists, values
in range), so the gate passes and the figure is the cost of a normal run.

Bulk rows go to DuckDB as pandas frames (`insert ... by name`), not row by row.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import random
import tempfile
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from benchmarks.generate import _regions
from ingest.config import SEEDS_DIR

__all__ = ["DDL", "FACT_DDL", "FACT_TABLES", "build_copy", "gate_views", "write_build"]

# The build copy's tables as the gate reads them. Column lists follow docs/design.md
# (landing tables, as the dbt staging views expose them) and ../shared/CONTRACT.md
# (marts, dims).
DDL: dict[str, str] = {
    "stg_landing__documents": """
        document_id varchar, content_sha256 varchar, url varchar, title varchar, published_at date,
        published_at_source varchar, fetched_at timestamp, encoding varchar,
        encoding_source varchar, text varchar, text_length integer, cjk_share double,
        status varchar, reject_reason varchar, extractor_version varchar,
        processed_at timestamp""",
    "stg_landing__mentions": """
        mention_id varchar, document_id varchar, char_start integer, char_end integer,
        raw_text varchar, sentence varchar, value double, value_high double, unit varchar,
        qualifier varchar, indicator_id varchar, category varchar, status varchar,
        period_start date, period_end date, period_basis varchar, region_id varchar,
        region_text varchar, region_basis varchar, extractor_version varchar""",
    "dim_region": """
        region_id varchar, name_zh varchar, aliases varchar, parent_region_id varchar,
        level varchar""",
    "dim_indicator": """
        indicator_id varchar, category varchar, name_zh varchar, name_en varchar,
        unit varchar""",
    "dim_document": """
        document_id varchar, url varchar, title varchar, published_at date,
        fetched_at timestamp, content_sha256 varchar""",
    "fct_mentions": """
        mention_id varchar, fact_id varchar, document_id varchar, char_start integer,
        char_end integer, sentence varchar, raw_text varchar""",
}
FACT_DDL = """
    fact_id varchar, indicator_id varchar, region_id varchar, period_start date,
    period_end date, status varchar, value double, unit varchar, qualifier varchar,
    mention_count integer, document_count integer, evidence varchar, source_url varchar"""
FACT_TABLES = ("fct_investment", "fct_output", "fct_compute")
for _t in FACT_TABLES:
    DDL[_t] = FACT_DDL


def write_build(path: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """Write the tables into a fresh DuckDB file and checkpoint it: staging models in
    schema `staging`, everything else in `main`, as dbt lays out the build copy."""
    path = Path(path)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists staging")
        for name, rows in tables.items():
            schema = "staging" if name.startswith("stg_") else "main"
            con.execute(f"create table {schema}.{name} ({DDL[name]})")
            if rows:
                cols = list(rows[0])
                con.executemany(
                    f"insert into {schema}.{name} ({', '.join(cols)}) "
                    f"values ({', '.join('?' for _ in cols)})",
                    [[r[c] for c in cols] for r in rows])
        con.execute("create schema if not exists gate")
        for name, select in gate_views().items():
            # a table it reads may be left out on purpose: the gate reports it unreadable
            with contextlib.suppress(duckdb.CatalogException, duckdb.BinderException):
                con.execute(f'create view gate."{name}" as {select}')
        con.execute("checkpoint")
    finally:
        con.close()
    return path


@functools.cache
def gate_views() -> dict[str, str]:
    """View name -> SELECT of dbt's `gate` models, compiled by dbt (once a process)."""
    from ingest.build.dbt_build import run_dbt

    with tempfile.TemporaryDirectory(prefix="zw-gate-views-") as tmp:
        landing = Path(tmp) / "landing.duckdb"
        duckdb.connect(str(landing)).close()
        res = run_dbt("compile", Path(tmp) / "build.duckdb", landing, Path(tmp) / "dbt",
                      extra_args=["--select", "path:models/gate"])
        compiled = Path(tmp) / "dbt" / "target" / "compiled" / "zonewatch" / "models" / "gate"
        views = {f.stem: f.read_text(encoding="utf-8") for f in compiled.glob("*.sql")}
    if not res.success or not views:
        raise RuntimeError(f"dbt compile of the gate views failed: {res}")
    return views


# indicator -> (keyword as printed, unit surface after the number, fact table)
_SURFACE: dict[str, tuple[str, str]] = {
    "gdp": ("地区生产总值", "元"), "gdp_growth": ("地区生产总值增长", "%"),
    "fixed_asset_investment": ("完成固定资产投资", "元"),
    "fixed_asset_investment_growth": ("固定资产投资增长", "%"),
    "industrial_investment": ("工业投资", "元"), "total_investment": ("项目总投资", "元"),
    "investment_completed": ("完成投资", "元"), "signed_investment": ("签约金额", "元"),
    "fund_size": ("基金总规模", "元"), "retail_sales": ("社会消费品零售总额", "元"),
    "trade_total": ("进出口总额", "元"), "revenue": ("实现营业收入", "元"),
    "industrial_added_value_growth": ("规模以上工业增加值增长", "%"),
    "projects_over_100m_count": ("签约亿元以上项目", "个"),
    "key_projects_count": ("新开工重点项目", "个"), "funds_count": ("新设子基金", "支"),
    "computing_power": ("算力规模达到", "P"),
}
_TABLE = {"investment": "fct_investment", "output": "fct_output", "compute": "fct_compute"}
_STATUSES = ["actual"] * 8 + ["estimate", "target"]
_QUALIFIERS = ["exact"] * 6 + ["more_than", "about", "at_least"]
_FILLER = ["会议强调，要坚持稳中求进工作总基调。", "下一步将持续优化营商环境。",
           "与会人员围绕人工智能、集成电路等领域展开交流。", "相关工作正有序推进。"]
TS = datetime(2025, 1, 15, 8, 0, 0)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _value(rng: random.Random, unit: str) -> tuple[str, float]:
    """(printed number, value in base units)."""
    if unit == "CNY":
        v = round(rng.uniform(1, 20000), rng.choice((0, 1, 2)))
        s = f"{v:.2f}".rstrip("0").rstrip(".")
        return f"{s}亿", float(v) * 1e8
    if unit == "percent":
        v = round(rng.uniform(0.5, 30), 1)
        return f"{v:g}", v
    if unit == "PFLOPS":
        v = rng.randint(10, 50000)
        return str(v), float(v)
    v = rng.randint(1, 500)
    return str(v), float(v)


def _frame(rows: dict[str, list[Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _qualified(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """schema.table as write_build created it (staging models may live in
    their own schema, as dbt lays them out)."""
    row = con.execute("select schema_name from duckdb_tables() where table_name = ?",
                      [table]).fetchone()
    if row is None:
        raise LookupError(f"write_build created no table {table}")
    return f'"{row[0]}"."{table}"'


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("bench_rows", frame)
    try:  # fixed table names (from DDL), never values
        con.execute(f"insert into {_qualified(con, table)} by name select * from bench_rows")
    finally:
        con.unregister("bench_rows")


def build_copy(path: str | Path, n_mentions: int = 100_000, n_facts: int = 20_000,
               mentions_per_doc: int = 10, seed: int = 0,
               rejected_share: float = 0.03) -> dict[str, int]:
    """Write a build copy with these sizes to `path`; returns the row counts."""
    rng = random.Random(f"zonewatch-gate:{seed}")
    path = Path(path)
    write_build(path, {name: [] for name in DDL})  # the schema above, empty

    regions_all, subjects = _regions()
    indicators = {r["indicator_id"]: r for r in _read_csv("indicators.csv")}
    usable = [i for i in _SURFACE if i in indicators]

    # Facts: (indicator, region, period, status, value) distinct by construction.
    facts: list[dict[str, Any]] = []
    for k in range(n_facts):
        ind = indicators[rng.choice(usable)]
        region = rng.choice(subjects)
        year = rng.randint(2019, 2025)
        raw, value = _value(rng, ind["unit"])
        facts.append(dict(
            fact_id=f"f{k:07d}", indicator_id=ind["indicator_id"], region_id=region.region_id,
            period_start=date(year, 1, 1), period_end=date(year, 12, 31),
            status=rng.choice(_STATUSES), value=value, unit=ind["unit"],
            qualifier=rng.choice(_QUALIFIERS), mention_count=0, document_count=0,
            evidence=None, source_url=None, _raw=raw, _category=ind["category"],
            _region_name=region.name, _year=year))
    # Each fact is stated at least once; the remaining mentions restate random facts.
    order = list(range(n_facts)) + [rng.randrange(n_facts) for _ in range(n_mentions - n_facts)]
    rng.shuffle(order)

    docs: dict[str, list[Any]] = defaultdict(list)
    dim_doc: dict[str, list[Any]] = defaultdict(list)
    ments: dict[str, list[Any]] = defaultdict(list)
    fct_m: dict[str, list[Any]] = defaultdict(list)
    fact_docs: dict[int, set[str]] = defaultdict(set)
    n_docs = (n_mentions + mentions_per_doc - 1) // mentions_per_doc
    for d in range(n_docs):
        doc_id = f"{d:016x}"
        url = f"https://www.example{d % 97}.gov.cn/zwgk/gzdt/t2024{d % 12 + 1:02d}15_{d}.html"
        parts: list[str] = []
        pos = 0
        for fi in order[d * mentions_per_doc:(d + 1) * mentions_per_doc]:
            f = facts[fi]
            if rng.random() < 0.3:
                filler = rng.choice(_FILLER)
                parts.append(filler)
                pos += len(filler)
            kw, unit_text = _SURFACE[f["indicator_id"]]
            lead = f"{f['_year']}年，{f['_region_name']}{kw}"
            sentence = f"{lead}{f['_raw']}{unit_text}。"
            start = pos + len(lead)
            end = start + len(f["_raw"])
            mid = f"m{len(ments['mention_id']):08d}"
            for cols, row in ((ments, dict(
                    mention_id=mid, document_id=doc_id, char_start=start, char_end=end,
                    raw_text=f["_raw"], sentence=sentence, value=f["value"], value_high=None,
                    unit=f["unit"], qualifier=f["qualifier"], indicator_id=f["indicator_id"],
                    category=f["_category"], status=f["status"], period_start=f["period_start"],
                    period_end=f["period_end"], period_basis="explicit",
                    region_id=f["region_id"], region_text=f["_region_name"],
                    region_basis="sentence", extractor_version="1")),
                    (fct_m, dict(mention_id=mid, fact_id=f["fact_id"], document_id=doc_id,
                                 char_start=start, char_end=end, sentence=sentence,
                                 raw_text=f["_raw"]))):
                for c, v in row.items():
                    cols[c].append(v)
            f["mention_count"] += 1
            fact_docs[fi].add(doc_id)
            if f["evidence"] is None:
                f["evidence"], f["source_url"] = sentence, url
            parts.append(sentence)
            pos += len(sentence)
        text = "".join(parts)
        title = text[:20]
        for c, v in dict(document_id=doc_id, content_sha256=doc_id * 4, url=url, title=title,
                         published_at=date(2024, d % 12 + 1, 15), published_at_source="url",
                         fetched_at=TS, encoding="utf-8", encoding_source="meta", text=text,
                         text_length=len(text), cjk_share=0.85, status="ok",
                         reject_reason=None, extractor_version="1", processed_at=TS).items():
            docs[c].append(v)
        for c, v in dict(document_id=doc_id, url=url, title=title,
                         published_at=date(2024, d % 12 + 1, 15), fetched_at=TS,
                         content_sha256=doc_id * 4).items():
            dim_doc[c].append(v)
    for r in range(int(n_docs * rejected_share)):  # rejected pages: no text, no mentions
        doc_id = f"r{r:015x}"
        for c, v in dict(document_id=doc_id, content_sha256=doc_id * 4,
                         url=f"https://www.example.gov.cn/bad/{r}.html", title=None,
                         published_at=None, published_at_source="none", fetched_at=TS,
                         encoding=None, encoding_source=None, text=None, text_length=0,
                         cjk_share=None, status="rejected",
                         reject_reason="no text: 0 characters after boilerplate",
                         extractor_version="1", processed_at=TS).items():
            docs[c].append(v)

    per_table: dict[str, dict[str, list[Any]]] = {t: defaultdict(list) for t in _TABLE.values()}
    for fi, f in enumerate(facts):
        f["document_count"] = len(fact_docs[fi])
        cols = per_table[_TABLE[f["_category"]]]
        for c, v in f.items():
            if not c.startswith("_"):
                cols[c].append(v)

    region_rows = [r for r in _read_csv("regions.csv") if r["level"] != "unknown"]
    assert len(regions_all) <= len(region_rows)
    con = duckdb.connect(str(path))
    try:
        _insert(con, "dim_region", pd.DataFrame.from_records(
            [dict(region_id=r["region_id"], name_zh=r["name_zh"], aliases=r["aliases"],
                  parent_region_id=r["parent_region_id"] or None, level=r["level"])
             for r in region_rows]))
        _insert(con, "dim_indicator", pd.DataFrame.from_records(
            [dict(indicator_id=r["indicator_id"], category=r["category"], name_zh=r["name_zh"],
                  name_en=r["name_en"], unit=r["unit"]) for r in indicators.values()]))
        _insert(con, "stg_landing__documents", _frame(docs))
        _insert(con, "dim_document", _frame(dim_doc))
        _insert(con, "stg_landing__mentions", _frame(ments))
        _insert(con, "fct_mentions", _frame(fct_m))
        for table, cols in per_table.items():
            if cols:
                _insert(con, table, _frame(cols))
        con.execute("checkpoint")
        counts = {t: int(con.execute(f"select count(*) from {_qualified(con, t)}")
                         .fetchone()[0])  # type: ignore[index]
                  for t in DDL}
    finally:
        con.close()
    return counts
