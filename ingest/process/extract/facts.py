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

from ingest.process.extract.attribution import (
    Carry,
    carries_region,
    inherited_region,
    national_region,
    region_for,
    region_out,
)
from ingest.process.extract.clauses import (
    CLAUSE_END,
    DECLINE_WORDS,
    MEASURE_WORDS,
    clause_bounds,
    sentence_spans,
)
from ingest.process.extract.confidence import basis_text, confidence
from ingest.process.extract.indicators import find_indicator, is_excluded, series_indicator
from ingest.process.extract.lexicon import Indicator, Lexicon, load_lexicon
from ingest.process.extract.mention import Mention
from ingest.process.extract.periods import PeriodExpr, find_periods, is_comparison
from ingest.process.extract.quantities import Quantity, find_quantities
from ingest.process.extract.regions import (
    RegionMention,
    bare_zone,
    find_region_mentions,
    primary_region,
    publisher_region,
)
from ingest.process.extract.restated import without_restated, without_restated_title
from ingest.process.extract.series import Slot, series_slots
from ingest.process.extract.status import settled_period, status_masks, status_of
from ingest.process.extract.table_facts import table_mentions
from ingest.process.extract.tables import TableHeader, parse_header, read_row

__all__ = ["Mention", "extract_mentions", "reference_year"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


_YEARISH = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])")

_FIRM = re.compile(r"公司|集团|股份|有限")

# A compute figure restated in another unit with another value: below any review threshold.
_MISMATCH_CONFIDENCE = 0.5

# Years named relative to the page's date: on an undated page they name no year.
_RELATIVE_YEAR = re.compile(r"今年|去年|明年|前年|上年|本年")

_BASELINE = re.compile(r"[从由](?:19|20)\d{2}年(?:底|末)?的?$")

def reference_year(text: str, published_at: date | None, lex: Lexicon) -> tuple[int | None, str]:
    """The year 今年 means: the publication year, else the year the page mostly reports on.

    Years in sentences that look ahead (到2025年, 力争, 将…) do not vote.
    """
    if published_at is not None:
        return published_at.year, "publication_date"
    votes: Counter[int] = Counter()
    targets = lex.rules["status"]["target"]
    for a, b in sentence_spans(text, 0, len(text)):
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

@dataclass(frozen=True)
class _Page:
    """What every sentence of a page reads: its text and regions, the region it is about
    and the date its relative years count from."""

    text: str
    regions: list[RegionMention]
    region_starts: list[int]  # in text order: a sentence's regions are one slice
    primary: str | None
    ref_year: int | None
    ref_basis: str
    ref_date: date | None
    lex: Lexicon


def extract_mentions(text: str, paragraph_starts: Sequence[int], published_at: date | None,
                     *, title_paragraphs: int = 1, lex: Lexicon | None = None) -> list[Mention]:
    """Every fact mention in a normalised document.

    `paragraph_starts` are the offsets where paragraphs begin (the first
    `title_paragraphs` of them are the title); `published_at` is the page's date.
    """
    lex = lex or load_lexicon()
    ref_year, ref_basis = reference_year(text, published_at, lex)
    regions = find_region_mentions(text, lex)
    bounds = [*paragraph_starts, len(text) + 1]
    title_end = bounds[title_paragraphs] if len(bounds) > title_paragraphs else 0
    lead_end = bounds[min(title_paragraphs + 2, len(bounds) - 1)]
    primary = primary_region(regions, lead_end, title_end, lex) or \
        publisher_region(regions, text, lex) or national_region(text, lead_end, lex)
    page = _Page(text, regions, [r.start for r in regions], primary, ref_year, ref_basis,
                 published_at or (date(ref_year, 12, 31) if ref_year else None), lex)
    # A page about a zone the seed lacks (常州经开区…, or 开发区… on a 驻马店 page) reports
    # on the zone, not its city.
    page_zone = next((r for r in regions if r.zone and r.counts and r.region_id == primary
                      and r.start < lead_end), None) or bare_zone(text, lead_end, primary, lex)
    doc_carry = Carry(ref_year, ref_basis, page_zone)
    out: list[Mention] = []
    # A plan's page (its title a 规划/方案/纲要) reads as a section of goals from the start.
    target_section = any(w in text[:title_end] for w in lex.rules["status"]["plan_titles"])
    table: TableHeader | None = None
    for pi in range(len(paragraph_starts)):
        p_start, p_end = bounds[pi], min(bounds[pi + 1] - 1, len(text))
        in_title = pi < title_paragraphs
        if not in_title:  # a table's rows, under the header row that opened it
            if table is not None and (row := read_row(text[p_start:p_end], table, lex)):
                out.extend(table_mentions(text, p_start, p_end, table, row, doc_carry,
                                           primary, ref_year, ref_basis, lex))
                continue
            table = parse_header(text[p_start:p_end])  # (its 1—9月 is a period, too)
        if not in_title and _is_heading(text[p_start:p_end]):
            target_section = _heading_opens_plans(text[p_start:p_end], lex, target_section)
        carry = Carry(doc_carry.year, doc_carry.year_basis, doc_carry.region, doc_carry.span)
        out.extend(_paragraph_mentions(page, p_start, p_end, in_title, carry, doc_carry,
                                       target_section))
        if not in_title and carry.region is not None:
            doc_carry.region = carry.region
    return without_restated(without_restated_title(out, title_end))


