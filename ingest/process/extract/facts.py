"""Sentences → mentions: each quantity that states an indicator, with its status,
period and region.

The document is walked paragraph by paragraph and sentence by sentence, carrying
the year and region in force (a paragraph that opens with "2025年" or "今年" sets the
year for what follows; a sentence naming a district sets the region until another
appears). The rules themselves are data (``rules.yml`` and the dbt seeds).
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ingest.process.extract.confidence import basis_text, confidence
from ingest.process.extract.lexicon import Indicator, Lexicon, load_lexicon
from ingest.process.extract.periods import PeriodExpr, find_periods, is_comparison
from ingest.process.extract.quantities import Quantity, find_quantities
from ingest.process.extract.regions import (
    RegionMention,
    bare_zone,
    find_region_mentions,
    primary_region,
    publisher_region,
)
from ingest.process.extract.series import Slot, series_slots
from ingest.process.extract.tables import Cell, TableHeader, parse_header, read_row

__all__ = ["Mention", "extract_mentions", "reference_year"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

# A sentence ends at 。！？ or a line; ； only ends a clause, so "到2025年，A达到…；B突破…"
# keeps its period and status for B.
_SENTENCE_END = re.compile(r"[。！？!?]+|\n")
# Headline phrases separated by a space: "算力规模达1.2EFLOPS 力争明年突破10EFLOPS".
_CJK_GAP = r"(?<=[\u4e00-\u9fff”\"A-Za-z0-9%]) (?=[\u4e00-\u9fff“\"])"
_CLAUSE_END = re.compile(rf"[，,：:；;。！？!?]|{_CJK_GAP}")
_SEGMENT_END = re.compile(rf"[，,：:；;。！？!?、]|{_CJK_GAP}")
_YEARISH = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])")
_GROWTH_WORDS = ("增长", "增速", "增幅", "同比增长", "按年增", "成长", "年增率")
_DECLINE_WORDS = ("下降", "回落", "减少", "降低", "下滑")
_MEASURE_WORDS = frozenset((*_GROWTH_WORDS, *_DECLINE_WORDS))
_KEYWORD_REACH = 25  # characters between an indicator keyword and its number
_FIRM = re.compile(r"公司|集团|股份|有限")
_PLACES_COUNTED = re.compile(r"有\d+个(?:城市|地市|县区|区县|县|市|区|省份?)")
_BASELINE = re.compile(r"[从由](?:19|20)\d{2}年(?:底|末)?的?$")
_NEAR = 8  # a keyword this close to its number names it plainly (basis keyword_near)
_CONNECTIVES = re.compile(
    r"比上年|比去年|较上年|较去年|同比|按年|年均|分别|其中|全年|按[^，,；;]{0,6}价格?计算|按现价计算"
    r"|期间|时期|同期|上年同期"
    r"|[“”\"]?十[一二三四五六七八九]五[“”\"]?|(?:19|20)\d{2}年|\s")
_COMPUTE_CONTEXT = re.compile(r"算力|智算|超算|计算中心|数据中心|计算能力")


@dataclass(frozen=True)
class Mention:
    char_start: int
    char_end: int
    raw_text: str
    sentence: str
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    indicator_id: str
    category: str
    status: str
    period_start: date | None
    period_end: date | None
    period_basis: str
    region_id: str | None
    region_text: str | None
    region_basis: str
    confidence: float  # 0–1, from how table and status were decided (confidence.yml)
    basis: str  # indicator=…;status=…;period=…;region=…


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() > pos:
            out.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        out.append((pos, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _bounds(s: str, pos: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    left = 0
    for m in pattern.finditer(s, 0, pos):
        left = m.end()
    m2 = pattern.search(s, pos)
    return left, (m2.start() if m2 else len(s))


def reference_year(text: str, published_at: date | None, lex: Lexicon) -> tuple[int | None, str]:
    """The year 今年 means: the publication year, else the year the page mostly reports on.

    Years in sentences that look ahead (到2025年, 力争, 将…) do not vote.
    """
    if published_at is not None:
        return published_at.year, "publication_date"
    votes: Counter[int] = Counter()
    targets = lex.rules["status"]["target"]
    for a, b in _sentences(text, 0, len(text)):
        s = text[a:b]
        if any(t in s for t in targets) or "将" in s:
            continue
        for m in _YEARISH.finditer(s):
            if s[max(0, m.start() - 1):m.start()] in {"到", "至"}:
                continue
            year_end = m.end() + 1 if s[m.end():m.end() + 1] == "年" else m.end()
            if is_comparison(s, m.start(), year_end):
                votes[int(m.group(1)) + 1] += 1  # 较2023年末增长: a report on 2024
                continue
            votes[int(m.group(1))] += 1
    if not votes:
        return None, "unknown"
    year = max(votes, key=lambda y: (votes[y], y))
    return year, "context"


def _keyword_matches(s: str, start: int, end: int, lex: Lexicon) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), lex.keyword_of(m.group()))
            for m in lex.keyword_re.finditer(s, start, end)]


def _find_indicator(s: str, q: Quantity, lex: Lexicon) -> tuple[Indicator, str, int] | None:
    """The indicator a quantity states, and how it was found: the nearest
    unit-compatible keyword in its segment (before it; for counts, the keyword after it
    first: 82个亿元以上项目), and where the words naming the measure start."""
    seg_l, seg_r = _bounds(s, q.start, _SEGMENT_END)
    left = [k for k in _keyword_matches(s, seg_l, q.start, lex)
            if q.start - k[1] <= _KEYWORD_REACH]
    right = [k for k in _keyword_matches(s, q.unit_end, seg_r, lex)
             if k[0] - q.unit_end <= _KEYWORD_REACH]
    unit = "CNY" if q.implied_unit else q.unit
    ordered = right[:1] + left[::-1] if unit == "count" else left[::-1] + right[:1]
    for a, b, kw in ordered:
        if kw in _GROWTH_WORDS or kw in _DECLINE_WORDS:
            if unit != "percent":
                continue
            # 地区生产总值…，比上年增长5.2%: the growth of the nearest keyword before it;
            # a bare 增长 (居民收入增长5%) names nothing we measure, and a clause that
            # names its own subject (一般公共预算收入增长5%) does not borrow another's.
            cl, _ = _bounds(s, a, _CLAUSE_END)
            subject = _CONNECTIVES.sub("", s[cl:a])
            # …出口13525万美元，增长3.6%: a bare growth clause borrows the measure of the
            # nearest clause before it that states a figure, never one further back.
            reach = cl if subject else _figure_clause_before(s, cl)
            named = _keyword_matches(s, reach, a, lex)
            growth = _growth_of([k for _a2, _b2, k in named], lex)
            if growth is None:
                return None
            base = next((a2 for a2, _b2, k in named[::-1]
                         if k not in _GROWTH_WORDS and k not in _DECLINE_WORDS), a)
            return growth, "growth_of_keyword", base
        if unit == "count" and _count_of_something_else(s, q, a, b, lex):
            continue
        ind = lex.indicator_for(kw, unit)
        if ind is not None:
            near = (q.start - b if b <= q.start else a - q.unit_end) <= _NEAR
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
        start, _ = _bounds(s, max(end - 1, 0), _CLAUSE_END)
        if _FIGURE.search(s, start, end):
            return start
        if start == 0:
            return 0
        end = start - 1 if start > 0 else 0
    return 0


def _growth_of(keywords: list[str], lex: Lexicon) -> Indicator | None:
    """The growth-rate indicator of the nearest (last) keyword that names a measure."""
    for base_kw in keywords[::-1]:
        if base_kw in _GROWTH_WORDS or base_kw in _DECLINE_WORDS:
            continue
        for ind_id in lex.keyword_indicators.get(base_kw, ()):
            base = lex.indicators[ind_id]
            if base.unit == "count":
                continue  # 新建…价格下降: a count's keyword names no rate we measure
            for cand in (f"{base.indicator_id}_growth", f"{base.category}_growth"):
                if cand in lex.indicators:
                    return lex.indicators[cand]
    return None


# Between a clause's region and its number: nothing that names another measure
# (洛阳市为…, 乙区则提出增长…).
_ONLY_LINKS = re.compile(r"\s*(?:则|也|亦|同样)?(?:直接)?(?:提出|力争|争取|预计|计划|要求)?"
                         r"(?:为|达|达到|实现|完成|增长|下降|以|定为|调整至|调至|设定为)?"
                         r"(?:近|约|超|逾)?\s*")


def _inherited(s: str, offset: int, q: Quantity, s_regions: list[RegionMention],
               last_by_unit: dict[str, Indicator], lex: Lexicon) -> Indicator | None:
    """郑州市地区生产总值X亿元；洛阳市Y亿元: a clause that only names a region before its
    number repeats the indicator of the sentence's previous figure in the same unit."""
    unit = "CNY" if q.implied_unit else q.unit
    cl, _ = _bounds(s, q.start, _CLAUSE_END)
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


