"""ingest.process.extract: one phenomenon per case, each a short sentence written for the test.

Every case builds a small document (one paragraph, or several for the carry cases),
runs ``extract_mentions`` with a given publication date and checks the facts it
expects (value, unit, qualifier, status, period, and region where the case is about
region) or that a figure is NOT extracted.

Cases the extractor gets wrong today are in ``KNOWN_GAPS`` (xfail, strict): the
expectation there is the right answer; remove the case from that list once fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ingest.process.extract import Mention, extract_mentions
from ingest.process.normalise import normalise

PUB = date(2024, 6, 15)  # default publication date: mid-2024
_UNSET = object()


@dataclass(frozen=True)
class F:
    """An expected fact. A field left as None is not checked (value/unit always are)."""

    value: float
    unit: str = "CNY"
    qualifier: str | None = "exact"
    status: str | None = "actual"
    years: tuple[int, int] | None = None  # (period_start.year, period_end.year)
    period: tuple[date, date] | None = None  # exact period_start, period_end
    region: str | None = None  # region_id; "!x" means "anything but x"
    raw: str | None = None
    value_high: float | None = None
    indicator: str | None = None
    basis: str | None = None  # period_basis; "!x" means "anything but x"


@dataclass(frozen=True)
class Case:
    id: str
    paras: tuple[str, ...]
    expect: tuple[F, ...] = ()
    absent: tuple[float, ...] = ()  # values that must not appear as any fact
    nothing: bool = False  # no fact at all in the document
    pub: date | None = PUB
    absent_units: tuple[str, ...] = ()  # no fact may have these units
    n: int | None = None  # exact number of facts, when the case is about duplicates
    raw_page: bool = False  # the paragraphs are a page as printed: run normalise first
    titled: bool = False  # the first paragraph is the page's title


def C(id: str, text: str | tuple[str, ...], *expect: F, absent: tuple[float, ...] = (),
      nothing: bool = False, pub: date | None | object = _UNSET,
      absent_units: tuple[str, ...] = (), n: int | None = None, raw_page: bool = False,
      titled: bool = False) -> Case:
    paras = (text,) if isinstance(text, str) else tuple(text)
    return Case(id, paras, tuple(expect), tuple(absent), nothing,
                PUB if pub is _UNSET else pub, tuple(absent_units), n,  # type: ignore[arg-type]
                raw_page, titled)


def D(y: int, m: int, d: int) -> date:
    return date(y, m, d)


# ======================================================================================
# KNOWN_GAPS: the expected answer is right; the extractor does not give it yet.
# Each entry is (case, reason), run as a strict xfail; move it to CASES once fixed.
# ======================================================================================
KNOWN_GAPS: list[tuple[Case, str]] = []


# ======================================================================================
# Cases that pass today.
# ======================================================================================
CASES: list[Case] = [
    # ---------------------------------------------------------------- numbers
    C("num-thousands-comma", "2023年,全区地区生产总值为1,800亿元。",
      F(1.8e11, years=(2023, 2023), raw="1,800亿", indicator="gdp")),
    C("num-no-comma", "2023年,全区地区生产总值为1800亿元。",
      F(1.8e11, years=(2023, 2023), raw="1800亿", indicator="gdp")),
    C("num-comma-no-multiplier", "2023年,全区规上工业总产值为1,800万元。",
      F(1.8e7, years=(2023, 2023), raw="1,800万")),
    C("num-decimal", "2023年,全区规模以上工业总产值为812.6亿元。",
      F(8.126e10, years=(2023, 2023), raw="812.6亿",
        indicator="industrial_output_above_scale")),
    C("num-cn-sanqianyi", "2023年,全市地区生产总值为三千亿元。",
      F(3e11, years=(2023, 2023), raw="三千亿")),
    C("num-cn-yiqianerbai-wan", "2023年,该镇工业总产值为一千二百万元。",
      F(1.2e7, years=(2023, 2023), raw="一千二百万")),
    C("num-cn-liang", "2023年,全省地区生产总值首次突破两万亿元。",
      F(2e12, qualifier="more_than", years=(2023, 2023), raw="两万亿")),
    C("num-cn-qianyi-bare", "2023年,全区电子信息产业规模突破千亿元。",
      F(1e11, qualifier="more_than", years=(2023, 2023), indicator="industry_scale")),
    C("num-mixed-wanyi", "2023年,全省地区生产总值达到1.2万亿元。",
      F(1.2e12, years=(2023, 2023), raw="1.2万亿")),
    C("num-wan-p", "到2025年,全市算力规模将达到3万P。",
      F(3e4, unit="PFLOPS", status="target", years=(2025, 2025), raw="3万")),
    C("num-area-not-fact", "2023年,该产业园一期投资建设标准厂房5.2万平方米。",
      nothing=True),
    C("num-range-emdash", "2024年,全区计划完成工业投资100—200亿元。",
      F(1e10, qualifier="at_least", status="target", years=(2024, 2024), raw="100—200亿",
        value_high=2e10)),
    C("num-range-tilde", "2023年,全区数字经济核心产业规模达到50~80亿元。",
      F(5e9, qualifier="at_least", years=(2023, 2023), value_high=8e9)),
    C("num-range-zhi", "2023年,单个重点项目总投资在3000至5000万元之间。",
      F(3e7, qualifier="at_least", years=(2023, 2023), value_high=5e7)),
    C("num-range-both-multipliers", "2023年,全区工业投资规模为1.5亿—3亿元。",
      F(1.5e8, qualifier="at_least", years=(2023, 2023), value_high=3e8)),
    C("num-percent", "2023年,全区地区生产总值同比增长6.5%。",
      F(6.5, unit="percent", years=(2023, 2023), indicator="gdp_growth")),
    C("num-percent-points-not-count",
      "2023年,全区规模以上工业增加值增长8.3%,增速高于全市2.1个百分点。",
      F(8.3, unit="percent", years=(2023, 2023), indicator="industrial_added_value_growth"),
      absent_units=("count",)),
    # ---------------------------------------------------------------- units
    C("unit-yuan", "2023年,该街道完成固定资产投资52,000,000元。",
      F(5.2e7, years=(2023, 2023), raw="52,000,000")),
    C("unit-wanyuan", "2023年,该街道工业总产值为9800万元。",
      F(9.8e7, years=(2023, 2023), raw="9800万")),
    C("unit-yiyuan", "2023年,全区工业增加值为85亿元。",
      F(8.5e9, years=(2023, 2023), indicator="industrial_added_value")),
    C("unit-wanyiyuan", "2023年,全省固定资产投资为1.5万亿元。",
      F(1.5e12, years=(2023, 2023), indicator="fixed_asset_investment")),
    C("unit-yi-without-yuan", "2023年,全区地区生产总值为1800亿。",
      F(1.8e11, years=(2023, 2023), raw="1800亿")),
    C("unit-renminbi", "2023年,全区规上工业总产值为260亿元人民币。",
      F(2.6e10, years=(2023, 2023))),
    C("unit-P", "到2025年,全市算力规模将达到500P。",
      F(500, unit="PFLOPS", status="target", years=(2025, 2025))),
    C("unit-PF", "目前,全区智能算力已达120PF。",
      F(120, unit="PFLOPS", years=(2024, 2024))),
    C("unit-PFLOPS", "2023年,全市算力规模达到300PFLOPS。",
      F(300, unit="PFLOPS", years=(2023, 2023))),
    C("unit-PFlops", "2023年,全市智能算力达到200PFlops。",
      F(200, unit="PFLOPS", years=(2023, 2023))),
    C("unit-EFLOPS", "到2025年,全省算力规模力争超过10EFLOPS。",
      F(1e4, unit="PFLOPS", qualifier="more_than", status="target", years=(2025, 2025))),
    C("unit-E", "2023年,全省算力规模达到5E。",
      F(5e3, unit="PFLOPS", years=(2023, 2023))),
    C("unit-TFLOPS", "2023年,园区智能算力达到800TFLOPS。",
      F(0.8, unit="PFLOPS", years=(2023, 2023))),
    C("unit-ops-per-second", "2023年,该超算中心运算能力达到每秒1000万亿次。",
      F(1.0, unit="PFLOPS", years=(2023, 2023), raw="1000万亿")),
    C("unit-ops-per-second-yiyi", "2023年,全市超算算力达到每秒20亿亿次浮点运算。",
      F(200, unit="PFLOPS", years=(2023, 2023))),
    C("unit-count-projects-ge", "2023年,全区新开工亿元以上项目82个。",
      F(82, unit="count", years=(2023, 2023), indicator="projects_over_100m_count")),
    C("unit-count-projects-xiang", "2023年,全区共签约重点项目45项。",
      F(45, unit="count", years=(2023, 2023), indicator="key_projects_count")),
    C("unit-count-funds-zhi", "2023年,全区新设立产业基金12只。",
      F(12, unit="count", years=(2023, 2023), indicator="funds_count")),
    C("unit-count-enterprises-not-fact", "2023年,全区集聚数字经济企业220家。", nothing=True),
    C("unit-usd-not-extracted", "2023年,全区实际使用外资3.2亿美元。", nothing=True),
    C("unit-usd-wan-not-extracted", "2023年,全区出口额为5600万美元。", nothing=True),
    # ---------------------------------------------------------------- scope
    # Consumption and trade are outside the three fact tables (docs/gold-guide.md).
    C("scope-retail-not-fact", "2023年,全区社会消费品零售总额425亿元,同比增长7.1%。",
      nothing=True),
    C("scope-trade-not-fact", "2023年,全区外贸进出口总额为260亿元,其中出口额120亿元。",
      nothing=True),
    C("scope-online-retail-not-fact", "2023年,全市网络零售额达到1200亿元,增长9%。", nothing=True),
    C("unit-hkd-not-extracted", "2023年,该项目总投资为8亿港元。", nothing=True),
    # ---------------------------------------------------------------- qualifiers
    C("q-tupo", "2023年,全区地区生产总值突破1000亿元。",
      F(1e11, qualifier="more_than", years=(2023, 2023))),
    C("q-chaoguo", "2023年,全区工业总产值超过600亿元。",
      F(6e10, qualifier="more_than", years=(2023, 2023))),
    C("q-chao", "2023年,全区工业投资超300亿元。",
      F(3e10, qualifier="more_than", years=(2023, 2023))),
    C("q-yu-before", "2023年,全区固定资产投资逾200亿元。",
      F(2e10, qualifier="more_than", years=(2023, 2023))),
    C("q-yishang", "2023年,全区工业投资增长15%以上。",
      F(15, unit="percent", qualifier="at_least", years=(2023, 2023))),
    C("q-budiyu", "今年全区力争固定资产投资增速不低于10%。",
      F(10, unit="percent", qualifier="at_least", status="target", years=(2024, 2024))),
    C("q-bushaoyu", "今年全区确保完成工业投资不少于80亿元。",
      F(8e9, qualifier="at_least", status="target", years=(2024, 2024))),
    C("q-yue", "2023年,全区电子信息产业规模约500亿元。",
      F(5e10, qualifier="about", years=(2023, 2023))),
    C("q-yuewei", "2023年,全区电子信息产业规模约为500亿元。",
      F(5e10, qualifier="about", years=(2023, 2023))),
    C("q-jin", "2023年,全区规上工业总产值近400亿元。",
      F(4e10, qualifier="about", years=(2023, 2023))),
    C("q-yu-after-yi", "2023年,全区完成投资180余亿元。",
      F(1.8e10, qualifier="about", years=(2023, 2023))),
    C("q-yu-after-wan", "2023年,全区实际使用外资2100余万元。",
      F(2.1e7, qualifier="about", years=(2023, 2023))),
    C("q-duo", "2023年,全区工业总产值300多亿元。",
      F(3e10, qualifier="about", years=(2023, 2023))),
    C("q-zuoyou", "2023年,全区地区生产总值增长6%左右。",
      F(6, unit="percent", qualifier="about", years=(2023, 2023))),
    C("q-zuigao-non-subsidy", "2023年,园区单个项目投资额最高60亿元。",
      F(6e9, qualifier="at_most", years=(2023, 2023))),
    C("q-buchaoguo", "2025年,全区力争固定资产投资增速不超过12%。",
      F(12, unit="percent", qualifier="at_most", status="target", years=(2025, 2025))),
    C("q-yinei", "到2026年,全区地区生产总值增速保持在7%以内。",
      F(7, unit="percent", qualifier="at_most", status="target", years=(2026, 2026))),
    # ---------------------------------------------------------------- status
    C("s-dao-year", "到2025年,全区地区生产总值达到2000亿元。",
      F(2e11, status="target", years=(2025, 2025))),
    C("s-lizheng", "今年全区力争实现固定资产投资增长10%。",
      F(10, unit="percent", status="target", years=(2024, 2024))),
    C("s-mubiao", "2024年全区工业总产值的目标为800亿元。",
      F(8e10, status="target", years=(2024, 2024))),
    C("s-jihua", "今年全区计划完成工业投资150亿元。",
      F(1.5e10, status="target", years=(2024, 2024))),
    C("s-guihua", "根据规划,到2030年全市算力规模达到1000P。",
      F(1000, unit="PFLOPS", status="target", years=(2030, 2030))),
    C("s-jiang", "明年全区将新开工重点项目30个。",
      F(30, unit="count", status="target", years=(2025, 2025))),
    C("s-dazao", "全区将打造产业规模达500亿元的光电子信息产业集群。",
      F(5e10, status="target")),
    C("s-dazao-only", "2024年,全区着力打造产业规模500亿元的光电子信息产业集群。",
      F(5e10, status="target", years=(2024, 2024))),
    C("s-yuji-ended-year", "预计2023年全区地区生产总值增长6%。",
      F(6, unit="percent", status="estimate", years=(2023, 2023)), pub=D(2024, 1, 20)),
    C("s-yuji-ending-year", "预计今年全区规上工业增加值增长7.5%。",
      F(7.5, unit="percent", status="estimate", years=(2024, 2024)), pub=D(2024, 12, 10)),
    C("s-yuji-future-year", "预计2026年全区算力规模达到800P。",
      F(800, unit="PFLOPS", status="target", years=(2026, 2026))),
    C("s-wancheng-past", "2023年全区完成固定资产投资320亿元。",
      F(3.2e10, years=(2023, 2023))),
    C("s-shixian-past", "2023年,全区实现地区生产总值1500亿元。",
      F(1.5e11, years=(2023, 2023))),
    C("s-dadao-past", "2023年全区工业总产值达到900亿元。",
      F(9e10, years=(2023, 2023))),
    C("s-yi", "今年以来,全区已签约项目总投资超过500亿元。",
      F(5e10, qualifier="more_than", years=(2024, 2024), indicator="total_investment")),
    C("s-plain-report", "2023年,全区规上工业总产值425亿元,同比增长7.1%。",
      F(4.25e10, years=(2023, 2023)), F(7.1, unit="percent", years=(2023, 2023))),
    C("s-future-year-no-cue", "2026年全区地区生产总值达到2500亿元。",
      F(2.5e11, status="target", years=(2026, 2026))),
    C("s-mingnian-no-cue", "明年全区固定资产投资增长8%。",
      F(8, unit="percent", status="target", years=(2025, 2025))),
    C("s-jihua-zongtouzi-is-indicator", "2023年开工的该项目计划总投资50亿元。",
      F(5e9, years=(2023, 2023), indicator="total_investment")),
    # ---------------------------------------------------------------- periods
    C("p-explicit-older-year", "2022年,全区地区生产总值为1100亿元。",
      F(1.1e11, years=(2022, 2022), basis="explicit")),
    C("p-qunian", "去年全区地区生产总值为1200亿元。",
      F(1.2e11, years=(2023, 2023), basis="publication_date")),
    C("p-jinnian", "今年全区工业投资为150亿元。",
      F(1.5e10, years=(2024, 2024))),
    C("p-mingnian", "明年全区地区生产总值力争达到1400亿元。",
      F(1.4e11, status="target", years=(2025, 2025))),
    C("p-qiannian", "前年全区工业投资增长20%。",
      F(20, unit="percent", years=(2022, 2022))),
    C("p-no-pub-date-relative", "今年全区地区生产总值增长6%。",
      F(6, unit="percent", basis="!publication_date"), pub=None),
    C("p-no-pub-date-context-year",
      ("2023年,全区经济稳中向好。", "今年一季度,全区地区生产总值增长6.2%。"),
      F(6.2, unit="percent", basis="!publication_date"), pub=None),
    C("p-shangbannian", "2024年上半年,全区固定资产投资增长9.1%。",
      F(9.1, unit="percent", period=(D(2024, 1, 1), D(2024, 6, 30)))),
    C("p-yijidu", "今年一季度,全区规上工业增加值增长8%。",
      F(8, unit="percent", period=(D(2024, 1, 1), D(2024, 3, 31)))),
    C("p-qiansanjidu", "2023年前三季度,全区地区生产总值为980亿元。",
      F(9.8e10, period=(D(2023, 1, 1), D(2023, 9, 30)))),
    C("p-months-range", "2023年1—10月,全区工业投资为210亿元。",
      F(2.1e10, period=(D(2023, 1, 1), D(2023, 10, 31)))),
    C("p-months-range-carries",
      "2023年1—10月,全区规上工业增加值增长11%;固定资产投资增长9%。",
      F(11, unit="percent", period=(D(2023, 1, 1), D(2023, 10, 31))),
      F(9, unit="percent", period=(D(2023, 1, 1), D(2023, 10, 31)))),
    C("p-single-month", "2024年5月,全区工业增加值增长12%。",
      F(12, unit="percent", period=(D(2024, 5, 1), D(2024, 5, 31)))),
    C("p-asof-year-end", "截至2023年末,全区基金总规模达到300亿元。",
      F(3e10, period=(D(2023, 12, 31), D(2023, 12, 31)))),
    C("p-asof-month-end", "截至2024年5月底,全区产业基金规模达到86亿元。",
      F(8.6e9, period=(D(2024, 5, 31), D(2024, 5, 31)))),
    C("p-14th-fyp", "“十四五”以来,全区累计完成固定资产投资1500亿元。",
      F(1.5e11, years=(2021, 2025))),
    C("p-15th-fyp", "“十五五”时期,全区力争地区生产总值突破3000亿元。",
      F(3e11, qualifier="more_than", status="target", years=(2026, 2030))),
    C("p-year-span", "2021—2023年,全区累计完成工业投资600亿元。",
      F(6e10, years=(2021, 2023))),
    C("p-paragraph-year-carries",
      ("2023年,全区经济运行稳中向好。", "全区地区生产总值达到1300亿元,同比增长6.8%。"),
      F(1.3e11, years=(2023, 2023)), F(6.8, unit="percent", years=(2023, 2023))),
    C("p-day-date-gives-year", "2024年3月15日,全区集中签约项目总投资120亿元。",
      F(1.2e10, years=(2024, 2024)), absent=(2024, 3, 15)),
    C("p-asof-no-year-word-quannian", "2023年,全区工业投资快速增长,全年完成投资85亿元。",
      F(8.5e9, years=(2023, 2023))),
    # ---------------------------------------------------------------- regions
    C("r-zone-alias-is-district", "临空港经开区2023年地区生产总值为900亿元。",
      F(9e10, years=(2023, 2023), region="cn-420112")),
    C("r-district-name", "东西湖区2023年地区生产总值为900亿元。",
      F(9e10, years=(2023, 2023), region="cn-420112")),
    C("r-short-alias", "2023年,临空港固定资产投资增长10%。",
      F(10, unit="percent", years=(2023, 2023), region="cn-420112")),
    C("r-city", "2023年,武汉市地区生产总值为2万亿元。",
      F(2e12, years=(2023, 2023), region="cn-4201")),
    C("r-zone-own-region", "2023年,东湖高新区地区生产总值为2800亿元。",
      F(2.8e11, years=(2023, 2023), region="zone-donghu")),
    C("r-zone-not-its-city", "2023年,成都高新区地区生产总值为3000亿元。",
      F(3e11, years=(2023, 2023), region="zone-chengdu-hnd")),
    C("r-district-inside-city-page",
      "2023年,武汉市地区生产总值为2万亿元。其中,江夏区地区生产总值为1500亿元。",
      F(2e12, years=(2023, 2023), region="cn-4201"),
      F(1.5e11, years=(2023, 2023), region="cn-420115")),
    C("r-carry-next-sentence",
      "江夏区2023年地区生产总值为1200亿元。全区固定资产投资增长9%。",
      F(9, unit="percent", years=(2023, 2023), region="cn-420115")),
    C("r-carry-next-paragraph", ("汉阳区2023年经济运行稳中有进。", "全年地区生产总值为1000亿元。"),
      F(1e11, years=(2023, 2023), region="cn-420105")),
    C("r-switch-to-new-region",
      "江夏区2023年地区生产总值为1200亿元。黄陂区地区生产总值为1100亿元。",
      F(1.2e11, years=(2023, 2023), region="cn-420115"),
      F(1.1e11, years=(2023, 2023), region="cn-420116")),
    C("r-university-not-region",
      ("江夏区2023年地区生产总值为1200亿元。", "武汉大学科技园项目总投资30亿元。"),
      F(3e9, years=(2023, 2023), region="cn-420115")),
    C("r-company-not-region",
      ("东西湖区今年一季度经济开局良好。", "深圳华星科技有限公司投资的显示模组项目总投资45亿元。"),
      F(4.5e9, region="cn-420112", status=None)),
    C("r-event-location-not-region",
      "东西湖区2023年经济稳中有进。在深圳举行的推介会上,全区签约项目总投资120亿元。",
      F(1.2e10, years=(2023, 2023), region="cn-420112")),
    # ---------------------------------------------------------------- indicator cues
    C("x-subsidy", "2023年,对新落户企业给予最高500万元补贴。", nothing=True),
    C("x-award", "2023年,对获评的企业一次性奖励100万元。", nothing=True),
    C("x-tax", "2023年,全区规上工业企业实现营业收入500亿元,纳税30亿元。",
      F(5e10, years=(2023, 2023), indicator="revenue"), absent=(3e9,)),
    C("x-registered-capital", "2023年落户的项目投资方注册资本5亿元。", absent=(5e8,)),
    C("x-person-name-numeral", "据区长陈三元介绍,2023年全区地区生产总值增长6%。",
      F(6, unit="percent", years=(2023, 2023)), absent=(3,)),
    C("x-phone-number", "投资咨询热线:027-83891234。", nothing=True),
    C("x-date-digits", "2024年3月15日,全区举行重点项目集中开工活动。", nothing=True),
    C("x-ranking", "2023年,全区地区生产总值在全国百强区中排名第35名。", nothing=True),
    C("x-ranking-wei", "2023年,全区综合实力位列全国百强区第35位。", nothing=True),
    C("x-talent-count", "2023年,全区引进各类人才2500余名。", nothing=True),
    C("x-talent-count-ren", "2023年,全区新增就业人员2500余人。", nothing=True),
    C("x-qianyiji-not-fact", "全区将打造千亿级光电子信息产业集群。", nothing=True),
    C("x-consumer-vouchers", "2023年,全区发放消费券3000万元。", nothing=True),
    C("x-market-value", "2023年,区内龙头企业市值突破1000亿元。", nothing=True),
    C("x-unrelated-percent", "2023年,全区森林覆盖率达到45%。", nothing=True),
    C("x-size-threshold-not-fact", "2023年,全区新增营业收入10亿元以上企业8家。",
      absent=(1e9,)),
    C("x-land-area-mu", "2023年,该项目总投资为30亿元,用地面积300亩。",
      F(3e9, years=(2023, 2023)), absent=(300,)),
    # ---------------------------------------------------------------- evidence
    C("e-raw-and-sentence", "2023年,全区地区生产总值为1800亿元,同比增长6%。",
      F(1.8e11, years=(2023, 2023), raw="1800亿")),
    C("e-raw-range", "2024年,全区计划完成工业投资100—200亿元。",
      F(1e10, status="target", qualifier="at_least", raw="100—200亿", value_high=2e10)),
    C("e-offsets-second-paragraph",
      ("2023年,全区经济运行稳中向好。", "全区工业总产值为1,800亿元。"),
      F(1.8e11, years=(2023, 2023), raw="1,800亿")),
    C("num-cn-yiqianbabai-yi", "2023年,全区地区生产总值为一千八百亿元。",
      F(1.8e11, years=(2023, 2023), raw="一千八百亿")),
    C("num-cn-erbaiwushi-after-da", "2023年,全区固定资产投资达二百五十亿元。",
      F(2.5e10, years=(2023, 2023))),
    C("num-cn-liangbai-after-yue", "2023年,全区固定资产投资约两百亿元。",
      F(2e10, qualifier="about", years=(2023, 2023))),
    C("num-decimal-with-comma", "2023年,全区工业总产值为1,800.5亿元。",
      F(1.8005e11, years=(2023, 2023), raw="1,800.5亿")),
    C("num-decimal-below-one-wanyi", "2023年,全区工业总产值为0.8万亿元。",
      F(8e11, years=(2023, 2023), raw="0.8万亿")),
    C("num-range-multiplier-on-both", "2023年,全区工业投资为100亿至200亿元。",
      F(1e10, qualifier="at_least", years=(2023, 2023), value_high=2e10,
        raw="100亿至200亿")),
    C("num-range-percent-one-sign", "今年全区地区生产总值力争增长6—8%。",
      F(6, unit="percent", qualifier="at_least", status="target", years=(2024, 2024),
        value_high=8)),
    C("num-range-compute", "到2025年,全区算力规模达到200-300P。",
      F(200, unit="PFLOPS", qualifier="at_least", status="target", years=(2025, 2025),
        value_high=300)),
    C("num-wan-p-decimal", "2023年,全市算力总规模达到1.5万P。",
      F(1.5e4, unit="PFLOPS", years=(2023, 2023), raw="1.5万")),
    C("unit-EFLOPS-decimal-spaced", "2023年,全市算力规模达到1.2 EFLOPS。",
      F(1200, unit="PFLOPS", years=(2023, 2023))),
    C("unit-count-projects-yu", "2023年,全区新签约亿元以上项目100余个。",
      F(100, unit="count", qualifier="about", years=(2023, 2023))),
    C("unit-usd-yu-wan-not-extracted", "2023年,全区进出口总额达到1800余万美元。", nothing=True),
    C("s-yuji-ended-current-pub-year", "今年全区地区生产总值预计增长6.5%。",
      F(6.5, unit="percent", status="estimate", years=(2023, 2023)), pub=D(2023, 11, 1)),
    C("s-youwang-ended-year", "2023年全区地区生产总值有望突破1500亿元。",
      F(1.5e11, qualifier="more_than", status="estimate", years=(2023, 2023))),
    C("s-jiang-future", "2025年,全区将实现地区生产总值2000亿元。",
      F(2e11, status="target", years=(2025, 2025))),
    C("s-two-clauses-actual-then-target",
      "2023年,全区已开工重点项目50个,今年计划新开工项目60个。",
      F(50, unit="count", years=(2023, 2023)),
      F(60, unit="count", status="target", years=(2024, 2024))),
    C("p-qian-n-months", "今年前5个月,全区工业投资为120亿元。",
      F(1.2e10, period=(D(2024, 1, 1), D(2024, 5, 31)))),
    C("p-xiabannian", "2023年下半年,全区固定资产投资增长7%。",
      F(7, unit="percent", period=(D(2023, 7, 1), D(2023, 12, 31)))),
    C("p-asof-qunian-di", "截至去年底,全区产业基金总规模达到300亿元。",
      F(3e10, period=(D(2023, 12, 31), D(2023, 12, 31)))),
    C("p-paragraph-subyear-carries",
      ("2024年1-3月,全区固定资产投资增长8%。", "全区工业投资为50亿元。"),
      F(5e9, period=(D(2024, 1, 1), D(2024, 3, 31))), pub=D(2024, 4, 20)),
    C("p-later-year-paragraph-overrides",
      ("2024年上半年,全区经济稳中有进。", "全区固定资产投资增长9%。",
       "2023年,全区固定资产投资增长7%。", "全区工业投资为100亿元。"),
      F(9, unit="percent", period=(D(2024, 1, 1), D(2024, 6, 30))),
      F(1e10, years=(2023, 2023)), pub=D(2024, 7, 20)),
    C("r-zone-brand-alias", "2023年,中国光谷地区生产总值为2800亿元。",
      F(2.8e11, years=(2023, 2023), region="zone-donghu")),
    C("r-zone-alias-of-district-etdz", "2023年,武汉经开区地区生产总值为1800亿元。",
      F(1.8e11, years=(2023, 2023), region="cn-420113")),
    C("r-zone-with-district-in-brackets", "临空港经开区(东西湖区)2023年地区生产总值为900亿元。",
      F(9e10, years=(2023, 2023), region="cn-420112")),
    C("r-province", "2023年,湖北省地区生产总值为5.58万亿元。",
      F(5.58e12, years=(2023, 2023), region="cn-42")),
    C("r-research-institute-not-region",
      ("东西湖区2023年地区生产总值为900亿元。", "来自华为武汉研究所的项目总投资10亿元。"),
      F(1e9, years=(2023, 2023), region="cn-420112")),
    C("x-person-name-qianyi", "区长张千亿调研时指出,全区重点项目总投资达到600亿元。",
      F(6e10, years=(2024, 2024)), absent=(1e11,)),
    C("x-enterprise-count-gaoxin", "2023年,全区共有高新技术企业1200余家。", nothing=True),
    C("x-patents", "2023年,全区新增专利授权2300件。", nothing=True),
    C("x-ranking-growth-rank", "2023年,全区固定资产投资增长12.3%,增速居全市第2位。",
      F(12.3, unit="percent", years=(2023, 2023)), absent=(2,)),
    # ---------------------------------------------------------------- fixed gaps
    C("num-cn-numeral-after-wancheng", "2023年,全区固定资产投资完成一千二百亿元。",
           F(1.2e11, years=(2023, 2023), raw="一千二百亿")),
    C("num-cn-qianyi-after-maishang", "2023年,全区工业总产值首次迈上千亿元台阶。",
           F(1e11, qualifier=None, years=(2023, 2023))),
    C("num-space-before-multiplier", "2023年,全区地区生产总值为1800 亿元。",
           F(1.8e11, years=(2023, 2023))),
    C("num-compound-yi-wan", "2023年,全区工业总产值为1亿5000万元。",
           F(1.5e8, years=(2023, 2023), raw="1亿5000万"), absent=(1e8, 5e7)),
    C("num-negative-growth-sign", "2023年,全区固定资产投资增长-3.5%。",
           F(-3.5, unit="percent", years=(2023, 2023)), absent=(3.5,)),
    C("num-cn-bai-after-jin", "2023年,全区新签约亿元以上项目近百个。",
           F(100, unit="count", qualifier="about", years=(2023, 2023))),
    C("num-percent-range-sign-on-both-ends", "今年全区地区生产总值力争增长6%—8%。",
           F(6, unit="percent", qualifier="at_least", status="target", years=(2024, 2024),
             value_high=8), absent=(8,)),
    C("num-baifenzhi-written-out", "2023年,全区固定资产投资同比增长百分之十二。",
           F(12, unit="percent", years=(2023, 2023))),
    C("e-raw-keeps-yu-and-multiplier", "2023年,全区完成投资180余亿元。",
           F(1.8e10, qualifier="about", years=(2023, 2023), raw="180余亿")),
    C("q-zuigao-before-da", "2023年,园区单个项目投资额最高达60亿元。",
           F(6e9, qualifier="at_most", years=(2023, 2023))),
    C("s-trailing-target-task-completed",
           "2023年,全区实现地区生产总值1500亿元,圆满完成全年目标任务。",
           F(1.5e11, years=(2023, 2023))),
    C("s-trailing-plan-goal-achieved",
           "2023年,全区地区生产总值达到1500亿元,提前两年实现“十四五”规划目标。",
           F(1.5e11, years=(2023, 2023))),
    C("p-fyp-end-is-a-point", "“十四五”末,全区算力规模将达到500P。",
           F(500, unit="PFLOPS", status="target", period=(D(2025, 12, 31), D(2025, 12, 31)))),
    C("p-explicit-year-then-quannian-basis", "2023年全年,全区地区生产总值为1300亿元。",
           F(1.3e11, years=(2023, 2023), basis="explicit")),
    C("r-ambiguous-district-anchored-by-city", "2023年,深圳市南山区地区生产总值为8500亿元。",
           F(8.5e11, years=(2023, 2023), region="cn-440305")),
    C("r-district-joined-to-university", "2023年,东湖高新区与武汉大学共建项目总投资30亿元。",
           F(3e9, years=(2023, 2023), region="zone-donghu")),
    C("r-paragraph-carry-sibling-district",
           ("江夏区2023年地区生产总值为1200亿元。", "全区规上工业增加值增长9%。",
            "黄陂区2023年地区生产总值为1100亿元。", "全区固定资产投资增长7%。"),
           F(9, unit="percent", years=(2023, 2023), region="cn-420115"),
           F(7, unit="percent", years=(2023, 2023), region="cn-420116")),
    C("r-seed-alias-chegu", "2023年,车谷地区生产总值为1800亿元。",
           F(1.8e11, years=(2023, 2023), region="cn-420113")),
    C("x-subsidy-cap-with-investment-word",
           "对新建数据中心项目按投资额给予最高2000万元支持。", absent=(2e7,)),
    C("x-enterprises-next-to-project-keyword", "2023年,全区引进重点项目配套企业220家。",
           nothing=True),
    C("x-fund-management-firms", "2023年,全区新设立基金管理企业12家。", nothing=True),
    C("x-per-capita-gdp", "2023年,全区人均地区生产总值为12.5万元。", nothing=True),
    C("x-income-growth-not-output", "2023年,全区城镇居民人均可支配收入增长5.5%。",
           nothing=True),
    C("x-per-chip-compute", "2023年,该芯片单卡算力达到300TFLOPS。", nothing=True),
    C("x-compute-threshold-describing-centres",
           "2023年,园区已建成算力超过1000P的智算中心3个。", absent=(1000,)),
    C("e-restated-figure-counted-once",
           "2023年,全市算力规模达到500P(每秒50亿亿次浮点运算)。",
           F(500, unit="PFLOPS", years=(2023, 2023)), n=1),
    C("num-decline-is-negative-growth", "2023年,全区工业投资同比下降12%。",
           F(-12, unit="percent", years=(2023, 2023))),
    C("inherit-growth-in-a-parallel-clause",
      "今年,江汉区力争地区生产总值增长6.5%左右,硚口区则提出增长6%以上。",
      F(6.5, unit="percent", qualifier="about", status="target", indicator="gdp_growth"),
      F(6, unit="percent", qualifier="at_least", status="target", indicator="gdp_growth")),
    C("status-cumulative-plan-under-a-goals-heading",
      ("二、主要目标", "“十四五”期间,全区累计完成固定资产投资3000亿元以上。"),
      F(3e11, qualifier="at_least", status="target", years=(2021, 2025)),
      pub=D(2021, 5, 10)),
    C("status-cumulative-since-the-plan-began-is-actual",
      "“十四五”以来,全区累计完成固定资产投资1800亿元。",
      F(1.8e11, status="actual"), pub=D(2024, 5, 10)),
    C("status-output-once-a-plant-runs-is-a-target",
      "2024年,该项目总投资30亿元,达产后预计年产值可达60亿元。",
      F(3e9, status="actual"), F(6e9, status="target")),
    # ---------------------------------------------------------------- tables (one row a
    # paragraph, cells one space apart: what normalise makes of <tr> and of spaced text)
    C("tbl-unit-column-and-growth",
      ("2023年1—6月全区主要经济指标", "指标 单位 1—6月 同比增长(%)",
       "地区生产总值 亿元 356.2 6.4", "固定资产投资 亿元 120.05 -2.1"),
      F(3.562e10, period=(D(2023, 1, 1), D(2023, 6, 30)), raw="356.2", indicator="gdp"),
      F(6.4, unit="percent", period=(D(2023, 1, 1), D(2023, 6, 30)), indicator="gdp_growth"),
      F(1.2005e10, indicator="fixed_asset_investment"),
      F(-2.1, unit="percent", indicator="fixed_asset_investment_growth"), n=4),
    C("tbl-unit-in-label-brackets",
      ("2023年全区经济运行情况", "项目 绝对值 增速(%)", "规模以上工业增加值(亿元) 98.7 7.5",
       "其中:工业投资(亿元) 40.1 —"),
      F(9.87e9, unit="CNY", years=(2023, 2023)),
      F(7.5, unit="percent", years=(2023, 2023), indicator="industrial_added_value_growth"),
      F(4.01e9, indicator="industrial_investment"), n=3),
    C("tbl-month-column-beside-year-to-date",
      ("2023年1—9月主要指标", "指标名称 计量单位 9月 本月 1—9月累计 累计增长(%) 本月增长(%)",
       "固定资产投资 亿元 — 15.3 130.8 4.2 9.9"),
      F(1.308e10, period=(D(2023, 1, 1), D(2023, 9, 30))),
      F(4.2, unit="percent", period=(D(2023, 1, 1), D(2023, 9, 30))),
      absent=(15.3, 9.9), n=2),
    C("tbl-measure-named-by-the-column",
      ("2023年重点项目", "项目名称 总投资(亿元) 年度计划投资(亿元)", "智能装备产业园 52.5 —"),
      F(5.25e9, years=(2023, 2023), indicator="total_investment"), n=1),
    C("tbl-count-row", ("2023年招商引资情况", "指标 单位 全年", "新签约项目 个 56"),
      F(56, unit="count", years=(2023, 2023)), n=1),
    C("tbl-prose-ends-the-table",
      ("2023年主要指标", "指标 单位 全年 增长(%)", "地区生产总值 亿元 500.1 5.0",
       "注:地区生产总值按现价计算,全区规模以上工业企业达到300家。"),
      F(5.001e10, years=(2023, 2023)), absent=(300,)),
    C("tbl-words-in-a-figure-column-are-not-a-row",
      ("2023年主要指标", "指标 单位 全年 增长(%)", "地区生产总值 亿元 较快 增长"),
      nothing=True),
    C("tbl-header-needs-a-label-column", ("2023年", "单位 全年 增长(%)",
                                          "地区生产总值 亿元 500.1 5.0"), nothing=True),
]


# ======================================================================================
# Phenomena seen on real pages from other publishers (issue: truth on real pages). Each
# sentence is our own; each names the phenomenon, never a page.
# ======================================================================================
CASES += [
    # ------------------------------------------------ a comparison year is not a period
    C("real-bishangnian-not-period",
      ("2023年,全市经济运行总体平稳。", "全年全市地区生产总值1000亿元,比上年增长3.8%。"),
      F(1e11, years=(2023, 2023)), F(3.8, unit="percent", years=(2023, 2023)),
      pub=D(2025, 6, 20)),
    C("real-jiaoqunian-not-period", "2023年全省集中开工项目较去年增加159个,达到900个。",
      F(900, unit="count", years=(2023, 2023)), pub=D(2023, 2, 11)),
    C("real-tongqi-not-period", "今年一季度,全县工业增加值与去年同期相比增长6%。",
      F(6, unit="percent", period=(D(2024, 1, 1), D(2024, 3, 31)))),
    # ------------------------------------------------ numbers that are not facts
    C("real-farm-output-and-its-growth",
      "全年农林牧渔业总产值481.02亿元,比上年增长3.9%。其中,农业产值29.08亿元,增长7.8%。",
      nothing=True),
    C("real-energy-intensity", "全年万元地区生产总值能耗下降2.7%。", nothing=True),
    C("real-contribution-rate", "工业对全市地区生产总值增长的贡献率近90%。", nothing=True),
    C("real-growth-coverage", "在工业19个大类中,10个行业增加值实现增长,增长面达52.6%。",
      nothing=True),
    C("real-ownership-types",
      "分经济类型看,国有企业增加值同比增长18.9%,外商及港澳台商投资企业下降3.7%。",
      nothing=True),
    C("real-pp-contribution", "全省工业投资增长7.6%,拉动全部投资增长3.0个百分点。",
      F(7.6, unit="percent"), absent=(3.0,)),
    C("real-rate-change", "今年全省地区生产总值增长目标为5%,增长目标下调了0.5%。",
      F(5, unit="percent", status="target"), absent=(0.5,)),
    C("real-average-per-project", "本次集中开工项目单体平均投资16.1亿元。", nothing=True),
    # ------------------------------------------------ status from tense and keyword
    C("real-yuji-dao-year-end", "预计到2021年末,全区完成地区生产总值151亿元。",
      F(1.51e10, status="estimate", years=(2021, 2021)), pub=D(2021, 12, 20)),
    C("real-yuce-estimate", "据统计预测,全县地区生产总值增长12.6%,达92.9亿元。",
      F(9.29e10 / 10, status="estimate"), F(12.6, unit="percent", status="estimate"),
      pub=D(2021, 12, 28)),
    C("real-yuqi-de-not-target",
      "预计全年地区生产总值360亿元,经济运行在预期的合理区间,工业增加值105亿元。",
      F(3.6e10, status="estimate"), F(1.05e10, status="estimate"), pub=D(2024, 12, 20)),
    C("real-annual-planned-investment", "本次集中开工重大项目900个,年度计划投资2176亿元。",
      F(2.176e11, status="target", years=(2023, 2023)), pub=D(2023, 2, 11)),
    C("real-house-prices-not-investment",
      "7月份,一线城市新建商品住宅销售价格同比下降4.2%,二、三线城市分别下降4.8%和5.8%。",
      nothing=True),
    C("real-cue-names-its-own-measure",
      "2022年,新材料项目12个,年内计划完成投资71.3亿元,开复工项目9个。",
      F(7.13e9, status="target"), F(9, unit="count", status="actual"),
      F(12, unit="count", status="actual"), pub=D(2022, 7, 21)),
    # ------------------------------------------------ counts of projects of any kind
    C("real-projects-by-kind",
      "涉及五大支柱产业的项目199个,其中,电子信息项目34个,装备制造项目63个。",
      F(199, unit="count"), F(34, unit="count"), F(63, unit="count")),
    C("real-projects-new-and-continued", "2023年,全市实施工业项目76项(新建48项,续建28项)。",
      F(76, unit="count"), F(48, unit="count"), F(28, unit="count")),
    C("real-racks-and-places-not-projects",
      "一期整体项目可提供1500个标准机柜,当天全市12个地区和园区新开工一批项目。",
      nothing=True),
    # ------------------------------------------------ 分别 series and link clauses
    C("real-fenbie-growths-follow-measures",
      "2024年,第一产业增加值23.70亿元,第二产业增加值353.96亿元,第三产业增加值497.48亿元,"
      "增速分别为4.4%、4.8%、6%。",
      F(4.4, unit="percent"), F(4.8, unit="percent"), F(6, unit="percent"), n=6),
    C("real-fenbie-regions-in-order",
      "2023年,武昌区、洪山区和江夏区分别实现地区生产总值1200亿元、950亿元和800亿元。",
      F(1.2e11, region="cn-420106"), F(9.5e10, region="cn-420111"),
      F(8e10, region="cn-420115")),
    C("real-fenbie-years-in-order",
      "2021年至2023年,全区分别完成固定资产投资100亿元、120亿元、150亿元。",
      F(1e10, years=(2021, 2021)), F(1.2e10, years=(2022, 2022)),
      F(1.5e10, years=(2023, 2023))),
    C("real-growth-then-level", "2024年,全县第一产业增长9.1%达21.2亿元。",
      F(9.1, unit="percent"), F(2.12e9)),
    C("real-share-of-each-sector",
      "2024年,第一产业增加值占地区生产总值的比重为24.1%,第二产业增加值比重为23.7%。",
      F(24.1, unit="percent", indicator="gdp_share"),
      F(23.7, unit="percent", indicator="gdp_share")),
    C("real-research-projects-not-investment",
      "该区企业累计承担各级科研项目737项,大赛吸引创业项目297个,新建1个街道养老综合体。",
      nothing=True),
    # ------------------------------------------------ regions
    C("real-event-venue-run-of-names",
      "重庆市一季度集中签约活动6日在重庆九龙坡区举行,本次集中签约重大招商项目70个。",
      F(70, unit="count", region="cn-50")),
    C("real-since-year-no-period",
      ("2021年3月17日,全省重大项目集中开工。", "这是浙江自2016年以来,组织的第十批集中开工。",
       "全部项目中,省重大产业项目21个。"),
      F(21, unit="count", years=(2021, 2021)), pub=D(2021, 3, 17)),
    C("real-target-under-a-plan-span-is-its-last-year",
      ("2024—2025年,全市加快算力基础设施建设。", "力争全市算力规模达到5EFLOPS。"),
      F(5000, unit="PFLOPS", status="target", years=(2025, 2025), qualifier=None),
      pub=D(2024, 1, 25)),
    C("real-early-year-estimate-is-last-year",
      "据统计预测,全县地区生产总值增长12.6%。",
      F(12.6, unit="percent", status="estimate", years=(2021, 2021)), pub=D(2022, 1, 24)),
    C("real-news-site-name-is-no-region",
      ("周边 江城新闻网", "武汉市新闻传媒中心 主办", "湖北省重大项目集中开工,项目共361个。"),
      F(361, unit="count", region="cn-42")),
    C("real-hk-year-on-year", "惠州首季规模以上工业增加值按年增13.6%。",
      F(13.6, unit="percent", qualifier=None)),
    C("real-profit-tax-energy-not-facts",
      "2023年,规上工业企业实现利润总额50亿元,增长12%;全社会用电量增长5%。", nothing=True),
    C("real-ratio-not-investment", "每投入1元财政资金可带动社会投资2元。", nothing=True),
    C("real-negative-cue-stays-in-its-list-item",
      "规上工业增加值增长22%、固定资产投资增长40.1%、社会消费品零售总额增长13.3%。",
      F(22, unit="percent"), F(40.1, unit="percent"), absent=(13.3,)),
    C("real-bare-growth-borrows-the-nearest-figure-clause",
      "2018年,完成固定资产投资166.5亿元,增长11.6%;出口13525万美元,增长3.6%。",
      F(1.665e10), F(11.6, unit="percent"), absent=(3.6,)),
    C("real-price-basis-is-a-connective",
      "2023年,全年工业总产值358.97亿元,按当年价格计算比上年下降3.3%。",
      F(3.5897e10), F(-3.3, unit="percent")),
    C("real-a-count-is-whole", "降幅比上月分别扩大0.3个和0.4个百分点。", nothing=True),
    C("real-fenbie-one-measure-for-ordinal-items",
      "2024年,第一、二、三产业增加值占地区生产总值的比重分别为34.5%、22.1%和43.4%,"
      "对经济增长的贡献率分别为50.8%、25.8%、23.4%。",
      F(34.5, unit="percent"), F(22.1, unit="percent"), F(43.4, unit="percent"), n=3),
    C("real-fenbie-after-a-negative-cue",
      "2021年,城乡常住居民人均可支配收入分别增长12%和13%,分别达43366元和13835元。",
      nothing=True),
    C("real-yuji-plan-end-this-year", "预计十三五末,全县地区生产总值突破400亿元。",
      F(4e10, qualifier="more_than", status="estimate"), pub=D(2020, 12, 23)),
    C("real-funds-won-not-a-plan",
      "2022年,全县争取上级资金20.2亿元;签约项目79个,总投资290.5亿元。",
      F(79, unit="count", status="actual"), F(2.905e10, status="actual"), pub=D(2023, 1, 5)),
    C("real-words-decimal-and-percent-in-words",
      "2020年上半年珠海市地区生产总值为一千五百九十点五九亿元,同比下降百分之二点五。",
      F(1.5905900e11, years=(2020, 2020)), F(-2.5, unit="percent")),
    C("real-taiwan-zhao", "2025年,重庆市地区生产总值3兆3757.93亿元。",
      F(3.375793e12, status=None, years=(2025, 2025), region="cn-50")),
    C("real-table-written-with-pipes",
      ("2024年主要指标", "| 指标 | 绝对数(亿元) | 比上年增长% |", "| 地区生产总值 | 2313.0 | 5.2 |",
       "| 其中:第一产业 | 287.0 | 2.2 |"),
      F(2.313e11, years=(2024, 2024)), F(5.2, unit="percent"), F(2.87e10),
      F(2.2, unit="percent")),
    C("real-table-garbled-label-header",
      ("2024年主要指标", "| 指????标 | 绝对数(亿元) | 比上年增长% |",
       "| 地区生产总值 | 2313.0 | 5.2 |"),
      F(2.313e11, years=(2024, 2024)), F(5.2, unit="percent")),
    C("real-national-release", "2024年1—8月份,全国固定资产投资329385亿元,同比增长3.4%。",
      F(3.29385e13, region="cn"), F(3.4, unit="percent", region="cn")),
    C("real-area-above-a-province", "今年第一季度,长三角16个城市固定资产投资额为8497亿元。",
      F(8.497e11, region="area-yrd")),
    C("real-baseline-from-year", "预计全县生产总值从2015年的39.70亿元增长到2020年61.95亿元。",
      F(3.97e9, status="actual", years=(2015, 2015)), F(6.195e9, status="estimate"),
      pub=D(2021, 2, 7)),
    C("real-taiwan-growth-words", "2013年第1季,长三角16个城市国内生产毛额较去年同期成长9.8%。",
      F(9.8, unit="percent", period=(D(2013, 1, 1), D(2013, 3, 31)), region="area-yrd"),
      pub=D(2013, 5, 7)),
    C("real-investment-attracted", "2021年,全县招商引资增长25.9%达87.7亿元。",
      F(25.9, unit="percent"), F(8.77e9)),
    C("real-restated-figure-is-one-fact",
      ("本报讯 记者从全省投资促进工作会上获悉,2024年,全省招商引资签约项目3132个。",
       "数据显示,2024年,全省招商引资签约项目达3132个。"),
      F(3132, unit="count", years=(2024, 2024)), n=1),
    C("real-two-regions-same-value-two-facts",
      ("2024年,武汉市地区生产总值增长5.2%。", "2024年,宜昌市地区生产总值增长5.2%。"), n=2),
    C("real-threshold-of-counted-places", "今年第1季有7个城市的GDP总值超过1000亿元。",
      nothing=True),
    C("real-month-on-month-not-a-fact", "从环比看,8月份固定资产投资增长0.16%。", nothing=True),
    C("real-spending-is-no-investment", "2023年,全县教育投入12亿元,卫生健康投入8亿元。",
      nothing=True),
    C("real-one-firms-revenue", "2023年,某某集团实现营业收入120亿元,同比增长8%。", nothing=True),
    C("real-ranking-clauses-repeat-the-measure",
      ("前三季度,深圳地区生产总值2.45万亿元,位居首位。广州以近2.18万亿元紧随其后。",),
      F(2.45e12, region="cn-4403"), F(2.18e12, qualifier="about", region="cn-4401")),
    C("real-target-list-repeats-the-measure",
      ("今年,江苏地区生产总值增长目标为5%。天津直接定为4.5%。",),
      F(5, unit="percent", region="cn-32", status=None),
      F(4.5, unit="percent", region="cn-12", status=None)),
    C("real-past-period-after-plan-words",
      "该区着力打造算力小镇,上半年规上工业总产值近30亿元。",
      F(3e9, qualifier="about", status="actual", years=(2024, 2024)), pub=D(2024, 9, 1)),
]


# ======================================================================================
# Audit of the error classes real pages show (issue 14, section 2), each class with fresh
# sentences of our own: different regions, indicators and phrasings. Ids start "c<k>-".
# ======================================================================================
CASES += [
    # ------------------------------------------------ 1 status from genre and tense
    C("c1-plan-title-xingcheng-is-target",
      ("苏州市制造业高质量发展三年行动方案(2024—2026年)",
       "全市规模以上工业总产值形成4.8万亿元规模。"),
      F(4.8e12, status="target"), titled=True, pub=D(2024, 3, 1)),
    C("c1-plan-title-past-year-stays-actual",
      ("合肥市算力基础设施高质量发展行动方案(2024—2026年)",
       "2023年,全市算力规模达到1500P。", "2026年,全市建成算力总规模8000P。"),
      F(1500, unit="PFLOPS", status="actual", years=(2023, 2023)),
      F(8000, unit="PFLOPS", status="target", years=(2026, 2026)), titled=True,
      pub=D(2024, 5, 1)),
    C("c1-plan-jiancheng-later-year-is-target",
      ("宁波市算力基础设施建设实施方案", "2025年底,全市建成算力总规模3000P。"),
      F(3000, unit="PFLOPS", status="target", years=(2025, 2025)), titled=True,
      pub=D(2023, 8, 1)),
    C("c1-ketupo-ending-year-is-estimate", "预计全年全市固定资产投资可突破600亿元。",
      F(6e10, qualifier="more_than", status="estimate", years=(2024, 2024)),
      pub=D(2024, 12, 5)),
    C("c1-youwang-just-ended-year-is-estimate", "2023年,全区规上工业总产值有望达到1200亿元。",
      F(1.2e11, status="estimate", years=(2023, 2023)), pub=D(2024, 1, 10)),
    C("c1-yuji-just-ended-quarter-is-estimate", "预计一季度全县工业投资增长15%。",
      F(15, unit="percent", status="estimate", period=(D(2024, 1, 1), D(2024, 3, 31))),
      pub=D(2024, 4, 5)),
    # ------------------------------------------------ 2 分别 series, in order
    C("c2-fenbie-two-zones",
      "2023年,合肥高新区、合肥经开区分别完成固定资产投资320亿元和280亿元。",
      F(3.2e10, region="zone-hefei-hnd"), F(2.8e10, region="zone-hefei-etdz"), n=2),
    C("c2-fenbie-year-span-counts",
      "2022—2024年,全省新开工亿元以上项目分别为1200个、1350个、1500个。",
      F(1200, unit="count", years=(2022, 2022)), F(1350, unit="count", years=(2023, 2023)),
      F(1500, unit="count", years=(2024, 2024)), n=3, pub=D(2025, 2, 1)),
    C("c2-fenbie-three-listed-years",
      "2020年、2021年和2022年,全市规上工业增加值分别增长7.2%、9.5%和5.1%。",
      F(7.2, unit="percent", years=(2020, 2020)), F(9.5, unit="percent", years=(2021, 2021)),
      F(5.1, unit="percent", years=(2022, 2022)), n=3),
    C("c2-fenbie-two-sub-year-periods", "今年一季度、上半年,全区工业投资分别增长12%和10.5%。",
      F(12, unit="percent", period=(D(2024, 1, 1), D(2024, 3, 31))),
      F(10.5, unit="percent", period=(D(2024, 1, 1), D(2024, 6, 30))), n=2,
      pub=D(2024, 7, 20)),
    C("c2-fenbie-three-cities",
      "2023年,南京、苏州、杭州三市地区生产总值分别达到1.75万亿元、2.47万亿元和2.01万亿元。",
      F(1.75e12, region="cn-3201"), F(2.47e12, region="cn-3205"),
      F(2.01e12, region="cn-3301"), n=3),
    # ------------------------------------------------ 3 Hong Kong and Taiwan phrasing
    C("c3-zhuanan-is-project", "2023年，該市重大專案總投資達到850億元。",
      F(8.5e10, years=(2023, 2023), indicator="total_investment"), raw_page=True),
    C("c3-hk-anniandeng-growth", "深圳前海今年首季固定資產投資按年增長12.5%。",
      F(12.5, unit="percent", region="zone-qianhai",
        period=(D(2024, 1, 1), D(2024, 3, 31))), raw_page=True),
    C("c3-hk-renminbi-area", "粵港澳大灣區去年地區生產總值達14萬億元人民幣。",
      F(1.4e13, years=(2023, 2023), region="area-gba"), raw_page=True),
    C("c3-tw-zhihui-is-zhineng", "西安高新區2023年智慧算力規模達到200PFLOPS。",
      F(200, unit="PFLOPS", years=(2023, 2023), region="zone-xian-hnd"), raw_page=True),
    C("c3-tw-chengzhang-is-growth", "2023年成都市工業投資較去年成長8.1%。",
      F(8.1, unit="percent", years=(2023, 2023), region="cn-5101"), raw_page=True),
    # ------------------------------------------------ 4 typographic noise
    C("c4-circle-decimal-mark", "2023年，全区规上工业总产值达到12。5亿元。",
      F(1.25e9, years=(2023, 2023)), absent=(5e8,), raw_page=True),
    C("c4-full-width-digits-percent", "２０２３年，全市固定资产投资增长８．６％。",
      F(8.6, unit="percent", years=(2023, 2023)), raw_page=True),
    C("c4-pinyin-glosses-in-traditional",
      "2023年，全市數(shù)字經(jīng)濟核心產(chǎn)業增加值達到560億元。",
      F(5.6e10, years=(2023, 2023)), raw_page=True),
    C("c4-full-width-digits-and-circle-decimal",
      "２０２４年上半年，全区地区生产总值为３５６。８亿元。",
      F(3.568e10, period=(D(2024, 1, 1), D(2024, 6, 30))), raw_page=True),
    C("c4-full-width-thousands-comma", "2023年，全县完成固定资产投资１，２００亿元。",
      F(1.2e11, years=(2023, 2023)), raw_page=True),
    # ------------------------------------------------ 5 numbers that are not facts
    C("c5-leverage-ratio", "每投资1亿元可撬动社会资本5亿元,带动就业300人。", nothing=True),
    C("c5-share-change-in-points", "全区工业投资占固定资产投资的比重提高2.3个百分点。",
      nothing=True),
    C("c5-growth-outside-the-tables",
      "2023年,全市粮食总产量增长3.2%,社会消费品零售总额增长6.8%,农村居民人均可支配收入增长7.5%。",
      nothing=True),
    C("c5-coverage-and-share",
      "规上工业企业增长面达到68%,高技术制造业增加值占规上工业的比重为25.4%。",
      absent=(68,)),
    C("c5-product-spec", "该款智算一体机单台算力可达1P,售价200万元。", nothing=True),
    C("c5-investment-intensity-per-mu", "入园项目投资强度不低于每亩300万元。", nothing=True),
    # ------------------------------------------------ 6 compute restated
    C("c6-yiyici-per-second-is-pflops", "2023年,该超算中心峰值算力达到每秒3.2亿亿次。",
      F(32, unit="PFLOPS", years=(2023, 2023)), n=1),
    C("c6-two-units-joined-by-ji", "2024年,全市算力总规模达到2.3EFLOPS,即2300P。",
      F(2300, unit="PFLOPS", years=(2024, 2024)), n=1),
    C("c6-two-units-in-brackets-agree", "2024年,园区智能算力规模达到800P(每秒80亿亿次)。",
      F(800, unit="PFLOPS", years=(2024, 2024)), n=1),
    C("c6-two-units-zhehe", "截至2024年6月,全区算力规模达到1.2万P,折合12EFLOPS。",
      F(1.2e4, unit="PFLOPS", period=(D(2024, 6, 30), D(2024, 6, 30))), n=1,
      pub=D(2024, 7, 10)),
    C("c6-two-units-disagree-is-one-flagged-fact",
      "2024年,全市算力规模达到500P,约合每秒5亿亿次浮点运算。",
      F(500, unit="PFLOPS", years=(2024, 2024)), n=1),
    # ------------------------------------------------ 7 regions
    C("c7-statistical-release-quanqu-is-the-zone",
      ("贵安新区2023年国民经济和社会发展统计公报", "2023年,全区地区生产总值完成350亿元。"),
      F(3.5e10, years=(2023, 2023), region="zone-guian"), titled=True, pub=D(2024, 4, 1)),
    C("c7-woqu-is-the-issuing-bureaus-region",
      ("来源:滨江区统计局", "2023年,我区规上工业增加值增长9.2%。"),
      F(9.2, unit="percent", years=(2023, 2023), region="cn-330108")),
    C("c7-quanshi-in-a-city-release",
      ("2023年中卫市国民经济和社会发展统计公报", "全年全市地区生产总值540亿元。"),
      F(5.4e10, years=(2023, 2023), region="cn-6405"), titled=True, pub=D(2024, 3, 20)),
    # a zone the gazetteer lacks, its own name between the city and the suffix: a region of
    # its own (region_text the zone's name, no seed id), never the city before it
    C("c7-new-area-the-gazetteer-lacks-is-its-own",
      "2023年,宜宾三江新区地区生产总值为280亿元。",
      F(2.8e10, years=(2023, 2023), region="!cn-5115")),
    C("c7-area-above-provinces-the-gazetteer-lacks",
      "2023年,成渝地区双城经济圈地区生产总值达到8.2万亿元。",
      F(8.2e12, years=(2023, 2023))),
    # ------------------------------------------------ 8 periods
    C("c8-qiansanjidu-of-the-page-year", "前三季度,全省规上工业增加值增长6.8%。",
      F(6.8, unit="percent", period=(D(2024, 1, 1), D(2024, 9, 30))), pub=D(2024, 10, 25)),
    C("c8-months-cumulative-yuefen", "2024年1-10月份,全区规上工业总产值累计完成860亿元。",
      F(8.6e10, period=(D(2024, 1, 1), D(2024, 10, 31))), pub=D(2024, 11, 20)),
    C("c8-months-without-year-page-date", "1—11月,全市固定资产投资同比增长4.3%。",
      F(4.3, unit="percent", period=(D(2023, 1, 1), D(2023, 11, 30))), pub=D(2023, 12, 20)),
    C("c8-undated-jinnian-is-unknown", "今年,全区算力规模达到300P。",
      F(300, unit="PFLOPS", basis="unknown"), pub=None),
    C("c8-undated-jinnian-beside-other-years-is-unknown",
      ("2022年,全区固定资产投资增长5%。", "今年,全区工业投资增长11%。"),
      F(11, unit="percent", basis="unknown"), pub=None),
    C("c8-undated-qunian-is-unknown-printed-year-stays",
      "2021年,全县工业投资为30亿元;去年,全县工业投资为45亿元。",
      F(3e9, years=(2021, 2021), basis="explicit"), F(4.5e9, basis="unknown"), pub=None),
    # ------------------------------------------------ 9 one number, one fact
    C("c9-city-then-its-zone-one-fact", "西安市西安高新区2023年完成固定资产投资1200亿元。",
      F(1.2e11, years=(2023, 2023), region="zone-xian-hnd"), n=1),
    C("c9-zone-with-its-city-in-brackets", "苏州工业园区(苏州市)2023年实现地区生产总值3686亿元。",
      F(3.686e11, years=(2023, 2023), region="zone-sip"), n=1),
    C("c9-district-and-its-zone-alias", "2023年,宁波市北仑区(宁波经开区)实现地区生产总值2500亿元。",
      F(2.5e11, years=(2023, 2023), region="cn-330206"), n=1),
    C("c9-city-and-zone-jointly", "2023年,合肥市与合肥高新区共同引进项目总投资120亿元。",
      F(1.2e10, years=(2023, 2023)), n=1),
]

CASES += [
    # ------------------------------------------------ round two: harder phrasings
    C("c1-plan-da-later-year-no-dao",
      ("庆阳市“东数西算”产业发展规划(2023—2027年)",
       "2027年全市数据中心标准机架达10万架,算力规模达2万P。"),
      F(2e4, unit="PFLOPS", status="target", years=(2027, 2027)), titled=True,
      pub=D(2023, 9, 1)),
    C("c1-youwang-current-half-is-estimate", "上半年全市规上工业增加值有望增长7%左右。",
      F(7, unit="percent", qualifier="about", status="estimate",
        period=(D(2024, 1, 1), D(2024, 6, 30))), pub=D(2024, 6, 25)),
    C("c2-fenbie-four-districts-counts",
      "2024年,滨江区、钱塘区、北仑区和虎丘区分别签约亿元以上项目36个、41个、28个和33个。",
      F(36, unit="count", region="cn-330108"), F(41, unit="count", region="cn-330114"),
      F(28, unit="count", region="cn-330206"), F(33, unit="count", region="cn-320505"), n=4),
    C("c2-fenbie-years-with-zhi-and-growth",
      "2021至2023年,全市工业投资分别增长10.2%、8.7%和12.4%。",
      F(10.2, unit="percent", years=(2021, 2021)), F(8.7, unit="percent", years=(2022, 2022)),
      F(12.4, unit="percent", years=(2023, 2023)), n=3),
    C("c3-tw-zhuanan-count", "2023年台中市新簽約投資專案共46項,總投資金額達850億元人民幣。",
      F(46, unit="count"), F(8.5e10), raw_page=True),
    C("c3-hk-shouji-is-first-quarter", "成都首季固定資產投資按年增長6.3%。",
      F(6.3, unit="percent", region="cn-5101",
        period=(D(2024, 1, 1), D(2024, 3, 31))), raw_page=True, pub=D(2024, 4, 20)),
    C("c4-circle-decimal-percent", "2023年，全区规上工业增加值增长7。8%。",
      F(7.8, unit="percent", years=(2023, 2023)), absent=(8,), raw_page=True),
    C("c4-ideographic-space-in-number", "2023年，全市固定资产投资\u3000增长9.1％。",
      F(9.1, unit="percent", years=(2023, 2023)), raw_page=True),
    C("c5-point-change-of-growth", "全区固定资产投资增速比一季度加快1.2个百分点。", nothing=True),
    C("c5-share-of-fixed-investment", "2023年,工业投资占全部投资的比重达42.5%。", nothing=True),
    C("c5-retail-and-income-growth-only",
      "全县社会消费品零售总额增长8.2%,城镇居民人均可支配收入增长5.9%。", nothing=True),
    C("c5-multiplier-dai-dong", "该项目建成后,每年可带动上下游产值超200亿元。", nothing=True),
    C("c6-ttflops-and-p-in-brackets", "2024年,该智算中心算力规模达到2000P(2EFLOPS)。",
      F(2000, unit="PFLOPS", years=(2024, 2024)), n=1),
    C("c6-wanyi-per-second", "该超算中心运算速度达到每秒12.5亿亿次。", F(125, unit="PFLOPS"), n=1),
    C("c7-jingjinji-own-region", "2023年,京津冀地区生产总值达到10.4万亿元。",
      F(1.04e13, years=(2023, 2023), region="area-jjj")),
    C("c7-science-city-not-its-first-city", "2023年,重庆西部科学城地区生产总值为1200亿元。",
      F(1.2e11, years=(2023, 2023), region="!cn-50")),
    C("c7-named-zone-needs-a-name-not-words",
      ("2023年,宜昌市地区生产总值为6000亿元。", "全市推进开发区建设,工业投资增长12%。"),
      F(12, unit="percent", region="cn-4205")),
    C("c7-quanxian-from-issuing-bureau",
      ("来源:中卫市统计局", "2023年,全市规上工业增加值增长8.4%,固定资产投资增长6.1%。"),
      F(8.4, unit="percent", region="cn-6405"), F(6.1, unit="percent", region="cn-6405")),
    C("c8-qiansanjidu-with-year-cumulative", "2023年前三季度,全市累计完成工业投资520亿元。",
      F(5.2e10, period=(D(2023, 1, 1), D(2023, 9, 30)))),
    C("c8-jan-to-n-arabic-hyphen", "1-8月,全区规上工业总产值同比增长9.6%。",
      F(9.6, unit="percent", period=(D(2024, 1, 1), D(2024, 8, 31))), pub=D(2024, 9, 18)),
    C("c9-zone-then-city-in-brackets", "天府新区(成都市)2023年地区生产总值达到5000亿元。",
      F(5e11, region="zone-tianfu"), n=1),
    C("c9-city-zone-joined-by-de", "2023年,成都市的成都高新区固定资产投资增长11%。",
      F(11, unit="percent", region="zone-chengdu-hnd"), n=1),
]

CASES += [
    # ------------------------------------------------ round three
    C("c1-ketupo-year-end-review", "今年全市地区生产总值可突破2000亿元,同比增长6%左右。",
      F(2e11, qualifier="more_than", status="estimate", years=(2024, 2024)),
      F(6, unit="percent", qualifier="about", status="estimate"), pub=D(2024, 12, 28)),
    C("c1-youwang-later-year-is-target", "2026年全区智能算力有望达到5000P。",
      F(5000, unit="PFLOPS", status="target", years=(2026, 2026))),
    C("c2-fenbie-two-measures", "2023年,全区固定资产投资和工业投资分别增长8.1%和12.3%。",
      F(8.1, unit="percent", indicator="fixed_asset_investment_growth"),
      F(12.3, unit="percent", indicator="investment_growth"), n=2),
    C("c3-hk-anniandeng-shangsheng", "成都首季地區生產總值按年上升6.1%。",
      F(6.1, unit="percent", region="cn-5101"), raw_page=True, pub=D(2024, 4, 20)),
    C("c4-circle-decimal-before-wanyi", "2023年,全省固定资产投资达到1。2万亿元。",
      F(1.2e12, years=(2023, 2023)), raw_page=True),
    C("c4-full-width-circle-percent", "２０２３年，全区工业投资增长１２。５％。",
      F(12.5, unit="percent", years=(2023, 2023)), raw_page=True),
    C("c5-share-of-big-projects", "2023年,亿元以上项目投资占全部投资的比重达65%。", nothing=True),
    C("c5-chip-tops-spec", "该芯片INT8算力达到256TOPS,功耗仅为75W。", nothing=True),
    C("c5-per-server-compute", "该型服务器单台可提供2P算力。", nothing=True),
    C("c6-baiyiyici-is-one-eflops", "2024年,该超算中心算力达到每秒百亿亿次。",
      F(1000, unit="PFLOPS", years=(2024, 2024)), n=1),
    C("c6-qianwanyici", "2023年,园区超算中心运算能力达到每秒5000万亿次。",
      F(5, unit="PFLOPS", years=(2023, 2023)), n=1),
    C("c8-yi-zhi-san-jidu", "一至三季度,全市工业投资增长7%。",
      F(7, unit="percent", period=(D(2024, 1, 1), D(2024, 9, 30))), pub=D(2024, 10, 22)),
    C("c8-quarter-to-quarter-cumulative", "2023年一季度至三季度,全区规上工业增加值增长8.2%。",
      F(8.2, unit="percent", period=(D(2023, 1, 1), D(2023, 9, 30))), n=1),
    C("c8-months-zhi-yuefen", "2024年1至10月份,全区固定资产投资同比增长5.5%。",
      F(5.5, unit="percent", period=(D(2024, 1, 1), D(2024, 10, 31))), pub=D(2024, 11, 20)),
    C("c9-city-named-after-the-zone", "西安高新区2023年完成固定资产投资1200亿元,位居西安市第一。",
      F(1.2e11, region="zone-xian-hnd"), n=1),
]

CASES += [
    # ------------------------------------------------ round four
    C("c2-fenbie-three-districts-counted",
      "武昌区、洪山区和江夏区三个区分别完成固定资产投资480亿元、520亿元和610亿元。",
      F(4.8e10, region="cn-420106"), F(5.2e10, region="cn-420111"),
      F(6.1e10, region="cn-420115"), n=3),
    C("c2-fenbie-years-listed-growth-then-level",
      "2022年和2023年,全县地区生产总值分别达到210亿元和236亿元。",
      F(2.1e10, years=(2022, 2022)), F(2.36e10, years=(2023, 2023)), n=2),
    C("c1-yuji-ended-year-in-january-review", "预计去年全区规上工业增加值增长8.5%。",
      F(8.5, unit="percent", status="estimate", years=(2023, 2023)), pub=D(2024, 1, 12)),
    C("c1-plan-heading-jiancheng", ("三、发展目标", "全市建成智能算力规模超过3000P。"),
      F(3000, unit="PFLOPS", qualifier="more_than", status="target"), pub=D(2024, 2, 1)),
    C("c5-proportion-rise-in-points", "高新技术产业增加值占规上工业增加值比重提高到45.6%。",
      nothing=True),
    C("c5-household-income-level", "2023年,全区城镇居民人均可支配收入达到52000元。", nothing=True),
    C("c7-wo-shi-from-issuing-bureau",
      ("来源:宜昌市统计局", "今年前三季度,我市规上工业增加值增长7.9%。"),
      F(7.9, unit="percent", region="cn-4205", period=(D(2024, 1, 1), D(2024, 9, 30))),
      pub=D(2024, 10, 28)),
    C("c8-title-months-carry-to-body",
      ("2024年1—10月全市经济运行情况", "全市固定资产投资同比增长4.6%。"),
      F(4.6, unit="percent", period=(D(2024, 1, 1), D(2024, 10, 31))), titled=True,
      pub=D(2024, 11, 18)),
    C("c9-zone-named-twice-one-fact",
      "苏州工业园区2023年实现地区生产总值3686亿元,园区经济总量稳居全国开发区前列。",
      F(3.686e11, region="zone-sip"), n=1),
    C("c9-city-zone-same-figure-restated-in-brackets",
      "2023年,雄安新区(河北省)完成固定资产投资超过2000亿元。",
      F(2e11, qualifier="more_than", region="zone-xiongan"), n=1),
]

CASES += [
    # ------------------------------------------------ round five: script and typography
    C("c3-twd-is-not-cny", "2023年,該園區簽約專案總投資新臺幣300億元。", nothing=True,
      raw_page=True),
    C("c3-tw-ziliao-zhongxin-compute", "2024年,貴安新區資料中心算力規模達到1.5萬P。",
      F(1.5e4, unit="PFLOPS", years=(2024, 2024), indicator="computing_power"), raw_page=True),
    C("c3-twd-after-the-figure", "2023年,該市重大專案總投資達300億新臺幣。", nothing=True,
      raw_page=True),
    C("c3-hkd-before-the-figure", "2023年,該專案總投資港幣約50億元。", nothing=True,
      raw_page=True),
    C("c3-hk-zhuanan-count-and-investment",
      "今年首季,雄安新區新開工專案58個,總投資達460億元人民幣。",
      F(58, unit="count"), F(4.6e10), raw_page=True, pub=D(2024, 4, 15)),
    C("c4-gloss-after-growth-word", "2023年，全市固定資產投資增長(zhǎng)8.6%。",
      F(8.6, unit="percent", years=(2023, 2023)), raw_page=True),
    C("c4-full-width-brackets-gloss",
      "2023年，全區數（shù）字經濟規模達到１２００億元。",
      F(1.2e11, years=(2023, 2023)), raw_page=True),
    C("c4-circle-after-sentence-not-a-decimal",
      "2023年，全区新开工项目36个。5月以来，工业投资增长9%。",
      F(36, unit="count"), F(9, unit="percent"), absent=(36.5,), raw_page=True),
]

CASES += [
    # ------------------------------------------------ round six
    C("c1-kewang-year-end-estimate", "全年可望完成固定资产投资500亿元。",
      F(5e10, status="estimate", years=(2024, 2024)), pub=D(2024, 12, 15)),
    C("c5-sales-ratio-not-fact", "2023年,全区规上工业产品产销率达到98.5%。", nothing=True),
    C("c5-capacity-utilisation-not-fact", "全区工业产能利用率为76.3%,比上年提高1.1个百分点。",
      nothing=True),
    C("c6-eflops-with-yiyici-in-brackets", "2024年,全省算力规模达2.5EFLOPS(每秒250亿亿次)。",
      F(2500, unit="PFLOPS", years=(2024, 2024)), n=1),
    C("c8-jinnian-yilai-dated-page", "今年以来,全区签约亿元以上项目86个。",
      F(86, unit="count", years=(2024, 2024)), pub=D(2024, 11, 5)),
    C("c9-headline-and-body-city-zone-one-fact",
      ("东湖高新区地区生产总值突破2800亿元", "2023年,武汉东湖高新区地区生产总值突破2800亿元。"),
      F(2.8e11, qualifier="more_than", region="zone-donghu"), n=1, titled=True),
]


# ======================================================================================
# The harness.
# ======================================================================================


def _document(paras: tuple[str, ...]) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for p in paras:
        starts.append(pos)
        pos += len(p) + 1
    return "\n".join(paras), starts


def run(case: Case) -> tuple[str, list[Mention]]:
    if case.raw_page:  # traditional script, full-width digits, glosses: as a page prints them
        doc = normalise(case.paras)
        text, starts = doc.text, list(doc.paragraph_starts)
    else:
        text, starts = _document(case.paras)
    return text, extract_mentions(text, starts, case.pub,
                                  title_paragraphs=1 if case.titled else 0)


def _approx(a: float, b: float) -> bool:
    return a == pytest.approx(b, rel=1e-9)


def _describe(ms: list[Mention]) -> str:
    return "\n".join(
        f"  {m.raw_text!r} value={m.value} high={m.value_high} unit={m.unit} "
        f"q={m.qualifier} ind={m.indicator_id} status={m.status} "
        f"period={m.period_start}..{m.period_end} basis={m.period_basis} "
        f"region={m.region_id}" for m in ms) or "  (none)"


def check(case: Case) -> None:
    text, ms = run(case)
    got = _describe(ms)
    # evidence: every mention's raw text is its slice of the text, inside its sentence
    for m in ms:
        assert m.raw_text == text[m.char_start:m.char_end]
        assert m.sentence and m.sentence in text
        assert m.raw_text in m.sentence
    if case.nothing:
        assert ms == [], f"expected no fact, got:\n{got}"
    if case.n is not None:
        assert len(ms) == case.n, f"expected {case.n} fact(s), got:\n{got}"
    for v in case.absent:
        assert not [m for m in ms if _approx(m.value, v)], f"{v} must not be a fact:\n{got}"
    for u in case.absent_units:
        assert not [m for m in ms if m.unit == u], f"no {u} fact expected:\n{got}"
    for f in case.expect:
        cands = [m for m in ms if _approx(m.value, f.value) and m.unit == f.unit]
        if f.raw is not None:
            cands = [m for m in cands if m.raw_text == f.raw] or cands
        assert cands, f"expected {f.value} {f.unit}, got:\n{got}"
        m = cands[0]
        if f.raw is not None:
            assert m.raw_text == f.raw, got
        if f.qualifier is not None:
            assert m.qualifier == f.qualifier, got
        if f.status is not None:
            assert m.status == f.status, got
        if f.value_high is not None:
            assert m.value_high is not None and _approx(m.value_high, f.value_high), got
        elif f.qualifier != "at_least":
            assert m.value_high is None, got
        if f.years is not None:
            assert m.period_start is not None and m.period_end is not None, got
            assert (m.period_start.year, m.period_end.year) == f.years, got
        if f.period is not None:
            assert (m.period_start, m.period_end) == f.period, got
        if f.region is not None and f.region.startswith("!"):
            assert m.region_id != f.region[1:], got  # a region of its own, not that one
        elif f.region is not None:
            assert m.region_id == f.region, got
        if f.indicator is not None:
            assert m.indicator_id == f.indicator, got
        if f.basis is not None:
            if f.basis.startswith("!"):
                assert m.period_basis != f.basis[1:], got
            else:
                assert m.period_basis == f.basis, got


_PARAMS = [pytest.param(c, id=c.id) for c in CASES] + [
    pytest.param(c, id=f"GAP-{c.id}", marks=pytest.mark.xfail(strict=True, reason=r))
    for c, r in KNOWN_GAPS
]


@pytest.mark.parametrize("case", _PARAMS)
def test_phenomenon(case: Case) -> None:
    check(case)


def test_case_ids_unique() -> None:
    ids = [c.id for c in CASES] + [c.id for c, _ in KNOWN_GAPS]
    assert len(ids) == len(set(ids))


def test_a_headline_figure_the_body_restates_is_the_bodys_fact() -> None:
    """The headline's period is a guess from the page date (2024); the body says when."""
    paras = ("新区二季度集中签约 项目总投资320亿元 算力达到2EFLOPS",
             "2024年第二季度,新区集中签约项目28个,总投资320亿元。",
             "截至2023年底,新区算力规模达到2EFLOPS。")
    text, starts = _document(paras)
    ms = extract_mentions(text, starts, PUB, title_paragraphs=1)
    assert all(m.char_start > len(paras[0]) for m in ms), _describe(ms)
    (cny,) = [m for m in ms if m.unit == "CNY"]
    assert (cny.value, cny.period_start, cny.period_end) == (3.2e10, D(2024, 4, 1),
                                                             D(2024, 6, 30))
    (flops,) = [m for m in ms if m.unit == "PFLOPS"]
    assert (flops.value, flops.period_end) == (2000, D(2023, 12, 31))
    # a headline figure the body does not repeat stays
    text, starts = _document(("新区去年地区生产总值突破900亿元", "全区经济稳中有进。"))
    only = extract_mentions(text, starts, PUB, title_paragraphs=1)
    assert [m.value for m in only] == [9e10]


