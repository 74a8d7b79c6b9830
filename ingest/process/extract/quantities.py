"""A number in a sentence with its unit and qualifier: 突破1800亿元, 2500余名, 100—200亿元.

Only the quantity is read here (what is printed); whether it is a fact of an indicator
is decided in ``ingest.process.extract.facts``.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from ingest.process.extract.lexicon import Lexicon
from ingest.process.extract.numbers import NUMBER_RE, parse_number

__all__ = ["Quantity", "find_quantities"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

_COMPUTE_RE = re.compile(r"(?P<p>[PET])(?P<f>(?i:flops)|F)?(?![A-Za-z])")
_OPS_RE = re.compile(r"次(?:浮点运算|运算|计算)?")
_RANGE_DASH = re.compile(r"\s*(?:—|-|–|―|~|～|至|到)\s*")
_CN_NUMERAL = set("零〇一二两三四五六七八九十百千")
_MULT = set("万亿")
_LINK_VERBS = ("达到", "达", "为", "是", "超过了")


@dataclass(frozen=True)
class Quantity:
    start: int  # the printed number, offsets in the sentence
    end: int
    unit_end: int  # end of unit (and trailing qualifier words)
    value: float
    value_high: float | None
    unit: str  # CNY, PFLOPS, percent, count, or a foreign currency code
    implied_unit: bool  # "2000亿" with no 元: yuan only if the indicator is money
    qualifier: str
    explicit_flops: bool = False  # printed as …FLOPS or 每秒…次, not a bare P
    restated_as: float | None = None  # 500P，约合每秒5亿亿次: the restatement's other value


class WordTable:
    """The longest of a fixed set of words printed at, or just before, a position.

    One set lookup per distinct word length instead of a `startswith` per word: the
    quantity scan asks this several times for every number in every sentence.
    """

    __slots__ = ("lengths", "words")

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w)
        self.lengths = tuple(sorted({len(w) for w in self.words}, reverse=True))

    def at(self, text: str, pos: int) -> str | None:
        """The longest word printed at text[pos:]."""
        for n in self.lengths:
            w = text[pos:pos + n]
            if len(w) == n and w in self.words:
                return w
        return None

    def before(self, text: str, pos: int) -> str | None:
        """The longest word printed just before text[pos]."""
        for n in self.lengths:
            if pos - n >= 0 and (w := text[pos - n:pos]) in self.words:
                return w
        return None


@dataclass(frozen=True)
class _Words:
    """rules.yml's word lists the quantity scan reads, as tables (built once per lexicon)."""

    units: WordTable  # unit surfaces other than compute ones (those are _COMPUTE_RE)
    qualifier_before: WordTable
    qualifier_before_kind: dict[str, str]  # word -> qualifier (the first list it is in)
    qualifier_after: WordTable
    qualifier_after_kind: dict[str, str]
    after_or_milestone: WordTable  # a qualifier after the number, or 大关
    not_before: WordTable
    not_after: WordTable


_WORDS: dict[int, tuple[Lexicon, _Words]] = {}


def _words(lex: Lexicon) -> _Words:
    hit = _WORDS.get(id(lex))
    if hit is not None and hit[0] is lex:
        return hit[1]
    rules = lex.rules
    before_kind: dict[str, str] = {}
    for k, ws in rules["qualifiers"]["before"].items():
        for w in ws:
            before_kind.setdefault(w, k)
    after_kind = {w: k for k, ws in rules["qualifiers"]["after"].items() for w in ws}
    words = _Words(
        units=WordTable(u for u, v in lex.units.items() if v[2] != "compute"),
        qualifier_before=WordTable(before_kind), qualifier_before_kind=before_kind,
        qualifier_after=WordTable(after_kind), qualifier_after_kind=after_kind,
        after_or_milestone=WordTable([*after_kind, "大关"]),
        not_before=WordTable(rules["not_quantity_before"]),
        not_after=WordTable(rules["not_quantity_after"]))
    _WORDS[id(lex)] = (lex, words)
    return words


def _read_unit(s: str, pos: int, lex: Lexicon, words: _Words) -> tuple[str, float, str, int] | None:
    """(unit, factor, kind, end) of the unit printed at s[pos:], if any."""
    m = _COMPUTE_RE.match(s, pos)
    if m and not (m.group("p") == "T" and not m.group("f")):
        factor = {"P": 1.0, "E": 1000.0, "T": 0.001}[m.group("p")]
        kind = "compute_flops" if m.group("f") and len(m.group("f")) > 1 else "compute"
        return "PFLOPS", factor, kind, m.end()
    best = words.units.at(s, pos)
    if best is None:
        return None
    unit, factor, kind = lex.units[best]
    return unit, factor, kind, pos + len(best)


