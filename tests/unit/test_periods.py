"""ingest.process.extract.periods.find_periods: time expressions → the span a figure is for."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.process.extract.periods import FIVE_YEAR_PLANS, find_periods

D = date


@pytest.mark.parametrize(
    ("sentence", "ref_year", "context_year", "span"),
    [
        pytest.param("2023年", 2024, None, (D(2023, 1, 1), D(2023, 12, 31)), id="year"),
        pytest.param("去年", 2024, None, (D(2023, 1, 1), D(2023, 12, 31)), id="qunian"),
        pytest.param("今年", 2024, None, (D(2024, 1, 1), D(2024, 12, 31)), id="jinnian"),
        pytest.param("明年", 2024, None, (D(2025, 1, 1), D(2025, 12, 31)), id="mingnian"),
        pytest.param("前年", 2024, None, (D(2022, 1, 1), D(2022, 12, 31)), id="qiannian"),
        pytest.param("上半年", 2024, 2023, (D(2023, 1, 1), D(2023, 6, 30)),
                     id="shangbannian-context-year"),
        pytest.param("2023年下半年", 2024, None, (D(2023, 7, 1), D(2023, 12, 31)),
                     id="xiabannian"),
        pytest.param("今年一季度", 2024, None, (D(2024, 1, 1), D(2024, 3, 31)), id="yijidu"),
        pytest.param("2023年第四季度", 2024, None, (D(2023, 10, 1), D(2023, 12, 31)),
                     id="disijidu"),
        pytest.param("2023年前三季度", 2024, None, (D(2023, 1, 1), D(2023, 9, 30)),
                     id="qiansanjidu"),
        pytest.param("2023年1—10月", 2024, None, (D(2023, 1, 1), D(2023, 10, 31)),
                     id="months-range"),
        pytest.param("今年前5个月", 2024, None, (D(2024, 1, 1), D(2024, 5, 31)),
                     id="first-n-months"),
        pytest.param("2024年2月", 2024, None, (D(2024, 2, 1), D(2024, 2, 29)),
                     id="leap-february"),
        pytest.param("截至2024年末", 2024, None, (D(2024, 12, 31), D(2024, 12, 31)),
                     id="asof-year-end"),
        pytest.param("截至2024年6月底", 2024, None, (D(2024, 6, 30), D(2024, 6, 30)),
                     id="asof-month-end"),
        pytest.param("截至2023年9月", 2024, None, (D(2023, 9, 30), D(2023, 9, 30)),
                     id="asof-month"),
        pytest.param("2023年底", 2024, None, (D(2023, 12, 31), D(2023, 12, 31)),
                     id="year-end-point"),
        pytest.param("“十四五”期间", 2024, None, (D(2021, 1, 1), D(2025, 12, 31)),
                     id="14th-plan"),
        pytest.param("十五五时期", 2024, None, (D(2026, 1, 1), D(2030, 12, 31)),
                     id="15th-plan"),
        pytest.param("2022―2026年", 2024, None, (D(2022, 1, 1), D(2026, 12, 31)),
                     id="year-span"),
        pytest.param("全年", 2024, 2022, (D(2022, 1, 1), D(2022, 12, 31)),
                     id="quannian-context-year"),
    ],
)
def test_first_period_span(sentence: str, ref_year: int, context_year: int | None,
                           span: tuple[date, date]) -> None:
    ps = find_periods(sentence, ref_year, context_year)
    assert ps, sentence
    assert (ps[0].period_start, ps[0].period_end) == span


def test_target_marker() -> None:
    (p,) = find_periods("到2025年", 2024)
    assert p.target_marker and p.explicit and not p.asof


def test_asof_marker() -> None:
    (p,) = find_periods("截至2024年末", 2024)
    assert p.asof and not p.target_marker


def test_relative_without_reference_year_is_unresolved() -> None:
    (p,) = find_periods("今年", None)
    assert p.relative and p.period_start is None and p.period_end is None


def test_offsets_are_in_the_sentence() -> None:
    s = "全区2023年前三季度地区生产总值增长6%"
    (p,) = find_periods(s, 2024)
    assert s[p.start:p.end] == p.text == "2023年前三季度"


def test_five_year_plans() -> None:
    assert FIVE_YEAR_PLANS[14] == (2021, 2025)
    assert FIVE_YEAR_PLANS[15] == (2026, 2030)
