"""Rows of statistical tables, as `normalise` leaves them: one paragraph a row, cells
separated by single spaces (an HTML table's cells, or a text table's runs of spaces).

    指标名称 计量单位 1—9月 比上年同期增长(%)
    地区生产总值 亿元 812.46 5.9
    规模以上工业增加值 — — 11.2

A header row names the columns: the label first (指标, 项目, 名称…), then the unit (单位),
growth columns (增长, 增速, 增幅, ±) and value columns (anything else: a period, 绝对值,
累计…). The rows under it, up to the first paragraph that is not one, are read cell by
cell: each value in the row's unit (its unit cell, else a unit in brackets after the
label or in the column's header), each growth as a percentage. What the row measures is
left to the caller (the lexicon's keywords in the label).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.process.extract.lexicon import Lexicon
from ingest.process.extract.quantities import Quantity, find_quantities

__all__ = ["Cell", "TableHeader", "parse_header", "read_row"]

_LABEL_HEADER = re.compile(r"(?:主要)?(?:经济)?(?:指标|项目|类别|科目)?(?:名称)?")
_UNIT_HEADER = re.compile(r"单位")
_GROWTH_HEADER = re.compile(r"增长|增速|增幅|增减|±|同比|比上年|比去年")
# Columns that are not this period's figure: a single month's beside the year to date,
# and for values also last year's figure, a share or a rank.
_OTHER_GROWTH = re.compile(r"本月|当月|月度")
_OTHER_VALUE = re.compile(r"上年|去年|上期|同期|本月|当月|月度|占比|比重|位次|排名")
_BRACKETED = re.compile(r"[(（]([^()（）]{1,6})[)）]$")
_NUMBER = re.compile(r"[-+−]?\d[\d,]*(?:\.\d+)?")
_EMPTY = frozenset({"—", "-", "--", "——", "…", "/", "－", "―", ""})
_PREFIX = re.compile(r"^(?:其中|内|#|△|\*)[:：]?")


@dataclass(frozen=True)
class TableHeader:
    roles: tuple[str, ...]  # label | unit | value | growth | other, one per column
    cells: tuple[str, ...]

    def unit_in_header(self, col: int) -> str | None:
        m = _BRACKETED.search(self.cells[col])
        return m.group(1) if m else None


@dataclass(frozen=True)
class Cell:
    """One figure of a row: where its number is in the row, what kind, its quantity."""

    start: int
    end: int
    role: str  # value | growth
    column: int
    quantity: Quantity


def _cells(p: str) -> list[tuple[int, str]]:
    """(offset, text) of each cell: separated by spaces, or by | in a table written with
    pipes (| 地区生产总值 | 2313.0 | 5.2 |), where an empty cell is kept as ''."""
    out, pos = [], 0
    if "|" in p:
        parts = p.split("|")
        for i, part in enumerate(parts):
            text = part.strip()
            if text or 0 < i < len(parts) - 1:
                out.append((pos + (len(part) - len(part.lstrip())), text))
            pos += len(part) + 1
        while out and not out[-1][1]:
            out.pop()  # 2.居民消费价格涨幅(CPI) | % | 2.7 | |: trailing empty cells
        return out
    for part in p.split(" "):
        if part:
            out.append((pos, part))
        pos += len(part) + 1
    return out


def _is_label_header(cell: str) -> bool:
    """指标 / 项目名称 / 一级指标, also when a page garbled the characters (指????标)."""
    cjk = re.sub(r"[^\u4e00-\u9fff]", "", cell)
    return bool(_LABEL_HEADER.fullmatch(cell) or (cjk and _LABEL_HEADER.fullmatch(cjk))
                or (len(cjk) <= 6 and re.search(r"指标|项目|名称", cjk)))


def parse_header(p: str) -> TableHeader | None:
    """The column roles of a header row, or None when `p` is not one."""
    cells = [c for _, c in _cells(p)]
    if len(cells) < 3 or not cells[0] or not _is_label_header(cells[0]):
        return None
    roles = ["label"]
    for c in cells[1:]:
        if _NUMBER.fullmatch(c) or len(c) > 16:
            return None  # a header names columns; it does not hold figures
        if _UNIT_HEADER.search(c) and not _GROWTH_HEADER.search(c):
            roles.append("unit")
        elif _GROWTH_HEADER.search(c):
            roles.append("other" if _OTHER_GROWTH.search(c) else "growth")
        else:
            roles.append("other" if _OTHER_VALUE.search(c) else "value")
    if not {"value", "growth"} & set(roles):
        return None
    return TableHeader(tuple(roles), tuple(cells))


def _quantity(number: str, unit: str, lex: Lexicon) -> Quantity | None:
    """The figure `number` printed in `unit`, read as prose would read 812.46亿元."""
    text = number.replace("−", "-").lstrip("+")
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("-")
    found = find_quantities(text + unit, lex)
    if not found or found[0].start != 0 or found[0].end < len(text):
        return None  # (its end may take in a multiplier of the unit: 812.46亿)
    q = found[0]
    return Quantity(0, len(number), len(number), sign * q.value,
                    None if q.value_high is None else sign * q.value_high,
                    q.unit, q.implied_unit, q.qualifier, q.explicit_flops)


def read_row(p: str, header: TableHeader, lex: Lexicon) -> tuple[str, list[Cell]] | None:
    """(label, figures) of a row under `header`, or None when `p` is not such a row."""
    cells = _cells(p)
    if len(cells) != len(header.roles):
        return None
    label = cells[0][1]
    if _NUMBER.fullmatch(label) or not re.search(r"[\u4e00-\u9fff]", label):
        return None
    for (_, c), role in zip(cells[1:], header.roles[1:], strict=True):
        if role != "unit" and not (_NUMBER.fullmatch(c) or c in _EMPTY):
            return None  # words where figures belong: prose, not a row
    unit_cells = [c for (_, c), role in zip(cells, header.roles, strict=True) if role == "unit"]
    bracketed = _BRACKETED.search(label)
    name = _PREFIX.sub("", label[:bracketed.start()] if bracketed else label)
    row_unit = next((u for u in unit_cells if u not in _EMPTY), None) or (
        bracketed.group(1) if bracketed else None)
    figures: list[Cell] = []
    for col, ((pos, c), role) in enumerate(zip(cells, header.roles, strict=True)):
        if role not in {"value", "growth"} or c in _EMPTY:
            continue
        unit = "%" if role == "growth" else row_unit or header.unit_in_header(col)
        q = _quantity(c, unit, lex) if unit else None
        if q is not None:
            figures.append(Cell(pos, pos + len(c), role, col, q))
    return name, figures
