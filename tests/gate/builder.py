"""A small build copy written directly with the duckdb API: good rows, mutable per test.

`good_build()` returns table -> list of row dicts; tests change rows and call
`write_build(path, tables)`. The schema (`DDL`, `FACT_DDL`, `FACT_TABLES`), `write_build`
and `gate_views` live in benchmarks/buildcopy.py, which the gate benchmark shares
(tests import benchmarks, never the other way round); they are re-exported here.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from benchmarks.buildcopy import DDL, FACT_DDL, FACT_TABLES, gate_views, write_build

__all__ = ["DDL", "FACT_DDL", "FACT_TABLES", "fact_row", "gate_views", "good_build",
           "write_build"]

TS = datetime(2024, 5, 1, 12, 0, 0)
Y2023 = (date(2023, 1, 1), date(2023, 12, 31))

# (document_id, url, text, [(mention_id, raw_text, value, unit, indicator, category, fact table)])
DOCS = [
    ("d000000000000001", "https://www.hefei.gov.cn/news/2024/001.html",
     "2023年，合肥高新区完成固定资产投资120亿元，同比增长8.5%。",
     [("m1", "120亿元", 1.2e10, "CNY", "fixed_asset_investment", "investment", "fct_investment"),
      ("m2", "8.5%", 8.5, "percent", "output_growth", "output", "fct_output")]),
    ("d000000000000002", "https://www.wuhu.gov.cn/zwgk/2024/002.html",
     "芜湖经开区2023年新增规模以上工业企业45家，智算中心算力达到300P。",
     [("m3", "45家", 45.0, "count", "new_enterprises", "output", "fct_output"),
      ("m4", "300P", 300.0, "PFLOPS", "compute_capacity", "compute", "fct_compute")]),
    ("d000000000000003", "https://www.hefei.gov.cn/news/2024/003.html",
     "据悉，合肥高新区2023年固定资产投资120亿元，其中工业投资80亿元。",
     [("m5", "120亿元", 1.2e10, "CNY", "fixed_asset_investment", "investment", "fct_investment"),
      ("m6", "80亿元", 8.0e9, "CNY", "industrial_investment", "investment", "fct_investment")]),
]
REGIONS = [("r_hefei_hitech", "合肥高新区", "合肥高新技术产业开发区", "r_hefei", "zone"),
           ("r_hefei", "合肥市", "", "r_anhui", "city"),
           ("r_wuhu_etdz", "芜湖经开区", "芜湖经济技术开发区", "r_wuhu", "zone"),
           ("r_wuhu", "芜湖市", "", "r_anhui", "city"),
           ("r_anhui", "安徽省", "皖", None, "province")]
INDICATORS = [("fixed_asset_investment", "investment", "固定资产投资", "Fixed-asset investment",
               "CNY"),
              ("industrial_investment", "investment", "工业投资", "Industrial investment", "CNY"),
              ("output_growth", "output", "增长率", "Output growth", "percent"),
              ("new_enterprises", "output", "新增规上企业", "New enterprises above scale", "count"),
              ("compute_capacity", "compute", "算力", "Compute capacity", "PFLOPS")]
REGION_OF_DOC = {"d000000000000001": "r_hefei_hitech", "d000000000000002": "r_wuhu_etdz",
                 "d000000000000003": "r_hefei_hitech"}


def _cjk_share(text: str) -> float:
    return sum("\u4e00" <= c <= "\u9fff" for c in text) / max(len(text), 1)


def good_build() -> dict[str, list[dict[str, Any]]]:
    t: dict[str, list[dict[str, Any]]] = {name: [] for name in DDL}
    facts: dict[tuple[str, float], dict[str, Any]] = {}
    for doc_id, url, text, mentions in DOCS:
        t["stg_landing__documents"].append(dict(
            document_id=doc_id, content_sha256=doc_id * 4, url=url, title=text[:10],
            published_at=None,
            published_at_source="url", fetched_at=TS, encoding="utf-8", encoding_source="meta",
            text=text, text_length=len(text), cjk_share=_cjk_share(text), status="ok",
            reject_reason=None, extractor_version="1", processed_at=TS))
        t["dim_document"].append(dict(document_id=doc_id, url=url, title=text[:10],
                                      published_at=None, fetched_at=TS,
                                      content_sha256=doc_id * 4))
        for mid, raw, value, unit, ind, cat, table in mentions:
            start = text.index(raw)
            region = REGION_OF_DOC[doc_id]
            t["stg_landing__mentions"].append(dict(
                mention_id=mid, document_id=doc_id, char_start=start, char_end=start + len(raw),
                raw_text=raw, sentence=text, value=value, value_high=None, unit=unit,
                qualifier="exact", indicator_id=ind, category=cat, status="actual",
                period_start=Y2023[0], period_end=Y2023[1], period_basis="explicit",
                region_id=region, region_text=None, region_basis="sentence",
                extractor_version="1"))
            key = (ind, value)
            if key not in facts:
                facts[key] = dict(
                    _table=table, fact_id=f"f_{ind}_{int(value)}", indicator_id=ind,
                    region_id=region, period_start=Y2023[0], period_end=Y2023[1],
                    status="actual", value=value, unit=unit, qualifier="exact", mention_count=0,
                    document_count=0, evidence=text, source_url=url)
            f = facts[key]
            f["mention_count"] += 1
            f["document_count"] += 1
            t["fct_mentions"].append(dict(mention_id=mid, fact_id=f["fact_id"],
                                          document_id=doc_id, char_start=start,
                                          char_end=start + len(raw), sentence=text, raw_text=raw))
    for f in facts.values():
        table = f.pop("_table")
        t[table].append(f)
    t["dim_region"] = [dict(zip(("region_id", "name_zh", "aliases", "parent_region_id", "level"),
                                r, strict=True)) for r in REGIONS]
    t["dim_indicator"] = [dict(zip(("indicator_id", "category", "name_zh", "name_en", "unit"),
                                   r, strict=True)) for r in INDICATORS]
    return copy.deepcopy(t)


def fact_row(i: int, **over: Any) -> dict[str, Any]:
    """A valid investment fact, numbered: for bulk tables (collapse tests, benchmarks)."""
    row = dict(fact_id=f"f_bulk_{i}", indicator_id="fixed_asset_investment",
               region_id="r_hefei", period_start=Y2023[0], period_end=Y2023[1], status="actual",
               value=1e8 + i, unit="CNY", qualifier="exact", mention_count=1, document_count=1,
               evidence="合肥市固定资产投资1亿元。", source_url="https://www.hefei.gov.cn/x.html")
    row.update(over)
    return row