def _paragraph_mentions(page: _Page, p_start: int, p_end: int, in_title: bool, carry: Carry,
                        doc_carry: Carry, target_section: bool) -> list[Mention]:
    """The mentions of one paragraph, sentence by sentence, carrying the year and region
    in force (`carry`; `doc_carry` for the paragraphs after)."""
    text, lex = page.text, page.lex
    out: list[Mention] = []
    # 广州以近2.18万亿元紧随其后 / 天津直接定为4.5%: a clause of a region and a number
    # repeats the measure of the paragraph's last figure in that unit
    last_by_unit: dict[str, Indicator] = {}
    heading = _is_heading(text[p_start:p_end])
    for si, (a, b) in enumerate(sentence_spans(text, p_start, p_end)):
        s = text[a:b]
        periods = find_periods(s, page.ref_year, carry.year)
        s_regions = [r for r in page.regions[bisect_left(page.region_starts, a):
                                             bisect_left(page.region_starts, b)] if r.counts]
        qs = find_quantities(s, lex)
        slots = series_slots(s, qs, s_regions, a, periods, lex, MEASURE_WORDS) \
            if "分别" in s else {}
        masks = status_masks(s, lex) if qs else []
        for q in qs:
            m = _mention(text, s, a, q, periods, s_regions, carry, page.primary, page.ref_date,
                         page.ref_basis, lex, target_section, last_by_unit, masks,
                         slots.get(q.start))
            if m is not None:
                out.append(m)
                last_by_unit[m.unit] = lex.indicators[m.indicator_id]
            else:
                # 出口13525万美元，增长3.6%: a figure that is no fact breaks the chain a
                # bare clause after it would borrow its measure from.
                last_by_unit.clear()
        _carry_period(page, s, si == 0, periods, carry, doc_carry, in_title, heading)
        for r in s_regions:
            opens = not text[a:r.start].strip(" \"“")
            if (carries_region(r, page.primary, lex)
                    and _subject_like(s, r.start - a, r.end - a)) or \
                    (opens and not lex.regions[r.region_id].is_country):
                carry.region = r
    return out


def _carry_period(page: _Page, s: str, first_sentence: bool, periods: list[PeriodExpr],
                  carry: Carry, doc_carry: Carry, in_title: bool, heading: bool) -> None:
    """What sentence `s` establishes for the sentences after it: the last period it dates
    (`carry`), and, when it opens its paragraph with a period (2025年，… / 今年，…) or is
    the title, the period of the paragraphs after (`doc_carry`)."""
    dated = [p for p in periods if p.period_start and p.explicit or p.relative]
    if not dated or dated[-1].period_start is None:
        return
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
        n for _, _, n in page.lex.find_aliases(before)) == before  # 汉阳区2023年…
    leads = first_sentence and first.start <= _lead_in(s) + 8 and (
        adverbial or subject_only or heading)
    looks_ahead = any(t in s for t in page.lex.rules["status"]["target"]) or "将" in s
    # 这是自2016年以来…: a look back over years is no period for what follows.
    since = s[first.end:first.end + 2] == "以来" and page.ref_year is not None and \
        first.period_start.year < page.ref_year if first.period_start else False
    # “十四五”时期首批重大项目集中开工: a plan's name in a headline is no period.
    plan_name = in_title and "五" in first.text and not _YEARISH.search(first.text)
    if first.period_start and not first.target_marker and not since and \
            not plan_name and ((in_title and not looks_ahead) or leads):
        # A title, or a paragraph that opens with a period, sets it for the
        # paragraphs after (去年… in a headline; 2025年，… / 今年，… / 上半年，…).
        doc_carry.year = first.period_start.year
        doc_carry.year_basis = "context"
        doc_carry.span = (first.period_start, first.period_end) \
            if first.period_end else None

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

# 新台币约300亿元: a currency's name, then at most a qualifier, before the figure
_CURRENCY_GAP = re.compile(r"\s*(?:约|近|超过|超|逾|达|共|计)?\s*$")


def _in_foreign_currency(s: str, q: Quantity, lex: Lexicon) -> bool:
    """Whether a yuan-looking figure is in a foreign currency named right before it
    (新台币300亿元) or, with no 元 printed, right after it (300亿新台币)."""
    cur = lex.foreign_currency_re
    if q.implied_unit and cur.match(s, q.unit_end):
        return True
    return any(_CURRENCY_GAP.fullmatch(s, m.end(), q.start)
               for m in cur.finditer(s, max(0, q.start - 8), q.start))


