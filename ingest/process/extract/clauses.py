"""Where sentences, clauses and segments of a sentence begin and end, and the small
word lists every step of extraction reads (growth and decline words, keyword matches)."""

from __future__ import annotations

import re
from bisect import bisect_left

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
    """The clause (for `CLAUSE_END`; the segment for `SEGMENT_END`) of `s` around `pos`:
    after the last end mark before `pos`, up to the first one from `pos` on."""
    if pattern is CLAUSE_END or pattern is SEGMENT_END:
        return _bounds_from_marks(s, pos, pattern)
    left = 0
    for m in pattern.finditer(s, 0, pos):
        left = m.end()
    m2 = pattern.search(s, pos)
    return left, (m2.start() if m2 else len(s))


# The end marks of the last sentence asked about, per pattern: every figure of a sentence
# asks for its clause and segment several times, and the sentence is scanned once.
_MARKS: dict[re.Pattern[str], tuple[str, list[int], list[bool]]] = {}


def _bounds_from_marks(s: str, pos: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    """`clause_bounds` for a pattern of one-character marks, from the sentence's marks.

    The same answer as scanning `s[:pos]` and searching from `pos`: a mark is one
    character, so the scan of the whole sentence finds every one; only a space before a
    CJK character (`_CJK_GAP`) right before `pos` is not seen by a scan that stops at
    `pos` (its lookahead would need `s[pos]`)."""
    hit = _MARKS.get(pattern)
    if hit is None or hit[0] is not s:
        starts: list[int] = []
        gaps: list[bool] = []
        for m in pattern.finditer(s):
            starts.append(m.start())
            gaps.append(m.group() == " ")
        hit = _MARKS[pattern] = (s, starts, gaps)
    _, starts, gaps = hit
    k = bisect_left(starts, pos)  # starts[:k] lie before pos
    j = k - 1
    if j >= 0 and gaps[j] and starts[j] == pos - 1:
        j -= 1
    left = starts[j] + 1 if j >= 0 else 0
    return left, (starts[k] if k < len(starts) else len(s))

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
