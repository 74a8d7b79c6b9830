"""fct_target_progress (and the honest measures it relies on) on a demo-like landing zone:
targets of a development zone (东湖新技术开发区) and of a city (黄石), with actuals for
their own period, for earlier years, or none, built with `dbt build` as the pipeline runs
it (tests/dbt/test_dbt_build.py's helpers).

Pages (the newest accepted one is 2024-02-01: "today" for expired_unknown):
- p1, 2022-03-01: 东湖高新区 2021 actuals (算力 100P, GDP 2000亿) and 2025 targets (算力 500P,
  GDP 3000亿) -> the 2021 actuals are the baselines;
- p2, 2024-02-01: 东湖高新区 2023 actuals (算力 350P: above the straight line, about 300P at
  the end of 2023 -> on_track; GDP 2400亿: below it, about 2500亿 -> behind), a 2024
  fixed-asset investment target (no actual yet) and a 2024 GDP growth target beside the
  2023 growth (a rate is never read from another year -> no_actual_yet);
- p3, 2024-01-20: 黄石 2023 GDP 2100亿 against its 2023 target of 2000亿 (p0) -> met; its 2023
  compute target of 50P has no actual and its year has ended -> expired_unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.dbt.small_build import Built, build, fx

HERE = Path(__file__).resolve().parent
README = HERE.parents[1] / "README.md"

ZONE = "zone-donghu"
HUANGSHI = "cn-4202"
URL_P0 = "https://www.huangshi.gov.cn/plan.html"
URL_P1 = "https://www.wehdz.gov.cn/plan.html"
URL_P2 = "https://www.wehdz.gov.cn/2023.html"
URL_P3 = "https://www.huangshi.gov.cn/2023.html"

# The README's "Questions the warehouse answers": is this zone on track for its 2025 target?
ON_TRACK_QUERY = """\
select p.indicator_id, p.unit, p.target_value, p.actual_value, p.actual_period_end,
       p.baseline_value, p.attainment_share, p.progress_state