def _indicator_of(s: str, offset: int, q: Quantity, s_regions: list[RegionMention],
                  last_by_unit: dict[str, Indicator], lex: Lexicon,
                  slot: Slot | None) -> tuple[Indicator, str, int] | None:
    """(indicator, how it was found, where the words naming it start) of a quantity that
    states a fact of one; None for a figure that states none."""
    if q.unit not in {"CNY", "PFLOPS", "percent", "count"}:
        return None  # foreign currency: kept out of CNY tables (no dated rate table yet)
    if q.unit == "CNY" and _in_foreign_currency(s, q, lex):
        return None  # 新台币300亿元 / 300亿新台币: the currency named around the figure
    found = series_indicator(q, slot, last_by_unit, lex) if slot else None
    found = found or find_indicator(s, q, lex)
    if found is None and (inh := inherited_region(s, offset, q, s_regions, last_by_unit, lex)):
        found = inh, "inherited", q.start
    if found is None or is_excluded(s, q, lex, found[2]):
        return None
    ind, _, named_from = found
    if ind.indicator_id.startswith("revenue") and _FIRM.search(
            s, clause_bounds(s, min(named_from, q.start), CLAUSE_END)[0], q.start):
        return None  # 某某集团实现营业收入120亿元: one firm's figure, not a region's
    if q.unit == "count" and (q.value != int(q.value) or not s[q.end:q.unit_end].strip(
            " 余多以上").startswith(tuple(lex.rules["count_units"]))):
        return None  # 扩大0.3个百分点: a count is a whole number
    return found


def _period_of(s: str, q: Quantity, periods: list[PeriodExpr], carry: Carry, ref_basis: str,
               slot: Slot | None
               ) -> tuple[PeriodExpr | None, date | None, date | None, str]:
    """(the period expression a figure is for, its start, end and basis): the nearest
    expression before the number, else one after it in its clause, else the one carried
    from the text before; a 分别 list's i-th period for its i-th figure."""
    before = [p for p in periods if p.end <= q.start and p.period_start is not None]
    _, cr = clause_bounds(s, q.start, CLAUSE_END)
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
        elif period.relative and ref_basis != "publication_date" and \
                _RELATIVE_YEAR.search(period.text):
            ps, pe, basis = None, None, "unknown"  # an undated page's 今年: no guess
    else:
        ps, pe, basis = carry.period()
    if slot is not None and slot.period is not None:
        # 2021年至2023年分别… / 一季度、上半年分别…: the i-th period
        ps, pe = slot.period
        basis = ref_basis if slot.relative_period else "explicit"
    return period, ps, pe, basis


def _signed(s: str, q: Quantity) -> float:
    """同比下降12% is a growth rate of -12."""
    if q.unit == "percent" and q.value > 0 and any(
            s.endswith(w, 0, q.start) or s.endswith(w + "了", 0, q.start) or
            s.endswith("同比" + w, 0, q.start) for w in DECLINE_WORDS):
        return -q.value
    return q.value


def _mention(text: str, s: str, offset: int, q: Quantity, periods: list[PeriodExpr],
             s_regions: list[RegionMention], carry: Carry, primary: str | None,
             ref_date: date | None, ref_basis: str, lex: Lexicon, target_section: bool,
             last_by_unit: dict[str, Indicator], masks: list[tuple[int, int, str]],
             slot: Slot | None = None) -> Mention | None:
    """The mention quantity `q` of sentence `s` (at `offset` in `text`) makes, if any: its
    indicator, period, status and region, each rule reading what the ones before decided."""
    found = _indicator_of(s, offset, q, s_regions, last_by_unit, lex, slot)
    if found is None:
        return None
    ind, ind_how, _ = found
    period, ps, pe, basis = _period_of(s, q, periods, carry, ref_basis, slot)
    status, status_how = status_of(s, q, period, ps, pe, ref_date,
                                 ref_basis == "publication_date", lex, masks, target_section)
    if _BASELINE.search(s[max(0, q.start - 8):q.start]) and period is not None and \
            period.explicit and pe is not None and ref_date is not None and pe < ref_date:
        status, status_how = "actual", "baseline"  # 从2015年的39.70亿元增长到…: the start
    ps, pe = settled_period(ps, pe, basis, status, period, ref_date, ref_basis)
    region, region_basis = region_for(s, offset, q, s_regions, carry, primary, lex)
    if slot is not None and slot.region is not None:
        region, region_basis = slot.region, "sentence"  # 甲、乙和丙三区分别…: the i-th
    region_id, region_text = region_out(region, primary, lex)
    conf = confidence(ind_how, status_how, basis, region_basis)
    if q.restated_as is not None:
        # 500P，约合每秒5亿亿次: one fact, flagged for review (the two units disagree)
        ind_how, conf = "restated_mismatch", min(conf, _MISMATCH_CONFIDENCE)
    return Mention(
        char_start=offset + q.start, char_end=offset + q.end, raw_text=text[offset + q.start:
                                                                             offset + q.end],
        sentence=s.strip(), value=_signed(s, q), value_high=q.value_high,
        unit="CNY" if q.implied_unit else q.unit, qualifier=q.qualifier,
        indicator_id=ind.indicator_id, category=ind.category, status=status,
        period_start=ps, period_end=pe, period_basis=basis,
        region_id=region_id, region_text=region_text,
        region_basis=region_basis,
        confidence=conf,
        basis=basis_text(ind_how, status_how, basis, region_basis),
    )