def test_zone_the_seed_lacks_is_a_region_of_its_own() -> None:
    """常州经开区 is not 常州市: no seed id, its own name (dbt gives it a discovered region)."""
    _, ms = run(C("zone", ("常州经开区2023年工作报告", "2023年,全区地区生产总值突破990亿元。")))
    assert [(m.region_id, m.region_text) for m in ms] == [(None, "常州经开区")]


def test_every_mention_has_a_confidence_and_a_basis() -> None:
    _, ms = run(C("conf", "力争到2025年,全市地区生产总值突破2000亿元,固定资产投资增长8%。"))
    assert len(ms) == 2
    for m in ms:
        assert 0 < m.confidence <= 1
        parts = dict(p.split("=") for p in m.basis.split(";"))
        assert set(parts) == {"indicator", "status", "period", "region"}
    assert dict(p.split("=") for p in ms[0].basis.split(";"))["status"] == "target_cue"


def test_compute_restated_with_another_value_is_one_flagged_fact() -> None:
    """500P，约合每秒5亿亿次 (= 50P): one fact, the first figure, flagged by its basis and a
    confidence below review thresholds; an agreeing restatement is not flagged."""
    _, ms = run(C("mismatch", "2024年,全市算力规模达到500P,约合每秒5亿亿次浮点运算。"))
    (m,) = ms
    assert m.value == 500 and "indicator=restated_mismatch" in m.basis and m.confidence <= 0.5
    _, ms = run(C("agree", "2024年,全市算力规模达到500P,约合每秒50亿亿次浮点运算。"))
    (m,) = ms
    assert "restated_mismatch" not in m.basis and m.confidence > 0.5


