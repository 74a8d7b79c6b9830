"""Where sentences, clauses and segments of a sentence begin and end, and the small
word lists every step of extraction reads (growth and decline words, keyword matches)."""

from __future__ import annotations

import re

from ingest.process.extract.lexicon import Lexicon

__all__ = ["CLAUSE_END", "DECLINE_WORDS", "FIGURE", "GROWTH_WORDS", "MEASURE_WORDS", "NEAR",
           "SEGMENT_END", "all_positions", "clause_bounds", "figure_between",
           "keyword_matches", "sentence_spans"]


# A sentence ends at 。！？ or a line; ； only ends a clause, so "到2025年，A达到…；B突破…"
# keeps its period and status for B.
_SENTENCE_END = re.compile(r"[。！？!?]+|\n")

# Headline phrases separated by a space: "算力规模达1.2EFLOPS 力争明年突破10EFLOPS".
_CJK_GAP = r"(?<=[\u4e00-\u9fff”\"A-Za-z0-9%]) (?=[\u4e00-\u9fff“\"])"

CLAUSE_END = re.compile(rf"[，,：:；;。！？!?]|{_CJK_GAP}")

SEGMENT_END = re.compile(rf"[，,：:；;。！？!?、]|{_CJK_GAP}")

# (按年增/按年上升: Hong Kong; 成长/年增率: Taiwan)
GROWTH_WORDS = ("增长", "增速", "增幅", "同比增长", "按年增", "按年上升", "成长", "年增率")

DECLINE_WORDS = ("下降", "回落", "减少", "降低", "下滑")

MEASURE_WORDS = frozenset((*GROWTH_WORDS, *DECLINE_WORDS))

NEAR = 8  # a keyword this close to its number names it plainly (basis keyword_near)

def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() > pos:
            out.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        out.append((pos, end))
    return [(a, b) for a, b in out if text[a:b].strip()]

def clause_bounds(s: str, pos: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    left = 0
    for m in pattern.finditer(s, 0, pos):
        left = m.end()
    m2 = pattern.search(s, pos)
    return left, (m2.start() if m2 else len(s))

def keyword_matches(s: str, start: int, end: int, lex: Lexicon) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), lex.keyword_of(m.group()))
            for m in lex.keyword_re.finditer(s, start, end)]

FIGURE = re.compile(r"\d")

def figure_between(s: str, a: int, b: int) -> bool:
    return FIGURE.search(s, a, b) is not None

def all_positions(s: str, w: str) -> list[int]:
    """Where `w` starts in `s`, left to right, not overlapping."""
    if not w:
        return list(range(len(s) + 1))  # as re.finditer("") has it
    out: list[int] = []
    i = s.find(w)
    while i >= 0:
        out.append(i)
        i = s.find(w, i + len(w))
    return out