def _is_excluded(s: str, q: Quantity, lex: Lexicon, named_from: int | None = None) -> bool:
    """Whether the figure is not a fact: a negative cue in its clause or in the words that
    name its measure (农林牧渔业总产值51.98亿元，增长3.1%: the growth is of farm output),
    a percentage-point gap, a change of a rate, a size threshold."""
    cl, cr = _bounds(s, q.start, _CLAUSE_END)
    # The negative cues are read in the figure's segment (a list item: A增长22%、B增长13.3%)
    # and back to the words naming its measure.
    sl, sr = _bounds(s, q.start, _SEGMENT_END)
    if named_from is not None and named_from < sl:
        sl = _bounds(s, named_from, _SEGMENT_END)[0]
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


def _cue_positions(left: str, words: list[str],
                   masked: list[tuple[int, int, str]] | None = None) -> int:
    """Position of the last cue word in `left`, ignoring cues inside keywords
    (计划 in 计划总投资 names the indicator, not a plan)."""
    best = -1
    for w in words:
        i = left.rfind(w)
        while i >= 0 and masked and any(a <= i < b for a, b, _ in masked):
            i = left.rfind(w, 0, i)
        if i > best:
            best = i
    return best


def _status(s: str, q: Quantity, period: PeriodExpr | None, ps: date | None, pe: date | None,
            ref: date | None, dated_ref: bool, lex: Lexicon, kws: list[tuple[int, int, str]],
            target_section: bool = False) -> tuple[str, str]:
    """(status, what decided it): actual / estimate / target from the cues before the
    number and the period.

    The nearest cue wins (预计 → estimate, 力争/到2025年/将 → target, 已/累计 → actual);
    with no cue, a period after the page's date is a target and one that has ended
    is actual. `dated_ref` says whether the reference date is the publication date
    (an inferred year is too weak to overrule a printed 已).
    """
    st = lex.rules["status"]
    left = s[:q.start]
    est = _cue_positions(left, st["estimate"], kws)
    tgt = _cue_positions(left, st["target"], kws)
    jiang = [m.start() for m in re.finditer("将", left)
             if not any(left.startswith(w, m.start() - w.index("将")) for w in st["jiang_not_in"]
                        if "将" in w)]
    if jiang:
        tgt = max(tgt, jiang[-1])
    if period is not None and period.target_marker and period.end <= q.start:
        tgt = max(tgt, period.start)
    act = _cue_positions(left, st["strong_actual"], kws)
    planned = _cue_positions(left, st["planned_keywords"])
    if planned >= 0 and q.start - planned <= len("年度计划完成投资") + _NEAR:
        return "target", "planned_keyword"  # 年度计划投资2176亿元
    cl, cr = _bounds(s, q.start, _CLAUSE_END)
    if 0 <= tgt < cl and _qualifies_a_keyword(s, tgt, ["计划"], kws) and \
            _figure_between(s, tgt, cl):
        # 年内计划完成投资86亿元，开复工项目25个: 计划 named the earlier figure's measure
        tgt = -1 if not (period is not None and period.target_marker) else period.start
    nearest = max(est, tgt, act)
    marker_only = period is not None and period.target_marker and nearest == period.start
    if est >= 0 and marker_only and pe is not None and ref is not None and pe.year <= ref.year:
        # 预计到2021年末，完成… (in December 2021): an estimate of the year under way
        return "estimate", "estimate_cue"
    if nearest == tgt and period is not None and not period.target_marker and \
            period.start > tgt and pe is not None and ref is not None and pe < ref and dated_ref:
        # …打造算力赛道。上半年规上营收近30亿元: a period already over, after the plan words
        return "actual", "past_period"
    future = ps is not None and ref is not None and ps > ref
    trailing_target = any(
        q.unit_end <= i < cr and not any(a <= i < b for a, b, _ in kws)
        for w in st["target_words_anywhere"] for i in _all_positions(s, w))
    if nearest >= 0:
        if nearest == est:
            # 预计十三五末… (in December 2020): the end of the year under way is an estimate
            beyond = future and ps is not None and ref is not None and ps.year > ref.year
            return ("target", "estimate_cue_future") if beyond else ("estimate", "estimate_cue")
        if nearest == tgt:
            return "target", "target_cue"
        # 已印发《…》，明确了…达到9%…等年度目标: a cue outside the number's clause
        # loses to the target named after it.
        if trailing_target and nearest < cl:
            return "target", "target_word_after"
        # 二、主要目标 … “十四五”期间累计完成投资1.2万亿元 (in 2021): under a heading of
        # plans, a period that runs into a later year has not been done yet.
        if target_section and nearest == act and pe is not None and ref is not None \
                and pe.year > ref.year:
            return "target", "plans_section_span"
        if not future or not dated_ref:
            return "actual", "actual_cue"
    if future or trailing_target:
        return "target", "future_period" if future else "target_word_after"
    if target_section and not (pe is not None and ref is not None and pe < ref):
        return "target", "plans_section"  # under a heading of plans, a figure without a cue
    # No cue at all: news reports figures plainly; plans always say so (力争, 将, 到…年).
    return "actual", "no_cue"


