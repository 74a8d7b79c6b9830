"""Time expressions in a sentence → the span a figure is for.

Explicit years (2023年), spans (2022―2026年), five-year plans ("十四五" = 2021–2025),
parts of a year (上半年, 一季度, 前三季度, 1—10月, 年末), relative years
(去年/今年/明年/前年, resolved against the page's reference year) and as-of
markers (截至2024年末).
"""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import date

__all__ = ["PeriodExpr", "find_periods", "FIVE_YEAR_PLANS", "is_comparison", "years_in"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10}
# From the third plan (1966–1970) on, the Nth five-year plan starts in 1966 + 5 (N - 3):
# 十四五 = 2021–2025, 十五五 = 2026–2030.
FIVE_YEAR_PLANS = {n: (1966 + 5 * (n - 3), 1966 + 5 * (n - 3) + 4) for n in range(3, 20)}

_DASH = r"\s*[-—―–~～至到]\s*"
_YEAR = r"(?:19|20)\d{2}"
_SUB = (r"(?:上半年|下半年|前三季度|前两季度|前二季度"
        r"|[一1]\s*(?:季度)?\s*[至到—-]\s*[二三四2-4]\s*季度"  # 一至三季度: from January
        r"|第?[一二三四1-4]季度|第[一二三四1-4]季|首季"
        r"|前\d{1,2}个?月"
        rf"|\d{{1,2}}{_DASH}\d{{1,2}}\s*月份?|\d{{1,2}}\s*月份?(?:末|底)?|年末|年底|末|底)")
_REL = r"去年|今年|明年|前年|上年|本年|当年|全年|上一年|次年"
# Every character a period can start with (the prefix, a plan's quote or 十, a digit, the
# first of each relative and sub-year word). As a lookahead in front it changes no match,
# but positions that cannot start one fail at once: the scan is ~3x faster.
_PERIOD_FIRST = r"[\d截到至\"“‘'十去今明前上本当全次下一二三四第首年末底]"
PERIOD_RE = re.compile(
    rf"(?={_PERIOD_FIRST})"
    rf"(?P<prefix>截至|截止到|截止|到|至)?"
    r"(?:"
    r"(?P<fyp>[\"“‘']?十(?P<fypn>[一二三四五六七八九])五[\"”’']?(?:规划)?(?:时期|期间|期末|末)?)"
    rf"|(?P<y1>{_YEAR})\s*年?{_DASH}(?P<y2>{_YEAR})\s*年"
    rf"|(?:(?P<year>{_YEAR})\s*年|(?P<rel>{_REL}))(?P<sub>{_SUB})?"
    rf"|(?P<subonly>{_SUB[3:-1]})"
    r")"
)
_YEAR_ONLY_RE = re.compile(rf"(?<!\d)({_YEAR})(?:\s*年)")
# 比上年增长 / 较去年增加 / 与2020年相比 / 上年同期: a year named as the basis of a comparison
# is not the period of the figure beside it.
_COMPARED_BEFORE = ("比", "较", "与", "于", "同比", "相比", "对比")
_COMPARED_AFTER = ("同期", "相比", "相较")


def is_comparison(sentence: str, start: int, end: int) -> bool:
    return sentence[:start].endswith(_COMPARED_BEFORE) or \
        sentence[end:].lstrip().startswith(_COMPARED_AFTER)
_RELATIVE = {"去年": -1, "上年": -1, "上一年": -1, "今年": 0, "本年": 0, "明年": 1, "次年": 1,
             "前年": -2}


@dataclass(frozen=True)
class PeriodExpr:
    """A time expression found in a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    text: str
    period_start: date | None
    period_end: date | None
    explicit: bool  # an explicit calendar year (or plan) is printed
    relative: bool  # 今年/去年…: depends on the page's reference year
    target_marker: bool  # 到2025年 / 至2030年
    asof: bool  # 截至…: a stock at a point in time


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _sub_span(year: int, sub: str | None) -> tuple[date, date, bool]:
    """(start, end, is_point) of a part of `year` such as 上半年 or 1—10月."""
    if not sub:
        return date(year, 1, 1), date(year, 12, 31), False
    sub = sub.strip()
    if sub in {"年末", "年底", "末", "底"}:
        return date(year, 12, 31), date(year, 12, 31), True
    if sub == "上半年" or sub in {"前两季度", "前二季度"}:
        return date(year, 1, 1), date(year, 6, 30), False
    if sub == "下半年":
        return date(year, 7, 1), date(year, 12, 31), False
    if sub == "前三季度":
        return date(year, 1, 1), date(year, 9, 30), False
    m = re.fullmatch(r"[一1]\s*(?:季度)?\s*[至到—-]\s*([二三四2-4])\s*季度", sub)
    if m:  # 一至三季度 / 一季度至三季度 = 前三季度: cumulative from January
        q = int(m.group(1)) if m.group(1).isdigit() else _CN_DIGIT[m.group(1)]
        return date(year, 1, 1), _month_end(year, 3 * q), False
    if sub == "首季":  # Hong Kong and Taiwan: the first quarter
        sub = "第一季度"
    m = re.fullmatch(r"第?([一二三四1-4])季度?", sub)
    if m:
        q = int(m.group(1)) if m.group(1).isdigit() else _CN_DIGIT[m.group(1)]
        return date(year, 3 * q - 2, 1), _month_end(year, 3 * q), False
    m = re.fullmatch(r"前(\d{1,2})个?月", sub)
    if m and 1 <= int(m.group(1)) <= 12:
        return date(year, 1, 1), _month_end(year, int(m.group(1))), False
    m = re.fullmatch(rf"(\d{{1,2}}){_DASH}(\d{{1,2}})\s*月份?", sub)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if 1 <= a <= b <= 12:
            return date(year, a, 1), _month_end(year, b), False
    m = re.fullmatch(r"(\d{1,2})\s*月份?(末|底)?", sub)
    if m and 1 <= int(m.group(1)) <= 12:
        mo = int(m.group(1))
        if m.group(2):
            return _month_end(year, mo), _month_end(year, mo), True
        return date(year, mo, 1), _month_end(year, mo), False
    return date(year, 1, 1), date(year, 12, 31), False


# (start, end, explicit, relative, point) of one time expression
_Span = tuple[date | None, date | None, bool, bool, bool]


def _plan_span(m: re.Match[str]) -> _Span | None:
    """"十四五" = 2021–2025; "十四五"末 is the plan's last day."""
    n = _CN_DIGIT[m.group("fypn")] + 10
    if n not in FIVE_YEAR_PLANS:
        return None
    a, b = FIVE_YEAR_PLANS[n]
    if m.group("fyp").rstrip("\"”’'").endswith("末"):
        return date(b, 12, 31), date(b, 12, 31), True, False, True
    return date(a, 1, 1), date(b, 12, 31), True, False, False


