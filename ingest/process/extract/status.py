"""Whether a figure is an actual, an estimate or a target: the cue words before it in
its clause, the page's genre and tense, and the period it settles on."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ingest.process.extract.clauses import (
    CLAUSE_END,
    NEAR,
    all_positions,
    clause_bounds,
    figure_between,
    keyword_matches,
)
from ingest.process.extract.lexicon import Lexicon
from ingest.process.extract.periods import PeriodExpr
from ingest.process.extract.quantities import Quantity

__all__ = ["settled_period", "status_masks", "status_of"]


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

def _cues(left: str, q: Quantity, period: PeriodExpr | None, st: dict[str, Any],
          kws: list[tuple[int, int, str]]) -> tuple[int, int, int]:
    """Positions of the last estimate, target and actual cue before the figure (-1: none);
    将 counts as a target cue unless it is part of a word (将近), and so does the period's
    到/至."""
    est = _cue_positions(left, st["estimate"], kws)
    tgt = _cue_positions(left, st["target"], kws)
    jiang = [m.start() for m in re.finditer("将", left)
             if not any(left.startswith(w, m.start() - w.index("将")) for w in st["jiang_not_in"]
                        if "将" in w)]
    if jiang:
        tgt = max(tgt, jiang[-1])
    if period is not None and period.target_marker and period.end <= q.start:
        tgt = max(tgt, period.start)
    return est, tgt, _cue_positions(left, st["strong_actual"], kws)


def _target_after(s: str, q: Quantity, cr: int, st: dict[str, Any],
                  kws: list[tuple[int, int, str]]) -> bool:
    """A target word after the figure in its clause, outside any keyword (…达到9%的目标)."""
    return any(q.unit_end <= i < cr and not any(a <= i < b for a, b, _ in kws)
               for w in st["target_words_anywhere"] for i in all_positions(s, w))


def _by_cue(nearest: int, est: int, tgt: int, act: int, cl: int, trailing_target: bool,
            future: bool, dated_ref: bool, target_section: bool, ps: date | None,
            pe: date | None, ref: date | None) -> tuple[str, str] | None:
    """The status the nearest cue gives; None when a future period overrules a cue of
    actuals on a dated page."""
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
    return None


def status_of(s: str, q: Quantity, period: PeriodExpr | None, ps: date | None, pe: date | None,
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
    est, tgt, act = _cues(left, q, period, st, kws)
    planned = _cue_positions(left, st["planned_keywords"])
    if planned >= 0 and q.start - planned <= len("年度计划完成投资") + NEAR:
        return "target", "planned_keyword"  # 年度计划投资2176亿元
    cl, cr = clause_bounds(s, q.start, CLAUSE_END)
    if 0 <= tgt < cl and _qualifies_a_keyword(s, tgt, ["计划"], kws) and \
            figure_between(s, tgt, cl):
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
    trailing_target = _target_after(s, q, cr, st, kws)
    if nearest >= 0 and (decided := _by_cue(nearest, est, tgt, act, cl, trailing_target, future,
                                            dated_ref, target_section, ps, pe, ref)):
        return decided
    if future or trailing_target:
        return "target", "future_period" if future else "target_word_after"
    if target_section and not (pe is not None and ref is not None and pe < ref):
        return "target", "plans_section"  # under a heading of plans, a figure without a cue
    # No cue at all: news reports figures plainly; plans always say so (力争, 将, 到…年).
    return "actual", "no_cue"

def status_masks(s: str, lex: Lexicon) -> list[tuple[int, int, str]]:
    """The keyword and not-cue spans of sentence `s`, where status cues do not count:
    computed once per sentence (every figure of it asks), not once per figure."""
    return [*keyword_matches(s, 0, len(s), lex),
            *((m.start(1), m.end(1), "") for m in lex.not_cue_re.finditer(s))]

def _qualifies_a_keyword(s: str, pos: int, words: list[str],
                         kws: list[tuple[int, int, str]]) -> bool:
    """Whether the cue at `pos` runs straight into an indicator keyword (计划完成投资)."""
    for w in words:
        if s.startswith(w, pos):
            after = pos + len(w)
            return any(a <= after + 1 and b > after for a, b, k in kws if k)
    return False

def settled_period(ps: date | None, pe: date | None, basis: str, status: str,
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
