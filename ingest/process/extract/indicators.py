"""Which indicator a quantity states: the nearest keyword in its clause (or the clause
before), growth rates of an indicator, and the quantities that state none (counts of
something else, ratios, figures a rule excludes)."""

from __future__ import annotations

import re

from ingest.process.extract.clauses import (
    CLAUSE_END,
    DECLINE_WORDS,
    FIGURE,
    GROWTH_WORDS,
    NEAR,
    SEGMENT_END,
    clause_bounds,
    keyword_matches,
)
from ingest.process.extract.lexicon import Indicator, Lexicon
from ingest.process.extract.quantities import Quantity
from ingest.process.extract.series import Slot

__all__ = ["find_indicator", "growth_of", "is_excluded", "series_indicator"]


_KEYWORD_REACH = 25  # characters between an indicator keyword and its number

_PLACES_COUNTED = re.compile(r"有\d+个(?:城市|地市|县区|区县|县|市|区|省份?)")

_CONNECTIVES = re.compile(
    r"比上年|比去年|较上年|较去年|同比|按年|年均|分别|其中|全年|按[^，,；;]{0,6}价格?计算|按现价计算"
    r"|期间|时期|同期|上年同期"
    r"|[“”\"]?十[一二三四五六七八九]五[“”\"]?|(?:19|20)\d{2}年|\s")

_COMPUTE_CONTEXT = re.compile(r"算力|智算|超算|计算中心|数据中心|计算能力")

def find_indicator(s: str, q: Quantity, lex: Lexicon) -> tuple[Indicator, str, int] | None:
    """The indicator a quantity states, and how it was found: the nearest
    unit-compatible keyword in its segment (before it; for counts, the keyword after it
    first: 82个亿元以上项目), and where the words naming the measure start."""
    seg_l, seg_r = clause_bounds(s, q.start, SEGMENT_END)
    left = [k for k in keyword_matches(s, seg_l, q.start, lex)
            if q.start - k[1] <= _KEYWORD_REACH]
    right = [k for k in keyword_matches(s, q.unit_end, seg_r, lex)
             if k[0] - q.unit_end <= _KEYWORD_REACH]
    unit = "CNY" if q.implied_unit else q.unit
    ordered = right[:1] + left[::-1] if unit == "count" else left[::-1] + right[:1]
    for a, b, kw in ordered:
        if kw in GROWTH_WORDS or kw in DECLINE_WORDS:
            if unit != "percent":
                continue
            # 地区生产总值…，比上年增长5.2%: the growth of the nearest keyword before it;
            # a bare 增长 (居民收入增长5%) names nothing we measure, and a clause that
            # names its own subject (一般公共预算收入增长5%) does not borrow another's.
            cl, _ = clause_bounds(s, a, CLAUSE_END)
            subject = _CONNECTIVES.sub("", s[cl:a])
            # …出口13525万美元，增长3.6%: a bare growth clause borrows the measure of the
            # nearest clause before it that states a figure, never one further back.
            reach = cl if subject else _figure_clause_before(s, cl)
            named = keyword_matches(s, reach, a, lex)
            growth = growth_of([k for _a2, _b2, k in named], lex)
            if growth is None:
                return None
            base = next((a2 for a2, _b2, k in named[::-1]
                         if k not in GROWTH_WORDS and k not in DECLINE_WORDS), a)
            return growth, "growth_of_keyword", base
        if unit == "count" and _count_of_something_else(s, q, a, b, lex):
            continue
        ind = lex.indicator_for(kw, unit)
        if ind is not None:
            near = (q.start - b if b <= q.start else a - q.unit_end) <= NEAR
            return ind, "keyword_near" if near else "keyword_far", min(a, q.start)
    if unit == "PFLOPS" and (q.explicit_flops or _COMPUTE_CONTEXT.search(s)):
        # 提升至200PFLOPS: a FLOPS figure measures computing capacity whatever it is called.
        ind = next((i for i in lex.indicators.values() if i.category == "compute"), None)
        return (ind, "flops_unit", q.start) if ind else None
    return None

def _figure_clause_before(s: str, cl: int) -> int:
    """Start of the nearest clause before offset `cl` that has a digit (a figure); 0 if none."""
    end = cl
    while end > 0:
        start, _ = clause_bounds(s, max(end - 1, 0), CLAUSE_END)
        if FIGURE.search(s, start, end):
            return start
        if start == 0:
            return 0
        end = start - 1 if start > 0 else 0
    return 0