def _masks(s: str, lex: Lexicon) -> list[tuple[int, int, str]]:
    """The keyword and not-cue spans of sentence `s`, where status cues do not count:
    computed once per sentence (every figure of it asks), not once per figure."""
    return [*_keyword_matches(s, 0, len(s), lex),
            *((m.start(1), m.end(1), "") for m in lex.not_cue_re.finditer(s))]


def _qualifies_a_keyword(s: str, pos: int, words: list[str],
                         kws: list[tuple[int, int, str]]) -> bool:
    """Whether the cue at `pos` runs straight into an indicator keyword (计划完成投资)."""
    for w in words:
        if s.startswith(w, pos):
            after = pos + len(w)
            return any(a <= after + 1 and b > after for a, b, k in kws if k)
    return False


_FIGURE = re.compile(r"\d")


def _figure_between(s: str, a: int, b: int) -> bool:
    return _FIGURE.search(s, a, b) is not None


def _all_positions(s: str, w: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(w), s)]


@dataclass
class _Carry:
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


def extract_mentions(text: str, paragraph_starts: Sequence[int], published_at: date | None,
                     *, title_paragraphs: int = 1, lex: Lexicon | None = None) -> list[Mention]:
    """Every fact mention in a normalised document.

    `paragraph_starts` are the offsets where paragraphs begin (the first
    `title_paragraphs` of them are the title); `published_at` is the page's date.
    """
    lex = lex or load_lexicon()
    ref_year, ref_basis = reference_year(text, published_at, lex)
    ref_date = published_at or (date(ref_year, 12, 31) if ref_year else None)
    regions = find_region_mentions(text, lex)
    region_starts = [r.start for r in regions]  # in text order: a sentence's are one slice
    bounds = [*paragraph_starts, len(text) + 1]
    title_end = bounds[title_paragraphs] if len(bounds) > title_paragraphs else 0
    lead_end = bounds[min(title_paragraphs + 2, len(bounds) - 1)]
    primary = primary_region(regions, lead_end, title_end, lex) or \
        publisher_region(regions, text, lex) or _national(text, lead_end, lex)
    # A page about a zone the seed lacks (常州经开区…, or 开发区… on a 驻马店 page) reports
    # on the zone, not its city.
    page_zone = next((r for r in regions if r.zone and r.counts and r.region_id == primary
                      and r.start < lead_end), None) or bare_zone(text, lead_end, primary, lex)
    doc_carry = _Carry(ref_year, ref_basis, page_zone)
    out: list[Mention] = []
    target_section = False
    table: TableHeader | None = None
    for pi in range(len(paragraph_starts)):
        p_start, p_end = bounds[pi], min(bounds[pi + 1] - 1, len(text))
        in_title = pi < title_paragraphs
        if not in_title:  # a table's rows, under the header row that opened it
            if table is not None and (row := read_row(text[p_start:p_end], table, lex)):
                out.extend(_table_mentions(text, p_start, p_end, table, row, doc_carry,
                                           primary, ref_year, ref_basis, lex))
                continue
            table = parse_header(text[p_start:p_end])  # (its 1—9月 is a period, too)
        if not in_title and _is_heading(text[p_start:p_end]):
            target_section = _heading_opens_plans(text[p_start:p_end], lex, target_section)
        carry = _Carry(doc_carry.year, doc_carry.year_basis, doc_carry.region, doc_carry.span)
        # 广州以近2.18万亿元紧随其后 / 天津直接定为4.5%: a clause of a region and a number
        # repeats the measure of the paragraph's last figure in that unit
        last_by_unit: dict[str, Indicator] = {}
        for si, (a, b) in enumerate(_sentences(text, p_start, p_end)):
            s = text[a:b]
            periods = find_periods(s, ref_year, carry.year)
            s_regions = [r for r in regions[bisect_left(region_starts, a):
                                              bisect_left(region_starts, b)] if r.counts]
            qs = find_quantities(s, lex)
            slots = series_slots(s, qs, s_regions, a, periods, lex, _MEASURE_WORDS) \
                if "分别" in s else {}
            masks = _masks(s, lex) if qs else []
            for q in qs:
                m = _mention(text, s, a, q, periods, s_regions, carry, primary, ref_date,
                             ref_basis, lex, target_section, last_by_unit, masks,
                             slots.get(q.start))
                if m is not None:
                    out.append(m)
                    last_by_unit[m.unit] = lex.indicators[m.indicator_id]
                else:
                    # 出口13525万美元，增长3.6%: a figure that is no fact breaks the chain a
                    # bare clause after it would borrow its measure from.
                    last_by_unit.clear()
            # What this sentence establishes for the sentences after it.
            dated = [p for p in periods if p.period_start and p.explicit or p.relative]
            if dated and dated[-1].period_start is not None:
                carry.year = dated[-1].period_start.year
                carry.year_basis = "context"
                if dated[-1].period_end is not None and not dated[-1].target_marker:
                    carry.span = (dated[-1].period_start, dated[-1].period_end)
                first = dated[0]
                # "2023年，…" / "今年以来，…" open the paragraph as its time; "召开2024年
                # 工作会议" names a meeting. A heading may be just "2025年我们这样干".
                adverbial = re.match(r"\s*(?:以来)?[，,、:：\s]", s[first.end:]) is not None
                before = s[_lead_in(s):first.start].strip()
                subject_only = not before or "".join(
                    n for _, _, n in lex.find_aliases(before)) == before  # 汉阳区2023年…
                leads = si == 0 and first.start <= _lead_in(s) + 8 and (
                    adverbial or subject_only or _is_heading(text[p_start:p_end]))
                looks_ahead = any(t in s for t in lex.rules["status"]["target"]) or "将" in s
                # 这是自2016年以来…: a look back over years is no period for what follows.
                since = s[first.end:first.end + 2] == "以来" and ref_year is not None and \
                    first.period_start.year < ref_year if first.period_start else False
                # “十四五”时期首批重大项目集中开工: a plan's name in a headline is no period.
                plan_name = in_title and "五" in first.text and not _YEARISH.search(first.text)
                if first.period_start and not first.target_marker and not since and \
                        not plan_name and (
                        (in_title and not looks_ahead) or leads):
                    # A title, or a paragraph that opens with a period, sets it for the
                    # paragraphs after (去年… in a headline; 2025年，… / 今年，… / 上半年，…).
                    doc_carry.year = first.period_start.year
                    doc_carry.year_basis = "context"
                    doc_carry.span = (first.period_start, first.period_end) \
                        if first.period_end else None
            for r in s_regions:
                opens = not text[a:r.start].strip(" \"“")
                if (_carries(r, primary, lex) and _subject_like(s, r.start - a, r.end - a)) or \
                        (opens and not lex.regions[r.region_id].is_country):
                    carry.region = r
        if not in_title and carry.region is not None:
            doc_carry.region = carry.region
    return _without_restated(_without_restated_title(out, title_end))


