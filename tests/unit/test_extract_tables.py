"""Statistical tables through the whole process step: an HTML <table> and a text table
spaced with full-width spaces and tabs both become one row a paragraph, read by column."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

from ingest.landing.store import RawPage
from ingest.process.extract.lexicon import load_lexicon
from ingest.process.extract.tables import parse_header, read_row
from ingest.process.page import process_page

HTML_TABLE = """<html><head><title>某经开区2023年1-6月主要经济指标</title></head><body>
<div class="article"><h1>某经开区2023年1-6月主要经济指标</h1>
<p>今年上半年，经开区主要经济指标保持平稳增长，具体情况见下表。</p>
<table>
<tr><td>指标</td><td>单位</td><td>1-6月</td><td>同比增长(%)</td></tr>
<tr><td>地区生产总值</td><td>亿元</td><td>356.2</td><td>6.4</td></tr>
<tr><td>固定资产投资</td><td>亿元</td><td>120.05</td><td>-2.1</td></tr>
<tr><td>实际利用外资</td><td>万美元</td><td>8,100</td><td>12.0</td></tr>
</table>
<p>注：地区生产总值增速按可比价格计算。</p></div></body></html>
"""

TEXT_TABLE = (
    "某新区2023年主要经济指标\n\n"
    "指标名称\u3000\u3000\u3000计量单位\u3000\u3000全年\u3000\u3000比上年增长（%）\n"
    "地区生产总值\u3000\u3000\u3000亿元\u3000\u3000\u3000640.5\u3000\u3000\u30005.2\n"
    "固定资产投资\t亿元\t288.00\t9.1\n"
    "\u3000其中：工业投资\u3000\u3000亿元\u3000\u3000102.3\u3000\u300014.8\n"
    "新签约项目\u3000\u3000\u3000\u3000个\u3000\u3000\u3000\u300047\u3000\u3000\u3000—\n"
)


def _process(name: str, body: bytes, content_type: str) -> list[dict]:
    raw = RawPage(sha256=hashlib.sha256(body).hexdigest(), url=f"http://127.0.0.1/{name}",
                  source="test", fetched_at=datetime(2024, 3, 1), http_status=200,
                  headers={"content-type": content_type}, size=len(body), path=Path(name),
                  sidecar=None)
    page = process_page(raw, body)
    assert page.reject_reason is None
    for m in page.mentions:  # evidence: the number as printed, at its offsets
        assert page.document["text"][m["char_start"]:m["char_end"]] == m["raw_text"]
    return page.mentions


def _facts(mentions: list[dict]) -> set[tuple]:
    return {(m["indicator_id"], round(m["value"], 4), m["unit"], m["status"],
             m["period_start"], m["period_end"]) for m in mentions}


def test_an_html_table_is_read_by_column() -> None:
    h1 = (date(2023, 1, 1), date(2023, 6, 30))
    got = _facts(_process("t.html", HTML_TABLE.encode("utf-8"), "text/html; charset=utf-8"))
    assert {("gdp", 3.562e10, "CNY", "actual", *h1), ("gdp_growth", 6.4, "percent", "actual", *h1),
            ("fixed_asset_investment", 1.2005e10, "CNY", "actual", *h1),
            ("fixed_asset_investment_growth", -2.1, "percent", "actual", *h1)} <= got
    assert not [f for f in got if f[2] == "USD" or f[1] == 8100]  # dollars stay out


def test_a_text_table_spaced_with_full_width_spaces_and_tabs() -> None:
    y = (date(2023, 1, 1), date(2023, 12, 31))
    mentions = _process("t.txt", TEXT_TABLE.encode("utf-8"), "text/plain; charset=utf-8")
    assert _facts(mentions) == {
        ("gdp", 6.405e10, "CNY", "actual", *y), ("gdp_growth", 5.2, "percent", "actual", *y),
        ("fixed_asset_investment", 2.88e10, "CNY", "actual", *y),
        ("fixed_asset_investment_growth", 9.1, "percent", "actual", *y),
        ("industrial_investment", 1.023e10, "CNY", "actual", *y),
        ("investment_growth", 14.8, "percent", "actual", *y),
        ("key_projects_count", 47.0, "count", "actual", *y)}
    assert {m["raw_text"] for m in mentions} >= {"640.5", "288.00", "102.3", "47", "14.8"}


def test_a_row_must_fit_its_header() -> None:
    lex = load_lexicon()
    header = parse_header("指标 单位 全年 增长(%)")
    assert header is not None and header.roles == ("label", "unit", "value", "growth")
    assert read_row("地区生产总值 亿元 500.1", header, lex) is None  # a cell short
    assert read_row("地区生产总值 亿元 较快 5.0", header, lex) is None  # words, not figures
    name, cells = read_row("其中:工业投资 亿元 — 3.5", header, lex) or ("", [])
    assert name == "工业投资" and [(c.role, c.quantity.value) for c in cells] == [
        ("growth", 3.5)]
    assert parse_header("地区生产总值 亿元 500.1 5.0") is None
    assert parse_header("指标 单位 全年") is not None
    assert parse_header("指标 单位 说明") is not None and parse_header("指标 单位") is None