def _qualifier_before(s: str, start: int, words: _Words) -> str | None:
    """突破1800亿元, and 最高达60亿元 (one linking verb between qualifier and number)."""
    w = words.qualifier_before.before(s, start)
    if w:
        return words.qualifier_before_kind[w]
    for v in _LINK_VERBS:
        if s.startswith(v, start - len(v)):
            w = words.qualifier_before.before(s, start - len(v))
            if w:
                return words.qualifier_before_kind[w]
    return None


def _scale(text: str) -> Decimal:
    """The 万/亿 multiplier a number ends with (200亿 → 1e8)."""
    mult = Decimal(1)
    for ch in text[::-1]:
        if ch not in _MULT:
            break
        mult *= Decimal(10) ** (8 if ch == "亿" else 4)
    return mult


# 500P(每秒50亿亿次…) / 2.3EFLOPS，即2300P / 1.2万P，折合12EFLOPS: the same capacity again.
_BRACKETED = re.compile(r"\s*[（(]\s*(?:每秒)?\s*")
_RESTATED = re.compile(r"\s*(?:[（(]|[，,]?\s*(?:即|折合|约合|相当于)[为约]?)\s*(?:每秒)?\s*")


def _is_restatement(s: str, prev: Quantity | None, start: int, unit: str) -> bool:
    """500P(每秒50亿亿次浮点运算), 2.3EFLOPS，即2300P: a compute figure right after another,
    in brackets or after 即/折合, restates it: one capacity, one fact."""
    if prev is None or prev.unit != unit:
        return False
    between = s[prev.unit_end:start]
    return (_RESTATED if unit == "PFLOPS" else _BRACKETED).fullmatch(between) is not None


def _disagrees(prev: Quantity, value: float) -> bool:
    """Whether a restated compute figure gives another capacity (500P，约合每秒5亿亿次)."""
    return prev.unit == "PFLOPS" and abs(value - prev.value) > 0.01 * max(abs(prev.value),
                                                                         1e-9)


# A numeral's Decimal, remembered (years and small counts come back on every page).
_number = functools.lru_cache(maxsize=4096)(parse_number)


@functools.lru_cache(maxsize=64)
def _factor(factor: float) -> Decimal:
    return Decimal(str(factor))


def _ruled_out(s: str, start: int, words: _Words) -> bool:
    """Whether the numeral at `start` is part of a code (IPv6, 5G/400G, v1.2) or follows a
    word that rules a quantity out."""
    prev = s[start - 1] if start else ""
    if prev and (prev.isascii() and (prev.isalnum() or prev in "._/")):
        return True
    return bool(words.not_before.before(s, start))


def _range_after(s: str, text: str, end: int,
                 value: Decimal) -> tuple[Decimal, Decimal | None, int]:
    """100—200亿元: (value, upper end, end of the printed range); the unit and multiplier
    of the upper end apply to both. 2021—2025年 is years, no range."""
    rd = _RANGE_DASH.match(s, end)
    if not rd:
        return value, None, end
    m2 = _NUMBER_AT(s, rd.end())
    if not m2 or (text.isdigit() and len(text) == 4 and s.startswith("年", m2.end())):
        return value, None, end
    try:
        hi = _number(m2.group())
    except ValueError:
        return value, None, end
    if not any(c in _MULT for c in text):
        value *= _scale(m2.group())
    return value, hi, m2.end()


def _about_after(s: str, pos: int, value: Decimal) -> tuple[Decimal, int] | None:
    """2500余名 / 2100余万元: 余/多 between the number and its multiplier or unit; (value
    with the multiplier, position after them), or None when there is none."""
    if pos >= len(s) or s[pos] not in "余多":
        return None
    pos += 1
    while pos < len(s) and s[pos] in _MULT:
        value *= Decimal(10) ** (8 if s[pos] == "亿" else 4)
        pos += 1
    return value, pos