def _titled(title: str, *paras: str, pub: date | None = PUB) -> list[Mention]:
    text, starts = _document((title, *paras))
    return extract_mentions(text, starts, pub, title_paragraphs=1)


def test_place_inside_a_project_name_is_not_the_pages_region() -> None:
    ms = _titled("2019年四川省重大项目集中开工",
                 "11月14日,2019年四川省重大项目集中开工暨成都科成云谷项目开工活动举行。",
                 "本次集中开工的重大项目共382个。", pub=D(2019, 11, 14))
    assert [(m.value, m.region_id) for m in ms] == [(382, "cn-51")]


def test_plan_name_in_a_headline_is_no_period() -> None:
    ms = _titled("浙江“十四五”时期首批重大项目集中开工", "全省重大项目共361个。",
                 pub=D(2021, 3, 17))
    assert [(m.value, m.period_start, m.period_end) for m in ms] == [
        (361, D(2021, 1, 1), D(2021, 12, 31))]


def test_bare_zone_word_on_a_city_page_is_its_zone() -> None:
    """开发区签约项目10个 with 驻马店 named only as the publisher: the zone of 驻马店."""
    ms = _titled("开发区签约项目10个 总投资158.36亿元", "来源:驻马店日报 发表日期:2020年09月10日",
                 "签约仪式上,共签约亿元以上项目10个,总投资158.36亿元。", pub=D(2020, 9, 10))
    assert {(m.region_id, m.region_text) for m in ms} == {(None, "驻马店开发区")}


def test_publisher_is_the_region_of_an_unnamed_page() -> None:
    ms = _titled("全年经济运行情况", "来源:牟定县融媒体中心",
                 "2021年,全县地区生产总值92.9亿元。", pub=D(2022, 1, 24))
    assert [m.region_id for m in ms] == ["cn-532323"]


def test_comparison_year_votes_for_the_year_after() -> None:
    """An undated release that compares with 2023年末 reports on 2024."""
    text, starts = _document(("1至9月,全区规上工业总产值405.97亿元。",
                              "存款余额较2023年末增长5%。"))
    ms = extract_mentions(text, starts, None, title_paragraphs=0)
    assert [(m.value, m.period_start, m.period_end) for m in ms] == [
        (4.0597e10, D(2024, 1, 1), D(2024, 9, 30))]