def _figure_key(m: Mention) -> tuple[str, str, str]:
    return m.category, m.unit, f"{m.value:.6g}"


def _without_restated_title(mentions: list[Mention], title_end: int) -> list[Mention]:
    """A headline figure the body states again is one fact: the body's, which has the
    sentence around it (its period, its region), not the headline's guess from the date."""
    in_body = {_figure_key(m) for m in mentions if m.char_start >= title_end}
    return [m for m in mentions if m.char_start >= title_end or _figure_key(m) not in in_body]


# Indicators several measures share (the growth of 第一产业 and of 第三产业 are both
# output_growth): two equal figures of these in one page may be two facts.
_SHARED_INDICATORS = frozenset({"output_growth", "investment_growth", "added_value",
                                "projects_count", "investment", "output_value"})
_REGION_RANK = {"sentence": 3, "paragraph": 2, "document": 1, "none": 0}


def _without_restated(mentions: list[Mention]) -> list[Mention]:
    """A figure a page states again (the lead's 3132个 restated under 数据显示…) is one fact:
    of two mentions in different sentences with the same indicator, value, status and
    period, and no two regions the sentences name, the one whose region is better founded
    stays."""
    kept: list[Mention] = []
    for m in mentions:
        twin = None if m.indicator_id in _SHARED_INDICATORS else next(
            (i for i, k in enumerate(kept) if (k.indicator_id, k.unit, k.value, k.status,
             k.period_start, k.period_end) == (m.indicator_id, m.unit, m.value, m.status,
                                               m.period_start, m.period_end)
             and k.sentence != m.sentence and not (
                 k.region_basis == m.region_basis == "sentence"
                 and (k.region_id, k.region_text) != (m.region_id, m.region_text))), None)
        if twin is None:
            kept.append(m)
        elif _REGION_RANK[m.region_basis] > _REGION_RANK[kept[twin].region_basis]:
            kept[twin] = m
    return kept


