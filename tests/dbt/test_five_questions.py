"""The README's "Questions the warehouse answers", each query read from README.md itself
(so the README and this test cannot drift) and run on a fixture warehouse built with
`dbt build` as the pipeline runs it (tests/dbt/test_dbt_build.py's helpers), plus
dim_region's tree (path, ancestors) and fct_region_rollup on the real regions seed.

Pages (region_ids set on the mentions: extraction is not under test here):
- p1, 2023-02-01, 东西湖区: GDP 2022 1000亿 (actual), 2023 target 1100亿;
- p2, 2024-02-01, 东西湖区: GDP 2023 1080亿, 2024 target 1150亿, a 上半年 (year_to_date)
  GDP 2023 of 500亿 that no full-year question may pick up; 2023 signings: 25 projects,
  300亿元;
- p3, 2024-03-01, 武汉市: GDP 2023 of 武汉市 2.0万亿 and of 东西湖区 1080亿 (a restatement of
  p2's, one fact with two mentions), 汉南区 signed 200亿 in 2023; 2025 compute targets:
  武汉市 1000P, 东西湖区 200P, 东湖高新区 500P; 东湖高新区 350P in 2023;
- p4, 2024-05-01, 武汉市: 汉南区 signed 210亿 in 2023 (revises p3's 200亿);
- p5, 2022-03-01, 东湖高新区: 100P in 2021 (the baseline of its 2025 target);
- p6, 2024-01-10, 黄石市: 2025 compute target 100P.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.dbt.small_build import Built, build, fx

HERE = Path(__file__).resolve().parent
README = HERE.parents[1] / "README.md"

WUHAN, DONGXIHU, HANNAN, DONGHU, HUANGSHI = (
    "cn-4201", "cn-420112", "cn-420113", "zone-donghu", "cn-4202")
NAMES = {WUHAN: "武汉市", DONGXIHU: "东西湖区", HANNAN: "汉南区", DONGHU: "东湖高新区",
         HUANGSHI: "黄石市"}
URL_P1 = "https://www.dxh.gov.cn/2022.html"
URL_P2 = "https://www.dxh.gov.cn/2023.html"
URL_P3 = "https://www.wuhan.gov.cn/2023.html"
URL_P4 = "https://www.wuhan.gov.cn/2023-revised.html"
URL_P5 = "https://www.wehdz.gov.cn/2021.html"
URL_P6 = "https://www.huangshi.gov.cn/plan.html"


def readme_questions() -> dict[str, list[str]]:
    """Each bold question of the README's "Questions the warehouse answers" section with
    the SQL blocks under it, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Questions the warehouse answers\n", 1)[1].split("\n## ", 1)[0]
    questions: dict[str, list[str]] = {}
    current = None
    for block in re.split(r"(?m)^(\*\*[^*\n]+\*\*)$", section):
        if block.startswith("**"):
            current = block.strip("*")
            questions[current] = []
        elif current is not None:
            questions[current] += re.findall(r"```sql\n(.*?)```", block, flags=re.S)
    return questions


def year(y: int) -> dict[str, date]:
    return {"period_start": date(y, 1, 1), "period_end": date(y, 12, 31)}


def at(region_id: str, **fact: Any) -> dict[str, Any]:
    return {"region_id": region_id, "region_text": NAMES[region_id],
            "region_basis": "sentence", **fact}


GDP: dict[str, Any] = dict(unit="CNY", indicator_id="gdp", category="output")
COMPUTE: dict[str, Any] = dict(unit="PFLOPS", indicator_id="computing_power", category="compute")
SIGNED: dict[str, Any] = dict(unit="CNY", indicator_id="signed_investment",
                              category="investment")
PROJECTS: dict[str, Any] = dict(unit="count", indicator_id="key_projects_count",
                                category="investment")
FETCHED = datetime(2024, 6, 1, 8, 0)