def _years_span(m: re.Match[str]) -> _Span | None:
    """2022―2026年: from the first year's start to the last's end."""
    a, b = int(m.group("y1")), int(m.group("y2"))
    if a > b:
        return None
    return date(a, 1, 1), date(b, 12, 31), True, False, False


def _year_span(m: re.Match[str], target: bool, ref_year: int | None,
               context_year: int | None) -> _Span:
    """2023年上半年 / 去年 / 全年: an explicit or relative year, and the part of it."""
    explicit = relative = False
    if m.group("year"):
        year: int | None = int(m.group("year"))
        explicit = True
    else:
        rel = m.group("rel")
        relative = True
        if rel in _RELATIVE:
            year = ref_year + _RELATIVE[rel] if ref_year is not None else None
        else:  # 当年 / 全年: the year in force
            year = context_year if context_year is not None else ref_year
    if year is None:
        return None, None, explicit, relative, False
    sub = m.group("sub")
    if target and sub in {"年末", "年底", "末", "底"}:
        sub = None  # 到2025年底 is a target for the year 2025
    start, end, point = _sub_span(year, sub)
    return start, end, explicit, relative, point


def _part_span(m: re.Match[str], ref_year: int | None, context_year: int | None) -> _Span | None:
    """上半年 / 1—10月 with no year: the year in force; a bare "末" is not a period."""
    sub = m.group("subonly")
    if sub in {"末", "底"} or re.fullmatch(r"\d{1,2}\s*月份?", sub):
        return None
    year = context_year if context_year is not None else ref_year
    if year is None:
        return None, None, False, True, False
    start, end, point = _sub_span(year, sub)
    return start, end, False, True, point


def _span_of(m: re.Match[str], target: bool, ref_year: int | None,
             context_year: int | None) -> _Span | None:
    """What a match of PERIOD_RE covers; None when it is no period after all."""
    if m.group("fyp"):
        return _plan_span(m)
    if m.group("y1"):
        return _years_span(m)
    if m.group("year") or m.group("rel"):
        return _year_span(m, target, ref_year, context_year)
    if m.group("subonly"):
        return _part_span(m, ref_year, context_year)
    return None, None, False, False, False


def find_periods(sentence: str, ref_year: int | None,
                 context_year: int | None = None) -> list[PeriodExpr]:
    """Every time expression in `sentence`, resolved where the years allow.

    `ref_year` is the page's reference year (its publication year) for 今年/去年;
    `context_year` is the year in force from the text before (for 全年, 当年, 上半年).
    """
    out: list[PeriodExpr] = []
    for m in PERIOD_RE.finditer(sentence):
        # 全年/当年/上半年 mean the year last named in this sentence, if any.
        if out and out[-1].period_start is not None and not out[-1].asof:
            context_year = out[-1].period_start.year
        prefix = m.group("prefix") or ""
        if not prefix and (m.group("year") or m.group("rel")) and \
                is_comparison(sentence, m.start(), m.end()):
            continue
        target = prefix in {"到", "至"}
        asof = prefix.startswith("截")
        span = _span_of(m, target, ref_year, context_year)
        if span is None:
            continue
        start, end, explicit, relative, point = span
        if asof and start is not None and end is not None:
            start = end
        out.append(PeriodExpr(m.start(), m.end(), m.group(0), start, end, explicit, relative,
                              target, asof or point))
    return out


def years_in(text: str) -> list[int]:
    """Explicit calendar years printed in `text` (2023年, and 2022―2026年's ends)."""
    return [int(y) for y in _YEAR_ONLY_RE.findall(text)]