def _table_mentions(text: str, p_start: int, p_end: int, header: TableHeader,
                    row: tuple[str, list[Cell]], carry: _Carry, primary: str | None,
                    ref_year: int | None, ref_basis: str, lex: Lexicon) -> list[Mention]:
    """A table row's figures: what its label names, in the period its column (else the
    page's text before the table) gives; a table reports results, so actual unless its
    column says otherwise (目标, 预计)."""
    name, cells = row
    keywords = [k for _, _, k in _keyword_matches(name, 0, len(name), lex)]
    st = lex.rules["status"]

    def column_period(col: int) -> PeriodExpr | None:
        found = find_periods(header.cells[col], ref_year, carry.year)
        return next((p for p in found if p.period_start is not None), None)

    # A growth column (比上年同期增长) is over the period of the table's figures.
    table_period = next((p for col, role in enumerate(header.roles) if role == "value"
                         and (p := column_period(col)) is not None), None)
    out = []
    for cell in cells:
        q = cell.quantity
        unit = "CNY" if q.implied_unit else q.unit
        growth = cell.role == "growth" or (unit == "percent" and any(
            w in name for w in (*_GROWTH_WORDS, *_DECLINE_WORDS)))
        # What the row names (地区生产总值); else what its column names (项目名称 |
        # 总投资(亿元): the row is a project, the column the measure).
        column = header.cells[cell.column]
        named = keywords or [k for _, _, k in _keyword_matches(column, 0, len(column), lex)]
        ind = _growth_of(named, lex) if growth and unit == "percent" else next(
            (i for kw in named[::-1] if (i := lex.indicator_for(kw, unit))), None)
        if ind is None or unit not in {"CNY", "PFLOPS", "percent", "count"}:
            continue
        period = column_period(cell.column) if cell.role == "value" else None
        period = period or table_period
        if period is not None:
            ps, pe = period.period_start, period.period_end
            basis = "explicit" if period.explicit else "context"
        else:
            ps, pe, basis = carry.period()
        status = ("estimate" if any(w in column for w in st["estimate"]) else
                  "target" if any(w in column for w in st["target"]) else "actual")
        region = carry.region
        region_basis = "paragraph" if region else "document" if primary else "none"
        region_id, region_text = _region_out(region, primary, lex)
        ind_how = "table_row" if keywords else "table_column"
        out.append(Mention(
            char_start=p_start + cell.start, char_end=p_start + cell.end,
            raw_text=text[p_start + cell.start:p_start + cell.end],
            sentence=text[p_start:p_end], value=q.value, value_high=q.value_high, unit=unit,
            qualifier=q.qualifier, indicator_id=ind.indicator_id, category=ind.category,
            status=status, period_start=ps, period_end=pe, period_basis=basis,
            region_id=region_id, region_text=region_text,
            region_basis=region_basis,
            confidence=confidence(ind_how, "table_column", basis, region_basis),
            basis=basis_text(ind_how, "table_column", basis, region_basis)))
    return out


