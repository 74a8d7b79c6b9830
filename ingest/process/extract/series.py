"""分别 series: one list of figures, one fact per item named before it, in order.

"第一产业、第二产业、第三产业增加值增速分别为4.4%、4.8%、6%" (one measure per figure),
"甲区、乙区和丙区分别实现地区生产总值A亿元、B亿元、C亿元" (one region per figure),
"2021年至2023年，分别完成投资A、B、C" and "2020年、2021年和2022年分别…" (one period per
figure). A list is assigned only when the items before 分别 match its length exactly
(measures: at least as many), so an ambiguous list keeps the ordinary rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from ingest.process.extract.lexicon import Lexicon
from ingest.process.extract.periods import PeriodExpr
from ingest.process.extract.quantities import Quantity
from ingest.process.extract.regions import RegionMention

__all__ = ["Slot", "series_slots"]

T = TypeVar("T")

_FENBIE = "分别"
_BETWEEN = re.compile(r"\s*(?:[、，,]|和|及|与|以及)\s*")
_ENUM_SEP = re.compile(r"^\s*(?:[、，,]|和|及|与|以及)\s*$")
_CLAUSE_STOP = re.compile(r"[。；;]")
_ITEM_SEP = re.compile(r"、|和|及")
_SPAN = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:[-—―–~～至到])\s*((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Slot:
    """What one figure of a series takes from the items before 分别."""

    keyword: str | None = None  # the measure's keyword (its own indicator)
    region: RegionMention | None = None
    period: tuple[date, date] | None = None
    named_from: int | None = None  # where the words naming the list's measures start
    relative_period: bool = False  # the item's period is 今年一季度/上半年…, not a printed year


def _chain(s: str, qs: list[Quantity], after: int) -> list[Quantity]:
    """The figures right after 分别, joined only by 、/和/及 (units may repeat)."""
    chain: list[Quantity] = []
    for q in qs:
        if q.start < after:
            continue
        if not chain:
            if len(s[after:q.start]) > 8 or re.search(r"[，,；;。]", s[after:q.start]):
                return []
            chain.append(q)
            continue
        if not _BETWEEN.fullmatch(s[chain[-1].unit_end:q.start]):
            break
        chain.append(q)
    return chain if len(chain) >= 2 else []


def _enumerated(items: Sequence[tuple[int, int, T]], s: str) -> list[tuple[int, int, T]]:
    """The last run of items separated only by 、/和/及 (甲、乙和丙)."""
    run: list[tuple[int, int, T]] = []
    for it in items:
        if run and _ENUM_SEP.match(s[run[-1][1]:it[0]]):
            run.append(it)
        else:
            run = [it]
    return run


def series_slots(s: str, qs: list[Quantity], regions: list[RegionMention], offset: int,
                 periods: list[PeriodExpr], lex: Lexicon,
                 measure_words: frozenset[str]) -> dict[int, Slot]:
    """quantity start → its slot, for every figure of a 分别 series in sentence `s`.

    `regions` carry document offsets (`offset` is the sentence's); `measure_words` are
    keywords that name no measure of their own (增长, 增速…)."""
    out: dict[int, Slot] = {}
    pos = s.find(_FENBIE)
    while pos >= 0:
        chain = _chain(s, qs, pos + len(_FENBIE))
        if chain:
            n = len(chain)
            left_start = max((m.end() for m in _CLAUSE_STOP.finditer(s, 0, pos)), default=0)
            regs = [(r.start - offset, r.end - offset, r) for r in regions
                    if left_start <= r.start - offset and r.end - offset <= pos and r.counts]
            reg_run = _enumerated(regs, s)
            kws = [(m.start(), m.end(), lex.keyword_of(m.group()))
                   for m in lex.keyword_re.finditer(s, left_start, pos)]
            kws = [k for k in kws if k[2] not in measure_words]
            kw_run = _enumerated(kws, s) if len(_enumerated(kws, s)) >= n else kws
            if kws and len(kws) < n and \
                    len(_ITEM_SEP.findall(s, left_start, kws[-1][0])) >= n - 1:
                # 第一、二、三产业增加值占地区生产总值的比重分别为…: n items, one measure
                kw_run = [kws[-1]] * n
            span = None
            for m in _SPAN.finditer(s, left_start, pos):
                a, b = int(m.group(1)), int(m.group(2))
                if b - a + 1 == n:
                    span = (a, b)
            # 2020年、2021年和2022年分别… / 一季度、上半年分别…: one listed period per figure
            listed = _enumerated([(p.start, p.end, p) for p in periods
                                  if left_start <= p.start and p.end <= pos
                                  and p.period_start is not None
                                  and p.period_end is not None], s)
            per_item = [p for _, _, p in listed] if len(listed) == n and n >= 2 else None
            named_from = kw_run[len(kw_run) - n][0] if len(kw_run) >= n else None
            for i, q in enumerate(chain):
                slot_kw = str(kw_run[len(kw_run) - n + i][2]) if len(kw_run) >= n else None
                region = reg_run[i][2] if len(reg_run) == n else None
                period = (date(span[0] + i, 1, 1), date(span[0] + i, 12, 31)) if span else None
                relative = False
                if per_item is not None:
                    p = per_item[i]
                    period = (p.period_start, p.period_end)  # type: ignore[assignment]
                    relative = p.relative
                if slot_kw or region or period:
                    out[q.start] = Slot(slot_kw, region, period, named_from if slot_kw else None,
                                        relative)
        pos = s.find(_FENBIE, pos + 1)
    return out