from fct_target_progress as p
join dim_region as r on r.region_id = p.region_id
where r.name_zh = '东湖新技术开发区' and extract(year from p.target_period_end) = 2025
order by p.indicator_id;"""


def year(y: int) -> dict[str, date]:
    return {"period_start": date(y, 1, 1), "period_end": date(y, 12, 31)}


def zone(**fact: Any) -> dict[str, Any]:
    return {"region_id": ZONE, "region_text": "东湖高新区", "region_basis": "sentence", **fact}


def huangshi(**fact: Any) -> dict[str, Any]:
    return {"region_id": HUANGSHI, "region_text": "黄石市", "region_basis": "sentence", **fact}


COMPUTE: dict[str, Any] = dict(unit="PFLOPS", indicator_id="computing_power", category="compute")
GDP: dict[str, Any] = dict(unit="CNY", indicator_id="gdp", category="output")
GROWTH: dict[str, Any] = dict(unit="percent", indicator_id="gdp_growth", category="output")
FAI: dict[str, Any] = dict(unit="CNY", indicator_id="fixed_asset_investment",
                           category="investment")


def progress_docs() -> list[Any]:
    doc = fx.Doc
    p0 = doc("d00000000000000a", URL_P0, date(2022, 1, 10), datetime(2024, 3, 1, 8, 0),
             "到2023年黄石市地区生产总值达到2000亿元。到2023年黄石市算力规模达到50PFLOPS。")
    p0.mention("t01", "2000亿元", value=2.0e11, status="target", **huangshi(**GDP, **year(2023)))
    p0.mention("t02", "50PFLOPS", value=50.0, status="target",
               **huangshi(**COMPUTE, **year(2023)))

    p1 = doc("d00000000000000b", URL_P1, date(2022, 3, 1), datetime(2024, 3, 1, 8, 0),
             "2021年东湖高新区算力规模达到100PFLOPS，地区生产总值2000亿元。"
             "到2025年东湖高新区算力规模达到500PFLOPS，地区生产总值达到3000亿元。")
    p1.mention("a01", "100PFLOPS", value=100.0, **zone(**COMPUTE, **year(2021)))
    p1.mention("a02", "2000亿元", value=2.0e11, **zone(**GDP, **year(2021)))
    p1.mention("t03", "500PFLOPS", value=500.0, status="target", **zone(**COMPUTE, **year(2025)))
    p1.mention("t04", "3000亿元", value=3.0e11, status="target", **zone(**GDP, **year(2025)))

    p2 = doc("d00000000000000c", URL_P2, date(2024, 2, 1), datetime(2024, 3, 1, 8, 0),
             "2023年东湖高新区算力规模达到350PFLOPS，地区生产总值2400亿元，增长9.0%。"
             "2024年东湖高新区固定资产投资目标1500亿元，地区生产总值增长8.0%左右。")
    p2.mention("a03", "350PFLOPS", value=350.0, **zone(**COMPUTE, **year(2023)))
    p2.mention("a04", "2400亿元", value=2.4e11, **zone(**GDP, **year(2023)))
    p2.mention("a05", "9.0%", value=9.0, **zone(**GROWTH, **year(2023)))
    p2.mention("t05", "1500亿元", value=1.5e11, status="target", **zone(**FAI, **year(2024)))
    p2.mention("t06", "8.0%", value=8.0, status="target", qualifier="about",
               **zone(**GROWTH, **year(2024)))

    p3 = doc("d00000000000000d", URL_P3, date(2024, 1, 20), datetime(2024, 3, 1, 8, 0),
             "2023年黄石市地区生产总值2100亿元。")
    p3.mention("a06", "2100亿元", value=2.1e11, **huangshi(**GDP, **year(2023)))
    return [p0, p1, p2, p3]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    yield build(tmp_path_factory.mktemp("target_progress"), progress_docs())


def test_build_succeeds(built: Built) -> None:
    assert built.success, built.failures


def test_one_row_per_target_with_its_state(built: Built) -> None:
    rows = built.query(
        "select r.name_zh, p.indicator_id, year(p.target_period_end), p.progress_state, "
        "p.actual_value, year(p.actual_period_end), p.baseline_value, "
        "year(p.baseline_period_end), round(p.attainment_share, 4), p.progress_as_of_date "
        "from fct_target_progress p join dim_region r on r.region_id = p.region_id "
        "order by 1, 2"
    )
    today = date(2024, 2, 1)
    assert rows == [
        ("东湖新技术开发区", "computing_power", 2025, "on_track", 350.0, 2023, 100.0, 2021, 0.7,
         today),
        ("东湖新技术开发区", "fixed_asset_investment", 2024, "no_actual_yet", None, None, None,
         None, None, today),
        ("东湖新技术开发区", "gdp", 2025, "behind", 2.4e11, 2023, 2.0e11, 2021, 0.8, today),
        ("东湖新技术开发区", "gdp_growth", 2024, "no_actual_yet", None, None, None, None, None,
         today),
        ("黄石市", "computing_power", 2023, "expired_unknown", None, None, None, None, None,
         today),
        ("黄石市", "gdp", 2023, "met", 2.1e11, 2023, None, None, 1.05, today),
    ]
    n_targets = built.query(
        "select count(*) from (select fact_id from fct_investment where status = 'target' "
        "union all select fact_id from fct_output where status = 'target' "
        "union all select fact_id from fct_compute where status = 'target')"
    )
    assert n_targets == [(6,)]


def test_both_sides_carry_evidence_and_source(built: Built) -> None:
    rows = built.query(
        "select target_source_url, target_evidence, actual_fact_id, actual_status, "
        "actual_source_url, actual_evidence, measure, unit from fct_target_progress "
        "where region_id = 'cn-4202' and indicator_id = 'gdp'"
    )
    assert len(rows) == 1
    t_url, t_ev, actual_id, status, a_url, a_ev, measure, unit = rows[0]
    assert (t_url, t_ev) == (URL_P0, "到2023年黄石市地区生产总值达到2000亿元。")
    assert (status, a_url, a_ev) == ("actual", URL_P3, "2023年黄石市地区生产总值2100亿元。")
    assert (measure, unit) == ("level", "CNY")
    assert built.query(
        f"select value, status from fct_output where fact_id = '{actual_id}'") == [
        (2.1e11, "actual")]


def test_facts_say_what_they_measure(built: Built) -> None:
    rows = built.query(
        "select indicator_id, measure, period_grain, count(*) from ("
        "select indicator_id, measure, period_grain from fct_output union all "
        "select indicator_id, measure, period_grain from fct_compute union all "
        "select indicator_id, measure, period_grain from fct_investment) "
        "group by all order by all"
    )
    assert rows == [
        ("computing_power", "level", "year", 4),
        ("fixed_asset_investment", "level", "year", 1),
        ("gdp", "level", "year", 5),
        ("gdp_growth", "growth_yoy", "year", 2),
    ]
    assert built.query(
        "select measure, count(*) from dim_indicator group by all order by all") == [
        ("count", 4), ("growth_yoy", 7), ("level", 26), ("share", 1)]


def test_readme_question_is_this_zone_on_track(built: Built) -> None:
    assert ON_TRACK_QUERY in README.read_text(encoding="utf-8")
    rows = built.query(ON_TRACK_QUERY)
    assert [(r[0], r[-1]) for r in rows] == [("computing_power", "on_track"), ("gdp", "behind")]
    assert rows[0][1:7] == ("PFLOPS", 500.0, 350.0, date(2023, 12, 31), 100.0, 0.7)