# "7月25日，记者从…获悉，" / "据…介绍，": attribution before a paragraph's real opening.
_LEAD_IN = re.compile(r"^(?:\s*\d{1,2}月\d{1,2}日[，,]?"
                      r"|[^，,。]{0,24}?(?:获悉|了解到|介绍|报道|讯|消息)[，,:：]\s*)*")
_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.、])")


def _lead_in(s: str) -> int:
    m = _LEAD_IN.match(s)
    return m.end() if m else 0


def _is_heading(p: str) -> bool:
    """A short line without a sentence-final mark: a section or sub-section heading."""
    return len(p) <= 40 and not re.search(r"[。！？!?；;]", p)


def _heading_opens_plans(p: str, lex: Lexicon, current: bool) -> bool:
    """Whether the paragraphs after heading `p` are plans (二、2024年主要目标和重点工作)."""
    if any(w in p for w in lex.rules["status"]["target_headings"]):
        return True
    if _NUMBERED.match(p) or re.search(r"成绩|成效|回顾|去年|上年", p):
        return False  # a new numbered section, or a look back, ends the plans
    return current  # a sub-heading inside the section


# Words between a place and the clause's end that make the place part of a name: the
# project, platform or event it names (…暨成都科成云计算大数据产业中心项目开工活动举行).
_NAMED_THING = re.compile(
    r"[^，,。；;：:、]{2,24}?(?:项目|中心|平台|活动|大会|论坛|峰会|展会|博览会)")