def _unit_after(s: str, start: int, pos: int, text: str, percent_words: bool, lex: Lexicon,
                words: _Words) -> tuple[str, float, str, bool, int] | None:
    """(unit, factor, kind, implied, end) of what the number at `start` measures, its unit
    printed at `pos`; None when it has none we measure."""
    if percent_words:
        return "percent", 1.0, "percent", False, pos
    if s.startswith("每秒", max(0, start - 2)) and (ops := _OPS_RE.match(s, pos)):
        # 每秒1000万亿次 (floating-point operations per second) = 1 PFLOPS.
        return "PFLOPS", 1e-15, "compute_flops", False, ops.end()
    read = _read_unit(s, pos, lex, words)
    if read is not None:
        unit, factor, kind, pos = read
        return unit, factor, kind, False, pos
    nxt = s[pos:pos + 1]
    has_mult = any(c in _MULT for c in text)
    if not has_mult or (nxt and "\u4e00" <= nxt <= "\u9fff"
                        and not words.after_or_milestone.at(s, pos)):
        return None
    return "CNY", 1.0, "money", True, pos  # 2000亿 with no 元: yuan if the measure is money


def _unit_range(s: str, pos: int, unit: str, lex: Lexicon,
                words: _Words) -> tuple[Decimal, int, int] | None:
    """6%—8%, 100P—200P: a range printed with the unit on both ends; (upper end, end of
    its number, end of its unit)."""
    rd = _RANGE_DASH.match(s, pos)
    m2 = _NUMBER_AT(s, rd.end()) if rd else None
    hi_unit = _read_unit(s, m2.end(), lex, words) if m2 else None
    if m2 and hi_unit is not None and hi_unit[0] == unit:
        return parse_number(m2.group()), m2.end(), hi_unit[3]
    return None


_NUMBER_AT = NUMBER_RE.match


def _qualifier(qualifier: str, before_q: str | None, s: str, pos: int, is_range: bool,
               words: _Words) -> tuple[str, int]:
    """The figure's qualifier (a word before it, else one after its unit; a range is
    at_least), and where the figure ends."""
    if before_q:
        qualifier = before_q
    a = words.qualifier_after.at(s, pos)
    if a:
        qualifier = words.qualifier_after_kind[a]
        pos += len(a)
    return ("at_least" if is_range else qualifier), pos


def _restates(out: list[Quantity], s: str, start: int, unit: str, value: float) -> bool:
    """Whether the figure restates the one before it (500P(每秒50亿亿次…)): then it is
    no quantity of its own, and a restatement with another value flags that one."""
    if not _is_restatement(s, out[-1] if out else None, start, unit):
        return False
    if _disagrees(out[-1], value):  # one fact still, flagged (facts.py)
        logger.info("compute restated with another value: %s vs %s PFLOPS",
                    out[-1].value, value)
        out[-1] = replace(out[-1], restated_as=value)
    return True


def find_quantities(s: str, lex: Lexicon) -> list[Quantity]:
    """Every printed quantity in sentence `s` that has a unit we measure in.

    One scan of the sentence: a number, its range, its multiplier and its unit are read
    in order from the same position."""
    words = _words(lex)
    out: list[Quantity] = []
    skip_until = -1
    for m in NUMBER_RE.finditer(s):
        start, end, text = m.start(), m.end(), m.group()
        if start < skip_until:
            continue
        if _ruled_out(s, start, words):
            continue
        before_q = _qualifier_before(s, start, words)
        if text[0] in _CN_NUMERAL and len(text) == 1 and before_q is None:
            continue  # 陈三元, 一批, 八大: a word; 近百个 is a quantity
        try:
            value = _number(text)
        except ValueError:
            continue
        percent_words = s.endswith("百分之", 0, start)
        if percent_words:
            start -= 3  # 百分之十二: the printed number includes 百分之
        if start and s[start - 1] in "-−" and (start < 2 or not s[start - 2].isdigit()):
            start -= 1
            value = -value  # 增长-3.5%
        value, value_high, end = _range_after(s, text, end, value)
        qualifier = "exact"
        about = _about_after(s, end, value) if value_high is None else None
        if about is not None:
            qualifier = "about"
            value, end = about  # raw_text: 180余亿
        pos = end
        while pos < len(s) and s[pos] == " ":
            pos += 1
        if words.not_after.at(s, pos) and not s.startswith("个百分点", pos):
            continue
        measured = _unit_after(s, start, pos, text, percent_words, lex, words)
        if measured is None:
            continue
        unit, factor, kind, implied, pos = measured
        if value_high is None and (hi := _unit_range(s, pos, unit, lex, words)):
            value_high, end, pos = hi
        qualifier, pos = _qualifier(qualifier, before_q, s, pos, value_high is not None, words)
        skip_until = pos
        f = _factor(factor)
        if _restates(out, s, start, unit, float(value * f)):
            continue
        out.append(Quantity(start, end, pos, float(value * f),
                            float(value_high * f) if value_high is not None else None,
                            unit, implied, qualifier, kind == "compute_flops"))
    return out
