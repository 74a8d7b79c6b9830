"""Which region a mention belongs to: the region named in its clause or sentence, the
one carried from earlier sentences and paragraphs, the page's own, or the country."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest.process.extract.clauses import CLAUSE_END, clause_bounds
from ingest.process.extract.lexicon import Indicator, Lexicon
from ingest.process.extract.quantities import Quantity
from ingest.process.extract.regions import (
    RegionMention,
)

__all__ = ["Carry", "carries_region", "inherited_region", "national_region", "region_for",
           "region_out"]


# Between a clause's region and its number: nothing that names another measure
# (洛阳市为…, 乙区则提出增长…).
_ONLY_LINKS = re.compile(r"\s*(?:则|也|亦|同样)?(?:直接)?(?:提出|力争|争取|预计|计划|要求)?"
                         r"(?:为|达|达到|实现|完成|增长|下降|以|定为|调整至|调至|设定为)?"
                         r"(?:近|约|超|逾)?\s*")

def inherited_region(s: str, offset: int, q: Quantity, s_regions: list[RegionMention],
               last_by_unit: dict[str, Indicator], lex: Lexicon) -> Indicator | None:
    """郑州市地区生产总值X亿元；洛阳市Y亿元: a clause that only names a region before its
    number repeats the indicator of the sentence's previous figure in the same unit."""
    unit = "CNY" if q.implied_unit else q.unit
    cl, _ = clause_bounds(s, q.start, CLAUSE_END)
    if cl > 0 and _ONLY_LINKS.fullmatch(s[cl:q.start]) and s[cl:q.start].strip():
        # 地区生产总值增长12.6%，达92.9亿元: a clause of a link verb and a number states
        # the level of the measure whose growth came just before (or repeats its unit's).
        growth = last_by_unit.get("percent")
        base = growth.indicator_id.removesuffix("_growth") if growth else None
        if base and base in lex.indicators and lex.indicators[base].unit == unit:
            return lex.indicators[base]
        if unit in last_by_unit:
            return last_by_unit[unit]
    if unit not in last_by_unit:
        return None
    for r in s_regions:
        pos, end = r.start - offset, r.end - offset
        if cl <= pos and end <= q.start and not s[cl:pos].strip() and \
                _ONLY_LINKS.fullmatch(s[end:q.start]):
            return last_by_unit[unit]
    return None

@dataclass
class Carry:
    year: int | None
    year_basis: str
    region: RegionMention | None
    span: tuple[date, date] | None = None  # the last period named in this paragraph

    def period(self) -> tuple[date | None, date | None, str]:
        """(start, end, basis) for a figure whose own text names no period: the span
        in force (1—10月，…增长15.6%；固定资产投资增长11.3%), else the year."""
        if self.span is not None:
            return *self.span, "context"
        if self.year is not None:
            return date(self.year, 1, 1), date(self.year, 12, 31), self.year_basis
        return None, None, "unknown"

def carries_region(r: RegionMention, primary: str | None, lex: Lexicon) -> bool:
    """A sentence's region carries forward when it is the page's region or inside it."""
    if lex.regions[r.region_id].is_country:
        return False
    return primary is None or lex.is_within(r.region_id, primary)

_OWN_REGION = re.compile(r"全省|全市|全区|全县|我省|我市|我区|我县")

_NATIONAL = re.compile(r"(?:^|(?<=[，,。：:\s]))(?:全国|国家统计局)")

def national_region(text: str, lead_end: int, lex: Lexicon) -> str | None:
    """A release about the country (1—8月份，全国固定资产投资…) that names no region
    (and does not speak of 全省/全市 as its own)."""
    if _NATIONAL.search(text, 0, lead_end) and not _OWN_REGION.search(text, 0, lead_end):
        return min(lex.country_ids, default=None)
    return None

def region_out(region: RegionMention | None, primary: str | None,
                lex: Lexicon) -> tuple[str | None, str | None]:
    """(region_id, region_text) a mention is stored with: a zone the seed lacks has no
    seed id, only its name (dbt gives it a discovered region)."""
    if region is not None:
        return (None, region.text) if region.zone else (region.region_id, region.text)
    if primary is None:
        return None, None
    return primary, lex.regions[primary].name_zh

def region_for(s: str, offset: int, q: Quantity, s_regions: list[RegionMention],
                carry: Carry, primary: str | None,
                lex: Lexicon) -> tuple[RegionMention | None, str]:
    """The nearest region named before the number in its sentence.

    Regions inside the page's own region count wherever they stand; any other region
    (an ancestor such as 武汉 on a page about 临空港, or 宁波 in a firm's name) only
    when it opens a clause, as the subject of what follows.
    """
    current = carry.region.region_id if carry.region else primary
    best: RegionMention | None = None
    for r in s_regions:
        pos = r.start - offset
        if pos >= q.start or lex.regions[r.region_id].is_country:
            continue
        inside = primary is None or lex.is_within(r.region_id, primary) or (
            current is not None and lex.is_within(r.region_id, current))
        if not inside:
            cl, cr = clause_bounds(s, pos, CLAUSE_END)
            opens_sentence = not s[:pos].strip()
            opens_number_clause = pos == cl and q.start < cr
            if not (opens_sentence or opens_number_clause):
                continue
        best = r
    if best is not None:
        return best, "sentence"
    if carry.region is not None:
        return carry.region, "paragraph"
    return None, "document" if primary else "none"