def question_docs() -> list[Any]:
    doc = fx.Doc
    p1 = doc("e00000000000000a", URL_P1, date(2023, 2, 1), FETCHED,
             "2022年东西湖区地区生产总值1000亿元。2023年东西湖区地区生产总值目标1100亿元。")
    p1.mention("q01", "1000亿元", value=1.0e11, **at(DONGXIHU, **GDP, **year(2022)))
    p1.mention("q02", "1100亿元", value=1.1e11, status="target",
               **at(DONGXIHU, **GDP, **year(2023)))

    p2 = doc("e00000000000000b", URL_P2, date(2024, 2, 1), FETCHED,
             "2023年东西湖区地区生产总值1080亿元。2024年东西湖区地区生产总值目标1150亿元。"
             "2023年上半年东西湖区地区生产总值500亿元。"
             "2023年东西湖区签约项目25个，签约投资额300亿元。")
    p2.mention("q03", "1080亿元", value=1.08e11, **at(DONGXIHU, **GDP, **year(2023)))
    p2.mention("q04", "1150亿元", value=1.15e11, status="target",
               **at(DONGXIHU, **GDP, **year(2024)))
    p2.mention("q05", "500亿元", value=5.0e10, period_start=date(2023, 1, 1),
               period_end=date(2023, 6, 30), **at(DONGXIHU, **GDP))
    p2.mention("q06", "25个", value=25.0, **at(DONGXIHU, **PROJECTS, **year(2023)))
    p2.mention("q07", "300亿元", value=3.0e10, **at(DONGXIHU, **SIGNED, **year(2023)))

    p3 = doc("e00000000000000c", URL_P3, date(2024, 3, 1), FETCHED,
             "2023年武汉市地区生产总值2.0万亿元，其中东西湖区地区生产总值1080亿元。"
             "2023年汉南区签约投资额200亿元。"
             "到2025年武汉市算力规模达到1000PFLOPS，东西湖区算力规模达到200PFLOPS，"
             "东湖高新区算力规模达到500PFLOPS。2023年东湖高新区算力规模达到350PFLOPS。")
    p3.mention("q08", "2.0万亿元", value=2.0e12, **at(WUHAN, **GDP, **year(2023)))
    p3.mention("q09", "1080亿元", value=1.08e11, **at(DONGXIHU, **GDP, **year(2023)))
    p3.mention("q10", "200亿元", value=2.0e10, **at(HANNAN, **SIGNED, **year(2023)))
    p3.mention("q11", "1000PFLOPS", value=1000.0, status="target",
               **at(WUHAN, **COMPUTE, **year(2025)))
    p3.mention("q12", "200PFLOPS", value=200.0, status="target",
               **at(DONGXIHU, **COMPUTE, **year(2025)))
    p3.mention("q13", "500PFLOPS", value=500.0, status="target",
               **at(DONGHU, **COMPUTE, **year(2025)))
    p3.mention("q14", "350PFLOPS", value=350.0, **at(DONGHU, **COMPUTE, **year(2023)))

    p4 = doc("e00000000000000d", URL_P4, date(2024, 5, 1), FETCHED,
             "2023年汉南区签约投资额210亿元。")
    p4.mention("q15", "210亿元", value=2.1e10, **at(HANNAN, **SIGNED, **year(2023)))

    p5 = doc("e00000000000000e", URL_P5, date(2022, 3, 1), FETCHED,
             "2021年东湖高新区算力规模达到100PFLOPS。")
    p5.mention("q16", "100PFLOPS", value=100.0, **at(DONGHU, **COMPUTE, **year(2021)))

    p6 = doc("e00000000000000f", URL_P6, date(2024, 1, 10), FETCHED,
             "到2025年黄石市算力规模达到100PFLOPS。")
    p6.mention("q17", "100PFLOPS", value=100.0, status="target",
               **at(HUANGSHI, **COMPUTE, **year(2025)))
    return [p1, p2, p3, p4, p5, p6]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    yield build(tmp_path_factory.mktemp("five_questions"), question_docs())


@pytest.fixture(scope="module")
def questions() -> dict[str, list[str]]:
    return readme_questions()


def test_build_succeeds(built: Built) -> None:
    assert built.success, built.failures


def test_readme_asks_the_six_questions(questions: dict[str, list[str]]) -> None:
    assert {q: len(sql) for q, sql in questions.items()} == {
        "A district's GDP by year, actual against target": 1,
        "Signed investment per region in a year": 1,
        "Compute targets for 2025 by city": 2,
        "Is this zone on track for its 2025 target?": 1,
        "Which figures conflict, and which were revised?": 1,
        "Where did this number come from?": 1,
    }


def test_a_districts_gdp_by_year_actual_against_target(
        built: Built, questions: dict[str, list[str]]) -> None:
    # the 上半年 figure (year_to_date) is no year's actual
    assert built.query(questions["A district's GDP by year, actual against target"][0]) == [
        (2022, 1.0e11, None),
        (2023, 1.08e11, 1.1e11),
        (2024, None, 1.15e11),
    ]


def test_signed_investment_per_region_in_a_year(
        built: Built, questions: dict[str, list[str]]) -> None:
    # 汉南区: the revision (210亿, p4) and not p3's 200亿, nor their sum
    assert built.query(questions["Signed investment per region in a year"][0]) == [
        ("湖北省 > 武汉市 > 东西湖区", 3.0e10, 25.0),
        ("湖北省 > 武汉市 > 汉南区", 2.1e10, None),
    ]


