"""ingest.process.extract.numbers.parse_number: numerals as printed → exact Decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.process.extract.numbers import NUMBER_RE, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1800", "1800", id="plain"),
        pytest.param("1,800", "1800", id="thousands-comma"),
        pytest.param("12,345.67", "12345.67", id="comma-and-decimal"),
        pytest.param("812.6", "812.6", id="decimal"),
        pytest.param("0.5", "0.5", id="below-one"),
        pytest.param("3万", "30000", id="wan"),
        pytest.param("1800亿", "180000000000", id="yi"),
        pytest.param("1.2万亿", "1200000000000", id="decimal-wanyi"),
        pytest.param("1万亿", "1000000000000", id="wanyi"),
        pytest.param("1亿5000万", "150000000", id="compound-yi-wan"),
        pytest.param("三千亿", "300000000000", id="cn-sanqianyi"),
        pytest.param("一千二百", "1200", id="cn-yiqianerbai"),
        pytest.param("一千八百亿", "180000000000", id="cn-with-yi"),
        pytest.param("两", "2", id="cn-liang"),
        pytest.param("两千", "2000", id="cn-liangqian"),
        pytest.param("十五", "15", id="cn-shiwu"),
        pytest.param("四十", "40", id="cn-sishi"),
        pytest.param("二十五万", "250000", id="cn-ershiwu-wan"),
        pytest.param("一万二千", "12000", id="cn-wan-then-qian"),
        pytest.param("千亿", "100000000000", id="cn-bare-qianyi"),
        pytest.param("二〇二五", "2025", id="cn-digit-by-digit"),
    ],
)
def test_parse_number(text: str, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "   ", "abc"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(
    ("sentence", "matched"),
    [
        pytest.param("总投资1,800亿元", "1,800亿", id="comma-with-multiplier"),
        pytest.param("达到1.2万亿元", "1.2万亿", id="decimal-wanyi"),
        pytest.param("规模3万P", "3万", id="wan-before-unit"),
        pytest.param("为三千亿元", "三千亿", id="cn-numeral"),
    ],
)
def test_number_re_first_match(sentence: str, matched: str) -> None:
    m = NUMBER_RE.search(sentence)
    assert m is not None and m.group() == matched


@pytest.mark.parametrize(("text", "value"), [
    ("一千五百九十点五九亿", Decimal("159059000000")),  # decimals in words (Macau papers)
    ("二点五", Decimal("2.5")),
    ("九百○四点五七亿", Decimal("90457000000")),  # ○ as zero
    ("3兆3757.93亿", Decimal("3375793000000")),  # 兆 = 10^12 in Taiwan money
    ("2兆877亿", Decimal("2087700000000")),
])
def test_words_decimals_and_zhao(text: str, value: Decimal) -> None:
    m = NUMBER_RE.match(text)
    assert m is not None and m.group() == text
    assert parse_number(text) == value