def growth_of(keywords: list[str], lex: Lexicon) -> Indicator | None:
    """The growth-rate indicator of the nearest (last) keyword that names a measure."""
    for base_kw in keywords[::-1]:
        if base_kw in GROWTH_WORDS or base_kw in DECLINE_WORDS:
            continue
        for ind_id in lex.keyword_indicators.get(base_kw, ()):
            base = lex.indicators[ind_id]
            if base.unit == "count":
                continue  # 新建…价格下降: a count's keyword names no rate we measure
            for cand in (f"{base.indicator_id}_growth", f"{base.category}_growth"):
                if cand in lex.indicators:
                    return lex.indicators[cand]
    return None

def _count_of_something_else(s: str, q: Quantity, a: int, b: int, lex: Lexicon) -> bool:
    """重点项目配套企业220家: the keyword is there, but what is counted is firms (or
    research projects, or the buildings a 新建 names)."""
    between = s[b:q.start] if b <= q.start else s[q.unit_end:a]
    after = s[q.unit_end:q.unit_end + 3]
    words = lex.rules["count_subject_not"]
    if any(w in between for w in words) or any(after.startswith(w) for w in words):
        return True
    kw = s[a:b]
    if kw.endswith(("项目", "专案")) and s[max(0, a - 4):a].endswith(
            tuple(lex.rules["project_kinds_not"])):
        return True
    return kw in lex.rules["project_verbs"] and b <= q.start and \
        re.match(r"[\u4e00-\u9fff]", after) is not None and not after.startswith(("项目", "专案"))

def is_excluded(s: str, q: Quantity, lex: Lexicon, named_from: int | None = None) -> bool:
    """Whether the figure is not a fact: a negative cue in its clause or in the words that
    name its measure (农林牧渔业总产值51.98亿元，增长3.1%: the growth is of farm output),
    a percentage-point gap, a change of a rate, a size threshold."""
    cl, cr = clause_bounds(s, q.start, CLAUSE_END)
    # The negative cues are read in the figure's segment (a list item: A增长22%、B增长13.3%)
    # and back to the words naming its measure.
    sl, sr = clause_bounds(s, q.start, SEGMENT_END)
    if named_from is not None and named_from < sl:
        sl = clause_bounds(s, named_from, SEGMENT_END)[0]
    if lex.negative_re.search(s, sl, sr) or any(
            w in s[:q.start] for w in lex.rules["sentence_negative_cues"]):
        return True
    # 有7个城市的GDP总值超过1000亿元: a threshold the counted places pass, not a figure.
    if _PLACES_COUNTED.search(s, cl, q.start):
        return True
    # 高于全市0.5个百分点 / 拉动投资增长3.0个百分点: a gap or a contribution, not a rate.
    if q.unit == "percent" and "百分点" in s[q.end:q.unit_end + 3]:
        return True
    # 较2025年的增长目标下调了0.2%: a change of a target, not a rate.
    if q.unit == "percent" and s[:q.start].rstrip().endswith(
            tuple(lex.rules["rate_change_words"])):
        return True
    # 10亿元以上关键软件企业 / 总投资超10亿元项目12个: a size threshold for what is counted.
    if q.qualifier in {"at_least", "more_than"} and q.unit == "CNY":
        tail = s[q.unit_end:cr][:12]
        if re.search(r"(企业|公司|项目|客户|园区|专案)", tail):
            return True
    # 已建成算力超过1000P的智算中心3个: a size describing the things counted after it.
    return re.match(r"的[^，,。；;]{0,8}?(中心|企业|公司|项目|园区|基地|平台)", s[q.unit_end:cr]) \
        is not None

def series_indicator(q: Quantity, slot: Slot, last_by_unit: dict[str, Indicator],
                      lex: Lexicon) -> tuple[Indicator, str, int] | None:
    """A 分别 figure's measure: its own keyword in the list's order (a growth list takes the
    growth of each); a list of regions or years repeats the first figure's measure."""
    unit = "CNY" if q.implied_unit else q.unit
    if slot.keyword is not None:
        ind = lex.indicator_for(slot.keyword, unit)
        if ind is None and unit == "percent":
            ind = growth_of([slot.keyword], lex)
        named_from = slot.named_from if slot.named_from is not None else q.start
        return (ind, "series", named_from) if ind else None
    if unit in last_by_unit:
        return last_by_unit[unit], "series", q.start
    return None