def test_compute_targets_for_2025_by_city(
        built: Built, questions: dict[str, list[str]]) -> None:
    by_rollup, by_ancestors = questions["Compute targets for 2025 by city"]
    n_wuhan, n_huangshi = (
        built.query(f"select count(*) from dim_region where parent_region_id = '{c}'")[0][0]
        for c in (WUHAN, HUANGSHI))
    assert n_wuhan == 15 and n_huangshi == 6
    # 武汉市's own 1000P, not 1000 + 200 + 500: two of its 15 children report one
    assert built.query(by_rollup) == [
        ("湖北省 > 武汉市", 1000.0, 2, n_wuhan),
        ("湖北省 > 黄石市", 100.0, 0, n_huangshi),
    ]
    assert built.query(by_ancestors) == [
        ("武汉市", "湖北省 > 武汉市", 1000.0),
        ("武汉市", "湖北省 > 武汉市 > 东湖新技术开发区", 500.0),
        ("武汉市", "湖北省 > 武汉市 > 东西湖区", 200.0),
        ("黄石市", "湖北省 > 黄石市", 100.0),
    ]


def test_is_this_zone_on_track(built: Built, questions: dict[str, list[str]]) -> None:
    rows = built.query(questions["Is this zone on track for its 2025 target?"][0])
    # 350P at the end of 2023 against the line from 100P (2021) to 500P (2025): about 300P
    assert rows == [("computing_power", "PFLOPS", 500.0, 350.0, date(2023, 12, 31), 100.0,
                     0.7, "on_track")]


def test_which_figures_conflict_and_which_were_revised(
        built: Built, questions: dict[str, list[str]]) -> None:
    rows = built.query(questions["Which figures conflict, and which were revised?"][0])
    assert [(r[0], r[1], r[4], r[5], r[6], r[7], r[8]) for r in rows] == [
        ("signed_investment", HANNAN, 2.0e10, date(2024, 3, 1), date(2024, 5, 1), "revised",
         URL_P3),
        ("signed_investment", HANNAN, 2.1e10, date(2024, 5, 1), None, "current", URL_P4),
    ]


def test_where_did_this_number_come_from(
        built: Built, questions: dict[str, list[str]]) -> None:
    # one row per page stating the full-year figure (p2, then p3's restatement); the
    # 上半年 figure of the same year is another fact
    assert built.query(questions["Where did this number come from?"][0]) == [
        (1.08e11, "CNY", "1080亿元", "2023年东西湖区地区生产总值1080亿元。", URL_P2,
         date(2024, 2, 1)),
        (1.08e11, "CNY", "1080亿元",
         "2023年武汉市地区生产总值2.0万亿元，其中东西湖区地区生产总值1080亿元。", URL_P3,
         date(2024, 3, 1)),
    ]


def test_dim_region_path_and_ancestors(built: Built) -> None:
    assert built.query(
        "select region_id, level, path, ancestors from dim_region "
        f"where region_id in ('cn', 'cn-42', '{WUHAN}', '{DONGXIHU}', '{DONGHU}', 'cn-110101', "
        "'unknown') order by region_id"
    ) == [
        ("cn", "country", "中国", []),
        ("cn-110101", "district", "北京市 > 东城区", ["cn", "cn-11"]),
        ("cn-42", "province", "湖北省", ["cn"]),
        (WUHAN, "city", "湖北省 > 武汉市", ["cn", "cn-42"]),
        (DONGXIHU, "district", "湖北省 > 武汉市 > 东西湖区", ["cn", "cn-42", WUHAN]),
        ("unknown", "unknown", "未知地区", []),
        (DONGHU, "zone", "湖北省 > 武汉市 > 东湖新技术开发区", ["cn", "cn-42", WUHAN]),
    ]
    # every region of the seed has its place in the tree
    assert built.query(
        "select count(*) from dim_region where path is null or ancestors is null") == [(0,)]


def test_region_rollup_keeps_each_level_as_reported(built: Built) -> None:
    rows = built.query(
        "select region_id, is_reported, value, children_reporting from fct_region_rollup "
        "where indicator_id = 'gdp' and status = 'actual' and period_grain = 'year' "
        "and year(period_end) = 2023 order by region_id"
    )
    # 武汉市's own 2.0万亿 (one of its children reports), 湖北省 none of its own
    assert rows == [
        ("cn-42", False, None, 1),
        (WUHAN, True, 2.0e12, 1),
        (DONGXIHU, True, 1.08e11, 0),
    ]