def _subject_like(s: str, start: int, end: int) -> bool:
    """Whether a place named mid-sentence is what the sentence reports on, not part of
    the name of a project or an event."""
    return _NAMED_THING.match(s, end) is None or s[end:end + 2] in {"全市", "全区", "全县"}


def _carries(r: RegionMention, primary: str | None, lex: Lexicon) -> bool:
    """A sentence's region carries forward when it is the page's region or inside it."""
    if lex.regions[r.region_id].is_country:
        return False
    return primary is None or lex.is_within(r.region_id, primary)


def _mention(text: str, s: str, offset: int, q: Quantity, periods: list[PeriodExpr],
             s_regions: list[RegionMention], carry: _Carry, primary: str | None,
             ref_date: date | None, ref_basis: str, lex: Lexicon, target_section: bool,
             last_by_unit: dict[str, Indicator], masks: list[tuple[int, int, str]],
             slot: Slot | None = None) -> Mention | None:
    if q.unit not in {"CNY", "PFLOPS", "percent", "count"}:
        return None  # foreign currency: kept out of CNY tables (no dated rate table yet)
    found = _series_indicator(q, slot, last_by_unit, lex) if slot else None
    found = found or _find_indicator(s, q, lex)
    if found is None and (inh := _inherited(s, offset, q, s_regions, last_by_unit, lex)):
        found = inh, "inherited", q.start
    if found is None or _is_excluded(s, q, lex, found[2]):
        return None
    ind, ind_how, named_from = found
    if ind.indicator_id.startswith("revenue") and _FIRM.search(
            s, _bounds(s, min(named_from, q.start), _CLAUSE_END)[0], q.start):
        return None  # 某某集团实现营业收入120亿元: one firm's figure, not a region's
    if q.unit == "count" and (q.value != int(q.value) or not s[q.end:q.unit_end].strip(
            " 余多以上").startswith(tuple(lex.rules["count_units"]))):
        return None  # 扩大0.3个百分点: a count is a whole number
    # Period: nearest expression before the number, else one after it in its clause.
    before = [p for p in periods if p.end <= q.start and p.period_start is not None]
    cl, cr = _bounds(s, q.start, _CLAUSE_END)
    # (a plan named after the figure describes what is counted: 5823亿元的“十四五”首批项目)
    after = [p for p in periods if p.start >= q.unit_end and p.end <= cr
             and p.period_start is not None and "五" not in p.text]
    period = before[-1] if before else (after[0] if after else None)
    if period is not None:
        ps, pe = period.period_start, period.period_end
        if pe is not None and ps is not None and ps.month == pe.month and ps.day == 1 \
                and re.match(r"\s*\d{1,2}\s*日", s[period.end:]):
            ps, pe = date(ps.year, 1, 1), date(ps.year, 12, 31)  # a day's date: its year
        basis = "explicit" if period.explicit else ref_basis if period.relative else "context"
        if period.relative and period.text.lstrip("到至") in {"全年", "当年"} and any(
                p.explicit for p in periods if p.end <= period.start):
            basis = "explicit"  # 2023年全年: the year is printed
    else:
        ps, pe, basis = carry.period()
    if slot is not None and slot.period is not None:
        ps, pe, basis = *slot.period, "explicit"  # 2021年至2023年分别…: the i-th year
    status, status_how = _status(s, q, period, ps, pe, ref_date,
                                 ref_basis == "publication_date", lex, masks, target_section)
    if _BASELINE.search(s[max(0, q.start - 8):q.start]) and period is not None and \
            period.explicit and pe is not None and ref_date is not None and pe < ref_date:
        status, status_how = "actual", "baseline"  # 从2015年的39.70亿元增长到…: the start
    ps, pe = _settled_period(ps, pe, basis, status, period, ref_date, ref_basis)
    value = q.value
    if q.unit == "percent" and value > 0 and any(
            s.endswith(w, 0, q.start) or s.endswith(w + "了", 0, q.start) or
            s.endswith("同比" + w, 0, q.start) for w in _DECLINE_WORDS):
        value = -value  # 同比下降12% is a growth rate of -12
    region, region_basis = _region_for(s, offset, q, s_regions, carry, primary, lex)
    if slot is not None and slot.region is not None:
        region, region_basis = slot.region, "sentence"  # 甲、乙和丙三区分别…: the i-th
    region_id, region_text = _region_out(region, primary, lex)
    return Mention(
        char_start=offset + q.start, char_end=offset + q.end, raw_text=text[offset + q.start:
                                                                             offset + q.end],
        sentence=s.strip(), value=value, value_high=q.value_high,
        unit="CNY" if q.implied_unit else q.unit, qualifier=q.qualifier,
        indicator_id=ind.indicator_id, category=ind.category, status=status,
        period_start=ps, period_end=pe, period_basis=basis,
        region_id=region_id, region_text=region_text,
        region_basis=region_basis,
        confidence=confidence(ind_how, status_how, basis, region_basis),
        basis=basis_text(ind_how, status_how, basis, region_basis),
    )


