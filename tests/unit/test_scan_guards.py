"""The scans that run over every sentence, made faster without changing what they find.

`PERIOD_RE` and `NUMBER_RE` open with a lookahead naming the characters a match can
start with (so the scan skips every other position at once); a lookahead that left one
out would silently lose periods or numbers. These tests read each pattern's possible
first characters from the pattern itself, so a new alternative that starts with a new
character fails here until the lookahead names it.
"""

from __future__ import annotations

import re
import re._constants as sc  # type: ignore[import-not-found]
import re._parser as sp  # type: ignore[import-not-found]
from typing import Any

import pytest

from ingest.process.extract import numbers, periods

_DIGITS = [chr(c) for c in range(0x10000) if re.match(r"\d", chr(c))]


def _first(items: Any) -> tuple[set[str], bool]:
    """The characters a parsed pattern can start with, and whether it can match empty."""
    out: set[str] = set()
    for op, av in items:
        chars, nullable = _first_of(op, av)
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _first_of(op: Any, av: Any) -> tuple[set[str], bool]:
    if op is sc.LITERAL:
        return {chr(av)}, False
    if op is sc.IN:
        chars: set[str] = set()
        for kind, val in av:
            if kind is sc.LITERAL:
                chars.add(chr(val))
            elif kind is sc.RANGE:
                chars.update(chr(c) for c in range(val[0], val[1] + 1))
            elif kind is sc.CATEGORY and val is sc.CATEGORY_DIGIT:
                chars.update(_DIGITS)
            else:
                pytest.fail(f"_first_of cannot read {kind} in a class: extend it")
        return chars, False
    if op is sc.CATEGORY and av is sc.CATEGORY_DIGIT:
        return set(_DIGITS), False
    if op is sc.SUBPATTERN:
        return _first(av[3])
    if op is sc.BRANCH:
        out: set[str] = set()
        nullable = False
        for alt in av[1]:
            chars, n = _first(alt)
            out |= chars
            nullable |= n
        return out, nullable
    if op in (sc.MAX_REPEAT, sc.MIN_REPEAT):
        chars, n = _first(av[2])
        return chars, n or av[0] == 0
    if op in (sc.ASSERT, sc.ASSERT_NOT, sc.AT):
        return set(), True
    pytest.fail(f"_first_of cannot read {op}: extend it to check this pattern")


@pytest.mark.parametrize(("pattern", "guard"), [
    pytest.param(periods.PERIOD_RE, periods._PERIOD_FIRST, id="periods"),
    pytest.param(numbers.NUMBER_RE, numbers._NUMBER_FIRST, id="numbers"),
])
def test_the_lookahead_admits_every_first_character(pattern: re.Pattern[str],
                                                    guard: str) -> None:
    lookahead = f"(?={guard})"
    assert pattern.pattern.startswith(lookahead)
    firsts, nullable = _first(sp.parse(pattern.pattern[len(lookahead):]))
    assert not nullable
    assert firsts, "no first characters read"
    missing = sorted(ch for ch in firsts if not re.fullmatch(guard, ch))
    assert not missing, f"the lookahead leaves out {missing}"


def test_guarded_patterns_find_what_the_bare_ones_find() -> None:
    sentences = [
        "截至2024年末，全市“十四五”期间累计完成投资1.2万亿元，到2025年力争突破1500亿元。",
        "2022―2026年，今年一季度、上半年、前三季度、1—10月、12月末、去年、上一年、次年。",
        "首季增长3.5%，第一季度一百二十亿元，一至三季度三千亿，前10个月，当年全年。",
        "预计明年、前年、本年、下半年、年底、第三季分别为２０２３年、５００P和两千万元。",
    ]
    for guarded, guard in ((periods.PERIOD_RE, periods._PERIOD_FIRST),
                           (numbers.NUMBER_RE, numbers._NUMBER_FIRST)):
        bare = re.compile(guarded.pattern[len(f"(?={guard})"):])
        for s in sentences:
            assert [m.groupdict() | {"span": m.span()} for m in guarded.finditer(s)] == \
                [m.groupdict() | {"span": m.span()} for m in bare.finditer(s)]