def _settled_period(ps: date | None, pe: date | None, basis: str, status: str,
                    period: PeriodExpr | None, ref: date | None,
                    ref_basis: str) -> tuple[date | None, date | None]:
    """Two readings of a period the sentence itself does not print:
    a target under a plan's span (《行动方案(2024—2025年)》…力争算力达到5EFLOPS) is for the
    span's last year; an estimate in a report of January to March (据统计预测，全县地区生产
    总值增长12.6%) is of the year just ended."""
    if ps is None or pe is None or period is not None:
        return ps, pe
    if status == "target" and basis == "context" and ps.year < pe.year:
        return date(pe.year, 1, 1), pe
    if status == "estimate" and ref is not None and basis == "publication_date" and \
            ref.month <= 3 and ps.year == ref.year and (ps.month, pe.month) == (1, 12):
        return date(ref.year - 1, 1, 1), date(ref.year - 1, 12, 31)
    return ps, pe


def _series_indicator(q: Quantity, slot: Slot, last_by_unit: dict[str, Indicator],
                      lex: Lexicon) -> tuple[Indicator, str, int] | None:
    """A 分别 figure's measure: its own keyword in the list's order (a growth list takes the
    growth of each); a list of regions or years repeats the first figure's measure."""
    unit = "CNY" if q.implied_unit else q.unit
    if slot.keyword is not None:
        ind = lex.indicator_for(slot.keyword, unit)
        if ind is None and unit == "percent":
            ind = _growth_of([slot.keyword], lex)
        named_from = slot.named_from if slot.named_from is not None else q.start
        return (ind, "series", named_from) if ind else None
    if unit in last_by_unit:
        return last_by_unit[unit], "series", q.start
    return None


_OWN_REGION = re.compile(r"全省|全市|全区|全县|我省|我市|我区|我县")
_NATIONAL = re.compile(r"(?:^|(?<=[，,。：:\s]))(?:全国|国家统计局)")


def _national(text: str, lead_end: int, lex: Lexicon) -> str | None:
    """A release about the country (1—8月份，全国固定资产投资…) that names no region
    (and does not speak of 全省/全市 as its own)."""
    if _NATIONAL.search(text, 0, lead_end) and not _OWN_REGION.search(text, 0, lead_end):
        return min(lex.country_ids, default=None)
    return None


def _region_out(region: RegionMention | None, primary: str | None,
                lex: Lexicon) -> tuple[str | None, str | None]:
    """(region_id, region_text) a mention is stored with: a zone the seed lacks has no
    seed id, only its name (dbt gives it a discovered region)."""
    if region is not None:
        return (None, region.text) if region.zone else (region.region_id, region.text)
    if primary is None:
        return None, None
    return primary, lex.regions[primary].name_zh


def _region_for(s: str, offset: int, q: Quantity, s_regions: list[RegionMention],
                carry: _Carry, primary: str | None,
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
            cl, cr = _bounds(s, pos, _CLAUSE_END)
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
